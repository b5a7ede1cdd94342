"""The answer's way back: the forward hops reversed, undone by conntrack.

Outside a node's root namespace a reply hop mirrors the forward hop (addresses,
MACs and any VXLAN outer header swapped). Inside one, the kernel's order applies
again: PREROUTING undoes a source NAT (un-SNAT), POSTROUTING or INPUT undoes the
DNAT (un-DNAT), both found through the conntrack entry the request created.
"""

from __future__ import annotations

from .walk import Pass, Walker

FORWARD_ACCEPT = (
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" '
    "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT"
)


def build_reply(w: Walker) -> list[dict]:
    """Reply hops for a finished walk (empty when nothing comes back)."""
    if w.verdict not in ("delivered", "refused", "rejected") or not w.hops:
        return []
    by_end = {p.end: p for p in w.passes}
    out: list[dict] = []
    i = len(w.hops) - 1
    if w.verdict == "rejected":
        last = w.passes[-1]
        h = w.hops[-1]
        out.append(
            _hop(
                h,
                last.before.destination,
                last.before.source,
                "icmp",
                "REJECT answers with ICMP port unreachable; curl reports "
                "'Connection refused'.",
            )
        )
        i = last.start - 1
    elif w.verdict == "refused":
        pass
    while i >= 0:
        p = by_end.get(i)
        if p is not None:
            out += _pass_reply(w, p)
            i = p.start - 1
            continue
        out.append(_mirror(w.hops[i], w.verdict))
        i -= 1
    return _vxlan_sides(out)


def _vxlan_sides(hops: list[dict]) -> list[dict]:
    """On the way back the far node's flannel.1 encapsulates and ours decapsulates."""
    for n, h in enumerate(hops):
        if h["device"] != "flannel.1":
            continue
        nxt = hops[n + 1] if n + 1 < len(hops) else None
        sending = nxt is not None and nxt["node"] == h["node"] and nxt["outer"]
        h["outer"] = dict(nxt["outer"]) if sending else None
    return hops


def _hop(h: dict, src: str, dst: str, proto: str, explain: str, **extra) -> dict:
    r = {
        "at": h["at"],
        "node": h["node"],
        "netns": h["netns"],
        "device": h["device"],
        "hook": extra.pop("hook", None),
        "src": src,
        "dst": dst,
        "proto": proto,
        "outer": extra.pop("outer", None),
        "nat": extra.pop("nat", None),
        "conntrack": extra.pop("conntrack", None),
        "explain": explain,
    }
    if h.get("part"):
        r["part"] = "netfilter" if r["hook"] else "routing"
    r.update(extra)
    return r


def _mirror(h: dict, verdict: str) -> dict:
    extra = {}
    if h.get("mac"):
        extra["mac"] = {"src": h["mac"]["dst"], "dst": h["mac"]["src"]}
    if h.get("outer"):
        o = h["outer"]
        extra["outer"] = {**o, "src": o["dst"], "dst": o["src"]}
    src = h["dst"]
    what = "RST" if verdict == "refused" else "reply"
    explain = f"The {what} passes {h['device'] or h['at']} on the way back."
    nat = h.get("nat")
    if nat and not h.get("hook"):
        src = nat["from"]
        extra["nat"] = {
            "type": "un-" + nat["type"],
            "from": nat["to"],
            "to": nat["from"],
            "rule": nat.get("rule"),
        }
        explain = f"The load balancer maps the reply back to {nat['from']}."
    return _hop(h, src, h["src"], h["proto"], explain, **extra)


def _pass_reply(w: Walker, p: Pass) -> list[dict]:
    h = w.hops[p.start]
    s1, d1 = p.before.source, p.before.destination
    s2, d2 = p.after.source, p.after.destination
    proto = p.after.proto
    ct = {"state": "ESTABLISHED", "entry": p.entry}
    un_snat = (
        {"type": "un-SNAT", "from": s2, "to": s1, "rule": "conntrack"}
        if s1 != s2
        else None
    )
    un_dnat = (
        {"type": "un-DNAT", "from": d2, "to": d1, "rule": "conntrack"}
        if d1 != d2
        else None
    )
    node = p.node
    if p.kind == "local-in":
        return [
            _hop(
                h,
                d2,
                s2,
                proto,
                f"The local process on {node} answers.",
                hook="OUTPUT",
                conntrack=ct,
            ),
            _hop(
                h, d1, s2, proto, _undnat_text(un_dnat), hook="POSTROUTING", nat=un_dnat
            ),
        ]
    first = _hop(
        h,
        d2,
        s1,
        proto,
        _unsnat_text(un_snat, node),
        hook="PREROUTING",
        nat=un_snat,
        conntrack=ct,
    )
    routing = _hop(
        h, d2, s1, proto, f"Routing on {node} sends the reply back toward {s1}."
    )
    if p.kind == "forward":
        # The reply takes the request's way through this node: bridged or routed.
        routing["forward"] = w.hops[p.start + 1].get("forward", "routed")
    if p.kind == "local-out":
        return [
            first,
            routing,
            _hop(
                h,
                d1,
                s1,
                proto,
                _undnat_text(un_dnat) + " It is delivered "
                "to the process on the node (INPUT).",
                hook="INPUT",
                nat=un_dnat,
            ),
        ]
    return [
        first,
        routing,
        _hop(
            h,
            d2,
            s1,
            proto,
            "KUBE-FORWARD accepts it: it belongs to an ESTABLISHED connection.",
            hook="FORWARD",
            rules=[FORWARD_ACCEPT],
        ),
        _hop(h, d1, s1, proto, _undnat_text(un_dnat), hook="POSTROUTING", nat=un_dnat),
    ]


def _unsnat_text(nat, node: str) -> str:
    if nat:
        return (
            f"conntrack on {node} recognises the reply and restores the original "
            f"client address {nat['to']} (un-SNAT)."
        )
    return f"conntrack on {node} matches the reply to the connection (ESTABLISHED)."


def _undnat_text(nat) -> str:
    if nat:
        return (
            f"conntrack rewrites the source back from {nat['from']} to "
            f"{nat['to']} (un-DNAT): the client sees the address it called."
        )
    return "No DNAT to undo; the reply's addresses stay as they are."
