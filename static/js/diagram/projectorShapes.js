// What the projector view draws (positions from projector.js): a node as its name, its
// pods and its plumbing; a pod as its name and its address; the control plane and the
// things outside the nodes as two strips of chips. Every text is fitted by width.

import { svg, clear } from "../dom.js";
import { projectorSizes as p } from "./projector.js";
import { box, label, focusable, nodeStatusText, podStatusClass, podLabel, bridgeIp, farSummary, servicePorts } from "./shapes.js";
import { fitText, nameCandidates, textWidth } from "./textfit.js";

/** A worker or control-plane node; `info.visited` (a Set) when a trace is shown. */
export function projectorNodeShape(node, info) {
  const { nodeW: w, nodeH: h, nodePad: pad } = p;
  const ready = node.status === "Ready" && !node.failed;
  const group = focusable(
    svg("g", { className: `node ${ready ? "node-ready" : "node-notready"}` }),
    node.id, `Node ${node.name}, ${nodeStatusText(node)}, ${info.podCount} pods`,
  );
  group.append(box("node-box", w, h, 10));
  if (!info.detailed) {
    group.append(farSummary(node, info, w, h));
    return group;
  }
  const statusText = fitText(nodeStatusText(node), "badge-text", 120);
  const badgeW = textWidth(statusText, "badge-text") + 16;
  // The node's agents have no box of their own here: when one acts, its node's header lights.
  const agents = ["kubelet", "runtime", "kube-proxy"].map((part) => svg("rect", {
    className: "agent-flag", "data-id": `component:${part}@${node.name}`, width: w, height: p.nodeHeader - 6, rx: 10,
  }));
  group.append(
    svg("rect", { className: "node-header", width: w, height: p.nodeHeader - 6, rx: 10 }),
    ...agents,
    svg("title", {}, `${node.name} (${node.role ?? "worker"}) · ${node.ip ?? ""} · pods ${node.podCIDR ?? "?"}`),
    label(fitText(nameCandidates(node.name), "node-name", w - 3 * pad - badgeW), pad, 23, "node-name near-only"),
    label(fitText([`${node.ip ?? ""} · pods ${node.podCIDR ?? "?"}`, `${node.ip ?? ""} · ${node.podCIDR ?? "?"}`, node.ip ?? ""], "node-ip", w - 2 * pad), pad, 45, "node-ip near-only"),
  );
  group.append(svg("g", { className: "node-status near-only", transform: `translate(${w - pad},6)` },
    svg("rect", { x: -badgeW, y: 0, width: badgeW, height: 24, rx: 12, className: "badge" }),
    label(statusText, -badgeW / 2, 18, "badge-text", "middle")));
  const plumbingY = p.nodeHeader + p.podAreaH + 6;
  if (info.podCount === 0) {
    group.append(label("no pods yet", w / 2, p.nodeHeader + 40, "node-empty near-only", "middle"));
  }
  if (info.hidden > 0) {
    group.append(label(`+${info.hidden} more`, w - pad, plumbingY - 8, "node-more near-only", "end"));
  }
  const inner = w - 2 * pad;
  const device = (className, x, y, width, text, title) => {
    const chip = svg("g", { className: `${className} near-only`, transform: `translate(${x},${y})` });
    chip.append(svg("title", {}, title), box(className === "bridge" ? "bridge-box" : "dev-box", width, 30, 5),
      label(fitText(text, className === "bridge" ? "bridge-label" : "dev-label", width - 12), width / 2, 21,
        className === "bridge" ? "bridge-label" : "dev-label", "middle"));
    return chip;
  };
  // A node the packet does not pass keeps only its eth0 on the wire.
  const collapsed = info.visited && !info.visited.has(node.name);
  if (!collapsed) {
    const overlay = info.cni !== "routed";
    group.append(
      device("bridge", pad, plumbingY, inner, [`cni0 bridge ${bridgeIp(node.podCIDR)}`, `cni0 ${bridgeIp(node.podCIDR)}`, "cni0"],
        "cni0: the bridge every pod's veth joins"),
      device("tunnel-dev", pad, plumbingY + 36, 150, overlay ? ["flannel.1 VXLAN", "flannel.1"] : ["routes host-gw", "routes"],
        overlay ? "flannel.1: the VXLAN device that wraps pod packets for other nodes" : "routed: a route per other node's podCIDR via its node IP"),
      device("netfilter-dev", pad + 158, plumbingY + 36, inner - 158, info.proxyMode ?? "iptables",
        "netfilter and routing in the node's kernel: the rules kube-proxy wrote are applied here"),
    );
  }
  group.append(device("eth-dev", pad, plumbingY + 72, inner, [`eth0 ${node.ip ?? ""}`, "eth0"], "eth0: the node's NIC on the underlay"));
  group.append(farSummary(node, info, w, h));
  return group;
}

/** A pod: its name (cut by width, keeping what tells it apart) and its address or state. */
export function projectorPodShape(pod) {
  const statusClass = podStatusClass(pod);
  const { w, h } = p.pod;
  const ns = pod.namespace ? `${pod.namespace}/` : "";
  const group = focusable(
    svg("g", { className: `pod status-${statusClass}` }),
    pod.id, `Pod ${ns}${pod.name}, ${podLabel(pod)}, IP ${pod.ip || "none yet"}`,
  );
  const containers = (pod.containers ?? []).slice(0, 3);
  const running = statusClass === "running" && pod.ip;
  const second = running ? pod.ip : podLabel(pod);
  const restarts = (pod.restarts ?? 0) > 0 ? `↻${pod.restarts}` : "";
  group.append(
    svg("title", {}, `${ns}${pod.name}\n${podLabel(pod)} · ${pod.ready ?? ""} ready · IP ${pod.ip || "—"}`),
    box("pod-box", w, h, 7),
    svg("rect", { className: "pod-stripe", width: 7, height: h, rx: 3 }),
    label(fitText(nameCandidates(pod.name, pod.node), "pod-name", w - 14 - containers.length * 11), 10, 23, "pod-name"),
    label(fitText(second, running ? (pod.hostNetwork ? "pod-ip host-ip" : "pod-ip") : "pod-status", w - 12 - (restarts ? textWidth(restarts, "pod-restarts") + 4 : 0)),
      10, 48, running ? (pod.hostNetwork ? "pod-ip host-ip" : "pod-ip") : "pod-status"),
  );
  containers.forEach((container, index) => {
    const state = container.ready ? "ready" : container.state === "running" ? "running" : "waiting";
    group.append(svg("rect", {
      className: `container-dot container-${state}`, x: w - 13 - index * 11, y: 6, width: 8, height: 8, rx: 2,
    }, svg("title", {}, `container ${container.name}: ${container.state ?? ""}${container.ready ? ", ready" : ""}`)));
  });
  if (restarts) group.append(label(restarts, w - 6, 48, "pod-restarts", "end"));
  return group;
}

/** A Service as a chip in the top strip: its name and the address a client uses. */
export function projectorServiceShape(service, rect) {
  const { w, h } = rect;
  const group = focusable(
    svg("g", { className: `service svc-${String(service.type || "ClusterIP").toLowerCase()}` }),
    service.id, `Service ${service.namespace}/${service.name}, ${service.type}, ClusterIP ${service.clusterIP}`,
  );
  const ports = servicePorts(service);
  const address = service.type === "LoadBalancer"
    ? [`LB ${service.externalIP ?? "<pending>"}`, service.externalIP ?? "<pending>"]
    : [`${service.clusterIP ?? ""}${service.type === "NodePort" ? ` ${ports[0] ?? ""}` : ""}`, service.clusterIP ?? ""];
  const endpoints = service.endpoints ?? [];
  group.append(
    svg("title", {}, `${service.namespace}/${service.name} ${service.type ?? "ClusterIP"} ${service.clusterIP ?? ""} ${ports.join(", ")} · ${endpoints.map((e) => e.ip).join(", ") || "no endpoints"}`),
    box("service-box", w, h, 8),
    label(fitText([`svc ${service.name}`, ...nameCandidates(service.name)], "service-name", w - 16), 8, 22, "service-name"),
    label(fitText(address, "service-ip", w - 16), 8, 46, "service-ip"),
  );
  return group;
}

function chip(id, rect, title, sub, extraClass = "") {
  const group = focusable(
    svg("g", { className: `component chip ${extraClass}`, transform: `translate(${rect.x},${rect.y})` }),
    id, sub ? `${title}: ${sub}` : title,
  );
  const titles = Array.isArray(title) ? title : [title];
  group.append(svg("title", {}, sub ? `${titles[0]} — ${sub}` : titles[0]), box("component-box", rect.w, rect.h, 8));
  if (sub === null) {
    group.append(label(fitText(titles, "component-title", rect.w - 14), rect.w / 2, rect.h / 2 + 7, "component-title", "middle"));
  } else {
    group.append(
      label(fitText(titles, "component-title", rect.w - 14), 8, 22, "component-title"),
      label(fitText(sub, "component-sub", rect.w - 14), 8, 46, "component-sub"),
    );
  }
  return group;
}

/** The two strips: control plane, then kubectl, the outside world and the Services. */
export function drawProjectorFrame(layer, layout, store, etcdText) {
  const config = store.config ?? {};
  const cloud = config.platform === "cloud";
  const lbServices = store.list("services").filter((service) => service.type === "LoadBalancer");
  const ingresses = store.list("ingresses");
  clear(layer);
  const strip = layout.controlPlaneRect();
  layer.append(svg("rect", { className: "cp-box", x: strip.x - 4, y: strip.y - 4, width: strip.w + 8, height: strip.h + 8, rx: 10 }));
  const title = layout.stripRect("title");
  layer.append(label(fitText(["Control plane", "Control"], "cp-title", title.w - 8), title.x + 6, title.h / 2 + 8, "cp-title"));
  layer.append(
    chip("component:kube-apiserver", layout.stripRect("kube-apiserver"), ["kube-apiserver", "apiserver"], null, "apiserver"),
    chip("component:kube-scheduler", layout.stripRect("kube-scheduler"), ["kube-scheduler", "scheduler"], null),
    chip("component:kube-controller-manager", layout.stripRect("kube-controller-manager"),
      ["kube-controller-manager", "controller-manager", "controller-mgr"], null, "controller-manager"),
  );
  const etcdRect = layout.stripRect("etcd");
  const etcd = chip("component:etcd", etcdRect, "etcd", null, "etcd");
  const etcdSub = etcd.querySelector(".component-title");
  etcdSub.dataset.prefix = "etcd ";
  etcdSub.dataset.room = String(etcdRect.w - 14);
  layer.append(etcd);
  const ccm = layout.stripRect("cloud-controller-manager");
  if (cloud) {
    layer.append(chip("component:cloud-controller-manager", ccm, ["cloud-controller-manager", "cloud-controller-mgr", "cloud-ctrl-mgr"], null));
  } else {
    layer.append(label(fitText(["no cloud-controller-manager", "no cloud-ctrl-mgr", "no cloud"], "cp-note", ccm.w - 8), ccm.x + 4, ccm.h / 2 + 7, "cp-note"));
  }
  const queue = layout.stripRect("queue");
  layer.append(svg("rect", { className: "tray-box", x: queue.x, y: queue.y, width: queue.w, height: queue.h, rx: 8 }));
  const trayNote = label("", queue.x + queue.w / 2, queue.h / 2 + 7, "tray-note", "middle");
  trayNote.dataset.room = String(queue.w - 10);
  trayNote.dataset.className = "tray-note";
  layer.append(svg("title", {}, "the scheduling queue: pods without a node"), trayNote);
  const lbText = cloud
    ? (lbServices.length ? lbServices.map((s) => s.externalIP ?? "<pending>").join(", ") : "none yet")
    : "<pending>";
  layer.append(
    chip("component:internet", layout.edgeRect("internet"), ["Internet client", "Internet"], "203.0.113.50", "outside"),
    chip("component:load-balancer", layout.edgeRect("load-balancer"), cloud ? ["Cloud LB", "LB"] : ["No cloud LB", "No LB"], lbText, cloud ? "outside" : "outside absent"),
    chip("component:ingress", layout.edgeRect("ingress"), ["Ingress controller", "Ingress"],
      ingresses.length ? `${ingresses.length} Ingress${ingresses.length === 1 ? "" : "es"}` : "none", "ingress"),
    chip("component:kubectl", layout.edgeRect("kubectl"), "kubectl", "client", "client"),
  );
  const hiddenServices = store.list("services").length - layout.serviceCapacity;
  if (hiddenServices > 0) {
    const x = layout.gridX + layout.gridW - 4;
    layer.append(label(`+${hiddenServices} svc`, x, layout.servicesTop + p.edgeH / 2 + 7, "node-more", "end"));
  }
  return { trayNote, etcdSub };
}
