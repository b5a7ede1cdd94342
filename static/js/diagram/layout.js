// Where everything goes. Positions are a pure function of the view model plus the slot
// memory kept here: every node, pod and Service owns a slot from the moment it appears
// until it leaves, so nothing already on screen moves when something else is added.

export const sizes = {
  gap: 30,
  edgeW: 240,
  pod: { w: 136, h: 60, gap: 8 },
  podCols: 3,
  podRows: 3,
  nodePad: 12,
  nodeHeader: 64,
  nodeComponents: 40,
  nodeFooter: 70,
  cpH: 292,
  cpW: 1010,
  queueSlots: 6,
};
sizes.nodeW = sizes.podCols * sizes.pod.w + (sizes.podCols - 1) * sizes.pod.gap + 2 * sizes.nodePad;
sizes.podAreaH = sizes.podRows * sizes.pod.h + (sizes.podRows - 1) * sizes.pod.gap;
sizes.nodeH = sizes.nodeHeader + sizes.nodeComponents + sizes.podAreaH + sizes.nodeFooter;
sizes.podSlots = sizes.podCols * sizes.podRows;
sizes.rowGap = 70;  // room for the underlay wire under each row of nodes

const naturalCompare = new Intl.Collator(undefined, { numeric: true }).compare;

/** Smallest-free-index slot allocation keyed by id; a key keeps its slot until released. */
export class SlotMap {
  constructor() {
    this.byKey = new Map();
    this.taken = new Set();
  }

  slotOf(key) {
    return this.byKey.get(key);
  }

  /** Give `key` a slot: `preferred` if the server chose one and it is free, else the lowest. */
  assign(key, preferred) {
    if (this.byKey.has(key)) return this.byKey.get(key);
    let slot = 0;
    if (Number.isInteger(preferred) && preferred >= 0 && !this.taken.has(preferred)) slot = preferred;
    while (this.taken.has(slot)) slot += 1;
    this.byKey.set(key, slot);
    this.taken.add(slot);
    return slot;
  }

  release(key) {
    if (!this.byKey.has(key)) return;
    this.taken.delete(this.byKey.get(key));
    this.byKey.delete(key);
  }

  /**
   * Release keys that are gone, then give new keys (in the given order) free slots.
   * `preferred` (key → slot) carries places the server chose, so every tab agrees.
   */
  sync(keys, preferred = null) {
    const wanted = new Set(keys);
    for (const key of [...this.byKey.keys()]) if (!wanted.has(key)) this.release(key);
    if (preferred) {
      for (const key of keys) {
        if (preferred.has(key) && !this.taken.has(preferred.get(key))) this.assign(key, preferred.get(key));
      }
    }
    for (const key of keys) this.assign(key);
  }

  get size() {
    return this.byKey.size;
  }

  get highest() {
    let max = -1;
    for (const slot of this.taken) max = Math.max(max, slot);
    return max;
  }
}

export const loopNames = [
  ["deployment", "Deployment"],
  ["replicaset", "ReplicaSet"],
  ["node-lifecycle", "Node lifecycle"],
  ["endpointslice", "EndpointSlice"],
  ["serviceaccount", "SA / token"],
  ["node-ipam", "Node IPAM"],
];

export class Layout {
  constructor() {
    this.nodeSlots = new SlotMap();
    this.podSlots = new Map();  // node name -> SlotMap of pod ids
    this.pendingSlots = new SlotMap();
    this.serviceSlots = new SlotMap();
    this.columns = 0;
    this.view = "default";
    this.sizes = sizes;
  }

  /** Bring the slot memory up to date with the store; returns nothing, positions are methods. */
  sync(store) {
    const nodes = store.list("nodes").map((node) => node.name).sort(naturalCompare);
    this.nodeSlots.sync(nodes);
    const wanted = Math.max(1, nodes.length <= 4 ? nodes.length : Math.ceil(Math.sqrt(nodes.length * 1.8)));
    // Columns only grow, so adding a node never reflows the ones already placed.
    this.columns = Math.max(this.columns, wanted);
    const byNode = store.podsByNode();
    for (const name of [...this.podSlots.keys()]) if (!byNode.has(name)) this.podSlots.delete(name);
    for (const [nodeName, pods] of byNode) {
      const ids = pods.map((pod) => pod.id);
      if (nodeName === "") {
        this.pendingSlots.sync(ids);
        continue;
      }
      if (!this.podSlots.has(nodeName)) this.podSlots.set(nodeName, new SlotMap());
      // A pod's `slot`, when the view model has one, is its place on its node.
      const chosen = new Map(pods.filter((pod) => Number.isInteger(pod.slot)).map((pod) => [pod.id, pod.slot]));
      this.podSlots.get(nodeName).sync(ids, chosen.size ? chosen : null);
    }
    if (!byNode.has("")) this.pendingSlots.sync([]);
    const services = store.list("services").map((service) => service.id);
    this.serviceSlots.sync(services);
  }

  get gridX() {
    return sizes.edgeW + sizes.gap;
  }

  get gridY() {
    return sizes.cpH + 50;
  }

  nodeRect(nodeName) {
    const slot = this.nodeSlots.slotOf(nodeName);
    if (slot === undefined) return null;
    const cols = Math.max(1, this.columns);
    const col = slot % cols;
    const row = Math.floor(slot / cols);
    return {
      x: this.gridX + col * (sizes.nodeW + sizes.gap),
      y: this.gridY + row * (sizes.nodeH + sizes.rowGap),
      w: sizes.nodeW,
      h: sizes.nodeH,
      row,
      col,
    };
  }

  /** Pod slot rectangle relative to its node (or the unscheduled tray). */
  podLocalRect(slot) {
    const col = slot % sizes.podCols;
    const row = Math.floor(slot / sizes.podCols);
    return {
      x: sizes.nodePad + col * (sizes.pod.w + sizes.pod.gap),
      y: sizes.nodeHeader + sizes.nodeComponents + row * (sizes.pod.h + sizes.pod.gap),
      w: sizes.pod.w,
      h: sizes.pod.h,
    };
  }

  /** Absolute rectangle of a pod, or null when it has no visible slot. */
  podRect(pod) {
    if (!pod) return null;
    if (!pod.node) {
      const slot = this.pendingSlots.slotOf(pod.id);
      if (slot === undefined || slot >= sizes.queueSlots) return null;
      const tray = this.trayRect();
      const x = tray.x + 132 + slot * (sizes.pod.w + sizes.pod.gap);
      return { x, y: tray.y + 8, w: sizes.pod.w, h: sizes.pod.h, slot };
    }
    const node = this.nodeRect(pod.node);
    const slots = this.podSlots.get(pod.node);
    const slot = slots?.slotOf(pod.id);
    if (!node || slot === undefined || slot >= sizes.podSlots) return null;
    const local = this.podLocalRect(slot);
    return { ...local, x: node.x + local.x, y: node.y + local.y, slot };
  }

  hiddenPodCount(nodeName) {
    const slots = nodeName ? this.podSlots.get(nodeName) : this.pendingSlots;
    const capacity = nodeName ? sizes.podSlots : sizes.queueSlots;
    if (!slots) return 0;
    let hidden = 0;
    for (const slot of slots.taken) if (slot >= capacity) hidden += 1;
    return hidden;
  }

  controlPlaneRect() {
    return { x: this.gridX, y: 0, w: sizes.cpW, h: sizes.cpH };
  }

  /** The Deployments and ReplicaSets stored in etcd, to the right of the control plane. */
  workloadsRect() {
    const cp = this.controlPlaneRect();
    return { x: cp.x + cp.w + sizes.gap, y: 0, w: 400, h: sizes.cpH };
  }

  /** The scheduling queue: pods without a node, drawn inside the control plane. */
  trayRect() {
    const cp = this.controlPlaneRect();
    return { x: cp.x + 16, y: 214, w: cp.w - 32, h: 76 };
  }

  /** Rectangles of the control-plane parts and the things outside the cluster. */
  componentRect(name) {
    const cp = this.controlPlaneRect();
    const row1 = 46;
    const boxH = 70;
    switch (name) {
      case "kube-scheduler": return { x: cp.x + 16, y: row1, w: 220, h: boxH };
      case "kube-apiserver": return { x: cp.x + 256, y: row1, w: 250, h: boxH };
      case "etcd": return { x: cp.x + 526, y: row1, w: 230, h: boxH };
      case "cloud-controller-manager": return { x: cp.x + 776, y: row1, w: 218, h: boxH };
      case "kube-controller-manager": return { x: cp.x + 16, y: 130, w: cp.w - 32, h: 72 };
      case "kubectl": return { x: 0, y: 0, w: sizes.edgeW, h: 62 };
      case "internet": return { x: 0, y: 80, w: sizes.edgeW, h: 62 };
      case "load-balancer": return { x: 0, y: 160, w: sizes.edgeW, h: 62 };
      case "ingress": return { x: 0, y: 240, w: sizes.edgeW, h: 62 };
      default: return null;
    }
  }

  loopRect(loopKey) {
    const index = loopNames.findIndex(([key]) => key === loopKey);
    if (index < 0) return null;
    const cm = this.componentRect("kube-controller-manager");
    const w = (cm.w - 16 - 5 * 8) / 6;
    return { x: cm.x + 8 + index * (w + 8), y: cm.y + 28, w, h: 36 };
  }

  /** Node-local parts: kubelet, runtime, kube-proxy, cni0, flannel.1, eth0. */
  nodePartRect(nodeName, part) {
    const node = this.nodeRect(nodeName);
    if (!node) return null;
    const pad = sizes.nodePad;
    const compY = node.y + sizes.nodeHeader;
    const compW = (node.w - 2 * pad - 2 * 8) / 3;
    const footerY = node.y + sizes.nodeHeader + sizes.nodeComponents + sizes.podAreaH;
    switch (part) {
      case "kubelet": return { x: node.x + pad, y: compY, w: compW, h: 32 };
      case "runtime": return { x: node.x + pad + compW + 8, y: compY, w: compW, h: 32 };
      case "kube-proxy": return { x: node.x + pad + 2 * (compW + 8), y: compY, w: compW, h: 32 };
      case "cni0": return { x: node.x + pad, y: footerY + 8, w: node.w - 2 * pad, h: 24 };
      case "flannel": return { x: node.x + pad, y: footerY + 38, w: 140, h: 28 };
      case "netfilter": return { x: node.x + pad + 148, y: footerY + 38, w: 100, h: 28 };
      case "eth0": return { x: node.x + node.w - pad - 168, y: footerY + 38, w: 168, h: 28 };
      default: return null;
    }
  }

  serviceRect(id) {
    const slot = this.serviceSlots.slotOf(id);
    if (slot === undefined) return null;
    return { x: 0, y: this.servicesTop + slot * 118, w: sizes.edgeW, h: 108, slot };
  }

  get servicesTop() {
    return 356;
  }

  /** What the scheduling queue's note says. */
  queueNote(hidden, waiting) {
    return hidden ? `+${hidden} more` : waiting ? "" : "(empty)";
  }

  /** Where a packet from outside (the internet, a load balancer) is drawn. */
  edgeAnchor(kind) {
    if (kind === "lb") return center(this.componentRect("load-balancer"));
    const rect = this.componentRect("internet");
    return { x: rect.x + rect.w + 10, y: rect.y + rect.h / 2 };
  }

  /** y of the underlay wire under a row of nodes. */
  underlayY(row) {
    return this.gridY + row * (sizes.nodeH + sizes.rowGap) + sizes.nodeH + sizes.rowGap / 2;
  }

  rows() {
    const count = this.nodeSlots.highest + 1;
    return Math.max(1, Math.ceil(count / Math.max(1, this.columns)));
  }

  /** Bounding box of the whole picture, for "fit to screen". */
  bounds() {
    const cols = Math.max(1, Math.min(this.columns, this.nodeSlots.highest + 1));
    const gridW = cols * sizes.nodeW + (cols - 1) * sizes.gap;
    const workloads = this.workloadsRect();
    const w = Math.max(this.gridX + gridW, workloads.x + workloads.w) + 10;
    const gridBottom = this.underlayY(this.rows() - 1) + 24;
    const servicesBottom = this.servicesTop + (this.serviceSlots.highest + 1) * 118;
    return { x: -10, y: -10, w: w + 20, h: Math.max(gridBottom, servicesBottom) + 20 };
  }
}

export function center(rect) {
  return rect ? { x: rect.x + rect.w / 2, y: rect.y + rect.h / 2 } : null;
}
