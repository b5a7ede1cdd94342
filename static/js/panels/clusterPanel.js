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
    this.endpoints = document.getElementById("trace-endpoints");
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
    this.traceForm?.addEventListener("submit", (event) => {
      event.preventDefault();
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

  /** Suggestions for the trace form: pods as namespace/name, Services, the internet. */
  fillEndpoints() {
    if (!this.endpoints) return;
    const values = [];
    for (const pod of this.store.list("pods")) if (pod.ip) values.push(`${pod.namespace}/${pod.name}`);
    for (const service of this.store.list("services")) values.push(`svc/${service.namespace}/${service.name}`);
    values.push("internet");
    const signature = values.join("|");
    if (signature === this.endpointSignature) return;
    this.endpointSignature = signature;
    clear(this.endpoints);
    for (const value of values.slice(0, 500)) this.endpoints.append(el("option", { value }));
  }

  setTraceEnd(end, value) {
    const input = this.traceForm?.querySelector(`[name=${end}]`);
    if (!input) return;
    input.value = value.includes("/") && this.store.get(`services/${value}`) ? `svc/${value}` : value;
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
    if (kind === "cross-node" && first) {
      from = name(first);
      to = name(pods.find((pod) => pod.node !== first.node) ?? pods[1] ?? first);
    } else if (kind === "same-node" && first) {
      const pair = pods.find((pod) => pod !== first && pod.node === first.node);
      from = name(first);
      to = name(pair ?? first);
    } else if (kind === "service" && first && services[0]) {
      from = name(first);
      to = `svc/${services[0].namespace}/${services[0].name}`;
    } else if (kind === "internet" && services[0]) {
      from = "internet";
      to = `svc/${services[0].namespace}/${services[0].name}`;
    }
    const form = this.traceForm;
    form.querySelector("[name=from]").value = from;
    form.querySelector("[name=to]").value = to;
    if (from && to) this.send({ type: "trace", from, to });
    else setText(form.querySelector("[data-part=note]"), "No suitable pods or Services for that path yet.");
  }
}
