"""One node's netfilter tables: kube-proxy's per-Service rules plus fixed chains.

Assembles the per-Service rules (see iptables.py) with the chains kube-proxy and
flannel install once per node, indexes the long chains so a lookup does not scan
every Service, and renders `iptables-save` text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .. import addresses as ad
from ..rules import Rule, rule
from .iptables import ServiceRules

BUILTIN = {
    "filter": ("INPUT", "FORWARD", "OUTPUT"),
    "nat": ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING"),
}
INDEXED = (
    "KUBE-SERVICES",
    "KUBE-NODEPORTS",
    "KUBE-EXTERNAL-SERVICES",
    "KUBE-PROXY-FIREWALL",
)
PORTALS = "kubernetes service portals"
NODEPORTS_TAIL = (
    "kubernetes service nodeports; NOTE: this must be the last rule in this chain"
)
FLANNEL_MASQ = "flanneld masq"
FLANNEL_FWD = "flanneld forward"


def _static_filter(cluster_cidr: str) -> dict[str, list[Rule]]:
    return {k: list(v) for k, v in _filter_chains(cluster_cidr).items()}


def _static_nat(cluster_cidr: str, pod_cidr: str | None) -> dict[str, list[Rule]]:
    return {k: list(v) for k, v in _nat_chains(cluster_cidr, pod_cidr).items()}


@lru_cache(maxsize=1024)
def _filter_chains(cluster_cidr: str) -> dict[str, list[Rule]]:
    new = ("ctstate", "NEW")
    fw = ("comment", "kubernetes load balancer firewall")
    ext = ("comment", "kubernetes externally-visible service portals")
    return {
        "INPUT": [
            rule("INPUT", "KUBE-PROXY-FIREWALL", new, fw),
            rule(
                "INPUT",
                "KUBE-NODEPORTS",
                ("comment", "kubernetes health check service ports"),
            ),
            rule("INPUT", "KUBE-EXTERNAL-SERVICES", new, ext),
            rule("INPUT", "KUBE-FIREWALL"),
        ],
        "FORWARD": [
            rule("FORWARD", "KUBE-PROXY-FIREWALL", new, fw),
            rule("FORWARD", "KUBE-FORWARD", ("comment", "kubernetes forwarding rules")),
            rule("FORWARD", "KUBE-SERVICES", new, ("comment", PORTALS)),
            rule("FORWARD", "KUBE-EXTERNAL-SERVICES", new, ext),
            rule("FORWARD", "FLANNEL-FWD", ("comment", FLANNEL_FWD)),
        ],
        "OUTPUT": [
            rule("OUTPUT", "KUBE-PROXY-FIREWALL", new, fw),
            rule("OUTPUT", "KUBE-SERVICES", new, ("comment", PORTALS)),
            rule("OUTPUT", "KUBE-FIREWALL"),
        ],
        # the kubelet's and kube-proxy's anti-martian rule: route_localnet lets
        # NodePorts answer on 127.0.0.1, so nothing from outside may reach
        # 127.0.0.0/8 (issue 90259)
        "KUBE-FIREWALL": [
            rule(
                "KUBE-FIREWALL",
                "DROP",
                ("comment", "block incoming localnet connections"),
                ("d", "127.0.0.0/8"),
                ("s", "127.0.0.0/8", True),
                ("ctstate", "RELATED,ESTABLISHED,DNAT", True),
            )
        ],
        "KUBE-FORWARD": [
            rule("KUBE-FORWARD", "DROP", ("ctstate", "INVALID")),
            rule(
                "KUBE-FORWARD",
                "ACCEPT",
                ("comment", "kubernetes forwarding rules"),
                ("mark", False),
            ),
            rule(
                "KUBE-FORWARD",
                "ACCEPT",
                ("comment", "kubernetes forwarding conntrack rule"),
                ("ctstate", "RELATED,ESTABLISHED"),
            ),
        ],
        "FLANNEL-FWD": [
            rule(
                "FLANNEL-FWD", "ACCEPT", ("s", cluster_cidr), ("comment", FLANNEL_FWD)
            ),
            rule(
                "FLANNEL-FWD", "ACCEPT", ("d", cluster_cidr), ("comment", FLANNEL_FWD)
            ),
        ],
        "KUBE-EXTERNAL-SERVICES": [],
        "KUBE-NODEPORTS": [],
        "KUBE-PROXY-CANARY": [],
        "KUBE-PROXY-FIREWALL": [],
        "KUBE-SERVICES": [],
    }


@lru_cache(maxsize=1024)
def _nat_chains(cluster_cidr: str, pod_cidr: str | None) -> dict[str, list[Rule]]:
    masq = ("comment", FLANNEL_MASQ)
    flannel = [rule("FLANNEL-POSTRTG", "RETURN", ("mark", False), masq)]
    if pod_cidr:
        flannel += [
            rule(
                "FLANNEL-POSTRTG", "RETURN", ("s", pod_cidr), ("d", cluster_cidr), masq
            ),
            rule(
                "FLANNEL-POSTRTG", "RETURN", ("s", cluster_cidr), ("d", pod_cidr), masq
            ),
            rule(
                "FLANNEL-POSTRTG",
                "RETURN",
                ("s", cluster_cidr, True),
                ("d", pod_cidr),
                masq,
            ),
        ]
    flannel += [
        rule(
            "FLANNEL-POSTRTG",
            "MASQUERADE",
            ("s", cluster_cidr),
            ("d", "224.0.0.0/4", True),
            masq,
            args="--random-fully",
        ),
        rule(
            "FLANNEL-POSTRTG",
            "MASQUERADE",
            ("s", cluster_cidr, True),
            ("d", cluster_cidr),
            masq,
            args="--random-fully",
        ),
    ]
    return {
        "PREROUTING": [rule("PREROUTING", "KUBE-SERVICES", ("comment", PORTALS))],
        "INPUT": [],
        "OUTPUT": [rule("OUTPUT", "KUBE-SERVICES", ("comment", PORTALS))],
        "POSTROUTING": [
            rule(
                "POSTROUTING",
                "KUBE-POSTROUTING",
                ("comment", "kubernetes postrouting rules"),
            ),
            rule("POSTROUTING", "FLANNEL-POSTRTG", masq),
        ],
        "KUBE-MARK-MASQ": [
            rule(
                "KUBE-MARK-MASQ",
                "MARK",
                args=f"--set-xmark {ad.MASQ_MARK}/{ad.MASQ_MARK}",
            )
        ],
        "KUBE-POSTROUTING": [
            rule("KUBE-POSTROUTING", "RETURN", ("mark", True)),
            rule("KUBE-POSTROUTING", "MARK", args=f"--set-xmark {ad.MASQ_MARK}/0x0"),
            rule(
                "KUBE-POSTROUTING",
                "MASQUERADE",
                ("comment", "kubernetes service traffic requiring SNAT"),
                args="--random-fully",
            ),
        ],
        "FLANNEL-POSTRTG": flannel,
        "KUBE-NODEPORTS": [],
        "KUBE-PROXY-CANARY": [],
        "KUBE-SERVICES": [],
    }


@dataclass
class Ruleset:
    """The filter and nat tables of one node, with lookup indexes."""

    node: str
    local: frozenset[str]
    filter: dict[str, list[Rule]]
    nat: dict[str, list[Rule]]
    _index: dict = field(default_factory=dict)
    _text: dict = field(default_factory=dict)

    def table(self, name: str) -> dict[str, list[Rule]]:
        return self.filter if name == "filter" else self.nat

    def candidates(self, table: str, chain: str, pkt) -> list[Rule]:
        """The rules of a chain that could match pkt, in chain order."""
        rules = self.table(table).get(chain, [])
        if chain not in INDEXED or len(rules) < 8:
            return rules
        key = (table, chain)
        idx = self._index.get(key)
        if idx is None:
            idx = self._index[key] = _build_index(rules)
        by_key, generic = idx
        hits = list(generic)
        hits += by_key.get((pkt.dst + "/32", pkt.proto, pkt.dport), ())
        hits += by_key.get((None, pkt.proto, pkt.dport), ())
        hits.sort(key=lambda pr: pr[0])
        return [r for _, r in hits]

    def save(self, table: str | None = None) -> str:
        """iptables-save output for one table, or filter then nat."""
        tables = (table,) if table else ("filter", "nat")
        return "".join(self._save_one(t) for t in tables)

    def _save_one(self, name: str) -> str:
        cached = self._text.get(name)
        if cached is not None:
            return cached
        chains = self.table(name)
        builtin = BUILTIN[name]
        user = sorted(c for c in chains if c not in builtin)
        lines = [f"# Generated by iptables-save v1.8.9 on {self.node}", f"*{name}"]
        lines += [f":{c} ACCEPT [0:0]" for c in builtin]
        lines += [f":{c} - [0:0]" for c in user]
        for c in (*builtin, *user):
            lines += [r.text for r in chains.get(c, ())]
        lines += ["COMMIT", f"# Completed on {self.node}", ""]
        text = self._text[name] = "\n".join(lines)
        return text


def _build_index(rules: list[Rule]):
    by_key: dict[tuple, list[tuple[int, Rule]]] = {}
    generic: list[tuple[int, Rule]] = []
    for pos, r in enumerate(rules):
        if r.dport is None or r.proto is None or r.dst_neg or r.src is not None:
            generic.append((pos, r))
        elif r.dst is None or r.dst.endswith("/32"):
            by_key.setdefault((r.dst, r.proto, r.dport), []).append((pos, r))
        else:
            generic.append((pos, r))
    return by_key, generic


def _nodeports_jumps(local: frozenset[str], cidrs: tuple[str, ...]) -> list[Rule]:
    tail = ("comment", NODEPORTS_TAIL)
    if not cidrs:
        return [rule("KUBE-SERVICES", "KUBE-NODEPORTS", tail, ("addrtype", "dst"))]
    # kube-proxy lists the matching addresses from a Go map (no fixed order);
    # the model sorts them
    ips = sorted(
        (ip for ip in local if any(ad.in_cidr(ip, c) for c in cidrs)),
        key=ad.ip_int,
    )
    return [rule("KUBE-SERVICES", "KUBE-NODEPORTS", tail, ("d", ip)) for ip in ips]


def assemble(
    node: str,
    local: frozenset[str],
    cluster_cidr: str,
    pod_cidr: str | None,
    per_service: list[ServiceRules],
    node_port_addresses: tuple[str, ...] = (),
) -> Ruleset:
    """Join fixed chains and per-Service rules (in Service order) into a Ruleset.

    KUBE-SERVICES ends with the jump to KUBE-NODEPORTS: for every local address
    (`--dst-type LOCAL`), or with nodePortAddresses set, one `-d` rule per node
    address inside those CIDRs (proxier.go; TestNodePorts).
    """
    filt = _static_filter(cluster_cidr)
    nat = _static_nat(cluster_cidr, pod_cidr)
    for sr in per_service:
        nat.update(sr.nat_chains)  # chain names embed the Service: never shared
    nat["KUBE-SERVICES"] = [r for sr in per_service for r in sr.nat_services]
    nat["KUBE-SERVICES"] += _nodeports_jumps(local, node_port_addresses)
    nat["KUBE-NODEPORTS"] = [r for sr in per_service for r in sr.nat_nodeports]
    filt["KUBE-SERVICES"] = [r for sr in per_service for r in sr.filter_services]
    filt["KUBE-EXTERNAL-SERVICES"] = [
        r for sr in per_service for r in sr.filter_external
    ]
    filt["KUBE-NODEPORTS"] = [r for sr in per_service for r in sr.filter_nodeports]
    filt["KUBE-PROXY-FIREWALL"] = [r for sr in per_service for r in sr.filter_firewall]
    return Ruleset(node=node, local=local, filter=filt, nat=nat)
