// Zoom and pan of the picture: one transform on the viewport group. Wheel zooms around
// the pointer, dragging pans, and "fit" frames the whole cluster under the legend strip.

export const farThreshold = 0.3;  // below this zoom pods are specks: show counts instead
const legendStrip = 36;

export class PanZoom extends EventTarget {
  /**
   * @param {SVGSVGElement} svgElement the picture
   * @param {SVGGElement} group the group that carries the transform
   * @param {() => {x:number,y:number,w:number,h:number}} bounds the world to fit
   */
  constructor(svgElement, group, bounds) {
    super();
    this.svg = svgElement;
    this.group = group;
    this.bounds = bounds;
    this.view = { k: 1, x: 0, y: 0 };
    this.lod = "near";
    this.userMoved = false;
    this.reserveBottom = 0;
    this.reserveTop = legendStrip;
    this.width = 0;
    this.height = 0;
    this.bind();
  }

  measure() {
    const { width, height } = this.svg.getBoundingClientRect();
    this.width = width;
    this.height = height;
    return { width, height };
  }

  /** Frame the whole world; `draw` false when the caller draws right after anyway. */
  fit(draw = true) {
    const box = this.bounds();
    const { width, height: full } = this.measure();
    const height = full - this.reserveTop - this.reserveBottom;
    if (!width || height <= 0) return;
    const k = Math.min(width / box.w, height / box.h);
    this.set(k, (width - box.w * k) / 2 - box.x * k, this.reserveTop - box.y * k, draw);
  }

  set(k, x, y, draw = true) {
    this.view = { k: Math.min(4, Math.max(0.05, k)), x, y };
    this.group.setAttribute("transform", `translate(${this.view.x},${this.view.y}) scale(${this.view.k})`);
    const far = this.view.k < farThreshold;
    this.lod = far ? "far" : "near";
    this.svg.classList.toggle("lod-far", far);
    this.svg.classList.toggle("lod-near", !far);
    this.dispatchEvent(new CustomEvent("change", { detail: { draw } }));
  }

  zoomBy(factor, at) {
    const { width, height } = this.measure();
    const point = at ?? { x: width / 2, y: height / 2 };
    const k = Math.min(4, Math.max(0.05, this.view.k * factor));
    const ratio = k / this.view.k;
    this.userMoved = true;
    this.set(k, point.x - (point.x - this.view.x) * ratio, point.y - (point.y - this.view.y) * ratio);
  }

  panBy(dx, dy) {
    this.userMoved = true;
    this.set(this.view.k, this.view.x + dx, this.view.y + dy);
  }

  /** Zoom so that a world rectangle fills most of the screen. */
  focusRect(rect, maxK = 1.6) {
    const { width, height } = this.measure();
    const k = Math.min(maxK, (width * 0.9) / rect.w, (height * 0.9) / rect.h);
    this.userMoved = true;
    this.set(k, width / 2 - (rect.x + rect.w / 2) * k, height / 2 - (rect.y + rect.h / 2) * k);
  }

  reset() {
    this.userMoved = false;
    this.fit();
  }

  /** The part of the world on screen, grown by `margin` of the screen on each side. */
  visibleWorld(margin = 0.5) {
    const { k, x, y } = this.view;
    return {
      x: (-x - this.width * margin) / k,
      y: (-y - this.height * margin) / k,
      w: (this.width * (1 + 2 * margin)) / k,
      h: (this.height * (1 + 2 * margin)) / k,
    };
  }

  bind() {
    let drag = null;
    this.svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const bounds = this.svg.getBoundingClientRect();
      this.zoomBy(Math.exp(-event.deltaY * 0.0015), { x: event.clientX - bounds.left, y: event.clientY - bounds.top });
    }, { passive: false });
    this.svg.addEventListener("pointerdown", (event) => {
      if (event.button === 0) drag = { x: event.clientX, y: event.clientY, moved: false, id: event.pointerId };
    });
    this.svg.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) this.svg.setPointerCapture(drag.id);
      drag.moved = true;
      drag.x = event.clientX;
      drag.y = event.clientY;
      this.svg.classList.add("panning");
      this.panBy(dx, dy);
    });
    const end = () => {
      // A drag is not a click: swallow the click that follows it.
      if (drag?.moved) this.justDragged = true;
      drag = null;
      this.svg.classList.remove("panning");
    };
    this.svg.addEventListener("pointerup", end);
    this.svg.addEventListener("pointercancel", end);
    new ResizeObserver(() => {
      if (!this.userMoved) this.fit();
      else this.measure();
    }).observe(this.svg);
  }
}
