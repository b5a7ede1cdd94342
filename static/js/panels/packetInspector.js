// The packet inspector: the hops of the current trace; for the selected hop its headers
// layer by layer as the packet came in and went out (changed fields marked), the
// connection's first packets (the TCP handshake), the rule that matched, NAT,
// conntrack and the explanation; and, as in Packet Tracer's simulation mode, the list
// of everything that happened at every hop, filterable by protocol and kind.

import { el, clear, setText } from "../dom.js";
import { formatAddress, natSummary } from "../packets/packets.js";

const known = new Set(["at", "node", "netns", "device", "hook", "src", "dst", "proto", "outer", "nat", "explain", "rule", "rules", "route", "mac", "conntrack", "in", "out", "pdu", "events", "part", "forward", "why"]);

const chipText = { route: "route", bridge: "bridge", neighbour: "neighbour", fdb: "FDB", nat: "NAT", conntrack: "conntrack", filter: "filter", encapsulation: "VXLAN", deliver: "delivered" };

export const eventKinds = {
  route: "route lookup", bridge: "bridging", neighbour: "neighbour lookup", fdb: "FDB lookup",
  nat: "NAT", conntrack: "conntrack", filter: "filter", encapsulation: "encapsulation", deliver: "delivery",
};

/** The rows of each layer for one hop: [id, title, [[field, value]…]], values as text. */
export function layers(hop) {
  const pdu = hop?.pdu;
  if (!pdu) return legacyLayers(hop);
  const out = [];
  if (pdu.outer) {
    const o = pdu.outer;
    const rows = [];
    if (o.mac) rows.push(["src MAC", o.mac.src ?? ""], ["dst MAC", o.mac.dst ?? ""]);
    rows.push(["src", o.src ?? ""], ["dst", o.dst ?? ""], ["TTL", String(o.ttl ?? "")],
      ["proto", `UDP ${o.dport ?? 8472}`], ["VNI", String(o.vni ?? "")]);
    if (o.mtu) rows.push(["MTU", `${o.mtu.link} − ${o.mtu.overhead} = ${o.mtu.inner}`]);
    out.push(["outer", "Outer headers (VXLAN tunnel)", rows]);
  }
  if (pdu.l2) out.push(["l2", pdu.outer ? "L2 inner Ethernet" : "L2 Ethernet", [["src MAC", pdu.l2.src ?? ""], ["dst MAC", pdu.l2.dst ?? ""]]]);
  const l3 = pdu.l3 ?? {};
  const ttl = l3.ttl !== null && l3.ttl !== undefined ? String(l3.ttl) : l3.ttlLowered ? `arrival − ${l3.ttlLowered}` : "as it arrived";
  out.push(["l3", "L3 IPv4", [["src", l3.src ?? ""], ["dst", l3.dst ?? ""], ["TTL", ttl]]]);
  const l4 = pdu.l4 ?? {};
  const proto = String(l4.proto ?? hop.proto ?? "").toUpperCase();
  if (proto === "ICMP") {
    out.push(["l4", "L4 ICMP", [["type", `${l4.type ?? ""} (${l4.name ?? ""})`], ["code", String(l4.code ?? "")]]]);
  } else {
    const rows = [["src port", String(l4.sport ?? "")], ["dst port", String(l4.dport ?? "")]];
    if (proto === "TCP") rows.push(["flags", l4.flags ?? ""]);
    out.push(["l4", `L4 ${proto}`, rows]);
  }
  const l7 = pdu.l7;
  if (l7) {
    const rows = [];
    if (l7.protocol === "DNS") {
      rows.push(["question", `${l7.query} ${l7.type}`]);
      if (l7.answer) rows.push(["answer", l7.answer]);
    } else if (l7.protocol === "TLS") {
      rows.push(["payload", l7.note ?? "encrypted"]);
    } else {
      if (l7.method) rows.push(["request", `${l7.method} ${l7.path ?? "/"} HTTP/1.1`], ["Host", l7.host ?? ""]);
      if (l7.status) rows.push(["status", String(l7.status)]);
    }
    out.push(["l7", `L7 ${l7.protocol}`, rows]);
  }
  return out;
}

/** Traces recorded before hops carried `pdu`: addresses only. */
function legacyLayers(hop) {
  if (!hop) return [];
  const rows = [["src", formatAddress(hop.src)], ["dst", formatAddress(hop.dst)], ["proto", String(hop.proto ?? "").toUpperCase()]];
  return [["l3", "Headers", rows]];
}

/** The legs whose hops make up one phase of the trace, in the order of its hops. */
export function phaseLegs(trace, phase) {
  const legs = trace?.legs ?? [];
  if (phase === "dns" || phase === "dnsReply") return legs.filter((leg) => leg.kind === "dns");
  const main = legs.filter((leg) => leg.kind === "request" || leg.kind === "upstream");
  // The reply of an Ingress trace comes back from the backend first (trace.py).
  return phase === "reply" ? main.slice().reverse() : main;
}

export class PacketInspector extends EventTarget {
  constructor(root) {
    super();
    this.root = root;
    this.trace = null;
    this.filter = { proto: "", kind: "" };
    this.summary = root.querySelector("[data-part=summary]");
    this.hops = root.querySelector("[data-part=hops]");
    this.detail = root.querySelector("[data-part=detail]");
    this.events = el("section", { className: "hop-events", "aria-labelledby": "hop-events-title" });
    root.append(this.events);
    this.hops.addEventListener("click", (event) => {
      const button = event.target.closest("[data-hop]");
      if (button) this.dispatchEvent(new CustomEvent("pick", { detail: { index: Number(button.dataset.hop) } }));
    });
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-packet]");
      if (button) this.dispatchEvent(new CustomEvent("control", { detail: { action: button.dataset.packet } }));
      const row = event.target.closest("button[data-event-hop]");
      if (row) this.dispatchEvent(new CustomEvent("jump", { detail: { phase: row.dataset.phase, index: Number(row.dataset.eventHop) } }));
    });
    root.addEventListener("change", (event) => {
      const select = event.target.closest("select[data-filter]");
      if (!select) return;
      this.filter[select.dataset.filter] = select.value;
      this.renderEvents();
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
    const phase = trace.phase && trace.phase !== "request" ? ` (${phaseName(trace.phase)})` : "";
    const label = trace.label ? `[${trace.label}] ` : "";
    setText(this.summary, `${label}${from} → ${to}${phase}: ${hops.length} hops, ${verdict}. ${trace.reason ?? trace.summary ?? ""}`);
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
    this.renderEvents();
  }

  select(index) {
    if (!this.trace) return;
    this.current = index;
    const hops = this.trace.hops ?? [];
    const hop = hops[index];
    for (const row of this.hops.querySelectorAll("[data-hop]")) {
      const current = row.dataset.hop === String(index);
      row.classList.toggle("current", current);
      if (current) row.setAttribute("aria-current", "step");
      else row.removeAttribute("aria-current");
    }
    for (const row of this.events.querySelectorAll("li[data-phase]")) {
      row.classList.toggle("current", row.dataset.phase === this.phase && row.dataset.index === String(index));
    }
    clear(this.detail);
    if (!hop) return;
    this.detail.append(el("h3", { text: `Hop ${index + 1} of ${hops.length}: ${hopWhere(hop)}` }));
    this.detail.append(el("p", { className: "explain", text: hop.explain ?? hop.why ?? "" }));
    if (hop.netns) this.detail.append(el("p", { className: "where", text: `network namespace: ${hop.netns}${hop.node ? ` on ${hop.node}` : ""}` }));
    this.detail.append(this.headerTable(hops, index));
    if ((hop.events ?? []).length) {
      const list = el("ul", { className: "hop-happened", "aria-label": "What happened at this hop" });
      for (const event of hop.events) list.append(el("li", {}, el("span", { className: `ev-kind kind-${event.kind}`, text: eventKinds[event.kind] ?? event.kind }), " ", event.text));
      this.detail.append(el("h3", { text: "What happened here" }), list);
    }
    this.detail.append(this.connection(index));
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
    for (const [key, value] of Object.entries(hop)) if (!known.has(key)) add(key, value);
    this.detail.append(facts);
    if ((hop.rules ?? []).length) {
      this.detail.append(el("h3", { text: "Rules walked (iptables-save)" }),
        el("pre", { className: "rules", text: hop.rules.join("\n") }));
    }
  }

  get phase() {
    return this.trace?.phase ?? "request";
  }

  /** One table, a section per layer: each field as it came in and as it went out. */
  headerTable(hops, index) {
    const hop = hops[index];
    const after = layers(hop);
    // Each field as it last was before this hop: a MAC is compared with the frame
    // that arrived, even when a stack hop (no frame) came in between.
    const before = new Map();
    for (const earlier of hops.slice(0, index)) for (const [id, , rows] of layers(earlier)) for (const [name, value] of rows) before.set(`${id}:${name}`, value);
    const table = el("table", { className: "headers" },
      el("caption", { className: "visually-hidden", text: "Headers by layer, in and out" }),
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "field" }), el("th", { scope: "col", text: "in" }), el("th", { scope: "col", text: "out" }))));
    for (const [id, layer, rows] of after) {
      const body = el("tbody", { dataset: { layer: id } });
      body.append(el("tr", { className: "layer-row" }, el("th", { scope: "rowgroup", colspan: "3", text: layer })));
      for (const [name, outValue] of rows) {
        const key = `${id}:${name}`;
        const inValue = index === 0 ? "" : before.get(key) ?? "—";
        const changed = index > 0 && before.has(key) && inValue !== outValue;
        const added = index > 0 && !before.has(key);
        const tag = changed ? "changed" : added ? "added" : "";
        body.append(el("tr", { className: changed ? "changed" : added ? "added" : "" },
          el("th", { scope: "row", text: name }),
          el("td", { text: inValue }),
          el("td", {}, el("span", { className: "value", text: outValue }),
            tag ? el("span", { className: "changed-tag", title: tag, "aria-label": tag, text: changed ? " Δ" : " +" }) : null)));
      }
      table.append(body);
    }
    const note = hop.pdu && !hop.pdu.l2
      ? el("p", { className: "frame-note", text: "No Ethernet frame here: inside a network stack the kernel holds the IP packet itself." })
      : "";
    return el("div", {}, el("div", { className: "headers-scroll" }, table), note);
  }

  /** The first packets of the connection this hop belongs to (TCP's handshake). */
  connection(index) {
    const legs = phaseLegs(this.trace, this.phase);
    let offset = 0;
    let leg = null;
    const side = this.phase === "reply" || this.phase === "dnsReply" ? "reply" : "hops";
    for (const candidate of legs) {
      const length = (candidate[side] ?? []).length;
      if (index < offset + length) { leg = candidate; break; }
      offset += length;
    }
    if (!leg || !(leg.packets ?? []).length) return "";
    const list = el("ol", { className: "handshake" });
    for (const packet of leg.packets) {
      const arrow = packet.dir === "reply" ? "←" : "→";
      const l7 = packet.l7 ? ` ${describeL7(packet.l7)}` : "";
      const numbers = packet.seq !== undefined ? ` seq=${packet.seq}${packet.ack !== undefined ? ` ack=${packet.ack}` : ""}` : "";
      list.append(el("li", { className: packet.dir },
        el("span", { className: "flags", text: `${arrow} ${packet.flags ?? String(packet.proto ?? "").toUpperCase()}` }),
        el("span", { className: "mono", text: `${numbers}${l7}` }),
        packet.note ? el("span", { className: "note", text: ` (${packet.note})` }) : ""));
    }
    const tcp = leg.packets[0]?.flags !== undefined;
    const title = tcp ? "The connection's first packets (this hop shows the first one)" : "The exchange";
    return el("section", { className: "connection" }, el("h3", { text: title }), list);
  }

  /** Every event at every hop of every leg, filtered by protocol and kind. */
  renderEvents() {
    clear(this.events);
    if (!this.trace) return;
    const rows = this.eventRows();
    if (!rows.length) return;
    const protos = [...new Set(rows.map((row) => row.proto))];
    const kinds = [...new Set(rows.map((row) => row.kind))];
    const select = (name, label, values, names) => el("label", {}, `${label} `,
      el("select", { dataset: { filter: name } },
        el("option", { value: "", text: "all" }),
        values.map((value) => el("option", { value, text: names?.[value] ?? value.toUpperCase(), selected: this.filter[name] === value }))));
    const shown = rows.filter((row) => (!this.filter.proto || row.proto === this.filter.proto) && (!this.filter.kind || row.kind === this.filter.kind));
    const list = el("ol", { className: "event-list", "aria-label": "Events" });
    for (const row of shown) {
      const current = row.phase === this.phase && row.index === this.current;
      list.append(el("li", { className: current ? "current" : "", dataset: { phase: row.phase, index: String(row.index), kind: row.kind, proto: row.proto } },
        el("button", { type: "button", dataset: { eventHop: String(row.index), phase: row.phase }, title: "Show this hop" },
          el("span", { className: "ev-when", text: row.when }),
          el("span", { className: "ev-where", text: row.where }),
          el("span", { className: `ev-kind kind-${row.kind}`, text: chipText[row.kind] ?? row.kind }),
          el("span", { className: "ev-text", text: row.text }))));
    }
    const time = this.trace.time !== undefined && this.trace.time !== null ? ` at t = ${Number(this.trace.time).toFixed(1)} s` : "";
    this.events.append(
      el("h3", { id: "hop-events-title", text: `Event list${time}` }),
      el("div", { className: "event-filters" }, select("proto", "Protocol", protos), select("kind", "Kind", kinds, eventKinds),
        el("span", { className: "count", text: `${shown.length} of ${rows.length}` })),
      list);
  }

  eventRows() {
    const rows = [];
    const legs = this.trace.legs ?? [];
    const phases = [];
    if (legs.some((leg) => leg.kind === "dns")) phases.push(["dns", "hops", "DNS"], ["dnsReply", "reply", "DNS reply"]);
    phases.push(["request", "hops", "request"], ["reply", "reply", "reply"]);
    for (const [phase, side, label] of phases) {
      let offset = 0;
      for (const leg of phaseLegs(this.trace, phase)) {
        (leg[side] ?? []).forEach((hop, i) => {
          for (const event of hop.events ?? []) {
            rows.push({
              phase, index: offset + i, kind: event.kind, text: event.text, proto: String(hop.proto ?? ""),
              when: `${label} #${offset + i + 1}`, where: hopWhere(hop),
            });
          }
        });
        offset += (leg[side] ?? []).length;
      }
    }
    return rows;
  }
}

function describeL7(l7) {
  if (l7.protocol === "DNS") return `DNS ${l7.query} ${l7.type}${l7.answer ? ` → ${l7.answer}` : ""}`;
  if (l7.method) return `${l7.method} ${l7.path} Host: ${l7.host}`;
  if (l7.status) return `HTTP ${l7.status}`;
  return l7.protocol ?? "";
}

export function hopWhere(hop) {
  const at = String(hop.at ?? "");
  const place = hop.device ?? (hop.hook ? `netfilter ${hop.hook}` : at.startsWith("node/") && at.endsWith("/root") ? "routing" : at.split("/").pop());
  const where = hop.node ?? ({ client: "internet client", internet: "internet", router: "router", lan: "underlay", lb: "load balancer" }[at] ?? "outside");
  return `${where} · ${place || at}`;
}

function phaseName(phase) {
  return { reply: "reply", dns: "DNS lookup", dnsReply: "DNS answer" }[phase] ?? phase;
}

/** Buttons to show the reply or the DNS lookup that came with a trace. */
function phaseButtons(trace) {
  const bar = el("span", { className: "phases" });
  const phases = [["request", "Request"], ["reply", "Reply"], ["dns", "DNS lookup"], ["dnsReply", "DNS answer"]];
  for (const [phase, text] of phases) {
    const available = phase === "request" || (phase === "reply" && (trace.reply ?? []).length)
      || (phase === "dns" && (trace.dns?.hops ?? []).length) || (phase === "dnsReply" && (trace.dns?.reply ?? []).length);
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
