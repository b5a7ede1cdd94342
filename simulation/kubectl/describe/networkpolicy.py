"""`kubectl describe networkpolicy`, line for line as kubectl 1.32 prints it.

Follows kubectl pkg/describe/describe.go: describeNetworkPolicy,
describeNetworkPolicySpec and printNetworkPolicySpecIngressFrom/EgressTo. The
PrefixWriter indents two spaces a level; rule lines add a further four.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from ... import clock
from ..printers.columns import selector_text
from .parts import annotations, labels, multi

if TYPE_CHECKING:
    from ...context import Model

INDENT = "    "


def created_on(stamp: str | None) -> str:
    """metav1.Time printed with %s: Go's time.Time.String(), here in UTC."""
    seconds = clock.parse(stamp)
    if seconds is None:
        return "0001-01-01 00:00:00 +0000 UTC"
    moment = clock.EPOCH + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%d %H:%M:%S +0000 UTC")


def describe(cluster: Model, policy: dict) -> list[str]:
    meta, spec = policy["metadata"], policy.get("spec") or {}
    return [
        f"Name:\t{meta['name']}",
        f"Namespace:\t{meta.get('namespace', '')}",
        f"Created on:\t{created_on(meta.get('creationTimestamp'))}",
        *multi("Labels:", labels(policy)),
        *multi("Annotations:", annotations(policy)),
        *spec_lines(spec),
    ]


def spec_lines(spec: dict) -> list[str]:
    selector = spec.get("podSelector") or {}
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        shown = "<none> (Allowing the specific traffic to all pods in this namespace)"
    else:
        shown = selector_text(selector)
    out = ["Spec:", f"  PodSelector:     {shown}"]
    types = spec.get("policyTypes") or []
    if "Ingress" in types:
        out.append("  Allowing ingress traffic:")
        out += _rules(spec.get("ingress") or [], "from", "From", "source", "ingress")
    else:
        out.append("  Not affecting ingress traffic")
    if "Egress" in types:
        out.append("  Allowing egress traffic:")
        out += _rules(spec.get("egress") or [], "to", "To", "destination", "egress")
    else:
        out.append("  Not affecting egress traffic")
    out.append(f"  Policy Types: {', '.join(types)}")
    return out


def _rules(rules: list, key: str, title: str, whom: str, direction: str) -> list[str]:
    if not rules:
        return [
            f"{INDENT}<none> (Selected pods are isolated for {direction} connectivity)"
        ]
    out: list[str] = []
    for i, rule in enumerate(rules):
        rule = rule or {}
        ports = rule.get("ports") or []
        if not ports:
            out.append(f"{INDENT}To Port: <any> (traffic allowed to all ports)")
        for port in ports:
            number = port.get("port")
            shown = "<nil>" if number is None else str(number)
            proto = port.get("protocol") or "TCP"
            if port.get("endPort") is None:
                out.append(f"{INDENT}To Port: {shown}/{proto}")
            else:
                out.append(f"{INDENT}To Port Range: {shown}-{port['endPort']}/{proto}")
        peers = rule.get(key) or []
        if not peers:
            out.append(f"{INDENT}{title}: <any> (traffic not restricted by {whom})")
        for peer in peers:
            out.append(f"{INDENT}{title}:")
            out += _peer(peer or {})
        if i != len(rules) - 1:
            out.append(f"{INDENT}----------")
    return out


def _peer(peer: dict) -> list[str]:
    at = "  " + INDENT
    pods, namespaces = peer.get("podSelector"), peer.get("namespaceSelector")
    if pods is not None and namespaces is not None:
        return [
            f"{at}NamespaceSelector: {selector_text(namespaces)}",
            f"{at}PodSelector: {selector_text(pods)}",
        ]
    if pods is not None:
        return [f"{at}PodSelector: {selector_text(pods)}"]
    if namespaces is not None:
        return [f"{at}NamespaceSelector: {selector_text(namespaces)}"]
    block = peer.get("ipBlock")
    if block is not None:
        return [
            f"{at}IPBlock:",
            f"  {at}CIDR: {block.get('cidr', '')}",
            f"  {at}Except: {', '.join(block.get('except') or [])}",
        ]
    return []
