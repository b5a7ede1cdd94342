// A node opened up: every pod with its veth pair into the cni0 bridge, the host routing
// table, flannel.1 (overlay) or plain routes, and eth0 onto the underlay. Drawn over the
// picture at the node's place, so nothing else moves.

import { svg, clear, ellipsize } from "../dom.js";
import { podShape, bridgeIp } from "./shapes.js";
import { sizes } from "./layout.js";
import { sha256Hex } from "../sha256.js";

const cols = 6;
const podW = sizes.pod.w;
const podH = sizes.pod.h;
const gap = 14;

const vethNames = new Map();

/**
 * The host-side veth of a pod, named as the model names it ("veth" + the first 8 hex of
 * sha256("namespace/name")), so the opened node and a trace's hops agree.
 */
export function vethName(pod) {
  if (pod.veth || pod.hostVeth) return pod.veth ?? pod.hostVeth;
  const key = `${pod.namespace}/${pod.name}`;
  if (!vethNames.has(key)) vethNames.set(key, `veth${sha256Hex(key).slice(0, 8)}`);
  return vethNames.get(key);
}

export class NodeDetail {
  constructor(diagram) {
    this.diagram = diagram;
    this.nodeName = null;
  }

  open(nodeName) {
    this.nodeName = nodeName;
    this.refresh();
    if (this.rect) this.diagram.focusRect(this.rect, 1.3);
  }

  close() {
    this.nodeName = null;
    this.rect = null;
    clear(this.diagram.layers.detail);
  }

  get isOpen() {
    return this.nodeName !== null;
  }

  refresh() {
    const layer = clear(this.diagram.layers.detail);
    if (!this.nodeName) return;
    const store = this.diagram.store;
    const node = store.get(`nodes/${this.nodeName}`);
    const base = this.diagram.layout.nodeRect(this.nodeName);
    if (!node || !base) {
      this.close();
      return;
    }
    const pods = (store.podsByNode().get(node.name) ?? []).slice()
      .sort((a, b) => (this.diagram.layout.podSlots.get(node.name)?.slotOf(a.id) ?? 0) - (this.diagram.layout.podSlots.get(node.name)?.slotOf(b.id) ?? 0));
    const shown = pods.slice(0, 60);
    const rows = Math.max(1, Math.ceil(shown.length / cols));
    const w = cols * podW + (cols - 1) * gap + 70;
    const podsTop = 70;
    const bridgeY = podsTop + rows * (podH + 46) + 6;
    const routesY = bridgeY + 52;
    const nodes = store.list("nodes").filter((other) => other.name !== node.name);
    const overlay = store.config?.cni !== "routed";
    const routeLines = [`${node.podCIDR ?? "?"} dev cni0  (this node's pods)`];
    for (const other of nodes.slice(0, 4)) {
      routeLines.push(overlay
        ? `${other.podCIDR} via ${String(other.podCIDR ?? "").replace(/\/\d+$/, "")} dev flannel.1 onlink`
        : `${other.podCIDR} via ${other.ip} dev eth0`);
    }
    if (nodes.length > 4) routeLines.push(`… and ${nodes.length - 4} more nodes' podCIDRs`);
    routeLines.push("default via the underlay gateway dev eth0");
    const routesH = 34 + routeLines.length * 22;
    const devY = routesY + routesH + 16;
    const h = devY + 80;
    this.rect = { x: base.x, y: base.y, w, h };
    const group = svg("g", { className: "node-detail", transform: `translate(${base.x},${base.y})` });
    group.append(
      svg("rect", { className: "detail-shadow", x: 6, y: 8, width: w, height: h, rx: 14 }),
      svg("rect", { className: "detail-box", width: w, height: h, rx: 14 }),
      svg("text", { className: "detail-title", x: 20, y: 34 }, `${node.name} opened: how its pods are wired`),
      svg("text", { className: "detail-sub", x: 20, y: 56 },
        `${node.ip} · podCIDR ${node.podCIDR} · ${pods.length} pod${pods.length === 1 ? "" : "s"}${pods.length > shown.length ? ` (first ${shown.length} shown)` : ""}`),
    );
    const close = svg("g", {
      className: "detail-close", transform: `translate(${w - 54},14)`, "data-action": "close-detail",
      tabindex: "0", role: "button", "aria-label": `Close ${node.name}`,
    });
    close.append(svg("rect", { width: 40, height: 36, rx: 8 }), svg("text", { x: 20, y: 25, "text-anchor": "middle" }, "✕"));
    group.append(close);
    shown.forEach((pod, index) => {
      const x = 20 + (index % cols) * (podW + gap);
      const y = podsTop + Math.floor(index / cols) * (podH + 46);
      const shape = podShape(pod);
      shape.setAttribute("transform", `translate(${x},${y})`);
      const midX = x + podW / 2;
      group.append(
        svg("line", { className: "veth-line", x1: midX, y1: y + podH, x2: midX, y2: bridgeY }),
        svg("text", { className: "veth-label", x: midX + 5, y: y + podH + 16 }, "eth0"),
        svg("text", { className: "veth-label", x: midX + 5, y: y + podH + 34 }, ellipsize(vethName(pod), 14)),
        shape,
      );
    });
    group.append(
      svg("rect", { className: "bridge-box", x: 20, y: bridgeY, width: w - 40, height: 30, rx: 5 }),
      svg("text", { className: "bridge-label big", x: w / 2, y: bridgeY + 21, "text-anchor": "middle" },
        `cni0 bridge ${bridgeIp(node.podCIDR)} — host network namespace; each veth pair joins a pod to it`),
      svg("rect", { className: "routes-box", x: 20, y: routesY, width: w - 40, height: routesH, rx: 8 }),
      svg("text", { className: "routes-title", x: 34, y: routesY + 24 }, "host routing table (ip route)"),
    );
    routeLines.forEach((line, index) => {
      group.append(svg("text", { className: "routes-line", x: 34, y: routesY + 48 + index * 22 }, line));
    });
    const devW = (w - 60) / 2;
    group.append(
      svg("rect", { className: "dev-box", x: 20, y: devY, width: devW, height: 56, rx: 8 }),
      svg("text", { className: "dev-title", x: 34, y: devY + 24 }, overlay ? "flannel.1 — VXLAN device" : "no tunnel device (routed)"),
      svg("text", { className: "dev-sub", x: 34, y: devY + 45 },
        overlay ? "wraps pod packets in UDP 8472, node IP → node IP" : "packets leave eth0 with pod IPs unchanged"),
      svg("rect", { className: "dev-box", x: 40 + devW, y: devY, width: devW, height: 56, rx: 8 }),
      svg("text", { className: "dev-title", x: 54 + devW, y: devY + 24 }, `eth0 ${node.ip ?? ""}`),
      svg("text", { className: "dev-sub", x: 54 + devW, y: devY + 45 }, "the node's own NIC on the underlay"),
      svg("line", { className: "veth-line", x1: 20 + devW, y1: devY + 28, x2: 40 + devW, y2: devY + 28 }),
    );
    layer.append(group);
  }
}
