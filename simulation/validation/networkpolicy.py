"""A NetworkPolicy's spec checked as kube-apiserver checks it.

Follows kubernetes pkg/apis/networking/validation (ValidateNetworkPolicySpec,
ValidateNetworkPolicyPort, ValidateNetworkPolicyPeer, ValidateIPBlock) and
apimachinery's ValidateLabelSelector, with their messages. Go prints a number
bare and a string quoted after "Invalid value:"; so does this module.
"""

from __future__ import annotations

import ipaddress
import json
import re

from .fields import check_labels, is_int, mapping, quote, sequence

PROTOCOLS = ("TCP", "UDP", "SCTP")
POLICY_TYPES = ("Ingress", "Egress")
OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")
CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"
PORT_MSG = "must be between 1 and 65535, inclusive"
_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")


def shown(value: object) -> str:
    """A value as field.Invalid prints it: numbers bare, strings quoted."""
    if is_int(value):
        return str(value)
    if isinstance(value, (list, dict)):
        return json.dumps(value, separators=(",", ":"))
    return quote(value)


def check_network_policy(spec: dict) -> list[str]:
    """Every error ValidateNetworkPolicySpec would report for `spec`."""
    errors = check_label_selector("spec.podSelector", spec.get("podSelector"))
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        rules = spec.get(direction)
        errors += sequence(f"spec.{direction}", rules)
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            at = f"spec.{direction}[{i}]"
            if rule is None:
                continue
            if not isinstance(rule, dict):
                errors += mapping(at, rule)
                continue
            ports = rule.get("ports")
            errors += sequence(f"{at}.ports", ports)
            for j, port in enumerate(ports if isinstance(ports, list) else []):
                errors += check_port(f"{at}.ports[{j}]", port)
            peers = rule.get(peers_key)
            errors += sequence(f"{at}.{peers_key}", peers)
            for j, peer in enumerate(peers if isinstance(peers, list) else []):
                errors += check_peer(f"{at}.{peers_key}[{j}]", peer)
    types = spec.get("policyTypes")
    errors += sequence("spec.policyTypes", types)
    if isinstance(types, list):
        if len(types) > len(POLICY_TYPES):
            return errors + [
                f"spec.policyTypes: Invalid value: {shown(types)}: may not specify"
                " more than two policyTypes"
            ]
        for i, kind in enumerate(types):
            if kind not in POLICY_TYPES:
                errors.append(
                    f"spec.policyTypes[{i}]: Unsupported value: {shown(kind)}:"
                    ' supported values: "Ingress", "Egress"'
                )
    return errors


def check_port(at: str, port: object) -> list[str]:
    """ValidateNetworkPolicyPort: protocol, port (number or name) and endPort."""
    if not isinstance(port, dict):
        return mapping(at, port) or [f"{at}: Invalid value: must be an object"]
    errors = []
    protocol = port.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        errors.append(
            f"{at}.protocol: Unsupported value: {shown(protocol)}: supported"
            ' values: "TCP", "UDP", "SCTP"'
        )
    number, end = port.get("port"), port.get("endPort")
    if end is not None and not is_int(end):
        return errors + [
            f"{at}.endPort: Invalid value: {shown(end)}: must be an integer"
        ]
    if number is None:
        if end is not None:
            errors.append(
                f"{at}.endPort: Invalid value: {end}: may not be specified when"
                " `port` is not specified"
            )
    elif is_int(number):
        if not 1 <= number <= 65535:
            errors.append(f"{at}.port: Invalid value: {number}: {PORT_MSG}")
        if end is not None:
            if end < number:
                errors.append(
                    f"{at}.endPort: Invalid value: {end}: must be greater than or"
                    " equal to `port`"
                )
            if not 1 <= end <= 65535:
                errors.append(f"{at}.endPort: Invalid value: {end}: {PORT_MSG}")
    elif isinstance(number, str):
        if end is not None:
            errors.append(
                f"{at}.endPort: Invalid value: {end}: may not be specified when"
                " `port` is non-numeric"
            )
        errors += [
            f"{at}.port: Invalid value: {quote(number)}: {msg}"
            for msg in port_name_errors(number)
        ]
    else:
        errors.append(
            f"{at}.port: Invalid value: {shown(number)}: must be a number or a name"
        )
    return errors


def port_name_errors(name: str) -> list[str]:
    """validation.IsValidPortName (an IANA_SVC_NAME), message by message."""
    errors = []
    if len(name) > 15:
        errors.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARS.match(name):
        errors.append(
            "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"
        )
    if not re.search(r"[a-z]", name):
        errors.append("must contain at least one letter (a-z)")
    if "--" in name:
        errors.append("must not contain consecutive hyphens")
    if name.startswith("-") or name.endswith("-"):
        errors.append("must not begin or end with a hyphen")
    return errors


def check_peer(at: str, peer: object) -> list[str]:
    """ValidateNetworkPolicyPeer: at least one selector or ipBlock; ipBlock alone."""
    if not isinstance(peer, dict):
        return mapping(at, peer) or [f"{at}: Invalid value: must be an object"]
    errors, count = [], 0
    for key in ("podSelector", "namespaceSelector"):
        if peer.get(key) is not None:
            count += 1
            errors += check_label_selector(f"{at}.{key}", peer[key])
    block = peer.get("ipBlock")
    if block is not None:
        count += 1
        errors += check_ip_block(f"{at}.ipBlock", block)
    if count == 0:
        errors.append(f"{at}: Required value: must specify a peer")
    elif count > 1 and block is not None:
        errors.append(f"{at}: Forbidden: may not specify both ipBlock and another peer")
    return errors


def _network(text: object):
    try:
        # ParseCIDRSloppy, as the legacy CIDR fields of v1.32 accept: host bits
        # may be set ("10.0.0.1/24" is the network 10.0.0.0/24)
        return (
            ipaddress.ip_network(text, strict=False)
            if isinstance(text, str) and "/" in text
            else None
        )
    except ValueError:
        return None


def check_ip_block(at: str, block: object) -> list[str]:
    """ValidateIPBlock: a CIDR, and excepts that are strict subsets of it."""
    if not isinstance(block, dict):
        return mapping(at, block) or [f"{at}: Invalid value: must be an object"]
    cidr = block.get("cidr")
    if not cidr:
        return [f"{at}.cidr: Required value"]
    net = _network(cidr)
    if net is None:
        return [f"{at}.cidr: Invalid value: {shown(cidr)}: {CIDR_MSG}"]
    errors = []
    excepts = block.get("except")
    errors += sequence(f"{at}.except", excepts)
    for i, text in enumerate(excepts if isinstance(excepts, list) else []):
        inner = _network(text)
        if inner is None:
            errors.append(f"{at}.except[{i}]: Invalid value: {shown(text)}: {CIDR_MSG}")
            continue
        if (
            inner.version != net.version
            or inner.network_address not in net
            or net.prefixlen >= inner.prefixlen
        ):
            errors.append(
                f"{at}.except[{i}]: Invalid value: {shown(text)}: must be a strict"
                " subset of `cidr`"
            )
    return errors


def check_label_selector(at: str, selector: object) -> list[str]:
    """ValidateLabelSelector: an empty selector is valid (it selects everything)."""
    if selector is None:
        return []
    if not isinstance(selector, dict):
        return mapping(at, selector)
    errors = check_labels(f"{at}.matchLabels", selector.get("matchLabels"))
    expressions = selector.get("matchExpressions")
    errors += sequence(f"{at}.matchExpressions", expressions)
    for i, e in enumerate(expressions if isinstance(expressions, list) else []):
        here = f"{at}.matchExpressions[{i}]"
        if not isinstance(e, dict):
            errors += mapping(here, e)
            continue
        op, values, key = e.get("operator"), e.get("values"), e.get("key")
        if values is not None and not isinstance(values, list):
            errors.append(
                f"{here}.values: Invalid value: {shown(values)}: must be a list"
            )
            values = None
        if op in ("In", "NotIn"):
            if not values:
                errors.append(
                    f"{here}.values: Required value: must be specified when"
                    " `operator` is 'In' or 'NotIn'"
                )
        elif op in ("Exists", "DoesNotExist"):
            if values:
                errors.append(
                    f"{here}.values: Forbidden: may not be specified when"
                    " `operator` is 'Exists' or 'DoesNotExist'"
                )
        else:
            errors.append(
                f"{here}.operator: Invalid value: {shown(op)}: not a valid selector"
                " operator"
            )
        name = key.rpartition("/")[2] if isinstance(key, str) else ""
        if not name or len(name) > 63 or not _QUALIFIED.match(name):
            errors.append(
                f"{here}.key: Invalid value: {shown(key)}: name part must consist"
                " of alphanumeric characters, '-', '_' or '.', and must start and"
                " end with an alphanumeric character"
            )
    return errors
