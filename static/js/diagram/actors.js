// Which part of the picture acted in an event: event.actor names a component the way
// Kubernetes does ("kube-scheduler", "replicaset-controller", "kubelet" + event.node…).

const loopPatterns = [
  [/deployment/, "deployment"],
  [/replicaset|replication/, "replicaset"],
  [/node-?lifecycle|node-controller|nodelifecycle/, "node-lifecycle"],
  [/endpoint/, "endpointslice"],
  [/serviceaccount|token/, "serviceaccount"],
  [/ipam/, "node-ipam"],
];

/** The component id (as in data-id) for an actor name, or null. */
export function componentIdFor(actor, node) {
  const name = String(actor ?? "").toLowerCase();
  if (!name) return null;
  if (name === "kubectl" || name.startsWith("kubectl")) return "component:kubectl";
  if (name.includes("scheduler")) return "component:kube-scheduler";
  if (name.includes("cloud")) return "component:cloud-controller-manager";
  if (name.includes("apiserver")) return "component:kube-apiserver";
  if (name === "etcd") return "component:etcd";
  if (name.includes("kubelet")) return node ? `component:kubelet@${node}` : null;
  if (name.includes("kube-proxy") || name.includes("proxy")) return node ? `component:kube-proxy@${node}` : null;
  if (name.includes("containerd") || name.includes("cri-o") || name.includes("runtime")) {
    return node ? `component:runtime@${node}` : null;
  }
  for (const [pattern, loop] of loopPatterns) if (pattern.test(name)) return `component:loop:${loop}`;
  if (name.includes("controller")) return "component:kube-controller-manager";
  if (name.includes("ingress")) return "component:ingress";
  return null;
}

/** Rectangle (world coordinates) of a component id. */
export function componentRectFor(id, layout) {
  if (!id) return null;
  const name = id.replace(/^component:/, "");
  if (name.startsWith("loop:")) return layout.loopRect(name.slice(5));
  const at = name.indexOf("@");
  if (at > 0) return layout.nodePartRect(name.slice(at + 1), name.slice(0, at));
  return layout.componentRect(name);
}

/** Ids to light up and the rectangle the API-call arrow starts from. */
export function actorTargets(event, layout, store) {
  const node = event.node ?? event.details?.node ?? null;
  const id = componentIdFor(event.actor, node);
  const ids = [];
  if (id) ids.push(id);
  const perNode = /kubelet|kube-proxy/.exec(String(event.actor ?? ""));
  if (!id && perNode) {
    const part = perNode[0];
    for (const each of store.list("nodes")) ids.push(`component:${part}@${each.name}`);
  }
  if (id?.startsWith("component:loop:")) ids.push("component:kube-controller-manager");
  if (node && store.get(`nodes/${node}`) && !id) ids.push(`nodes/${node}`);
  if ((event.apiCalls ?? []).length || (event.writes ?? []).length) ids.push("component:kube-apiserver");
  if ((event.writes ?? []).length) ids.push("component:etcd");
  return { ids, rect: componentRectFor(id, layout) };
}
