// Every step as a row: who acted, the API call it made and why. Click a row to seek
// there; filter by component and by kind of event.

import { el, clear, setText } from "../dom.js";

const maxRows = 400;

export class Timeline extends EventTarget {
  constructor(root, store) {
    super();
    this.root = root;
    this.store = store;
    this.list = root.querySelector("[data-part=list]");
    this.actorFilter = root.querySelector("[data-part=actor-filter]");
    this.kindFilter = root.querySelector("[data-part=kind-filter]");
    this.quietToggle = root.querySelector("[data-part=hide-quiet]");
    this.count = root.querySelector("[data-part=count]");
    this.actors = new Set();
    this.kinds = new Set();
    this.rows = new Map();
    root.addEventListener("change", (event) => {
      if (event.target.matches("select, input")) this.rebuild();
    });
    this.list.addEventListener("click", (event) => {
      const row = event.target.closest("[data-step]");
      if (row) this.dispatchEvent(new CustomEvent("seek", { detail: { step: Number(row.dataset.step) } }));
    });
  }

  matches(event) {
    const actor = this.actorFilter.value;
    const kind = this.kindFilter.value;
    if (actor && event.actor !== actor) return false;
    if (kind && kindOf(event) !== kind) return false;
    if (this.quietToggle?.checked && event.quiet) return false;
    return true;
  }

  noteFilters(event) {
    let changed = false;
    if (event.actor && !this.actors.has(event.actor)) {
      this.actors.add(event.actor);
      changed = true;
    }
    const kind = kindOf(event);
    if (kind && !this.kinds.has(kind)) {
      this.kinds.add(kind);
      changed = true;
    }
    if (changed) {
      fillSelect(this.actorFilter, "every component", [...this.actors].sort());
      fillSelect(this.kindFilter, "every kind", [...this.kinds].sort());
    }
  }

  row(event) {
    const calls = event.apiCalls ?? [];
    const call = calls[0];
    const button = el("button", {
      type: "button", className: `event-row ${event.quiet ? "quiet" : ""}`, dataset: { step: String(event.step) },
      "aria-label": `Go to step ${event.step}: ${event.actor}: ${event.reason ?? ""}`,
    },
      el("span", { className: "ev-step", text: event.step }),
      el("span", { className: "ev-actor", text: event.node && event.actor === "kubelet" ? `kubelet@${event.node}` : event.actor ?? "" }),
      el("span", { className: "ev-call", title: call ? `${call.verb} ${call.path}` : null, text: call ? `${call.verb} ${call.path}${calls.length > 1 ? ` +${calls.length - 1}` : ""}` : event.type ?? "" }),
      el("span", { className: "ev-call-short", text: call ? `${call.verb} ${resourceOf(call.path)}` : event.type ?? "" }),
      el("span", { className: "ev-reason", text: event.reason ?? "" }),
    );
    return el("li", {}, button);
  }

  rebuild() {
    clear(this.list);
    this.rows.clear();
    const events = this.store.eventList();
    for (const event of events) this.noteFilters(event);
    const shown = events.filter((event) => this.matches(event)).slice(-maxRows);
    for (const event of shown) this.addRow(event);
    setText(this.count, plural(events.length, "step"));
    this.markCurrent();
  }

  addRow(event) {
    const row = this.row(event);
    this.rows.set(event.step, row);
    this.list.append(row);
  }

  /** Follow one step: add its row, or just move the "current" mark when going back. */
  update(event) {
    const stale = [...this.rows.keys()].some((step) => !this.store.events.has(step));
    if (stale) {
      this.rebuild();
      return;
    }
    if (!event || this.rows.has(event.step)) {
      this.markCurrent();
      return;
    }
    this.append(event);
  }

  /** Called for each new step; cheaper than a rebuild. */
  append(event) {
    this.noteFilters(event);
    const last = [...this.rows.keys()].pop();
    if (last !== undefined && last > event.step) {
      this.rebuild();
      return;
    }
    if (this.matches(event)) this.addRow(event);
    while (this.rows.size > maxRows) {
      const first = this.rows.keys().next().value;
      this.rows.get(first).remove();
      this.rows.delete(first);
    }
    setText(this.count, plural(this.store.events.size, "step"));
    this.markCurrent();
  }

  markCurrent() {
    const step = this.store.step;
    for (const [rowStep, row] of this.rows) {
      row.classList.toggle("current", rowStep === step);
      row.classList.toggle("future", rowStep > step);
    }
    const current = this.rows.get(step);
    if (current) {
      const list = this.list.getBoundingClientRect();
      const row = current.getBoundingClientRect();
      if (row.top < list.top || row.bottom > list.bottom) {
        this.list.scrollTop += row.top - list.top - (list.height - row.height) / 2;
      }
    }
  }
}

/** "/api/v1/namespaces/default/pods/web-x/binding" → "pods/binding". */
export function resourceOf(path) {
  const parts = String(path ?? "").split("/").filter(Boolean);
  let rest = parts[0] === "api" ? parts.slice(2) : parts[0] === "apis" ? parts.slice(3) : parts;
  if (rest[0] === "namespaces" && rest.length > 2) rest = rest.slice(2);
  return rest[2] ? `${rest[0]}/${rest[2]}` : rest[0] ?? "";
}

function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}

export function kindOf(event) {
  return String(event.type ?? "").split(".")[0];
}

function fillSelect(select, allText, values) {
  const current = select.value;
  clear(select);
  select.append(el("option", { value: "", text: allText }));
  for (const value of values) select.append(el("option", { value, text: value }));
  select.value = values.includes(current) ? current : "";
}
