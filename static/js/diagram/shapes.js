// Builders for the SVG pieces of the cluster picture. Each returns a <g> whose text is set
// with textContent; positions come from layout.js.

import { svg } from "../dom.js";
import { sizes, loopNames } from "./layout.js";
import { fitText, nameCandidates, listCandidates, taintCandidates, textWidth } from "./textfit.js";

const statusClasses = {
  Running: "running",
  Pending: "pending",
  ContainerCreating: "creating",
  PodInitializing: "creating",
  Terminating: "terminating",
  Succeeded: "succeeded",
  Completed: "succeeded",
  Failed: "failed",
  Error: "failed",
  CrashLoopBackOff: "failed",
  ImagePullBackOff: "failed",
  ErrImagePull: "failed",
  Evicted: "failed",
  Unknown: "unknown",
};

/** The colour class for a pod: its displayed status first (CrashLoopBackOff…), then its phase. */
export function podStatusClass(pod) {
  return statusClasses[pod.status] ?? statusClasses[pod.phase] ?? "unknown";
}

export function podLabel(pod) {
  return pod.status || pod.phase || "Unknown";
}

/**
 * "web-7d4b9c5f6-x2kqz" → "web-…-x2kqz": the workload's name and the pod's own suffix
 * are what a learner compares; the template hash in the middle is the same for all.
 */
export function shortName(name, max = 12) {
  const value = String(name ?? "");
  if (value.length <= max) return value;
  const parts = value.split("-");
  const tail = parts.length > 1 && parts[parts.length - 1].length <= 6 ? parts.pop() : value.slice(-4);
  if (parts.length >= 2 && /^[a-z0-9]{8,10}$/.test(parts[parts.length - 1])) parts.pop();
  const head = parts.join("-");
  const room = max - tail.length - 2;
  if (head.length + 1 <= room) return `${head}-…-${tail}`;
  return `${head.slice(0, Math.max(1, room))}…-${tail}`;
}

export function box(className, w, h, rx = 6) {
  return svg("rect", { className, width: w, height: h, rx });
}

export function label(text, x, y, className, anchor) {
  return svg("text", { x, y, className, "text-anchor": anchor }, String(text ?? ""));
}

/**
 * A label squeezed into `width` when its measured width is larger (long statuses such as
 * "ContainerCreating" keep every letter rather than lose their end).
 */
function fitted(text, x, y, className, width) {
  const node = label(text, x, y, className);
  if (textWidth(text, className) > width) {
    node.setAttribute("textLength", String(width));
    node.setAttribute("lengthAdjust", "spacingAndGlyphs");
  }
  return node;
}

export function focusable(group, id, aria) {
  group.setAttribute("data-id", id);
  group.setAttribute("tabindex", "0");
  group.setAttribute("role", "button");
  group.setAttribute("aria-label", aria);
  return group;
}

/**
 * Forms of a component's name, each one a name people use: "cloud-controller-manager" →
 * "cloud-controller-mgr" → "cloud-ctrl-mgr".
 */
export function componentTitles(title) {
  const value = String(title);
  const out = [value];
  const mgr = value.replace(/manager$/, "mgr");
  if (mgr !== value) out.push(mgr);
  const ctrl = mgr.replace(/controller/, "ctrl");
  if (ctrl !== mgr) out.push(ctrl);
  return out;
}

/** A control-plane or edge component box; `sub` is a second line of plain words. */
export function componentBox(id, rect, title, sub, extraClass = "") {
  const group = focusable(
    svg("g", { className: `component ${extraClass}`, transform: `translate(${rect.x},${rect.y})` }),
    id, `${title}: ${sub}`,
  );
  group.append(
    svg("title", {}, `${title} — ${sub}`),
    box("component-box", rect.w, rect.h, 8),
    label(fitText(componentTitles(title), "component-title", rect.w - 20), 12, 27, "component-title"),
    label(fitText(sub, "component-sub", rect.w - 20), 12, 51, "component-sub"),
  );
  return group;
}

export function controllerManagerBox(rect, layout) {
  const group = focusable(
    svg("g", { className: "component controller-manager", transform: `translate(${rect.x},${rect.y})` }),
    "component:kube-controller-manager", "kube-controller-manager: one process, many control loops",
  );
  group.append(
    box("component-box", rect.w, rect.h, 8),
    label("kube-controller-manager — one process, many control loops", 12, 21, "component-title small"),
  );
  for (const [key, text] of loopNames) {
    const loop = layout.loopRect(key);
    const chip = focusable(
      svg("g", { className: "loop", transform: `translate(${loop.x - rect.x},${loop.y - rect.y})` }),
      `component:loop:${key}`, `${text} controller loop`,
    );
    chip.append(
      svg("title", {}, `${text} controller: compares desired with actual state and calls the API server`),
      box("loop-box", loop.w, loop.h, 18),
      label(fitText(text, "loop-label", loop.w - 10), loop.w / 2, 23, "loop-label", "middle"),
    );
    group.append(chip);
  }
  return group;
}

/** One pod, drawn at (0,0); the caller positions it with a transform. */
export function podShape(pod) {
  const statusClass = podStatusClass(pod);
  const { w, h } = sizes.pod;
  const ns = pod.namespace ? `${pod.namespace}/` : "";
  const group = focusable(
    svg("g", { className: `pod status-${statusClass}` }),
    pod.id, `Pod ${ns}${pod.name}, ${podLabel(pod)}, IP ${pod.ip || "none yet"}`,
  );
  const containers = pod.containers ?? [];
  group.append(
    svg("title", {}, `${ns}${pod.name}\n${podLabel(pod)} · ${pod.ready ?? ""} ready · IP ${pod.ip || "—"}`),
    box("pod-box", w, h, 7),
    svg("rect", { className: "pod-stripe", width: 7, height: h, rx: 3 }),
    label(fitText(nameCandidates(pod.name, pod.node), "pod-name", w - 17 - Math.min(3, containers.length) * 12), 13, 18, "pod-name"),
    fitted(podLabel(pod), 13, 36, "pod-status", w - 20),
    label(pod.ip || "no IP yet", 13, 53, pod.hostNetwork ? "pod-ip host-ip" : "pod-ip"),
  );
  containers.slice(0, 3).forEach((container, index) => {
    const state = container.ready ? "ready" : container.state === "running" ? "running" : "waiting";
    group.append(svg("rect", {
      className: `container-dot container-${state}`,
      x: w - 13 - index * 12, y: 7, width: 9, height: 9, rx: 2,
    }, svg("title", {}, `container ${container.name}: ${container.state ?? ""}${container.ready ? ", ready" : ""}`)));
  });
  if ((pod.restarts ?? 0) > 0) {
    group.append(label(`↻${pod.restarts}`, w - 8, 53, "pod-restarts", "end"));
  }
  return group;
}

export function nodeStatusText(node) {
  if (node.failed) return "NotReady (failed)";
  const parts = [node.status || "Unknown"];
  if (node.unschedulable) parts.push("SchedulingDisabled");
  return parts.join(",");
}

/** A worker node box, drawn at (0,0) in node-local coordinates. */
export function nodeShape(node, info) {
  const { nodeW: w, nodeH: h, nodePad: pad } = sizes;
  const ready = node.status === "Ready" && !node.failed;
  const group = focusable(
    svg("g", { className: `node ${ready ? "node-ready" : "node-notready"}` }),
    node.id, `Node ${node.name}, ${nodeStatusText(node)}, ${info.podCount} pods`,
  );
  group.append(box("node-box", w, h, 10));
  if (!info.detailed) {
    // Far away or off screen: the summary only (a few elements instead of dozens).
    group.append(farSummary(node, info, w, h));
    return group;
  }
  const compW = (w - 2 * pad - 16) / 3;
  const footerY = sizes.nodeHeader + sizes.nodeComponents + sizes.podAreaH;
  const overlay = info.cni !== "routed";
  const runtimeName = String(node.runtime || info.runtime || "containerd").split(":")[0];
  group.append(
    svg("rect", { className: "node-header", width: w, height: sizes.nodeHeader - 6, rx: 10 }),
    label(node.name, pad, 22, "node-name near-only"),
    label(`${node.ip ?? ""}  ·  pods ${node.podCIDR ?? "?"}`, pad, 40, "node-ip near-only"),
  );
  if (node.role && node.role !== "worker") {
    group.append(label(node.role, pad + 9 + textWidth(node.name, "node-name"), 22, "node-role near-only"));
  }
  const badge = svg("g", { className: "node-status near-only", transform: `translate(${w - pad},8)` });
  const statusText = nodeStatusText(node);
  const badgeW = 14 + textWidth(statusText, "badge-text");
  badge.append(
    svg("rect", { x: -badgeW, y: 0, width: badgeW, height: 22, rx: 11, className: "badge" }),
    label(statusText, -badgeW / 2, 16, "badge-text", "middle"),
  );
  group.append(badge);
  if ((node.taints ?? []).length) {
    const list = node.taints.map(parseTaint);
    const taints = list.map((t) => `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`).join(", ");
    group.append(svg("g", { className: "near-only" }, svg("title", {}, `taints: ${taints}`),
      label(fitText(taintCandidates(list), "node-taint", w - 2 * pad), pad, 57, "node-taint")));
  }
  const parts = [
    ["kubelet", "kubelet"],
    ["runtime", runtimeName],
    ["kube-proxy", `kube-proxy`],
  ];
  parts.forEach(([part, text], index) => {
    const chip = focusable(
      svg("g", { className: "node-part near-only", transform: `translate(${pad + index * (compW + 8)},${sizes.nodeHeader})` }),
      `component:${part}@${node.name}`, `${text} on ${node.name}`,
    );
    chip.append(box("part-box", compW, 32, 6), label(text, compW / 2, 21, "part-label", "middle"));
    group.append(chip);
  });
  if (info.hidden > 0) {
    group.append(label(`+${info.hidden} more ▸`, w - pad - 6, footerY + 25, "node-more near-only", "end"));
  }
  if (info.podCount === 0) {
    group.append(label("no pods yet", w / 2, sizes.nodeHeader + sizes.nodeComponents + 40, "node-empty near-only", "middle"));
  }
  const bridge = svg("g", { className: "bridge near-only", transform: `translate(${pad},${footerY + 8})` });
  bridge.append(
    box("bridge-box", w - 2 * pad, 24, 4),
    label(`cni0 bridge  ${bridgeIp(node.podCIDR)}`, info.hidden > 0 ? 10 : (w - 2 * pad) / 2, 17, "bridge-label", info.hidden > 0 ? "start" : "middle"),
  );
  group.append(bridge);
  if (info.hidden > 0) group.append(group.querySelector(".node-more"));
  // The CNI's device, and the way to its agent: flanneld on this node programs it.
  const tunnel = focusable(svg("g", { className: "tunnel-dev near-only", transform: `translate(${pad},${footerY + 38})` }),
    `component:flannel@${node.name}`, `flannel (the CNI) on ${node.name}: ${overlay ? "flannel.1, its VXLAN device" : "host-gw routes"}`);
  tunnel.append(
    svg("title", {}, overlay ? "flannel.1: the VXLAN device that wraps pod packets for other nodes; flanneld, flannel's agent on this node, writes its routes, ARP and FDB entries" : "routed: a route per other node's podCIDR via its node IP, written by flanneld (host-gw backend)"),
    box("dev-box", 140, 28, 5),
    label(overlay ? "flannel.1 VXLAN" : "routes host-gw", 70, 19, "dev-label", "middle"),
  );
  const netfilter = svg("g", { className: "netfilter-dev near-only", transform: `translate(${pad + 148},${footerY + 38})` });
  netfilter.append(
    svg("title", {}, "netfilter and routing in the node's kernel: the rules kube-proxy wrote are applied here"),
    box("dev-box netfilter-box", 100, 28, 5),
    label(info.proxyMode ?? "iptables", 50, 19, "dev-label", "middle"),
  );
  const eth = svg("g", { className: "eth-dev near-only", transform: `translate(${w - pad - 168},${footerY + 38})` });
  eth.append(box("dev-box", 168, 28, 5), label(`eth0 ${node.ip ?? ""}`, 84, 19, "dev-label", "middle"));
  group.append(tunnel, netfilter, eth);
  group.append(farSummary(node, info, w, h));
  return group;
}

/** What a node shows when zoomed far out: its name, pod count and a bar of phases. */
export function farSummary(node, info, w, h) {
  const far = svg("g", { className: "far-only" });
  far.append(
    svg("text", {
      x: w / 2, y: 92, className: "far-name", "text-anchor": "middle",
      // A presentation attribute, not a style attribute: fine under a strict style-src CSP.
      "font-size": Math.min(66, Math.floor((w - 30) / (0.62 * Math.max(1, node.name.length)))),
    }, node.name),
    label(`${info.podCount} pods`, w / 2, 170, "far-count", "middle"),
  );
  const barY = 210;
  const barW = w - 40;
  let x = 20;
  const total = Math.max(1, info.podCount);
  for (const [statusClass, count] of Object.entries(info.statusCounts)) {
    const width = (count / total) * barW;
    far.append(svg("rect", { className: `far-bar status-${statusClass}`, x, y: barY, width, height: 56 }));
    x += width;
  }
  if (!info.podCount) far.append(svg("rect", { className: "far-bar empty", x: 20, y: barY, width: barW, height: 56 }));
  const notes = Object.entries(info.statusCounts)
    .filter(([statusClass]) => statusClass !== "running")
    .map(([statusClass, count]) => `${count} ${statusClass}`);
  const ready = node.status === "Ready" && !node.failed;
  far.append(label(ready ? (notes.join(" · ") || "all running") : "NotReady", w / 2, 330, `far-note ${ready ? "" : "bad"}`, "middle"));
  return far;
}

export function bridgeIp(podCIDR) {
  const match = /^(\d+\.\d+\.\d+)\.\d+\/(\d+)$/.exec(podCIDR ?? "");
  return match ? `${match[1]}.1/${match[2]}` : "";
}

/** "80:30080→8080/TCP" for each port of a Service. */
export function servicePorts(service) {
  return (service.ports ?? []).map((port) => {
    const nodePort = port.nodePort ? `:${port.nodePort}` : "";
    return `${port.port}${nodePort}→${port.targetPort}/${port.protocol ?? "TCP"}`;
  });
}

/** A taint as {key, value, effect}, from the view model's object or "key=value:Effect". */
export function parseTaint(taint) {
  if (typeof taint !== "string") return { key: taint.key ?? "", value: taint.value ?? "", effect: taint.effect ?? "" };
  const [head, effect = ""] = taint.split(":");
  const [key, value = ""] = head.split("=");
  return { key, value, effect };
}

export function serviceShape(service) {
  const { edgeW: w } = sizes;
  const group = focusable(
    svg("g", { className: `service svc-${String(service.type || "ClusterIP").toLowerCase()}` }),
    service.id, `Service ${service.namespace}/${service.name}, ${service.type}, ClusterIP ${service.clusterIP}`,
  );
  const ports = servicePorts(service);
  const endpoints = service.endpoints ?? [];
  const readyCount = endpoints.filter((endpoint) => endpoint.ready !== false).length;
  let external = "";
  if (service.type === "LoadBalancer") external = `EXTERNAL-IP ${service.externalIP ?? "<pending>"}`;
  group.append(
    svg("title", {}, `${service.namespace}/${service.name}: ${endpoints.map((e) => e.ip).join(", ") || "no endpoints"}`),
    box("service-box", w, 108, 8),
    label(fitText([`svc ${service.name}`, ...componentTitles(service.name)], "service-name", w - 20), 12, 22, "service-name"),
    label(fitText([`${service.type ?? "ClusterIP"} ${service.clusterIP ?? ""}`, service.clusterIP ?? ""], "service-ip", w - 20), 12, 42, "service-ip"),
    label(fitText(ports.length ? listCandidates(ports) : "no ports", "service-ports", w - 20), 12, 61, "service-ports"),
    label(`${readyCount} ready endpoint${readyCount === 1 ? "" : "s"}${endpoints.length > readyCount ? ` (+${endpoints.length - readyCount} not ready)` : ""}`, 12, 80, "service-eps"),
    label(external, 12, 99, "service-ext"),
  );
  return group;
}
