// The "Cluster" tab: open a scenario, change the CNI / kube-proxy mode / platform / node
// count, apply YAML, save a link; and the trace form on the "Packet" tab.

import { el, clear, setText } from "../dom.js";

export class ClusterPanel extends EventTarget {
  constructor(root, store, initial) {
    super();
    this.root = root;
    this.store = store;
    this.initial = initial;
    this.traceForm = document.getElementById("trace-form");
    const scenarioSelect = root.querySelector("[name=scenario]");
    if (scenarioSelect) {
      clear(scenarioSelect);
      for (const card of initial.scenarios ?? []) {
        scenarioSelect.append(el("option", { value: card.name, text: card.title }));
      }
      if (initial.scenario) scenarioSelect.value = initial.scenario;
    }
    root.addEventListener("submit", (event) => {
      event.preventDefault();
      const form = event.target;
      const data = new FormData(form);
      switch (form.dataset.form) {
        case "scenario":
          this.send({ type: "load_scenario", scenario: data.get("scenario") });
          break;
        case "settings": {
          const message = { type: "set" };
          for (const name of ["cni", "proxyMode", "platform"]) {
            const value = data.get(name);
            if (value && value !== this.store.config?.[name]) message[name] = value;
          }
          const nodes = Number(data.get("nodes"));
          if (nodes && nodes !== this.workerCount()) message.nodes = nodes;
          if (Object.keys(message).length > 1) this.send(message);
          break;
        }
        case "manifest":
          if (String(data.get("yaml") ?? "").trim()) this.send({ type: "apply_manifest", yaml: data.get("yaml") });
          break;
        case "save":
          this.send({ type: "save" });
          break;
        default:
      }
    });
    const motion = root.querySelector("[name=reduceMotion]");
    if (motion) {
      motion.checked = remembered("kubeviz.motion") === "reduce";
      document.documentElement.dataset.motion = motion.checked ? "reduce" : "";
      motion.addEventListener("change", () => {
        document.documentElement.dataset.motion = motion.checked ? "reduce" : "";
        remember("kubeviz.motion", motion.checked ? "reduce" : "");
      });
    }
    this.traceForm?.addEventListener("submit", (event) => {
      event.preventDefault();
      setText(this.traceForm.querySelector("[data-part=note]"), "");
      const data = new FormData(this.traceForm);
      const from = String(data.get("from") ?? "").trim();
      const to = String(data.get("to") ?? "").trim();
      if (from && to) this.send({ type: "trace", from, to });
    });
    this.traceForm?.addEventListener("click", (event) => {
      const preset = event.target.closest("[data-preset]");
      if (preset) this.preset(preset.dataset.preset);
    });
  }

  send(message) {
    this.dispatchEvent(new CustomEvent("send", { detail: message }));
  }

  workerCount() {
    return this.store.list("nodes").filter((node) => node.role !== "control-plane").length;
  }

  refresh() {
    const config = this.store.config ?? {};
    for (const name of ["cni", "proxyMode", "platform"]) {
      const select = this.root.querySelector(`[data-form=settings] [name=${name}]`);
      if (select && config[name] && document.activeElement !== select) select.value = config[name];
    }
    const nodes = this.root.querySelector("[data-form=settings] [name=nodes]");
    if (nodes && document.activeElement !== nodes) nodes.value = String(this.workerCount() || 2);
    this.fillEndpoints();
  }

  /** Suggestions for the trace form: sources are pods, nodes or the internet; destinations
   * are addresses (pod IP:port), Service DNS names or node IP:NodePort. */
  fillEndpoints() {
    const sources = document.getElementById("trace-sources");
    const targets = document.getElementById("trace-targets");
    if (!sources || !targets) return;
    const from = [["internet", "a client on the internet"]];
    const to = [];
    for (const node of this.store.list("nodes")) from.push([`node/${node.name}`, node.ip]);
    for (const pod of this.store.list("pods")) {
      if (!pod.ip) continue;
      from.push([`${pod.namespace}/${pod.name}`, pod.ip]);
      if (!pod.hostNetwork) to.push([`${pod.ip}:${podPort(pod)}`, `pod ${pod.namespace}/${pod.name}`]);
    }
    for (const service of this.store.list("services")) {
      const port = service.ports?.[0];
      to.push([`${service.name}.${service.namespace}${port && port.port !== 80 ? `:${port.port}` : ""}`, `Service ${service.clusterIP}`]);
      for (const p of service.ports ?? []) {
        if (!p.nodePort) continue;
        for (const node of this.store.list("nodes").slice(0, 3)) to.push([`${node.ip}:${p.nodePort}`, `NodePort of ${service.name} on ${node.name}`]);
      }
      if (service.externalIP) to.push([`${service.externalIP}:${port?.port ?? 80}`, `load balancer of ${service.name}`]);
    }
    const signature = JSON.stringify([from.length, to]);
    if (signature === this.endpointSignature) return;
    this.endpointSignature = signature;
    for (const [list, values] of [[sources, from], [targets, to]]) {
      clear(list);
      for (const [value, text] of values.slice(0, 600)) list.append(el("option", { value, label: text }));
    }
  }

  setTraceEnd(end, value) {
    const input = this.traceForm?.querySelector(`[name=${end}]`);
    if (!input) return;
    let text = value;
    const pod = this.store.get(`pods/${value}`);
    const service = this.store.get(`services/${value}`);
    if (end === "to" && pod?.ip) text = `${pod.ip}:${podPort(pod)}`;
    if (end === "to" && service) text = `${service.name}.${service.namespace}`;
    input.value = text;
    input.focus();
  }

  /** Fill the form with a classic path from the curriculum, using pods that exist now. */
  preset(kind) {
    const pods = this.store.list("pods").filter((pod) => pod.ip && !pod.hostNetwork && pod.namespace === "default");
    const services = this.store.list("services").filter((service) => service.namespace === "default" && service.name !== "kubernetes");
    const name = (pod) => `${pod.namespace}/${pod.name}`;
    const first = pods[0];
    let from = "";
    let to = "";
    const address = (pod) => `${pod.ip}:${podPort(pod)}`;
    if (kind === "cross-node" && first) {
      const other = pods.find((pod) => pod.node !== first.node);
      if (other) {
        from = name(first);
        to = address(other);
      }
    } else if (kind === "same-pod" && first) {
      from = name(first);
      to = `127.0.0.1:${podPort(first)}`;
    } else if (kind === "egress" && first) {
      from = name(first);
      to = "http://example.com/";
    } else if (kind === "same-node") {
      const a = pods.find((pod) => pods.some((b) => b !== pod && b.node === pod.node));
      const b = a && pods.find((pod) => pod !== a && pod.node === a.node);
      if (a && b) {
        from = name(a);
        to = address(b);
      }
    } else if (kind === "service" && first && services[0]) {
      from = name(first);
      to = `${services[0].name}.${services[0].namespace}`;
    } else if (kind === "internet") {
      const exposed = services.find((service) => service.externalIP) ?? services.find((service) => (service.ports ?? []).some((p) => p.nodePort));
      const node = this.store.list("nodes").find((n) => n.role !== "control-plane");
      if (exposed?.externalIP) to = `${exposed.externalIP}:${exposed.ports?.[0]?.port ?? 80}`;
      else if (exposed && node) to = `${node.ip}:${exposed.ports.find((p) => p.nodePort).nodePort}`;
      if (to) from = "internet";
    }
    const form = this.traceForm;
    form.querySelector("[name=from]").value = from;
    form.querySelector("[name=to]").value = to;
    setText(form.querySelector("[data-part=note]"), "");
    if (from && to) this.send({ type: "trace", from, to });
    else {
      setText(form.querySelector("[data-part=note]"), kind === "internet"
        ? "Nothing is exposed yet: make a NodePort or LoadBalancer Service (kubectl expose … --type=NodePort)."
        : "No suitable pods for that path yet.");
    }
  }
}

function podPort(pod) {
  for (const container of pod.containers ?? []) if ((container.ports ?? []).length) return container.ports[0];
  return 80;
}

// Storage can be refused (private windows, policies): the choice then lasts for the page.
function remembered(key) {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function remember(key, value) {
  try {
    localStorage.setItem(key, value);
  } catch {
    // not kept
  }
}
