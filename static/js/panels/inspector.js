// The object inspector: what a clicked pod, node, Service or component is, its state,
// and what the learner can do to it (fail a node, kill a pod, trace a packet).

import { el, clear, setText } from "../dom.js";
import { collectionOf } from "../store.js";
import { loopNames } from "../diagram/layout.js";

const componentText = {
  "kube-apiserver": "The only component that talks to etcd. It validates requests, applies defaults and admission (for example mounting the ServiceAccount token), stores objects and serves watches. Every other component's arrow ends here.",
  etcd: "The consistent key-value store of all cluster state. Every write gets a new revision; keys look like /registry/pods/default/web-….",
  "kube-scheduler": "Watches pods that have no node. For each it filters nodes (resources fit, nodeSelector and affinity, taints and tolerations, unschedulable) then scores the rest and writes a Binding.",
  "kube-controller-manager": "One process running many control loops. Each loop compares desired state with actual state and makes API calls to close the gap.",
  "cloud-controller-manager": "Runs only on a cloud platform: provisions load balancers for LoadBalancer Services and labels or removes nodes using the cloud's API.",
  kubectl: "A client of the API server, not a control-plane component: every command becomes HTTP calls to kube-apiserver.",
  internet: "A client outside the cluster. It reaches Services through a cloud load balancer, a NodePort or an Ingress controller.",
  "load-balancer": "An external load balancer provisioned by the cloud-controller-manager in front of the Service's NodePorts. On bare metal nothing provisions it (MetalLB is an add-on), so EXTERNAL-IP stays <pending>.",
  ingress: "An Ingress controller (for example ingress-nginx) is itself pods behind a Service. It terminates HTTP(S), matches host and path rules and opens a new connection to a backend pod.",
  kubelet: "Watches pods bound to its node, asks the container runtime (CRI) for the pod sandbox (pause container), calls the CNI plugin to wire the network, starts containers, runs probes, reports status and renews the node's Lease.",
  runtime: "The container runtime (containerd or CRI-O) behind the CRI. dockershim was removed in v1.24; Docker-built images still run.",
  flannel: "The CNI of this cluster. When the kubelet starts a pod it runs the CNI plugin (flannel hands the work to the bridge plugin): a veth pair into cni0 and an IP from the node's podCIDR. flanneld, flannel's agent on every node, watches the Node objects and programs the way to every other node's pods.",
  "kube-proxy": "Watches Services and EndpointSlices and programs this node's packet rules (iptables, IPVS or nftables). It does not manage containers, volumes or health checks — that is the kubelet.",
  "loop:deployment": "Deployment controller: makes a ReplicaSet for each pod template and scales old and new ReplicaSets during a rollout.",
  "loop:replicaset": "ReplicaSet controller: counts the pods matching its selector and creates or deletes pods until the count equals replicas.",
  "loop:node-lifecycle": "Node lifecycle controller: when a node's heartbeats stop it marks the node NotReady after the grace period and taints it; pods are evicted after their toleration (300 s by default).",
  "loop:endpointslice": "EndpointSlice controller: keeps each Service's list of ready pod IPs current, so kube-proxy can program rules to them.",
  "loop:serviceaccount": "ServiceAccount and token controllers: every namespace gets a default ServiceAccount; pods get a projected token the API server can verify.",
  "loop:node-ipam": "Node IPAM controller: gives each node a podCIDR from the cluster's pod range.",
};

/** A node's tables, each read with one of the simulator's read-only verbs. */
export const nodeTables = [
  ["routes", "Routes", "ip route"],
  ["iptables-save", "kube-proxy rules", "iptables-save"],
  ["conntrack", "Conntrack", "conntrack -L"],
  ["neigh", "Neighbours", "ip neigh"],
  ["fdb", "FDB", "bridge fdb"],
];

export class Inspector extends EventTarget {
  constructor(root, store) {
    super();
    this.root = root;
    this.store = store;
    this.id = null;
    this.tableVerb = "routes";
    this.tableRequest = null;
    this.tableStep = null;
    this.nextTable = 1;
    this.title = root.querySelector("[data-part=title]");
    this.body = root.querySelector("[data-part=body]");
    root.addEventListener("click", (event) => {
      const tab = event.target.closest("button[data-table]");
      if (tab) {
        this.tableVerb = tab.dataset.table;
        this.requestTable();
        return;
      }
      const button = event.target.closest("button[data-action]");
      if (!button) return;
      this.dispatchEvent(new CustomEvent("action", {
        detail: { action: button.dataset.action, target: button.dataset.target ?? "", id: this.id },
      }));
    });
  }

  show(id) {
    this.id = id;
    this.shown = undefined;
    this.refresh();
  }

  /** Redraw when what is shown changed (objects are replaced, never mutated, on change). */
  refresh() {
    const id = this.id;
    const current = id && !id.startsWith("component:") ? this.store.get(id) : this.store.step;
    if (current === this.shown) return;
    this.shown = current;
    clear(this.body);
    if (!id) {
      setText(this.title, "Inspector");
      this.body.append(el("p", { className: "hint", text: "Click a pod, node, Service or component in the picture (or Tab to it and press Enter) to see its state here." }));
      return;
    }
    if (id.startsWith("component:")) {
      this.showComponent(id.slice("component:".length));
      return;
    }
    const object = this.store.get(id);
    if (!object) {
      setText(this.title, id);
      this.body.append(el("p", { className: "hint", text: "This object no longer exists at this step." }));
      return;
    }
    const collection = collectionOf(id);
    const show = {
      pods: () => this.showPod(object),
      nodes: () => this.showNode(object),
      services: () => this.showService(object),
      deployments: () => this.showWorkload(object, "ReplicaSet", "replicasets"),
      replicasets: () => this.showWorkload(object, "Pod", "pods"),
      hpas: () => this.showHpa(object),
      ingresses: () => this.showIngress(object),
    }[collection];
    setText(this.title, `${singular(collection)} ${object.namespace ? `${object.namespace}/` : ""}${object.name}`);
    if (show) show();
    this.history(id);
    this.body.append(el("details", {}, el("summary", { text: "All fields (view model)" }), el("pre", { className: "json", text: JSON.stringify(object, null, 2) })));
  }

  facts(rows) {
    const list = el("dl", { className: "facts" });
    for (const [name, value] of rows) {
      if (value === undefined || value === null || value === "") continue;
      list.append(el("dt", { text: name }), el("dd", { text: value }));
    }
    this.body.append(list);
  }

  actions(buttons) {
    const bar = el("div", { className: "actions" });
    for (const [action, text, target] of buttons) {
      bar.append(el("button", { type: "button", dataset: { action, target: target ?? "" }, text }));
    }
    this.body.append(bar);
  }

  showPod(pod) {
    this.facts([
      ["Status", `${pod.status ?? pod.phase}${pod.status && pod.status !== pod.phase ? ` (phase ${pod.phase})` : ""}`],
      ["Ready", pod.ready],
      ["Node", pod.node ?? "not scheduled yet"],
      ["Pod IP", pod.ip ?? "none yet"],
      ["Restarts", String(pod.restarts ?? 0)],
      ["Owner", pod.owner],
      ["Labels", Object.entries(pod.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(", ")],
      ["Network", pod.hostNetwork ? "host network (shares the node's IP)" : "own network namespace"],
    ]);
    const containers = el("ul", { className: "containers" });
    for (const container of pod.containers ?? []) {
      containers.append(el("li", {},
        el("strong", { text: container.name }), ` ${container.image ?? ""} · ${container.state ?? ""}${container.ready ? " · ready" : ""}`,
        (container.ports ?? []).length ? ` · ports ${(container.ports).join(", ")}` : "",
        container.restarts ? ` · ${container.restarts} restarts` : ""));
    }
    this.body.append(el("h3", { text: "Containers (share the pod's IP and ports)" }), containers);
    const name = `${pod.namespace}/${pod.name}`;
    this.actions([
      ["kill_pod", "Delete pod", name],
      ["crash_container", "Crash container", `${name}/${pod.containers?.[0]?.name ?? ""}`],
      ["trace-from", "Trace from here", name],
      ["trace-to", "Trace to here", name],
    ]);
  }

  /** The steps that touched this object, newest first: its own little timeline. */
  history(id) {
    const touched = this.store.eventList().filter((event) => (event.objects ?? []).includes(id)).slice(-6).reverse();
    if (!touched.length) return;
    const list = el("ul", { className: "recent" });
    for (const event of touched) {
      list.append(el("li", {}, el("span", { className: "ev-step", text: `#${event.step}` }), " ", el("strong", { text: event.actor ?? "" }), `: ${event.reason ?? event.type ?? ""}`));
    }
    this.body.append(el("h3", { text: "What happened to it" }), list);
  }

  /** A Deployment or ReplicaSet: desired against actual, and what it owns. */
  showWorkload(object, childKind, childCollection) {
    this.facts([
      ["Desired replicas", String(object.replicas ?? 0)],
      ["Ready", String(object.ready ?? 0)],
      ["Available", object.available !== undefined ? String(object.available) : null],
      ["Up to date", object.updated !== undefined ? String(object.updated) : null],
      ["Owner", object.owner],
    ]);
    const owned = this.store.list(childCollection)
      .filter((child) => child.namespace === object.namespace && child.owner === `${object.id.startsWith("deployments/") ? "Deployment" : "ReplicaSet"}/${object.name}`);
    const list = el("ul", { className: "mono" });
    for (const child of owned.slice(0, 40)) {
      list.append(el("li", { text: `${child.name}${child.status ? ` · ${child.status}` : child.ready !== undefined ? ` · ${child.ready}/${child.replicas} ready` : ""}` }));
    }
    if (!owned.length) list.append(el("li", { text: "none yet" }));
    this.body.append(el("h3", { text: `${childKind}s it owns` }), list);
    if (object.id.startsWith("deployments/")) {
      const hpa = this.store.list("hpas").find((h) => h.namespace === object.namespace && h.target === object.name);
      if (hpa) {
        this.body.append(el("h3", { text: `Scaled by HorizontalPodAutoscaler ${hpa.name}` }));
        this.hpaFacts(hpa);
        this.actions([["show", "Show the HPA", hpa.id]]);
      }
    }
  }

  /** An HPA: the metric it watches, its target, and the replicas it asks for. */
  showHpa(hpa) {
    this.hpaFacts(hpa);
    this.body.append(el("p", { className: "hint", text: "Every sync (15 s) the HPA controller reads the pods' CPU use against their requests and sets the Deployment's replicas to ceil(current × utilisation / target), kept between min and max. Put load on it with sim load in the console." }));
    this.actions([["show", "Show the Deployment", `deployments/${hpa.namespace}/${hpa.target}`]]);
  }

  hpaFacts(hpa) {
    const cpu = hpa.cpu === null || hpa.cpu === undefined ? "not measured yet" : `${hpa.cpu}% of requests`;
    this.facts([
      ["Target", `Deployment ${hpa.target}`],
      ["Metric", `${hpa.metric === "cpu" || !hpa.metric ? "CPU utilisation" : hpa.metric} (average over the pods)`],
      ["Current", cpu],
      ["Target value", hpa.targetCpu !== undefined && hpa.targetCpu !== null ? `${hpa.targetCpu}%` : null],
      ["Replicas", `${hpa.current === null || hpa.current === undefined ? "not synced yet" : `${hpa.current} now`}${hpa.desired !== undefined && hpa.desired !== null ? `, ${hpa.desired} desired` : ""} (min ${hpa.min}, max ${hpa.max})`],
    ]);
  }

  /** An Ingress: its class, its rules (host + path → Service:port) and TLS. */
  showIngress(ingress) {
    this.facts([
      ["Class", ingress.class ?? "(default class)"],
      ["TLS", (ingress.tls ?? []).length ? `ends at the controller for ${(ingress.tls ?? []).flat().join(", ") || "every host"}` : "none: plain HTTP"],
    ]);
    const list = el("ul", { className: "mono" });
    for (const rule of ingress.rules ?? []) {
      list.append(el("li", { text: `${rule.host ?? "*"}${rule.path ?? "/"} (${rule.pathType ?? "Prefix"}) → ${rule.service}:${rule.port}` }));
    }
    if (!(ingress.rules ?? []).length) list.append(el("li", { text: "no rules" }));
    this.body.append(el("h3", { text: "Rules (the controller matches host, then the longest path)" }), list);
    const backends = [...new Set((ingress.rules ?? []).map((rule) => rule.service).filter(Boolean))];
    this.actions(backends.map((name) => ["show", `Show Service ${name}`, `services/${ingress.namespace}/${name}`]));
  }

  showNode(node) {
    const pods = this.store.list("pods").filter((pod) => pod.node === node.name);
    this.facts([
      ["Status", `${node.status}${node.unschedulable ? ", SchedulingDisabled" : ""}${node.failed ? " (failed)" : ""}`],
      ["Role", node.role],
      ["Node IP", node.ip],
      ["podCIDR", node.podCIDR],
      ["Runtime", node.runtime],
      ["Allocatable", Object.entries(node.allocatable ?? {}).map(([k, v]) => `${k} ${v}`).join(", ")],
      ["Taints", (node.taints ?? []).map((t) => (typeof t === "string" ? t : `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`)).join(", ") || "none"],
      ["Pods", String(pods.length)],
    ]);
    this.actions([
      ["open-node", "Open node (veth, bridge, routes)", node.name],
      node.failed || node.status !== "Ready" ? ["restore_node", "Restore node", node.name] : ["fail_node", "Fail node", node.name],
    ]);
    this.showCni(node);
    this.showTables(node);
  }

  /** The CNI plugin and its agent on this node, as the model wires them. */
  showCni(node) {
    const overlay = this.store.config?.cni !== "routed";
    this.body.append(el("h3", { text: "Network plugin on this node" }));
    this.facts([
      ["CNI plugin", "flannel (the bridge plugin wires each pod: a veth pair into cni0, an IP from the node's podCIDR)"],
      ["Agent", `flanneld, flannel's per-node agent (a DaemonSet pod in a real cluster), ${overlay ? "backend vxlan: it writes flannel.1's routes and its ARP and FDB entries for every other node" : "backend host-gw: it writes a route to every other node's podCIDR via that node's IP"}`],
      ["MTU", overlay ? "pods 1450 (1500 − 50 bytes of VXLAN headers)" : "pods 1500 (no encapsulation)"],
    ]);
  }

  /** The node's routes, kube-proxy rules, conntrack, neighbour and FDB tables. */
  showTables(node) {
    const bar = el("div", { className: "table-tabs", role: "group", "aria-label": `${node.name}'s network tables` });
    for (const [verb, text, tool] of nodeTables) {
      bar.append(el("button", { type: "button", dataset: { table: verb }, title: `${tool} on ${node.name}`, "aria-pressed": String(verb === this.tableVerb), text }));
    }
    this.tableCaption = el("p", { className: "table-caption" });
    this.tableOutput = el("pre", { className: "node-table", tabindex: "0", "aria-label": "table output" });
    this.body.append(el("h3", { text: "Network tables on this node" }), bar, this.tableCaption, this.tableOutput);
    this.tableNode = node.name;
    this.requestTable();
  }

  requestTable() {
    if (!this.tableNode || !this.tableOutput?.isConnected) return;
    for (const button of this.body.querySelectorAll("button[data-table]")) {
      button.setAttribute("aria-pressed", String(button.dataset.table === this.tableVerb));
    }
    const tool = nodeTables.find(([verb]) => verb === this.tableVerb)?.[2] ?? this.tableVerb;
    setText(this.tableCaption, `$ ${tool}   (on ${this.tableNode}, at step ${this.store.step ?? 0})`);
    const id = `table-${this.nextTable++}`;
    const command = `sim ${this.tableVerb} ${this.tableNode}`;
    this.tableRequest = id;
    this.tableStep = this.store.step;
    this.dispatchEvent(new CustomEvent("table", { detail: { type: "kubectl", command, id } }));
  }

  /** Ask again when the model moved (a trace fills conntrack; a new pod adds a port). */
  refreshTable(force = false) {
    if (!this.tableOutput?.isConnected) return;
    if (force || this.tableStep !== this.store.step) this.requestTable();
  }

  /** The answer to a table request: true when it was one. */
  receiveTable(message) {
    if (message.id === undefined || !String(message.id).startsWith("table-")) return false;
    if (message.id !== this.tableRequest || !this.tableOutput) return true;
    const text = message.output ?? message.message ?? "";
    this.tableOutput.classList.toggle("error", message.ok === false || message.type === "error");
    setText(this.tableOutput, text || "(empty: no traffic has filled this table yet; trace a packet)");
    return true;
  }

  showService(service) {
    this.facts([
      ["Type", service.type],
      ["ClusterIP", `${service.clusterIP ?? "None"} (virtual: nothing listens on it)`],
      ["External IP", service.type === "LoadBalancer" ? service.externalIP ?? "<pending>" : null],
      ["Ports", (service.ports ?? []).map((p) => `${p.name ? `${p.name} ` : ""}${p.port}${p.nodePort ? `:${p.nodePort}` : ""}→${p.targetPort}/${p.protocol ?? "TCP"}`).join(", ")],
      ["Selector", Object.entries(service.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(", ")],
      ["DNS name", `${service.name}.${service.namespace}.svc.${this.store.config?.clusterDomain ?? "cluster.local"}`],
    ]);
    const endpoints = el("ul", { className: "endpoints" });
    for (const endpoint of service.endpoints ?? []) {
      endpoints.append(el("li", { className: endpoint.ready === false ? "not-ready" : "", text: `${endpoint.ip} · ${endpoint.pod ?? ""} on ${endpoint.node ?? "?"}${endpoint.ready === false ? " (not ready)" : ""}` }));
    }
    if (!(service.endpoints ?? []).length) endpoints.append(el("li", { text: "no endpoints: no ready pod matches the selector" }));
    this.body.append(el("h3", { text: "Endpoints (from its EndpointSlice)" }), endpoints);
    this.actions([["trace-to", "Trace to this Service", `${service.namespace}/${service.name}`]]);
  }

  /** The objects a control loop reconciles, so the learner sees desired versus actual. */
  managed(base) {
    let lines = [];
    let title = "What it watches";
    if (base === "ingress") {
      lines = this.store.list("ingresses").map(describeIngress);
      title = "Ingress rules it serves";
    } else if (managedBy[base]) {
      const [collection, describe] = managedBy[base];
      lines = this.store.list(collection).map(describe).filter(Boolean);
    }
    if (!lines.length) return;
    const list = el("ul", { className: "mono" });
    for (const line of lines.slice(0, 30)) list.append(el("li", { text: line }));
    if (lines.length > 30) list.append(el("li", { text: `… ${lines.length - 30} more` }));
    this.body.append(el("h3", { text: title }), list);
  }

  showComponent(name) {
    const at = name.indexOf("@");
    const base = at > 0 ? name.slice(0, at) : name;
    const node = at > 0 ? name.slice(at + 1) : null;
    const loop = loopNames.find(([key]) => `loop:${key}` === base);
    setText(this.title, node ? `${base} on ${node}` : loop ? `${loop[1]} controller (a loop in kube-controller-manager)` : base);
    this.body.append(el("p", { text: componentText[base] ?? "A component of the cluster." }));
    if (base === "etcd") {
      const keys = new Set();
      for (const event of this.store.eventList().reverse()) {
        for (const write of event.writes ?? []) keys.add(`${write.op} ${write.key} (rev ${write.revision})`);
        if (keys.size >= 8) break;
      }
      if (keys.size) this.body.append(el("h3", { text: "Latest writes" }), el("ul", { className: "mono" }, [...keys].map((text) => el("li", { text }))));
    }
    this.managed(base);
    const nodeObject = node ? this.store.get(`nodes/${node}`) : null;
    if (base === "flannel" && nodeObject) {
      this.showCni(nodeObject);
      this.showTables(nodeObject);
    }
    const recent = this.store.eventList().filter((event) => actorMatches(event, base, node)).slice(-6).reverse();
    if (recent.length) {
      this.body.append(el("h3", { text: "What it did lately" }));
      const list = el("ul", { className: "recent" });
      for (const event of recent) list.append(el("li", {}, el("span", { className: "ev-step", text: `#${event.step}` }), " ", event.reason ?? event.type));
      this.body.append(list);
    }
  }
}

const managedBy = {
  "loop:deployment": ["deployments", (d) => `${d.namespace}/${d.name}: ${d.ready}/${d.replicas} ready, ${d.updated ?? 0} up to date`],
  "loop:replicaset": ["replicasets", (r) => `${r.namespace}/${r.name}: ${r.ready}/${r.replicas} ready${r.owner ? ` (owned by ${r.owner})` : ""}`],
  "loop:endpointslice": ["services", (s) => `${s.namespace}/${s.name}: ${(s.endpoints ?? []).filter((e) => e.ready !== false).length} ready endpoints`],
  "loop:node-lifecycle": ["nodes", (n) => `${n.name}: ${n.status}${(n.taints ?? []).length ? `, tainted ${(n.taints).map((t) => (typeof t === "string" ? t : t.key)).join(", ")}` : ""}`],
  "loop:node-ipam": ["nodes", (n) => `${n.name}: podCIDR ${n.podCIDR ?? "not yet"}`],
  "cloud-controller-manager": ["services", (s) => (s.type === "LoadBalancer" ? `${s.namespace}/${s.name}: EXTERNAL-IP ${s.externalIP ?? "<pending>"}` : null)],
  "kube-controller-manager": ["hpas", (h) => `HPA ${h.namespace}/${h.name} → ${h.target}: ${h.current ?? "?"} replicas (${h.min}–${h.max}), CPU ${h.cpu ?? "?"}%`],
};

function describeIngress(ingress) {
  const rules = (ingress.rules ?? []).map((rule) => `${rule.host ?? "*"}${rule.path ?? "/"} → ${rule.service}:${rule.port}`);
  return `${ingress.namespace}/${ingress.name}${ingress.tls?.length ? " (TLS ends here)" : ""}: ${rules.join(", ") || "no rules"}`;
}

function actorMatches(event, base, node) {
  const actor = String(event.actor ?? "");
  if (node && event.node !== node) return false;
  if (base.startsWith("loop:")) return actor.includes(base.slice(5).replace("-", ""));
  if (base === "kube-controller-manager") return actor.includes("controller") && !actor.includes("cloud");
  if (base === "runtime") return /containerd|cri|runtime/.test(actor);
  return actor.includes(base) || (base === "kube-apiserver" && (event.apiCalls ?? []).length > 0);
}

function singular(collection) {
  return {
    pods: "Pod", nodes: "Node", services: "Service", deployments: "Deployment",
    replicasets: "ReplicaSet", ingresses: "Ingress", hpas: "HPA",
  }[collection] ?? collection;
}
