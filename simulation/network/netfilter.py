"""Runs a packet through one netfilter hook of a node's tables.

The walk follows iptables semantics: rules in chain order, jumps into user chains,
RETURN at the end of a user chain, the builtin chain's ACCEPT policy at the end, the
nat table consulted only for the first packet of a connection (state NEW), and
`-m statistic --mode random` drawing from the model's seeded random source.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .proxy.ruleset import Ruleset

HOOK_TABLES = {
    "PREROUTING": ("nat",),
    "OUTPUT": ("nat", "filter"),
    "INPUT": ("filter",),
    "FORWARD": ("filter",),
    "POSTROUTING": ("nat",),
}


@dataclass
class Packet:
    """The header fields the model tracks (mark is the skb mark)."""

    src: str
    sport: int | None
    dst: str
    dport: int | None
    proto: str
    mark: int = 0

    @property
    def source(self) -> str:
        return self.src if self.sport is None else f"{self.src}:{self.sport}"

    @property
    def destination(self) -> str:
        return self.dst if self.dport is None else f"{self.dst}:{self.dport}"

    def copy(self) -> Packet:
        return Packet(self.src, self.sport, self.dst, self.dport, self.proto, self.mark)


@dataclass
class HookResult:
    """What one hook did: verdict, any address translation, the rules that matched."""

    verdict: str = "ACCEPT"
    nat: dict | None = None
    rules: list[str] = field(default_factory=list)
    seen: set = field(default_factory=set)


def run_hook(
    rs: Ruleset,
    hook: str,
    pkt: Packet,
    ctstate: str,
    rng,
    out_ip: str | None = None,
    seen: set | None = None,
) -> HookResult:
    """Evaluate every table registered at hook; mutates pkt on NAT or MARK.

    `seen` is the node's `-m recent` memory (session affinity); `--set` adds to it.
    """
    res = HookResult()
    res.seen = seen if seen is not None else set()
    for table in HOOK_TABLES[hook]:
        if table == "nat" and ctstate != "NEW":
            continue
        verdict = _chain(rs, table, hook, pkt, ctstate, rng, out_ip, res, 0)
        if verdict in ("DROP", "REJECT"):
            res.verdict = verdict
            return res
    return res


def _chain(rs, table, chain, pkt, ctstate, rng, out_ip, res, depth) -> str | None:
    if depth > 16:
        raise RuntimeError(f"iptables chain loop at {chain}")
    for r in rs.candidates(table, chain, pkt):
        if not r.matches(pkt, rs.local, ctstate, rng, res.seen):
            continue
        res.rules.append(r.text)
        if r.recent and r.recent[0] == "set":
            res.seen.add((r.recent[1], pkt.src))
        target = r.target
        if not target:  # no -j: the rule only counts the packet
            continue
        if target == "RETURN":
            return None
        if target in ("ACCEPT", "DROP", "REJECT"):
            return target
        if target == "MARK":
            pkt.mark = 0x4000 if r.mark_op == "set" else 0
            continue
        if target == "DNAT":
            before = pkt.destination
            ip, _, port = r.to.rpartition(":")
            pkt.dst, pkt.dport = ip, int(port)
            res.nat = {"type": "DNAT", "from": before, "to": pkt.destination}
            res.nat["rule"] = r.text
            return "ACCEPT"
        if target == "MASQUERADE":
            before = pkt.source
            pkt.src = out_ip or pkt.src
            res.nat = {"type": "MASQUERADE", "from": before, "to": pkt.source}
            res.nat["rule"] = r.text
            return "ACCEPT"
        verdict = _chain(rs, table, target, pkt, ctstate, rng, out_ip, res, depth + 1)
        if verdict is not None:
            return verdict
    return None
