"""NetworkPolicy's verdict on one connection, per direction, as the API defines it.

A pod that no policy selects in a direction is not checked in that direction.
Once some policy selects it (its podSelector matches and its policyTypes name the
direction), a connection passes only if a rule of one of those policies matches:
the peer (podSelector and namespaceSelector in one peer must both match; separate
peers and separate rules are alternatives; ipBlock with except) and the port
(protocol, number or range with endPort, or a named port looked up on the pod the
traffic goes to). Egress is checked for the sending pod, ingress for the receiving
one. The semantics follow networking/v1 types.go and the upstream e2e suite
(test/e2e/network/netpol).

    policies = PolicySet(policy_objects, namespace_labels)
    policies.check("ingress", server_pod, client_pod_or_ip, "tcp", 80)
    -> None | {"verdict": "allow"|"deny", "direction": "ingress",
               "policies": ["ns/name", ...], "rule": {"policy", "index"} | None}

Everything is compiled once per set of policies; which policies select a pod is
remembered per (namespace, labels), so a trace costs a few dictionary lookups.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from ..objects import NAMESPACE_NAME_LABEL, matches
from .records import PodInfo

DIRECTIONS = ("ingress", "egress")


@dataclass(frozen=True, slots=True)
class PortRule:
    protocol: str
    port: int | str | None  # None: every port of the protocol
    end: int | None = None


@dataclass(frozen=True, slots=True)
class PeerRule:
    pods: dict | None  # podSelector, or None when the peer has none
    namespaces: dict | None  # namespaceSelector, or None
    cidr: object = None  # ipaddress network of an ipBlock
    excepts: tuple = ()


@dataclass(frozen=True, slots=True)
class Rule:
    peers: tuple[PeerRule, ...] | None  # None: from/to anyone
    ports: tuple[PortRule, ...] | None  # None: every port and protocol


@dataclass(frozen=True, slots=True)
class Policy:
    namespace: str
    name: str
    selector: dict
    rules: dict[str, tuple[Rule, ...] | None]  # direction -> rules, None: not a type

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"


def _network(text):
    try:
        return ipaddress.ip_network(text, strict=False)
    except (TypeError, ValueError):
        return None


def _peer(peer: dict) -> PeerRule:
    block = peer.get("ipBlock")
    if block is not None:
        excepts = tuple(n for n in map(_network, block.get("except") or []) if n)
        return PeerRule(None, None, _network(block.get("cidr")), excepts)
    return PeerRule(peer.get("podSelector"), peer.get("namespaceSelector"))


def _port(port: dict) -> PortRule:
    return PortRule(
        port.get("protocol") or "TCP", port.get("port"), port.get("endPort")
    )


def compile_policy(obj: dict) -> Policy:
    """A NetworkPolicy object as the checks need it (policyTypes defaulted)."""
    meta, spec = obj["metadata"], obj.get("spec") or {}
    types = spec.get("policyTypes") or (
        ["Ingress"] + (["Egress"] if spec.get("egress") else [])
    )
    rules: dict[str, tuple[Rule, ...] | None] = {}
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        if direction.capitalize() not in types:
            rules[direction] = None
            continue
        compiled = []
        for rule in spec.get(direction) or []:
            rule = rule or {}
            peers = rule.get(peers_key)
            ports = rule.get("ports")
            compiled.append(
                Rule(
                    tuple(_peer(p or {}) for p in peers) if peers else None,
                    tuple(_port(p or {}) for p in ports) if ports else None,
                )
            )
        rules[direction] = tuple(compiled)
    return Policy(
        meta.get("namespace", "default"),
        meta["name"],
        spec.get("podSelector") or {},
        rules,
    )


class PolicySet:
    """Is responsible for answering which policies select a pod and whether a
    connection passes them; built from the NetworkPolicies and Namespaces."""

    def __init__(
        self,
        policies: list[dict],
        namespaces: dict[str, dict],
        previous: PolicySet | None = None,
    ) -> None:
        # stored objects are replaced, never changed: the very same dict as in
        # `previous` compiles to the same Policy
        known = previous._compiled if previous is not None else {}
        self._compiled: dict[int, tuple[dict, Policy]] = {}
        for obj in policies:
            hit = known.get(id(obj))
            done = hit[1] if hit is not None and hit[0] is obj else compile_policy(obj)
            self._compiled[id(obj)] = (obj, done)
        compiled = sorted((p for _, p in self._compiled.values()), key=lambda p: p.key)
        self.policies = tuple(compiled)
        self.namespaces = namespaces
        self._by_namespace: dict[str, list[Policy]] = {}
        for p in compiled:
            self._by_namespace.setdefault(p.namespace, []).append(p)
        self._selected: dict[tuple, tuple[tuple[Policy, ...], ...]] = {}
        self._ns_match: dict[tuple[int, str], bool] = {}

    def __len__(self) -> int:
        return len(self.policies)

    def namespace_labels(self, namespace: str) -> dict:
        labels = self.namespaces.get(namespace)
        return labels if labels is not None else {NAMESPACE_NAME_LABEL: namespace}

    def selecting(self, pod: PodInfo, direction: str) -> tuple[Policy, ...]:
        """The policies of pod's namespace that select it for `direction`."""
        key = (pod.namespace, pod.labels)
        hit = self._selected.get(key)
        if hit is None:
            labels = dict(pod.labels)
            mine = [
                p
                for p in self._by_namespace.get(pod.namespace, ())
                if matches(p.selector, labels)
            ]
            hit = self._selected[key] = tuple(
                tuple(p for p in mine if p.rules[d] is not None) for d in DIRECTIONS
            )
        return hit[DIRECTIONS.index(direction)]

    def check(
        self,
        direction: str,
        pod: PodInfo,
        peer: PodInfo | str,
        proto: str,
        port: int | None,
    ) -> dict | None:
        """The verdict for `pod` in `direction` with `peer` on the other end.

        Ingress: pod receives from peer; named ports are pod's own. Egress: pod
        sends to peer; named ports are looked up on peer when it is a pod.
        None when no policy selects pod in that direction (no check at all).
        """
        chosen = self.selecting(pod, direction)
        if not chosen:
            return None
        target = pod if direction == "ingress" else peer
        target = target if isinstance(target, PodInfo) else None
        proto = proto.upper()
        names = [p.key for p in chosen]
        for policy in chosen:
            for i, rule in enumerate(policy.rules[direction]):
                if self._rule_matches(policy, rule, peer, proto, port, target):
                    return {
                        "verdict": "allow",
                        "direction": direction,
                        "policies": names,
                        "rule": {"policy": policy.key, "index": i},
                    }
        return {
            "verdict": "deny",
            "direction": direction,
            "policies": names,
            "rule": None,
        }

    def evaluate(
        self, src: PodInfo | str, dst: PodInfo | str, proto: str, port: int | None
    ) -> dict[str, dict | None]:
        """Both checks of a connection from src to dst (pods or IP addresses)."""
        out: dict[str, dict | None] = {"egress": None, "ingress": None}
        if isinstance(src, PodInfo):
            out["egress"] = self.check("egress", src, dst, proto, port)
        if isinstance(dst, PodInfo):
            out["ingress"] = self.check("ingress", dst, src, proto, port)
        return out

    # matching ------------------------------------------------------------------
    def _rule_matches(self, policy, rule: Rule, peer, proto, port, target) -> bool:
        if rule.ports is not None and not any(
            port_matches(p, proto, port, target) for p in rule.ports
        ):
            return False
        if rule.peers is None:
            return True
        return any(self._peer_matches(policy, p, peer) for p in rule.peers)

    def _peer_matches(self, policy: Policy, rule: PeerRule, peer) -> bool:
        if rule.cidr is not None:
            ip = peer.ip if isinstance(peer, PodInfo) else peer
            return in_block(ip, rule.cidr, rule.excepts)
        if not isinstance(peer, PodInfo):
            return False  # selectors pick pods, never outside addresses
        if rule.namespaces is None:
            if peer.namespace != policy.namespace:
                return False
        elif not self._namespace_matches(rule.namespaces, peer.namespace):
            return False
        return rule.pods is None or matches(rule.pods, dict(peer.labels))

    def _namespace_matches(self, selector: dict, namespace: str) -> bool:
        key = (id(selector), namespace)
        hit = self._ns_match.get(key)
        if hit is None:
            hit = self._ns_match[key] = matches(
                selector, self.namespace_labels(namespace)
            )
        return hit


def port_matches(rule: PortRule, proto: str, port: int | None, target) -> bool:
    if rule.protocol != proto:
        return False
    if rule.port is None:
        return True
    if port is None:
        return False
    if isinstance(rule.port, int):
        return rule.port <= port <= (rule.end if rule.end is not None else rule.port)
    if target is None:
        return False  # a named port means nothing on an address outside the cluster
    return any(
        name == rule.port and number == port and p == proto
        for name, number, p in target.named_ports
    )


def in_block(ip: str | None, cidr, excepts: tuple) -> bool:
    try:
        addr = ipaddress.ip_address(ip or "")
    except ValueError:
        return False
    if addr.version != cidr.version or addr not in cidr:
        return False
    return not any(addr in e for e in excepts if e.version == addr.version)
