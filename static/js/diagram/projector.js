// The projector view's geometry: the same slots as layout.js (so nothing changes place
// among nodes or pods), fewer and bigger things. The control plane and everything outside
// the nodes become two strips along the top; a node keeps its name, its pods (two
// columns, name and address) and its plumbing; at 1366×768 with four nodes the picture is
// drawn at about 1:1, so 17 px text in the world is about 19 px on the wall.

import { Layout } from "./layout.js";

export const projectorSizes = {
  gap: 14,
  spine: 12,
  left: 26,
  stripH: 46,
  edgeH: 56,
  stripGap: 8,
  nodeW: 318,
  nodePad: 8,
  nodeHeader: 54,
  pod: { w: 148, h: 58, gap: 6 },
  podCols: 2,
  podRows: 3,
  plumbingH: 112,
  rowGap: 64,
};
const p = projectorSizes;
p.podAreaH = p.podRows * p.pod.h + (p.podRows - 1) * p.pod.gap;
p.nodeH = p.nodeHeader + p.podAreaH + p.plumbingH;
p.podSlots = p.podCols * p.podRows;

/** Control-plane chips, left to right, with their widths in the strip. */
export const stripParts = [
  ["title", 160],
  ["kube-apiserver", 170],
  ["etcd", 150],
  ["kube-scheduler", 170],
  ["kube-controller-manager", 240],
  ["cloud-controller-manager", 250],
  ["queue", 160],
];

/** Chips of the second strip: what is outside the nodes, then the Services. */
const edgeParts = [
  ["internet", 180],
  ["load-balancer", 170],
  ["ingress", 170],
  ["kubectl", 110],
];

export class ProjectorLayout extends Layout {
  /** Share the slot memory of `base`, so switching views moves nothing among the nodes. */
  constructor(base) {
    super();
    if (base) {
      this.nodeSlots = base.nodeSlots;
      this.podSlots = base.podSlots;
      this.pendingSlots = base.pendingSlots;
      this.serviceSlots = base.serviceSlots;
      this.columns = base.columns;
    }
    this.view = "projector";
    this.sizes = projectorSizes;
  }

  get gridX() {
    return p.left;
  }

  get gridY() {
    return p.stripH + p.stripGap + p.edgeH + 18;
  }

  get spineX() {
    return p.spine;
  }

  /** The width the nodes take: the strips stretch to it. */
  get gridW() {
    const cols = Math.max(1, Math.min(this.columns, this.nodeSlots.highest + 1));
    return Math.max(cols * p.nodeW + (cols - 1) * p.gap, 900);
  }

  nodeRect(nodeName) {
    const slot = this.nodeSlots.slotOf(nodeName);
    if (slot === undefined) return null;
    const cols = Math.max(1, this.columns);
    const col = slot % cols;
    const row = Math.floor(slot / cols);
    return {
      x: this.gridX + col * (p.nodeW + p.gap),
      y: this.gridY + row * (p.nodeH + p.rowGap),
      w: p.nodeW,
      h: p.nodeH,
      row,
      col,
    };
  }

  podLocalRect(slot) {
    const col = slot % p.podCols;
    const row = Math.floor(slot / p.podCols);
    return {
      x: p.nodePad + col * (p.pod.w + p.pod.gap),
      y: p.nodeHeader + row * (p.pod.h + p.pod.gap),
      w: p.pod.w,
      h: p.pod.h,
    };
  }

  /** Pods still in the queue are counted in the strip, not drawn. */
  podRect(pod) {
    if (!pod || !pod.node) return null;
    const node = this.nodeRect(pod.node);
    const slot = this.podSlots.get(pod.node)?.slotOf(pod.id);
    if (!node || slot === undefined || slot >= p.podSlots) return null;
    const local = this.podLocalRect(slot);
    return { ...local, x: node.x + local.x, y: node.y + local.y, slot };
  }

  hiddenPodCount(nodeName) {
    const slots = nodeName ? this.podSlots.get(nodeName) : this.pendingSlots;
    if (!slots) return 0;
    if (!nodeName) return slots.size;
    let hidden = 0;
    for (const slot of slots.taken) if (slot >= p.podSlots) hidden += 1;
    return hidden;
  }

  controlPlaneRect() {
    return { x: this.gridX, y: 0, w: this.gridW, h: p.stripH };
  }

  queueNote(hidden, waiting) {
    return waiting ? `queue: ${waiting}` : "queue: empty";
  }

  workloadsRect() {
    return null;
  }

  trayRect() {
    return this.stripRect("queue");
  }

  /** A chip of the control-plane strip, its widths stretched to the strip's width. */
  stripRect(name) {
    const total = stripParts.reduce((sum, [, w]) => sum + w, 0) + (stripParts.length - 1) * 6;
    const scale = this.gridW / total;
    let x = this.gridX;
    for (const [part, w] of stripParts) {
      const width = w * scale;
      if (part === name) return { x, y: 0, w: width, h: p.stripH };
      x += width + 6 * scale;
    }
    return null;
  }

  edgeRect(name) {
    let x = this.gridX;
    for (const [part, w] of edgeParts) {
      if (part === name) return { x, y: p.stripH + p.stripGap, w, h: p.edgeH };
      x += w + 6;
    }
    return null;
  }

  get servicesX() {
    const last = this.edgeRect(edgeParts[edgeParts.length - 1][0]);
    return last.x + last.w + 16;
  }

  /** How many Service chips fit in the strip; the rest are counted. */
  get serviceCapacity() {
    const room = this.gridX + this.gridW - this.servicesX + 6;
    const all = this.serviceSlots.highest + 1;
    if (all * (this.serviceW + 6) <= room) return Math.max(1, all);
    return Math.max(1, Math.floor((room - 96) / (this.serviceW + 6)));
  }

  get serviceW() {
    return 214;
  }

  serviceRect(id) {
    const slot = this.serviceSlots.slotOf(id);
    if (slot === undefined || slot >= this.serviceCapacity) return null;
    return { x: this.servicesX + slot * (this.serviceW + 6), y: p.stripH + p.stripGap, w: this.serviceW, h: p.edgeH, slot };
  }

  get servicesTop() {
    return p.stripH + p.stripGap;
  }

  componentRect(name) {
    if (name === "kubectl" || name === "internet" || name === "load-balancer" || name === "ingress") return this.edgeRect(name);
    return this.stripRect(name);
  }

  /** Every controller loop lives in the one kube-controller-manager chip. */
  loopRect() {
    return this.stripRect("kube-controller-manager");
  }

  nodePartRect(nodeName, part) {
    const node = this.nodeRect(nodeName);
    if (!node) return null;
    const pad = p.nodePad;
    const top = node.y + p.nodeHeader + p.podAreaH + 6;
    const inner = node.w - 2 * pad;
    switch (part) {
      // The per-node agents are not drawn here: they light up the node's name.
      case "kubelet":
      case "runtime":
      case "kube-proxy": return { x: node.x + pad, y: node.y + 4, w: inner, h: 26 };
      case "cni0": return { x: node.x + pad, y: top, w: inner, h: 30 };
      case "flannel": return { x: node.x + pad, y: top + 36, w: 150, h: 30 };
      case "netfilter": return { x: node.x + pad + 158, y: top + 36, w: inner - 158, h: 30 };
      case "eth0": return { x: node.x + pad, y: top + 72, w: inner, h: 30 };
      default: return null;
    }
  }

  underlayY(row) {
    return this.gridY + row * (p.nodeH + p.rowGap) + p.nodeH + 26;
  }

  /** Where a packet from outside joins the spine: the left edge of its chip. */
  edgeAnchor(kind) {
    const rect = this.componentRect(kind === "lb" ? "load-balancer" : "internet");
    return { x: rect.x, y: rect.y + rect.h / 2 };
  }

  bounds() {
    const w = this.gridX + this.gridW + 8;
    const h = this.underlayY(this.rows() - 1) + 30;
    return { x: 0, y: -6, w, h: h + 6 };
  }
}
