// The parts of the picture that do not come and go with objects: the control plane and
// its components, the things outside the cluster, the scheduling queue, and the wires.

import { svg, clear } from "../dom.js";
import { center } from "./layout.js";
import { componentBox, controllerManagerBox } from "./shapes.js";

/** Draw the control plane and the edge column; returns the texts that change later. */
export function drawFrame(layer, layout, store, etcdText) {
  const config = store.config ?? {};
  const lbServices = store.list("services").filter((service) => service.type === "LoadBalancer");
  const ingresses = store.list("ingresses");
  clear(layer);
  const cp = layout.controlPlaneRect();
  const cloud = config.platform === "cloud";
  layer.append(
    svg("rect", { className: "cp-box", x: cp.x, y: cp.y, width: cp.w, height: cp.h, rx: 12 }),
    svg("text", { className: "cp-title", x: cp.x + 16, y: 30 }, cloud ? "Control plane (run by the cloud provider)" : "Control plane"),
  );
  layer.append(
    componentBox("component:kube-scheduler", layout.componentRect("kube-scheduler"), "kube-scheduler", "filter → score → bind"),
    componentBox("component:kube-apiserver", layout.componentRect("kube-apiserver"), "kube-apiserver", "the only door to etcd", "apiserver"),
    componentBox("component:etcd", layout.componentRect("etcd"), "etcd", etcdText, "etcd"),
  );
  if (cloud) {
    layer.append(componentBox("component:cloud-controller-manager", layout.componentRect("cloud-controller-manager"),
      "cloud-controller-manager", "load balancers, nodes"));
  } else {
    const rect = layout.componentRect("cloud-controller-manager");
    layer.append(svg("text", { className: "cp-note", x: rect.x + 8, y: rect.y + 28 }, "no cloud-controller-"),
      svg("text", { className: "cp-note", x: rect.x + 8, y: rect.y + 50 }, "manager on bare metal"));
  }
  layer.append(controllerManagerBox(layout.componentRect("kube-controller-manager"), layout));
  const tray = layout.trayRect();
  layer.append(
    svg("rect", { className: "tray-box", x: tray.x, y: tray.y, width: tray.w, height: tray.h, rx: 10 }),
    svg("text", { className: "tray-title", x: tray.x + 12, y: tray.y + 30 }, "Scheduling"),
    svg("text", { className: "tray-title", x: tray.x + 12, y: tray.y + 52 }, "queue"),
  );
  const trayNote = svg("text", { className: "tray-note", x: tray.x + 12, y: tray.y + 70 }, "");
  layer.append(trayNote);
  layer.append(
    componentBox("component:kubectl", layout.componentRect("kubectl"), "kubectl", "a client of the API server", "client"),
    componentBox("component:internet", layout.componentRect("internet"), "Internet client", "203.0.113.50 (outside)", "outside"),
  );
  const lbText = cloud
    ? (lbServices.length ? lbServices.map((s) => s.externalIP ?? "<pending>").join(", ") : "none requested yet")
    : "LoadBalancer → <pending>";
  layer.append(
    componentBox("component:load-balancer", layout.componentRect("load-balancer"), cloud ? "Cloud load balancer" : "No cloud LB", lbText, cloud ? "outside" : "outside absent"),
    componentBox("component:ingress", layout.componentRect("ingress"), "Ingress controller", ingressText(ingresses), "ingress"),
    svg("text", { className: "column-title", x: 4, y: layout.servicesTop - 12 }, "Services"),
  );
  return { trayNote, etcdSub: layer.querySelector('[data-id="component:etcd"] .component-sub') };
}

/** The Ingress rules the controller serves: the first as host/path → Service:port. */
function ingressText(ingresses) {
  const rules = ingresses.flatMap((ing) => ing.rules ?? []);
  if (!ingresses.length) return "no Ingress objects";
  if (!rules.length) return `${ingresses.length} Ingress, no rules`;
  const first = rules[0];
  const more = rules.length > 1 ? ` +${rules.length - 1}` : "";
  return `${first.host ?? "*"}${first.path ?? "/"} → ${first.service}:${first.port}${more}`;
}

/** The underlay: each node's eth0 down to a wire per row of nodes, joined by a spine. */
export function drawWires(layer, layout, store) {
  clear(layer);
  const nodes = store.list("nodes");
  if (!nodes.length) return;
  const overlay = store.config?.cni !== "routed";
  const rows = new Map();
  for (const node of nodes) {
    const rect = layout.nodeRect(node.name);
    const eth = center(layout.nodePartRect(node.name, "eth0"));
    const y = layout.underlayY(rect.row);
    if (!rows.has(rect.row)) rows.set(rect.row, { y, minX: Infinity, maxX: -Infinity });
    const row = rows.get(rect.row);
    row.minX = Math.min(row.minX, rect.x);
    row.maxX = Math.max(row.maxX, rect.x + rect.w);
    layer.append(svg("line", { className: `wire ${node.failed ? "wire-down" : ""}`, x1: eth.x, y1: eth.y + 14, x2: eth.x, y2: y }));
  }
  const spineX = layout.gridX - 14;
  const rowList = [...rows.values()];
  for (const row of rowList) {
    layer.append(svg("line", { className: "underlay", x1: spineX, y1: row.y, x2: row.maxX, y2: row.y }));
  }
  if (rowList.length > 1) {
    const ys = rowList.map((row) => row.y);
    layer.append(svg("line", { className: "underlay", x1: spineX, y1: Math.min(...ys), x2: spineX, y2: Math.max(...ys) }));
  }
  const first = rowList[0];
  const text = overlay
    ? "underlay network (node IPs) · pod traffic between nodes rides inside VXLAN, UDP 8472"
    : "underlay network (node IPs) · pod traffic is routed to each node's podCIDR, no encapsulation";
  layer.append(svg("text", { className: "underlay-label", x: layout.gridX, y: first.y + 24 }, text));
}
