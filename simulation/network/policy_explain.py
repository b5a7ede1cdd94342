"""Why a NetworkPolicy check came out as it did, rule by rule, for the inspector.

`explain(policies, direction, pod, peer, proto, port)` lists every policy that
selects `pod` in `direction` and, for each of its rules, whether the peer and the
port matched, with the reason when they did not. When no rule of any of them
matches, the connection is denied: the implicit deny of a selected pod.
"""

from __future__ import annotations

from .policy import PeerRule, Policy, PolicySet, PortRule, in_block, port_matches
from .records import PodInfo


def explain(
    policies: PolicySet,
    direction: str,
    pod: PodInfo,
    peer: PodInfo | str,
    proto: str,
    port: int | None,
) -> list[dict]:
    """[{"policy", "rules": [{"index", "matched", "peers", "ports"}]}], or [] when
    no policy selects pod in direction. `peers`/`ports` are None for a rule
    without them (it matches every peer, every port)."""
    target = pod if direction == "ingress" else peer
    target = target if isinstance(target, PodInfo) else None
    proto = proto.upper()
    out = []
    for policy in policies.selecting(pod, direction):
        rules = []
        for i, rule in enumerate(policy.rules[direction]):
            peers = (
                None
                if rule.peers is None
                else [_peer(policies, policy, p, peer) for p in rule.peers]
            )
            ports = (
                None
                if rule.ports is None
                else [_port(p, proto, port, target) for p in rule.ports]
            )
            matched = (peers is None or any(p["matched"] for p in peers)) and (
                ports is None or any(p["matched"] for p in ports)
            )
            rules.append(
                {"index": i, "matched": matched, "peers": peers, "ports": ports}
            )
        out.append({"policy": policy.key, "rules": rules})
    return out


def selector_text(selector: dict | None) -> str:
    """A label selector in kubectl's words (`app=web,tier in (a,b)`), `{}` empty."""
    if not selector:
        return "{} (everything)"
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for e in selector.get("matchExpressions") or []:
        op, key = e.get("operator"), e.get("key")
        if op in ("In", "NotIn"):
            values = ",".join(sorted(e.get("values") or []))
            parts.append(f"{key} {op.lower()} ({values})")
        else:
            parts.append(key if op == "Exists" else f"!{key}")
    return ",".join(parts) or "{} (everything)"


def _peer(policies: PolicySet, policy: Policy, rule: PeerRule, peer) -> dict:
    shown = peer.key if isinstance(peer, PodInfo) else peer
    if rule.cidr is not None:
        ip = peer.ip if isinstance(peer, PodInfo) else peer
        what = f"ipBlock {rule.cidr}"
        if in_block(ip, rule.cidr, ()):
            inside = [e for e in rule.excepts if in_block(ip, e, ())]
            if inside:
                return _no(what, f"{ip} is in its except {inside[0]}")
            return _yes(what, f"{ip} is in {rule.cidr}")
        return _no(what, f"{ip} is not in {rule.cidr}")
    parts = []
    if rule.namespaces is not None:
        parts.append(f"namespaceSelector {selector_text(rule.namespaces)}")
    if rule.pods is not None:
        parts.append(f"podSelector {selector_text(rule.pods)}")
    what = " and ".join(parts)
    if not isinstance(peer, PodInfo):
        return _no(what, f"{peer} is not a pod: selectors pick pods only")
    if rule.namespaces is None and peer.namespace != policy.namespace:
        return _no(what, f"{shown} is not in the policy's namespace {policy.namespace}")
    if rule.namespaces is not None and not policies._namespace_matches(
        rule.namespaces, peer.namespace
    ):
        return _no(what, f"namespace {peer.namespace}'s labels do not match")
    if rule.pods is not None and not policies._peer_matches(policy, rule, peer):
        return _no(what, f"{shown}'s labels do not match")
    return _yes(what, f"{shown} matches")


def _port(rule: PortRule, proto: str, port: int | None, target) -> dict:
    what = rule.protocol if rule.port is None else f"{rule.port}/{rule.protocol}"
    if rule.end is not None:
        what = f"{rule.port}-{rule.end}/{rule.protocol}"
    if port_matches(rule, proto, port, target):
        return _yes(what, f"{port}/{proto} matches")
    if rule.protocol != proto:
        return _no(what, f"the protocol is {proto}")
    if isinstance(rule.port, str):
        where = target.key if target is not None else "an address outside pods"
        return _no(what, f"{where} has no port {rule.port} on {port}/{proto}")
    return _no(what, f"the port is {port}")


def _yes(what: str, why: str) -> dict:
    return {"what": what, "matched": True, "why": why}


def _no(what: str, why: str) -> dict:
    return {"what": what, "matched": False, "why": why}
