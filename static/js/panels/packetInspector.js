// The packet inspector: the hops of the current trace, and for the selected hop the
// headers coming in and going out (changed fields marked), the rule that matched, NAT,
// conntrack and the explanation.

import { el, clear, setText } from "../dom.js";
import { formatAddress, natSummary } from "../packets.js";

function headers(hop) {
  if (!hop) return {};
  const rows = {
    "source": formatAddress(hop.src),
    "destination": formatAddress(hop.dst),
    "protocol": String(hop.proto ?? "").toUpperCase(),
  };
  if (hop.outer) {
    rows["outer source"] = formatAddress(hop.outer.src);
    rows["outer destination"] = formatAddress(hop.outer.dst);
    rows["outer protocol"] = `${String(hop.outer.proto ?? "UDP").toUpperCase()}${hop.outer.dport ?? hop.outer.port ? ` ${hop.outer.dport ?? hop.outer.port}` : ""}`;
    if (hop.outer.vni !== undefined) rows["VXLAN VNI"] = String(hop.outer.vni);
  }
  if (hop.mac) {
    rows["MAC source"] = hop.mac.src ?? "";
    rows["MAC destination"] = hop.mac.dst ?? "";
  }
  return rows;
}

const known = new Set(["at", "node", "netns", "device", "hook", "src", "dst", "proto", "outer", "nat", "explain", "rule", "rules", "route", "mac", "conntrack", "in", "out"]);

export class PacketInspector extends EventTarget {
  constructor(root) {
    super();
    this.root = root;
    this.trace = null;
    this.summary = root.querySelector("[data-part=summary]");
    this.hops = root.querySelector("[data-part=hops]");
    this.detail = root.querySelector("[data-part=detail]");
    this.hops.addEventListener("click", (event) => {
      const button = event.target.closest("[data-hop]");
      if (button) this.dispatchEvent(new CustomEvent("pick", { detail: { index: Number(button.dataset.hop) } }));
    });
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-packet]");
      if (button) this.dispatchEvent(new CustomEvent("control", { detail: { action: button.dataset.packet } }));
    });
  }

  load(trace) {
    this.trace = trace;
    clear(this.hops);
    clear(this.detail);
    const hops = trace?.hops ?? [];
    const verdict = trace.verdict ?? (trace.ok === false ? "dropped" : "delivered");
    const from = trace.source ?? trace.request?.from ?? "?";
    const to = trace.destination ?? trace.request?.to ?? "?";
    const phase = trace.phase ? ` (${trace.phase})` : "";
    setText(this.summary, `${from} → ${to}${phase}: ${hops.length} hops, ${verdict}. ${trace.reason ?? trace.summary ?? ""}`);
    this.summary.dataset.verdict = verdict;
    this.summary.append(phaseButtons(trace));
    hops.forEach((hop, index) => {
      this.hops.append(el("li", {}, el("button", {
        type: "button", className: `hop-row ${hop.nat ? "nat" : ""} ${hop.outer ? "wrapped" : ""}`, dataset: { hop: String(index) },
      },
        el("span", { className: "hop-no", text: index + 1 }),
        el("span", { className: "hop-where", text: hopWhere(hop) }),
        hop.nat ? el("span", { className: "hop-flag", text: natKind(hop.nat) }) : null,
        hop.outer ? el("span", { className: "hop-flag wrap", text: "encap" }) : null,
      )));
    });
  }

  select(index) {
    if (!this.trace) return;
    const hops = this.trace.hops ?? [];
    const hop = hops[index];
    for (const row of this.hops.querySelectorAll("[data-hop]")) {
      const current = row.dataset.hop === String(index);
      row.classList.toggle("current", current);
      if (current) row.setAttribute("aria-current", "step");
      else row.removeAttribute("aria-current");
    }
    clear(this.detail);
    if (!hop) return;
    this.detail.append(el("h3", { text: `Hop ${index + 1} of ${hops.length}: ${hopWhere(hop)}` }));
    this.detail.append(el("p", { className: "explain", text: hop.explain ?? hop.why ?? "" }));
    if (hop.netns) this.detail.append(el("p", { className: "where", text: `network namespace: ${hop.netns}${hop.node ? ` on ${hop.node}` : ""}` }));
    const before = hop.in ?? headers(hops[index - 1]);
    const after = hop.out ?? headers(hop);
    const table = el("table", { className: "headers" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "header" }), el("th", { scope: "col", text: "in" }), el("th", { scope: "col", text: "out" }))));
    const body = el("tbody");
    const names = [...new Set([...Object.keys(after), ...Object.keys(before)])];
    for (const name of names) {
      const inValue = index === 0 ? "" : before[name] ?? "—";
      const outValue = after[name] ?? "—";
      const changed = index > 0 && inValue !== outValue;
      body.append(el("tr", { className: changed ? "changed" : "" },
        el("th", { scope: "row", text: name }),
        el("td", { text: inValue }),
        el("td", {}, outValue, changed ? el("span", { className: "changed-tag", text: " changed" }) : null)));
    }
    table.append(body);
    this.detail.append(table);
    const facts = el("dl", { className: "facts" });
    const add = (name, value) => {
      if (value === undefined || value === null || value === "") return;
      facts.append(el("dt", { text: name }), el("dd", { className: name === "NAT" ? "nat-value" : "", text: typeof value === "object" ? JSON.stringify(value) : String(value) }));
    };
    add("Netfilter hook", hop.hook);
    add("NAT", hop.nat ? natSummary(hop.nat) : null);
    add("Matched rule", hop.nat?.rule ?? hop.rule);
    if (hop.conntrack) {
      add("Conntrack", typeof hop.conntrack === "object" ? hop.conntrack.state ?? "" : hop.conntrack);
      if (hop.conntrack.entry) add("Conntrack entry", hop.conntrack.entry);
    }
    add("Route", hop.route);
    for (const [key, value] of Object.entries(hop)) if (!known.has(key) && !["why"].includes(key)) add(key, value);
    this.detail.append(facts);
    if ((hop.rules ?? []).length) {
      this.detail.append(el("h3", { text: "Rules walked (iptables-save)" }),
        el("pre", { className: "rules", text: hop.rules.join("\n") }));
    }
  }
}

function hopWhere(hop) {
  const at = String(hop.at ?? "");
  const place = hop.device ?? (hop.hook ? `netfilter ${hop.hook}` : at.startsWith("node/") && at.endsWith("/root") ? "routing" : at.split("/").pop());
  const where = hop.node ?? ({ client: "internet client", internet: "internet", router: "router", lan: "underlay", lb: "load balancer" }[at] ?? "outside");
  return `${where} · ${place || at}`;
}

/** Buttons to show the reply or the DNS lookup that came with a trace. */
function phaseButtons(trace) {
  const bar = el("span", { className: "phases" });
  const phases = [["request", "Request"], ["reply", "Reply"], ["dns", "DNS lookup"]];
  for (const [phase, text] of phases) {
    const available = phase === "request" || (phase === "reply" && (trace.reply ?? []).length) || (phase === "dns" && (trace.dns?.hops ?? []).length);
    if (!available) continue;
    bar.append(el("button", {
      type: "button", dataset: { packet: `phase-${phase}` }, text,
      "aria-pressed": String((trace.phase ?? "request") === phase),
    }));
  }
  return bar.childElementCount > 1 ? bar : "";
}

function natKind(nat) {
  return typeof nat === "string" ? nat.split(" ")[0] : nat.type ?? nat.kind ?? "NAT";
}
