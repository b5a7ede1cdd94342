// Labels cut by width, not by character count. A label is a list of candidates, most
// complete first, each keeping the part that tells objects apart ("kube-scheduler-
// control-plane" → "kube-scheduler" → "scheduler"); the first that fits the room, measured
// in the font the picture will use, wins. Only when none fits is the last one cut, at the
// end, by measured width.

import { svg, svgNs } from "../dom.js";

let ruler = null;
const widths = new Map();

/** A hidden <svg class="diagram"> in the page, so the picture's CSS sizes its text. */
function measurer() {
  if (ruler?.isConnected) return ruler;
  const host = document.createElementNS(svgNs, "svg");
  host.setAttribute("class", "diagram text-ruler");
  host.setAttribute("aria-hidden", "true");
  host.setAttribute("width", "1");
  host.setAttribute("height", "1");
  host.style.cssText = "position:absolute;left:-9999px;top:0;visibility:hidden;pointer-events:none";
  ruler = svg("text", {});
  host.append(ruler);
  (document.body ?? document.documentElement).append(host);
  return ruler;
}

/** The width of `text` in world units when drawn with `className` (cached). */
export function textWidth(text, className) {
  const mode = document.body?.dataset.view ?? "";
  const key = `${mode}|${className}|${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    const node = measurer();
    node.setAttribute("class", className);
    node.textContent = text;
    width = node.getComputedTextLength();
    // Fonts may still be loading: only remember real measurements.
    if (width > 0 || !text) widths.set(key, width);
    if (widths.size > 20000) widths.clear();
  }
  return width;
}

/** Forget measurements (after the view changes its text sizes). */
export function forgetWidths() {
  widths.clear();
}

/** Cut `text` at the end so that it and an ellipsis fit `room`. */
export function cutToWidth(text, className, room) {
  const value = String(text ?? "");
  if (textWidth(value, className) <= room) return value;
  let low = 0;
  let high = value.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (textWidth(`${value.slice(0, mid)}…`, className) <= room) low = mid;
    else high = mid - 1;
  }
  return low ? `${value.slice(0, low)}…` : "…";
}

/** The first candidate that fits `room`; else the last one cut to the room. */
export function fitText(candidates, className, room) {
  const list = (Array.isArray(candidates) ? candidates : [candidates]).map((c) => String(c ?? ""));
  for (const candidate of list) if (textWidth(candidate, className) <= room) return candidate;
  return cutToWidth(list[list.length - 1], className, room);
}

const hashLike = /^[a-z0-9]{8,10}$/;

/**
 * Shorter forms of an object's name, each still naming it: a static pod loses its node's
 * name and then the "kube-" prefix ("kube-scheduler-control-plane" → "kube-scheduler" →
 * "scheduler"); a ReplicaSet's pod keeps its workload and its own suffix
 * ("web-7d4b9c5f6-x2kqz" → "web-…-x2kqz" → "web…x2kqz" → "…x2kqz").
 */
export function nameCandidates(name, nodeName = "") {
  const value = String(name ?? "");
  const out = [value];
  if (nodeName && value.endsWith(`-${nodeName}`) && value.length > nodeName.length + 1) {
    const base = value.slice(0, -(nodeName.length + 1));
    out.push(base);
    const bare = base.startsWith("kube-") && base.length > 5 ? base.slice(5) : base;
    if (bare !== base) out.push(bare);
    // "controller-manager" → "controller-mgr" → "ctrl-mgr"
    const mgr = bare.replace(/manager$/, "mgr");
    if (mgr !== bare) out.push(mgr, mgr.replace(/controller/, "ctrl"));
    return out;
  }
  const parts = value.split("-");
  if (parts.length >= 2 && parts[parts.length - 1].length <= 6) {
    const tail = parts.pop();
    if (parts.length >= 2 && hashLike.test(parts[parts.length - 1])) parts.pop();
    const head = parts.join("-");
    if (`${head}-${tail}` !== value) out.push(`${head}-…-${tail}`);
    out.push(`${head}…${tail}`);
    // Keep the workload's first letters and the pod's own suffix: "cored…msdz8".
    for (let keep = head.length - 1; keep >= 3; keep -= 1) out.push(`${head.slice(0, keep)}…${tail}`);
    out.push(`…${tail}`);
  }
  return out;
}

/**
 * Forms of a list ("443→6443/TCP, 53→53/UDP, …"): all of it, then the first items with
 * "+N more", so no item is ever shown cut in half.
 */
export function listCandidates(items, separator = ", ") {
  const out = [items.join(separator)];
  for (let keep = items.length - 1; keep >= 1; keep -= 1) {
    out.push(`${items.slice(0, keep).join(separator)} +${items.length - keep} more`);
  }
  return out;
}

/**
 * Forms of a taint key: the whole key, then the part after the last "/" (the name a
 * person says: "node-role.kubernetes.io/control-plane" → "control-plane").
 */
export function taintCandidates(taints) {
  const whole = taints.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`);
  const short = taints.map((t) => `${String(t.key).split("/").pop()}:${t.effect}`);
  const bare = taints.map((t) => String(t.key).split("/").pop());
  return [
    `taint ${whole.join(", ")}`,
    `taint ${short.join(", ")}`,
    ...listCandidates(short).slice(1).map((text) => `taint ${text}`),
    `taint ${bare.join(", ")}`,
    `${taints.length} taint${taints.length === 1 ? "" : "s"}`,
  ];
}
