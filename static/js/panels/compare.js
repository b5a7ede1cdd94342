// Compare two traces of the same request: overlay against routed, a Service's
// externalTrafficPolicy Cluster against Local, or the cluster at an earlier step
// against now. The server traces both on copies of the model (the session does not
// move); the hops are shown side by side with the ones that differ marked, and A / B
// put either trace on the picture.

import { el, clear, setText } from "../dom.js";
import { hopWhere } from "./packetInspector.js";

const marks = { same: "", changed: "≠", "only-a": "only A", "only-b": "only B" };

export class TraceCompare extends EventTarget {
  constructor(root, store) {
    super();
    this.store = store;
    this.result = null;
    this.showing = null;
    this.tracedAt = null;
    this.box = el("details", { className: "compare-box" });
    this.variant = el("select", { name: "variant", "aria-label": "What to compare" },
      el("option", { value: "cni", text: "overlay vs routed (CNI)" }),
      el("option", { value: "etp", text: "ETP Cluster vs Local" }),
      el("option", { value: "step", text: "an earlier step vs now" }));
    this.service = el("select", { name: "service", "aria-label": "Service" });
    this.step = el("input", { name: "step", type: "number", min: "0", "aria-label": "Earlier step", className: "compare-step" });
    this.note = el("p", { className: "note", role: "status" });
    this.view = el("div", { className: "compare-view" });
    const form = el("form", { className: "compare-form" },
      el("label", {}, "Compare ", this.variant),
      el("label", { className: "for-etp" }, "Service ", this.service),
      el("label", { className: "for-step" }, "step ", this.step),
      el("button", { type: "submit", text: "Compare" }));
    this.box.append(el("summary", {}, el("h2", { text: "Compare two traces" })), form, this.note, this.view);
    const anchor = root.querySelector(".packet-buttons");
    anchor?.after(this.box);
    this.form = form;
    this.syncFields();
    this.variant.addEventListener("change", () => this.syncFields());
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.view.addEventListener("click", (event) => {
      const side = event.target.closest("button[data-side]");
      if (side) this.show(side.dataset.side);
      const row = event.target.closest("tr[data-a], tr[data-b]");
      if (row && this.showing) {
        const index = row.dataset[this.showing];
        if (index !== undefined && index !== "") this.dispatchEvent(new CustomEvent("jump", { detail: { index: Number(index) } }));
      }
    });
  }

  /** The request to compare: the trace form's ends, else the trace on screen. */
  setRequest(from, to, step) {
    this.from = from;
    this.to = to;
    this.tracedAt = step;
    if (step !== null && step !== undefined && !this.step.value) this.step.value = String(Math.max(0, step));
  }

  syncFields() {
    const kind = this.variant.value;
    this.form.querySelector(".for-etp").hidden = kind !== "etp";
    this.form.querySelector(".for-step").hidden = kind !== "step";
    if (kind === "etp") {
      clear(this.service);
      const exposed = this.store.list("services").filter((s) => s.type === "NodePort" || s.type === "LoadBalancer");
      for (const svc of exposed) this.service.append(el("option", { value: `${svc.namespace}/${svc.name}`, text: `${svc.namespace}/${svc.name}` }));
      if (!exposed.length) this.service.append(el("option", { value: "", text: "no NodePort or LoadBalancer Service" }));
    }
  }

  submit() {
    const form = document.getElementById("trace-form");
    const from = form?.querySelector("[name=from]")?.value.trim() || this.from;
    const to = form?.querySelector("[name=to]")?.value.trim() || this.to;
    if (!from || !to) {
      setText(this.note, "Trace a packet first (or fill in From and To): that is the request to compare.");
      return;
    }
    const message = { type: "compare", from, to, variant: this.variant.value, id: `compare-${Date.now()}` };
    if (message.variant === "etp") {
      if (!this.service.value) {
        setText(this.note, "ETP applies to NodePort and LoadBalancer Services: expose one first.");
        return;
      }
      message.service = this.service.value;
    }
    if (message.variant === "step") message.step = Math.max(0, Number(this.step.value || 0));
    this.pending = message.id;
    setText(this.note, `Tracing ${from} → ${to} twice, on copies of the cluster…`);
    this.dispatchEvent(new CustomEvent("send", { detail: message }));
  }

  receiveError(message) {
    if (message.for !== "compare") return false;
    setText(this.note, message.message ?? message.code);
    return true;
  }

  receive(message) {
    const result = message.compare;
    this.result = result;
    setText(this.note, "");
    clear(this.view);
    if (!result) return;
    const [left, right] = result.labels;
    const differs = result.rows.filter((row) => row.status !== "same").length;
    this.view.append(
      el("p", { className: "compare-summary", text: `A: ${left} — ${result.a.hops.length} hops, ${result.a.verdict}. B: ${right} — ${result.b.hops.length} hops, ${result.b.verdict}. ${differs} of ${result.rows.length} hops differ.` }),
      el("div", { className: "compare-toggle", role: "group", "aria-label": "Show on the picture" },
        el("button", { type: "button", dataset: { side: "a" }, "aria-pressed": "false", text: `Show A: ${left}` }),
        el("button", { type: "button", dataset: { side: "b" }, "aria-pressed": "false", text: `Show B: ${right}` })));
    const table = el("table", { className: "compare-table" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "" }), el("th", { scope: "col", text: `A · ${left}` }), el("th", { scope: "col", text: `B · ${right}` }))));
    const body = el("tbody");
    for (const row of result.rows) {
      const a = row.a === null ? null : result.a.hops[row.a];
      const b = row.b === null ? null : result.b.hops[row.b];
      body.append(el("tr", { className: `row-${row.status}`, dataset: { a: row.a ?? "", b: row.b ?? "", status: row.status } },
        el("td", { className: "mark", text: marks[row.status] }),
        el("td", { title: a ? describe(a) : "", text: a ? `${row.a + 1}. ${hopWhere(a)}` : "—" }),
        el("td", { title: b ? describe(b) : "", text: b ? `${row.b + 1}. ${hopWhere(b)}` : "—" })));
    }
    table.append(body);
    this.view.append(el("div", { className: "compare-scroll" }, table));
    if (result.a.reason || result.b.reason) {
      this.view.append(el("p", { className: "note", text: `A: ${result.a.reason ?? ""}` }), el("p", { className: "note", text: `B: ${result.b.reason ?? ""}` }));
    }
    this.box.open = true;
    this.show("a");
  }

  /** Put trace A or B on the picture and in the hop list. */
  show(side) {
    if (!this.result) return;
    this.showing = side;
    for (const button of this.view.querySelectorAll("button[data-side]")) button.setAttribute("aria-pressed", String(button.dataset.side === side));
    const label = this.result.labels[side === "a" ? 0 : 1];
    this.dispatchEvent(new CustomEvent("show", { detail: { trace: this.result[side], label, side } }));
  }
}

function describe(hop) {
  const nat = hop.nat ? ` ${hop.nat.type}` : "";
  const outer = hop.outer ? ` in VXLAN ${hop.outer.src} → ${hop.outer.dst}` : "";
  return `${hop.src} → ${hop.dst}${nat}${outer}`;
}
