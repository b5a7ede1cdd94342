// A kubectl terminal: commands go to the server as kubectl{command,id}, output comes
// back as text. Up/Down walk the history; Tab completes verbs, kinds and the names the
// store knows. A line starting with `sim` is one of the simulator's read-only verbs
// (a node's iptables rules, routes, conntrack, neighbour and FDB tables), sent as is.

import { el, setText } from "../dom.js";

const verbs = ["get", "describe", "apply", "create", "delete", "scale", "logs", "rollout", "cordon", "uncordon", "drain", "expose", "run", "explain", "version", "cluster-info", "top", "label", "taint", "edit"];
const kinds = {
  pods: "pods", pod: "pods", po: "pods",
  nodes: "nodes", node: "nodes", no: "nodes",
  services: "services", service: "services", svc: "services",
  deployments: "deployments", deployment: "deployments", deploy: "deployments",
  replicasets: "replicasets", replicaset: "replicasets", rs: "replicasets",
  ingresses: "ingresses", ingress: "ingresses", ing: "ingresses",
  hpa: "hpas", horizontalpodautoscalers: "hpas",
  endpointslices: null, endpoints: null, namespaces: null, events: null, serviceaccounts: null,
};
const kindWords = ["pods", "nodes", "services", "deployments", "replicasets", "ingresses", "hpa", "endpoints", "endpointslices", "namespaces", "events", "serviceaccounts", "all"];
const historyLimit = 200;
export const simVerbs = ["iptables-save", "routes", "conntrack", "neigh", "fdb"];

export class KubectlConsole extends EventTarget {
  constructor(root, store) {
    super();
    this.root = root;
    this.store = store;
    this.output = root.querySelector("[data-part=output]");
    this.input = root.querySelector("[data-part=input]");
    this.form = root.querySelector("form");
    this.history = [];
    this.cursor = 0;
    this.nextId = 1;
    this.pending = new Map();
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => this.onKey(event));
    // The prompt reads "$ kubectl"; a line that names its own program (sim …) gets "$".
    this.prompt = root.querySelector("label.prompt");
    this.input.addEventListener("input", () => {
      if (this.prompt) setText(this.prompt, /^\s*(sim|kubectl)(\s|$)/.test(this.input.value) ? "$" : "$ kubectl");
    });
    this.print("Type a kubectl command, e.g. kubectl get pods -o wide, or a node's table: sim routes node-1 (also iptables-save, conntrack, neigh, fdb). Tab completes; ↑/↓ recall.", "hint");
  }

  submit() {
    const raw = this.input.value.trim();
    if (!raw) return;
    const command = /^(kubectl|sim)(\s|$)/.test(raw) ? raw : `kubectl ${raw}`;
    if (this.history[this.history.length - 1] !== raw) this.history.push(raw);
    if (this.history.length > historyLimit) this.history.shift();
    this.cursor = this.history.length;
    this.input.value = "";
    if (this.prompt) setText(this.prompt, "$ kubectl");
    const id = this.nextId++;
    this.pending.set(id, command);
    this.print(`$ ${command}`, "prompt");
    this.dispatchEvent(new CustomEvent("command", { detail: { type: "kubectl", command, id } }));
  }

  /** kubectl_output{id,command,ok,output}: printed as text, never parsed as markup. */
  receive(message) {
    this.pending.delete(message.id);
    const empty = message.ok !== false && !message.output && /^sim\s/.test(message.command ?? "");
    this.print(empty ? "(the table is empty: no traffic has filled it yet)" : message.output ?? "", empty ? "hint" : message.ok === false ? "error" : "out");
  }

  receiveError(message) {
    if (message.id !== undefined && this.pending.has(message.id)) {
      this.pending.delete(message.id);
      this.print(`error: ${message.message ?? message.code}`, "error");
      return true;
    }
    return false;
  }

  print(text, kind) {
    const block = el("pre", { className: `console-line ${kind}` });
    setText(block, String(text).replace(/\s+$/, ""));
    this.output.append(block);
    while (this.output.childElementCount > 300) this.output.firstElementChild.remove();
    this.output.scrollTop = this.output.scrollHeight;
  }

  onKey(event) {
    if (event.key === "ArrowUp") {
      event.preventDefault();
      if (this.cursor > 0) this.cursor -= 1;
      this.input.value = this.history[this.cursor] ?? "";
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      if (this.cursor < this.history.length) this.cursor += 1;
      this.input.value = this.history[this.cursor] ?? "";
    } else if (event.key === "Tab" && !event.shiftKey && !event.ctrlKey && !event.altKey && this.input.value.trim()) {
      // Tab leaves the field when it is empty, so keyboard users are never trapped here.
      event.preventDefault();
      this.complete();
    }
  }

  candidates(words) {
    if (words[0] === "sim") {
      if (words.length === 2) return simVerbs;
      if (words.length === 3) return this.names("nodes");
      if (words.length === 4 && words[1] === "iptables-save") return ["nat", "filter"];
      return [];
    }
    const args = words[0] === "kubectl" ? words.slice(1) : words;
    const position = args.length - 1;
    if (position <= 0) return verbs;
    const previous = args[position - 1];
    if (previous === "-n" || previous === "--namespace") {
      return [...new Set(this.store.list("pods").map((pod) => pod.namespace))];
    }
    if (previous === "-o" || previous === "--output") return ["wide", "yaml", "json", "name"];
    const verb = args[0];
    if (position === 1 && verb === "rollout") return ["status", "history", "undo", "restart"];
    const kindIndex = verb === "rollout" ? 2 : 1;
    if (position === kindIndex) {
      if (["cordon", "uncordon", "drain"].includes(verb)) return this.names("nodes");
      if (verb === "logs") return this.names("pods");
      return kindWords;
    }
    if (args[kindIndex]?.includes("/")) return [];
    const kind = kinds[args[kindIndex]];
    if (kind) return this.names(kind, args);
    return [];
  }

  names(collection, args = []) {
    const nsIndex = args.findIndex((word) => word === "-n" || word === "--namespace");
    const namespace = nsIndex >= 0 ? args[nsIndex + 1] : "default";
    const all = args.includes("-A") || args.includes("--all-namespaces");
    return this.store.list(collection)
      .filter((object) => all || !object.namespace || object.namespace === namespace)
      .map((object) => object.name);
  }

  complete() {
    const value = this.input.value;
    const words = value.split(/\s+/);
    if (value.endsWith(" ")) words[words.length - 1] = "";
    const partial = words[words.length - 1];
    const options = [...new Set(this.candidates(words))].filter((word) => word.startsWith(partial)).sort();
    if (!options.length) return;
    const prefix = commonPrefix(options);
    const head = value.slice(0, value.length - partial.length);
    if (options.length === 1) {
      this.input.value = `${head}${options[0]} `;
    } else if (prefix.length > partial.length) {
      this.input.value = `${head}${prefix}`;
    } else {
      this.print(options.slice(0, 40).join("  ") + (options.length > 40 ? `  … (${options.length - 40} more)` : ""), "hint");
    }
  }
}

function commonPrefix(words) {
  let prefix = words[0] ?? "";
  for (const word of words) while (!word.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
