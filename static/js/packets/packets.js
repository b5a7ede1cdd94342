// A packet trace animated hop by hop over the picture: the packet glides from device to
// device, is wrapped in an outer packet on the VXLAN tunnel, and NAT leaves a before/after
// tag where it happened. The wire carries the hops; this module only places and moves them.

import { svg, clear, prefersReducedMotion } from "../dom.js";
import { center } from "../diagram/layout.js";
import { textWidth } from "../diagram/textfit.js";

export function formatAddress(value) {
  if (value === null || value === undefined || value === "") return "";
  if (typeof value !== "object") return String(value);
  const ip = value.ip ?? value.address ?? value.host ?? "";
  const port = value.port ?? value.dport ?? value.sport;
  return port === undefined || port === null ? String(ip) : `${ip}:${port}`;
}

/** Split a graph vertex id ("pod/default/web-x/eth0", "node/node-1/cni0", "lan"). */
export function parseVertex(at) {
  const parts = String(at ?? "").split("/");
  if (parts[0] === "pod" && parts.length >= 4) {
    const containerAt = parts.indexOf("c", 3);
    return { kind: "pod", pod: `pods/${parts[1]}/${parts[2]}`, device: containerAt > 0 ? "socket" : parts.slice(3).join("/") };
  }
  if (parts[0] === "node" && parts.length >= 3) return { kind: "node", node: parts[1], device: parts.slice(2).join("/") };
  return parts[0] ? { kind: parts[0] } : null;
}

/** The pod whose veth a host-side hop uses: the pod hop right before or after it. */
function neighbourPod(hops, i) {
  for (const j of [i - 1, i + 1, i - 2, i + 2]) {
    const vertex = parseVertex(hops[j]?.at);
    if (vertex?.kind === "pod") return vertex.pod;
  }
  return null;
}

function vertexAnchor(vertex, hops, i, layout, store) {
  const hop = hops[i];
  if (vertex.kind === "pod") {
    const pod = store.get(vertex.pod);
    const rect = pod ? layout.podRect(pod) : null;
    if (rect) {
      if (vertex.device === "lo" || vertex.device === "socket") return { x: rect.x + rect.w * 0.72, y: rect.y + rect.h * 0.45 };
      return { x: rect.x + rect.w / 2, y: rect.y + rect.h - 4 };
    }
    if (pod?.node) return center(layout.nodeRect(pod.node));
    return null;
  }
  if (vertex.kind === "node") {
    const node = layout.nodeRect(vertex.node);
    if (!node) return null;
    const part = (name) => layout.nodePartRect(vertex.node, name);
    const device = vertex.device;
    if (device.startsWith("veth") || device === "cni0") {
      const bridge = part("cni0");
      const owner = store.get(neighbourPod(hops, i) ?? "");
      const ownerRect = owner && owner.node === vertex.node ? layout.podRect(owner) : null;
      const x = ownerRect ? ownerRect.x + ownerRect.w / 2 : bridge.x + bridge.w / 2;
      return { x, y: device.startsWith("veth") ? bridge.y - 8 : bridge.y + bridge.h / 2 };
    }
    if (device.includes("flannel") || device.includes("vxlan")) return center(part("flannel"));
    // Netfilter hooks and the routing decision happen in the node's kernel.
    if (device === "root") return center(part("netfilter"));
    return center(part("eth0"));
  }
  if (vertex.kind === "client") return center(layout.componentRect("internet"));
  if (vertex.kind === "internet") return layout.edgeAnchor("internet");
  if (vertex.kind === "lb") return layout.edgeAnchor("lb");
  if (vertex.kind === "router") return { x: layout.gridX - 14, y: layout.gridY - 20 };
  if (vertex.kind === "lan") {
    // On the wire between the nodes before and after it.
    const names = [hops[i - 1], hops[i + 1]].map((other) => {
      const v = parseVertex(other?.at);
      return v?.kind === "node" && layout.nodeRect(v.node) ? v.node : null;
    }).filter(Boolean);
    const ends = names.map((name) => layout.nodeRect(name));
    if (!ends.length) return { x: layout.gridX - 14, y: layout.underlayY(0) };
    const eths = names.map((name) => center(layout.nodePartRect(name, "eth0")).x);
    if (ends.length === 2 && ends[0].row !== ends[1].row) {
      // Different rows of nodes: the packet crosses on the spine that joins them.
      const y = (layout.underlayY(ends[0].row) + layout.underlayY(ends[1].row)) / 2;
      return { x: layout.gridX - 14, y, wire: true };
    }
    const x = eths.length === 2 ? (eths[0] + eths[1]) / 2 : eths[0];
    return { x, y: layout.underlayY(ends[0].row), wire: true };
  }
  return null;
}

/** Where hop i happens, in world coordinates. */
export function hopAnchor(hops, i, layout, store) {
  const hop = hops[i];
  const vertex = hop.at ? parseVertex(hop.at) : null;
  if (vertex) {
    const point = vertexAnchor(vertex, hops, i, layout, store);
    if (point) return point;
  }
  const device = String(hop.device ?? "").toLowerCase();
  const netns = String(hop.netns ?? "").toLowerCase();
  const node = hop.node ? store.get(`nodes/${hop.node}`) : null;
  const podRect = netns.startsWith("pod ") ? layout.podRect(store.get(`pods/${netns.slice(4)}`)) : null;
  if (podRect) return { x: podRect.x + podRect.w / 2, y: podRect.y + podRect.h - 4 };
  if (!node) return null;
  return center(layout.nodePartRect(node.name, device.includes("flannel") ? "flannel" : "eth0"));
}

function sameRowRoute(a, b, y) {
  return [a, { x: a.x, y }, { x: b.x, y }, b];
}

/** Do two boxes {x, y, w, h} overlap? */
export function boxesMeet(a, b) {
  return a.x < b.x + b.w && a.x + a.w > b.x && a.y < b.y + b.h && a.y + a.h > b.y;
}

// Offsets tried around a hop's device for its marker, nearest first: the marker goes to
// the first place where it covers no label and no other marker, with a leader line back.
const directions = [[0, -1], [0, 1], [1, 0], [-1, 0], [1, -1], [-1, -1], [1, 1], [-1, 1]];

export class PacketPlayer extends EventTarget {
  constructor(diagram) {
    super();
    this.diagram = diagram;
    this.trace = null;
    this.anchors = [];
    this.index = -1;
    this.frame = 0;
    this.playing = false;
    this.hopMs = 850;
    this.speed = 1;
    this.placed = [];
  }

  get layer() {
    return this.diagram.layers.packets;
  }

  load(trace) {
    this.stop();
    this.trace = trace;
    const hops = trace?.hops ?? [];
    const { layout, store } = this.diagram;
    const visited = new Set(hops.map((hop) => this.nodeOf(hop)).filter(Boolean));
    this.diagram.setVisited(hops.length ? [...visited] : null);
    this.anchors = hops.map((hop, i) => hopAnchor(hops, i, layout, store));
    for (let i = 0; i < this.anchors.length; i += 1) {
      if (!this.anchors[i]) this.anchors[i] = this.anchors[i - 1] ?? center(layout.componentRect("internet"));
    }
    clear(this.layer);
    this.trail = svg("g", { className: "packet-trail" });
    this.routeLine = svg("path", { className: "trail route", d: "" });
    this.currentLine = svg("path", { className: "trail trail-current", d: "" });
    this.trail.append(this.routeLine);
    this.leaders = svg("g", { className: "packet-leaders" });
    this.marks = svg("g", { className: "packet-marks" });
    this.glyph = this.makeGlyph();
    this.layer.append(this.trail, this.currentLine, this.leaders, this.marks, this.glyph);
    this.tunnelLabelled = false;
    this.placed = [];
    this.routeD = "";
    this.index = -1;
    this.current = undefined;
    this.obstacles = this.labelBoxes();
    this.lastScale = this.scale();
    this.dispatchEvent(new CustomEvent("loaded"));
    if (!hops.length) return;
    if (prefersReducedMotion()) {
      for (let i = 0; i < hops.length; i += 1) this.arrive(i);
      this.show(0);
    } else {
      this.play();
    }
  }

  clear() {
    this.stop();
    this.trace = null;
    this.current = undefined;
    this.placed = [];
    clear(this.layer);
    this.diagram.setVisited(null);
    this.dispatchEvent(new CustomEvent("cleared"));
  }

  /**
   * The boxes (world coordinates) of the labels a marker must not cover: every text of
   * the nodes, pods, Services and the frame that is drawn now.
   */
  labelBoxes() {
    const viewport = this.diagram.viewport;
    const toWorld = viewport.getScreenCTM?.()?.inverse();
    if (!toWorld) return [];
    const boxes = [];
    const selector = [".layer-nodes", ".layer-pods", ".layer-services", ".layer-frame", ".layer-workloads", ".layer-wires"]
      .map((layer) => `${layer} text`).join(", ");
    for (const text of this.diagram.svg.querySelectorAll(selector)) {
      if (text.checkVisibility && !text.checkVisibility()) continue;
      const box = text.getBBox();
      if (!box.width || !box.height) continue;
      const m = toWorld.multiply(text.getScreenCTM());
      const xs = [];
      const ys = [];
      for (const [x, y] of [[box.x, box.y], [box.x + box.width, box.y], [box.x, box.y + box.height], [box.x + box.width, box.y + box.height]]) {
        xs.push(m.a * x + m.c * y + m.e);
        ys.push(m.b * x + m.d * y + m.f);
      }
      boxes.push({ x: Math.min(...xs), y: Math.min(...ys), w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) });
    }
    return boxes;
  }

  /** The nearest free place for a w×h box centred near `point`, avoiding `taken`. */
  freeSpot(point, w, h, taken) {
    // A wide NAT tag moves by its height, so it stays near its marker; a marker by half its size.
    const step = w > 2 * h ? h * 1.2 : Math.max(w, h) * 0.55;
    const world = this.diagram.layout.bounds();
    const fits = (x, y, inside) => {
      const box = { x: x - w / 2, y: y - h / 2, w, h };
      if (inside && (box.x < world.x || box.y < world.y || box.x + w > world.x + world.w || box.y + h > world.y + world.h)) return false;
      return !this.obstacles.some((other) => boxesMeet(box, other)) && !taken.some((other) => boxesMeet(box, other));
    };
    // Inside the picture (on screen when it is fitted) if there is room, else beside it.
    for (const inside of [true, false]) {
      if (fits(point.x, point.y, inside)) return { x: point.x, y: point.y };
      for (let ring = 1; ring <= 16; ring += 1) {
        for (const [dx, dy] of directions) {
          const x = point.x + dx * (w > 2 * h ? w / 2 + ring * step : ring * step * (dx && dy ? 0.8 : 1));
          const y = point.y + dy * ring * step * (dx && dy ? 0.8 : 1);
          if (fits(x, y, inside)) return { x, y };
        }
      }
    }
    return { x: point.x, y: point.y - step };
  }

  makeGlyph() {
    const glyph = svg("g", { className: "packet", "aria-hidden": "true" });
    this.outerBox = svg("rect", { className: "packet-outer", x: -62, y: -30, width: 124, height: 60, rx: 10 });
    this.outerText = svg("text", { className: "packet-outer-text", x: 0, y: -16, "text-anchor": "middle" }, "VXLAN");
    this.innerBox = svg("rect", { className: "packet-inner", x: -44, y: -11, width: 88, height: 32, rx: 7 });
    this.innerText = svg("text", { className: "packet-inner-text", x: 0, y: 10, "text-anchor": "middle" }, "IP");
    glyph.append(this.outerBox, this.outerText, this.innerBox, this.innerText);
    return glyph;
  }

  setGlyph(hop, point) {
    const wrapped = Boolean(hop?.outer);
    this.glyph.classList.toggle("wrapped", wrapped);
    this.innerText.textContent = String(hop?.proto ?? "IP").toUpperCase();
    if (wrapped) this.outerText.textContent = hop.outer.proto ? `${String(hop.outer.proto).toUpperCase()} ${hop.outer.dport ?? hop.outer.port ?? ""}`.trim() : "VXLAN";
    if (point) this.place(this.glyph, point);
  }

  /** The polyline from hop i-1 to hop i, through the underlay when it crosses nodes. */
  route(i) {
    const hops = this.trace.hops;
    const a = this.anchors[i - 1];
    const b = this.anchors[i];
    if (!a || !b) return [b ?? a];
    const layout = this.diagram.layout;
    // Things outside the cluster (left column) reach the underlay along its spine.
    const spine = layout.gridX - 14;
    const outside = (hop) => !this.nodeOf(hop) && parseVertex(hop.at)?.kind !== "lan";
    if (b.wire && outside(hops[i - 1])) return [a, { x: spine, y: a.y }, { x: spine, y: b.y }, b];
    if (a.wire && outside(hops[i])) return [a, { x: spine, y: a.y }, { x: spine, y: b.y }, b];
    // Between the wire and a node on another row of nodes: along the spine.
    const rowY = (hop) => {
      const rect = layout.nodeRect(this.nodeOf(hop) ?? "");
      return rect ? layout.underlayY(rect.row) : null;
    };
    if (b.wire) {
      const y = rowY(hops[i - 1]);
      if (y !== null && y !== b.y) return [a, { x: a.x, y }, { x: spine, y }, { x: spine, y: b.y }, b];
      return [a, { x: a.x, y: b.y }, b];
    }
    if (a.wire) {
      const y = rowY(hops[i]);
      if (y !== null && y !== a.y) return [a, { x: spine, y: a.y }, { x: spine, y }, { x: b.x, y }, b];
      return [a, { x: b.x, y: a.y }, b];
    }
    const from = this.nodeOf(hops[i - 1]);
    const to = this.nodeOf(hops[i]);
    if (from && to && from !== to) {
      const ra = layout.nodeRect(from);
      const rb = layout.nodeRect(to);
      if (ra && rb) {
        const ya = layout.underlayY(ra.row);
        const yb = layout.underlayY(rb.row);
        if (ra.row === rb.row) return sameRowRoute(a, b, ya);
        return [a, { x: a.x, y: ya }, { x: spine, y: ya }, { x: spine, y: yb }, { x: b.x, y: yb }, b];
      }
    }
    return [a, b];
  }

  nodeOf(hop) {
    if (hop.node) return hop.node;
    const vertex = parseVertex(hop.at);
    if (vertex?.kind === "node") return vertex.node;
    if (vertex?.kind === "pod") return this.diagram.store.get(vertex.pod)?.node ?? null;
    return null;
  }

  play() {
    if (!this.trace) return;
    if (this.index >= this.trace.hops.length - 1) this.restart();
    this.playing = true;
    this.advance();
  }

  restart() {
    this.stop();
    clear(this.trail);
    clear(this.marks);
    clear(this.leaders);
    this.trail.append(this.routeLine);
    this.routeD = "";
    this.routeLine.setAttribute("d", "");
    this.currentLine.setAttribute("d", "");
    this.placed = [];
    this.tunnelLabelled = false;
    this.index = -1;
    this.current = undefined;
  }

  stop() {
    this.playing = false;
    cancelAnimationFrame(this.frame);
    this.glyph?.classList.remove("travelling");
  }

  advance() {
    if (!this.playing || !this.trace) return;
    const next = this.index + 1;
    if (next >= this.trace.hops.length) {
      this.playing = false;
      this.dispatchEvent(new CustomEvent("done"));
      return;
    }
    if (next === 0) {
      this.arrive(0);
      this.setGlyph(this.trace.hops[0], this.anchors[0]);
      this.show(0);
      this.wait(this.hopMs * 0.5, () => this.advance());
      return;
    }
    const points = this.route(next);
    this.setGlyph(this.trace.hops[next - 1].outer || !this.trace.hops[next].outer ? this.trace.hops[next - 1] : this.trace.hops[next], points[0]);
    if (this.trace.hops[next].outer) this.setGlyph(this.trace.hops[next], points[0]);
    this.glyph.classList.add("travelling");
    this.travel(points, this.hopMs / this.speedFactor(), () => {
      this.glyph.classList.remove("travelling");
      this.arrive(next);
      this.show(next);
      this.wait(this.hopMs * 0.35 / this.speedFactor(), () => this.advance());
    });
  }

  speedFactor() {
    return Math.min(8, Math.max(0.25, Number(this.speed) || 1));
  }

  wait(ms, then) {
    const until = performance.now() + ms;
    const tick = (now) => {
      if (!this.playing) return;
      if (now >= until) then();
      else this.frame = requestAnimationFrame(tick);
    };
    this.frame = requestAnimationFrame(tick);
  }

  travel(points, duration, then) {
    const lengths = [];
    let total = 0;
    for (let i = 1; i < points.length; i += 1) {
      const length = Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
      lengths.push(length);
      total += length;
    }
    const start = performance.now();
    const tick = (now) => {
      if (!this.playing) return;
      const t = Math.min(1, (now - start) / Math.max(1, duration));
      const eased = t < 0.5 ? 2 * t * t : 1 - (-2 * t + 2) ** 2 / 2;
      let distance = eased * total;
      let point = points[points.length - 1];
      for (let i = 0; i < lengths.length; i += 1) {
        if (distance <= lengths[i] || i === lengths.length - 1) {
          const f = lengths[i] ? Math.min(1, distance / lengths[i]) : 1;
          point = { x: points[i].x + (points[i + 1].x - points[i].x) * f, y: points[i].y + (points[i + 1].y - points[i].y) * f };
          break;
        }
        distance -= lengths[i];
      }
      this.place(this.glyph, point);
      if (t < 1) this.frame = requestAnimationFrame(tick);
      else then();
    };
    this.frame = requestAnimationFrame(tick);
  }

  /** Extend the one route line to hop i and leave hop i's numbered marker (and NAT tag). */
  arrive(i) {
    if (i <= this.index) return;
    for (let n = this.index + 1; n < i; n += 1) this.arrive(n);
    this.index = i;
    const hop = this.trace.hops[i];
    if (i > 0) {
      const points = this.route(i);
      const part = points.map((point, n) => `${n === 0 && !this.routeD ? "M" : "L"}${point.x},${point.y}`).join(" ");
      this.routeD = this.routeD ? `${this.routeD} ${part}` : part;
      this.routeLine.setAttribute("d", this.routeD);
      if (hop.outer) {
        const d = points.map((point, n) => `${n ? "L" : "M"}${point.x},${point.y}`).join(" ");
        this.trail.append(svg("path", { className: "trail tunnel", d }));
      }
    }
    const mark = svg("g", {
      className: `hop-mark ${hop.nat ? "nat" : ""}`,
      "data-action": "hop", "data-target": String(i), "data-hop": String(i + 1), tabindex: "0", role: "button",
      "aria-label": `Hop ${i + 1}: ${hop.device ?? ""} on ${hop.node ?? "outside"}`,
    });
    mark.append(svg("circle", { r: 13 }), svg("text", { y: 5, "text-anchor": "middle" }, String(i + 1)));
    const entry = { i, mark, leader: svg("line", { className: "hop-leader" }) };
    this.leaders.append(entry.leader);
    this.marks.append(mark);
    if (hop.nat) {
      const text = natSummary(hop.nat);
      const width = textWidth(text, "nat-tag-text") + 16;
      entry.nat = svg("g", { className: "nat-tag", "data-hop": String(i + 1) },
        svg("rect", { width, height: 26, rx: 5 }), svg("text", { className: "nat-tag-text", x: 8, y: 18 }, text));
      entry.natW = width;
      entry.natLeader = svg("line", { className: "hop-leader nat-leader" });
      this.leaders.append(entry.natLeader);
      this.marks.append(entry.nat);
    }
    this.placed.push(entry);
    this.position(entry, this.placed.slice(0, -1).flatMap((other) => other.boxes ?? []));
    this.dispatchEvent(new CustomEvent("hop", { detail: { index: i } }));
  }

  /** Put one hop's marker (and NAT tag) in the nearest free place beside its device. */
  position(entry, taken) {
    const point = this.anchors[entry.i];
    const scale = this.scale();
    const size = 2 * 19 * scale;  // room for the current hop's larger marker
    const spot = this.freeSpot(point, size, size, taken);
    entry.mark.setAttribute("transform", `translate(${spot.x},${spot.y}) scale(${scale})`);
    entry.mark.dataset.x = String(spot.x);
    entry.mark.dataset.y = String(spot.y);
    setLine(entry.leader, point, spot);
    entry.boxes = [{ x: spot.x - size / 2, y: spot.y - size / 2, w: size, h: size }];
    if (entry.nat) {
      const w = entry.natW * scale;
      const h = 26 * scale;
      const near = { x: spot.x + (size + w) / 2 + 4 * scale, y: spot.y };
      const at = this.freeSpot(near, w + 6 * scale, h + 6 * scale, [...taken, ...entry.boxes]);
      entry.nat.setAttribute("transform", `translate(${at.x - w / 2},${at.y - h / 2}) scale(${scale})`);
      setLine(entry.natLeader, spot, at);
      entry.boxes.push({ x: at.x - w / 2 - 3 * scale, y: at.y - h / 2 - 3 * scale, w: w + 6 * scale, h: h + 6 * scale });
    }
  }

  /** Place every marker again (after a zoom changes their size, or the picture changed). */
  relayout() {
    if (!this.trace || !this.placed.length) return;
    this.obstacles = this.labelBoxes();
    this.lastScale = this.scale();
    const taken = [];
    for (const entry of this.placed) {
      this.position(entry, taken);
      taken.push(...entry.boxes);
    }
  }

  /**
   * How much to enlarge the packet and hop marks so they stay visible when the picture is
   * zoomed far out (a 100-node cluster): about 20 screen pixels at least.
   */
  scale() {
    return Math.min(6, Math.max(1, 0.6 / (this.diagram.view?.k || 1)));
  }

  at(point) {
    return `translate(${point.x},${point.y}) scale(${this.scale()})`;
  }

  place(element, point) {
    element.dataset.x = String(point.x);
    element.dataset.y = String(point.y);
    element.setAttribute("transform", this.at(point));
  }

  /** After a zoom: markers are redrawn at their new size where they fit. */
  rescale() {
    if (!this.trace) return;
    if (this.glyph?.dataset.x !== undefined) this.place(this.glyph, { x: Number(this.glyph.dataset.x), y: Number(this.glyph.dataset.y) });
    if (this.scale() !== this.lastScale) this.relayout();
  }

  /** Make hop i the current one: its marker large, its stretch of the route bright. */
  show(i) {
    if (!this.trace || !this.trace.hops[i]) return;
    for (const mark of this.marks.querySelectorAll(".hop-mark")) {
      const current = mark.dataset.target === String(i);
      mark.classList.toggle("current", current);
      if (current) mark.setAttribute("aria-current", "step");
      else mark.removeAttribute("aria-current");
    }
    const points = i > 0 ? this.route(i) : [this.anchors[0], this.anchors[0]];
    this.currentLine.setAttribute("d", points.map((point, n) => `${n ? "L" : "M"}${point.x},${point.y}`).join(" "));
    this.setGlyph(this.trace.hops[i], this.anchors[i]);
    this.current = i;
    this.dispatchEvent(new CustomEvent("select", { detail: { index: i } }));
  }

  /** Jump to hop i (from the inspector, a click on a mark, or the keys , and .). */
  jump(i, { remote = false } = {}) {
    if (!this.trace) return;
    this.stop();
    this.arrive(i);
    this.show(i);
    this.dispatchEvent(new CustomEvent("jumped", { detail: { index: i, remote } }));
  }
}

function setLine(line, from, to) {
  const far = Math.hypot(to.x - from.x, to.y - from.y) > 1;
  line.setAttribute("x1", String(from.x));
  line.setAttribute("y1", String(from.y));
  line.setAttribute("x2", String(to.x));
  line.setAttribute("y2", String(to.y));
  line.classList.toggle("none", !far);
}

export function natSummary(nat) {
  if (!nat) return "";
  if (typeof nat === "string") return nat;
  const kind = nat.type ?? nat.kind ?? "NAT";
  const before = formatAddress(nat.before?.dst ?? nat.before?.src ?? nat.before ?? nat.from);
  const after = formatAddress(nat.after?.dst ?? nat.after?.src ?? nat.after ?? nat.to);
  return `${kind} ${before} → ${after}`;
}
