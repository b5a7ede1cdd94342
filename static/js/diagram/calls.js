// The API calls of one step drawn over the picture: an arrow from the acting component to
// kube-apiserver, one from kube-apiserver to etcd for each write, and their labels on the
// control plane's top line so they never cover a component.

import { svg, clear, prefersReducedMotion } from "../dom.js";
import { center } from "./layout.js";
import { textWidth } from "./textfit.js";

/** Where the line from `rect`'s centre toward `toward` leaves the rectangle. */
export function edgePoint(rect, toward) {
  const c = center(rect);
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (!dx && !dy) return c;
  const scale = 1 / Math.max(Math.abs(dx) / (rect.w / 2), Math.abs(dy) / (rect.h / 2));
  return { x: c.x + dx * scale, y: c.y + dy * scale };
}

function callLabel(text, at, extraClass = "") {
  const width = textWidth(text, "call-label-text") + 16;
  return svg("g", { className: `call-label ${extraClass}`, transform: `translate(${at.right - width},${at.y})` },
    svg("rect", { width, height: 26, rx: 5 }),
    svg("text", { className: "call-label-text", x: width / 2, y: 18, "text-anchor": "middle" }, text));
}

function tail(text, max) {
  const value = String(text ?? "");
  return value.length > max ? `…${value.slice(-(max - 1))}` : value;
}

function animateStroke(path, duration, delay = 0) {
  if (!duration || prefersReducedMotion() || !path.getTotalLength) return;
  const length = path.getTotalLength();
  path.style.strokeDasharray = `${length}`;
  path.animate([{ strokeDashoffset: length }, { strokeDashoffset: 0 }], { duration, delay, fill: "backwards", easing: "ease-out" })
    .finished.then(() => { path.style.strokeDasharray = ""; }, () => {});
}

/**
 * Draw `event`'s calls into `layer`. `speed` is the play speed (a number or "max"):
 * arrows draw themselves within one step's time, and appear at once when fast.
 */
export function drawCalls(layer, layout, event, actorRect, { animate = true, speed = 1 } = {}) {
  clear(layer);
  const api = layout.componentRect("kube-apiserver");
  const etcd = layout.componentRect("etcd");
  const cp = layout.controlPlaneRect();
  const calls = event.apiCalls ?? [];
  const factor = speed === "max" ? 20 : Math.max(0.25, Number(speed) || 1);
  const still = !animate || factor >= 8;
  if (actorRect && calls.length && actorRect !== api) {
    const from = edgePoint(actorRect, center(api));
    const to = edgePoint(api, center(actorRect));
    const bend = Math.abs(from.x - to.x) > 40 ? -40 : 0;
    const d = `M${from.x},${from.y} Q${(from.x + to.x) / 2},${Math.min(from.y, to.y) + bend} ${to.x},${to.y}`;
    const path = svg("path", { className: "call-arrow", d, "marker-end": "url(#arrowHead)" });
    layer.append(path);
    animateStroke(path, still ? 0 : 650 / factor);
  }
  if (calls.length) {
    const call = calls[0];
    const text = `${call.verb} ${tail(call.path, 40)}${calls.length > 1 ? ` +${calls.length - 1}` : ""}`;
    layer.append(callLabel(text, { right: cp.x + 688, y: 8 }));
  }
  if ((event.writes ?? []).length) {
    const from = { x: api.x + api.w, y: api.y + api.h / 2 };
    const to = { x: etcd.x, y: etcd.y + etcd.h / 2 };
    const path = svg("path", { className: "call-arrow write", d: `M${from.x},${from.y} L${to.x - 2},${to.y}`, "marker-end": "url(#arrowHeadWrite)" });
    layer.append(path);
    const write = event.writes[0];
    layer.append(callLabel(`${write.op ?? "PUT"} ${tail(write.key, 24)}`, { right: cp.x + cp.w - 8, y: 8 }, "write-label"));
    animateStroke(path, still ? 0 : 400 / factor, still ? 0 : 600 / factor);
  }
}
