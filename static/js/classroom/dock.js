// The column that holds the lesson card and the poll card. The cards stack in it, so
// one never covers the other's buttons, and the picture makes room for it: while a
// card shows, the stage keeps a column free on its left (body.has-card-dock) and the
// picture fits itself into the rest, so no card hides what the step points at. The
// column stays inside the stage, clear of the bars and their buttons.

const margin = 8;

export class CardDock {
  constructor(dock, stage) {
    this.dock = dock;
    this.stage = stage;
    this.pending = false;
    window.addEventListener("resize", () => this.place());
  }

  /** Place the dock after the browser has drawn the current changes. */
  place() {
    if (!this.dock || !this.stage || this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.placeNow();
    });
  }

  placeNow() {
    const visible = [...this.dock.children].some((card) => !card.hidden);
    this.dock.hidden = !visible;
    document.body.classList.toggle("has-card-dock", visible);
    if (!visible) return;
    const area = this.stage.getBoundingClientRect();
    const top = Math.max(0, area.top) + margin;
    this.dock.style.top = `${top}px`;
    this.dock.style.left = `${Math.max(0, area.left) + margin}px`;
    this.dock.style.maxHeight = `${Math.max(120, Math.min(area.bottom, window.innerHeight) - top - margin)}px`;
  }
}
