// Small DOM helpers. Every piece of data reaches the page through textContent or
// setAttribute, never through innerHTML, so a pod called "<img onerror=…>" stays text.

export const svgNs = "http://www.w3.org/2000/svg";

function applyAttrs(node, attrs) {
  if (!attrs) return node;
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "className") node.setAttribute("class", value);
    else if (key === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  return node;
}

function appendChildren(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Create an HTML element: el("li", {className: "x", text: "hi"}, child…). */
export function el(tag, attrs, ...children) {
  return appendChildren(applyAttrs(document.createElement(tag), attrs), children);
}

/** Create an SVG element in the SVG namespace. */
export function svg(tag, attrs, ...children) {
  return appendChildren(applyAttrs(document.createElementNS(svgNs, tag), attrs), children);
}

export function clear(node) {
  while (node.firstChild) node.firstChild.remove();
  return node;
}

export function setText(node, text) {
  const value = text === null || text === undefined ? "" : String(text);
  if (node.textContent !== value) node.textContent = value;
  return node;
}

/** Shorten text to `max` characters with an ellipsis (the full text goes in a <title>). */
export function ellipsize(text, max) {
  const value = String(text ?? "");
  return value.length <= max ? value : `${value.slice(0, Math.max(1, max - 1))}…`;
}

export const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");

export function prefersReducedMotion() {
  return reducedMotion.matches || document.documentElement.dataset.motion === "reduce";
}

/** Wait `ms` milliseconds (resolves at once with reduced motion when `skippable`). */
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
