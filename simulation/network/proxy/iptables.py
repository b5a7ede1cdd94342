"""kube-proxy's iptables mode: the rules it writes for each Service port.

Chain names, comments, probabilities and structure follow pkg/proxy/iptables in
Kubernetes: KUBE-SERVICES -> KUBE-SVC-<hash> -> KUBE-SEP-<hash> (DNAT), NodePorts via
KUBE-NODEPORTS -> KUBE-EXT-<hash>, external IPs and load balancer IPs to the same
KUBE-EXT-<hash> (through KUBE-FW-<hash> when loadBalancerSourceRanges is set, with
the KUBE-PROXY-FIREWALL drop for other sources), externalTrafficPolicy Local via
KUBE-SVL-<hash>, REJECT/DROP in the filter table when there are no (local)
endpoints. Rules are built
per Service and depend only on that Service, its EndpointSlices and (for Local
policies) the node, so the caller can cache them per Service.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from functools import lru_cache

from .. import addresses as ad
from ..index import ClusterIndex
from ..records import Endpoint, PortInfo, ServiceInfo
from ..rules import Rule, probability, rule

MARK_MASQ = "KUBE-MARK-MASQ"
REJECT_ARGS = "--reject-with icmp-port-unreachable"


@lru_cache(maxsize=65536)
def _hash16(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return base64.b32encode(digest).decode()[:16]


def chain_name(prefix: str, port_name: str, proto: str) -> str:
    """KUBE-SVC-/KUBE-SVL-/KUBE-EXT-/KUBE-FW- + base32(sha256(name+proto))[:16]."""
    return f"KUBE-{prefix}-{_hash16(port_name + proto)}"


def endpoint_chain(port_name: str, proto: str, endpoint: str) -> str:
    """KUBE-SEP- + base32(sha256(name+proto+"ip:port"))[:16]."""
    return "KUBE-SEP-" + _hash16(port_name + proto + endpoint)


@dataclass
class ServiceRules:
    """Everything kube-proxy writes for one Service on one node."""

    nat_services: list[Rule] = field(default_factory=list)
    nat_nodeports: list[Rule] = field(default_factory=list)
    nat_chains: dict[str, list[Rule]] = field(default_factory=dict)
    filter_services: list[Rule] = field(default_factory=list)
    filter_external: list[Rule] = field(default_factory=list)
    filter_nodeports: list[Rule] = field(default_factory=list)
    filter_firewall: list[Rule] = field(default_factory=list)


def depends_on_node(svc: ServiceInfo) -> bool:
    """Local traffic policies make a Service's rules differ from node to node."""
    if svc.source_ranges and svc.lb_vips:
        return True  # KUBE-FW-… allows the LB IPs as source if a range holds the node
    return svc.internal_local or (svc.external_local and svc.externally_accessible)


def service_rules(
    svc: ServiceInfo, idx: ClusterIndex, node: str | None, cluster_cidr: str
) -> ServiceRules:
    """The nat and filter rules for every port of svc, as seen from node."""
    out = ServiceRules()
    if not svc.cluster_ip:
        return out  # headless: kube-proxy skips it; DNS returns pod IPs instead
    info = idx.nodes.get(node) if node else None
    node_ip = info.ip if info else None
    for port in svc.ports:
        eps = idx.endpoints(svc, port)
        local = idx.local_endpoints(svc, port, node)
        _port_rules(out, svc, port, eps, local, node, node_ip, cluster_cidr)
    return out


def _port_rules(
    out: ServiceRules,
    svc: ServiceInfo,
    port: PortInfo,
    eps: tuple[Endpoint, ...],
    local_eps: tuple[Endpoint, ...],
    node: str | None,
    node_ip: str | None,
    cluster_cidr: str,
) -> None:
    proto = port.protocol.lower()
    spn = svc.port_name(port)
    svc_chain = chain_name("SVC", spn, proto)
    svl_chain = chain_name("SVL", spn, proto)
    ext_chain = chain_name("EXT", spn, proto)
    fw_chain = chain_name("FW", spn, proto)
    # kube-proxy's ExternallyAccessible, per Service port
    ext_access = bool(port.node_port or svc.lb_vips or svc.external_ips)
    ext_local = svc.external_local and ext_access
    int_local = svc.internal_local
    has_eps = bool(eps)
    uses_cluster = has_eps and (not int_local or (ext_access and not ext_local))
    uses_local = bool(local_eps) and (int_local or ext_local)
    internal_chain = svl_chain if int_local else svc_chain
    has_internal = has_eps and (not int_local or bool(local_eps))
    external_policy = svl_chain if ext_local else svc_chain
    has_external = has_eps and (not ext_local or bool(local_eps))
    # loadBalancerSourceRanges: LB IP traffic passes KUBE-FW-… first
    uses_fw = has_eps and bool(svc.lb_vips) and bool(svc.source_ranges)
    lb_chain = fw_chain if uses_fw else ext_chain

    if not has_eps:
        int_target = ext_target = "REJECT"
        int_comment = ext_comment = f"{spn} has no endpoints"
    else:
        int_target = ext_target = "DROP"
        int_comment = ext_comment = f"{spn} has no local endpoints"
    vip = ("d", svc.cluster_ip)
    dport = ("m", proto, port.port)

    def filt(chain: str, target: str, comment: str, *parts: tuple) -> Rule:
        args = REJECT_ARGS if target == "REJECT" else ""
        return rule(chain, target, ("comment", comment), *parts, args=args)

    if has_internal:
        out.nat_services.append(
            rule(
                "KUBE-SERVICES",
                internal_chain,
                ("comment", f"{spn} cluster IP"),
                dport,
                vip,
            )
        )
    else:
        out.filter_services.append(
            filt("KUBE-SERVICES", int_target, int_comment, dport, vip)
        )
    for ext_ip in svc.external_ips:
        if has_eps:
            out.nat_services.append(
                rule(
                    "KUBE-SERVICES",
                    ext_chain,
                    ("comment", f"{spn} external IP"),
                    dport,
                    ("d", ext_ip),
                )
            )
        if not has_external:
            out.filter_external.append(
                filt(
                    "KUBE-EXTERNAL-SERVICES",
                    ext_target,
                    ext_comment,
                    dport,
                    ("d", ext_ip),
                )
            )
    for lb_ip in svc.lb_vips:
        if has_eps:
            out.nat_services.append(
                rule(
                    "KUBE-SERVICES",
                    lb_chain,
                    ("comment", f"{spn} loadbalancer IP"),
                    dport,
                    ("d", lb_ip),
                )
            )
        if uses_fw:
            out.filter_firewall.append(
                filt(
                    "KUBE-PROXY-FIREWALL",
                    "DROP",
                    f"{spn} traffic not accepted by {fw_chain}",
                    dport,
                    ("d", lb_ip),
                )
            )
    for lb_ip in svc.lb_vips:
        if not has_external:
            out.filter_external.append(
                filt(
                    "KUBE-EXTERNAL-SERVICES",
                    ext_target,
                    ext_comment,
                    dport,
                    ("d", lb_ip),
                )
            )
    if svc.health_node_port and ext_local:
        out.filter_nodeports.append(
            rule(
                "KUBE-NODEPORTS",
                "ACCEPT",
                ("comment", f"{spn} health check node port"),
                ("m", "tcp", svc.health_node_port),
            )
        )
    if port.node_port:
        np = ("m", proto, port.node_port)
        if has_eps:
            out.nat_nodeports.append(
                rule("KUBE-NODEPORTS", ext_chain, ("comment", spn), np)
            )
        if not has_external:
            out.filter_external.append(
                filt(
                    "KUBE-EXTERNAL-SERVICES",
                    ext_target,
                    ext_comment,
                    ("addrtype", "dst"),
                    np,
                )
            )

    chains = out.nat_chains
    if has_internal:
        chains.setdefault(internal_chain, []).append(
            rule(
                internal_chain,
                MARK_MASQ,
                ("comment", f"{spn} cluster IP"),
                dport,
                vip,
                ("s", cluster_cidr, True),
            )
        )
    if has_eps and ext_access:
        ext = chains.setdefault(ext_chain, [])
        if not ext_local:
            ext.append(
                rule(
                    ext_chain,
                    MARK_MASQ,
                    ("comment", f"masquerade traffic for {spn} external destinations"),
                )
            )
        else:
            ext.append(
                rule(
                    ext_chain,
                    svc_chain,
                    ("comment", f"pod traffic for {spn} external destinations"),
                    ("s", cluster_cidr),
                )
            )
            ext.append(
                rule(
                    ext_chain,
                    MARK_MASQ,
                    (
                        "comment",
                        f"masquerade LOCAL traffic for {spn} external destinations",
                    ),
                    ("addrtype", "src"),
                )
            )
            ext.append(
                rule(
                    ext_chain,
                    svc_chain,
                    ("comment", f"route LOCAL traffic for {spn} external destinations"),
                    ("addrtype", "src"),
                )
            )
        if has_external:
            ext.append(rule(ext_chain, external_policy))
    if uses_fw:
        # only VIP-like load balancers keep the client's address for these to see
        lb_comment = ("comment", f"{spn} loadbalancer IP")
        fw = chains.setdefault(fw_chain, [])
        allowed = list(svc.source_ranges)
        if node_ip and any(ad.in_cidr(node_ip, r) for r in svc.source_ranges):
            # a node reaching its own LB IP may arrive with the LB IP as source
            allowed += svc.lb_vips
        fw += [rule(fw_chain, ext_chain, lb_comment, ("s", a)) for a in allowed]
        fw.append(
            rule(
                fw_chain,
                "",
                (
                    "comment",
                    f"other traffic to {spn} will be dropped by KUBE-PROXY-FIREWALL",
                ),
            )
        )
    reachable: dict[str, Endpoint] = {}
    sticky = svc.sticky_seconds
    if uses_cluster:
        chain = chains.setdefault(svc_chain, [])
        _balance(chain, svc_chain, spn, proto, eps, sticky)
        reachable.update((e.text, e) for e in eps)
    if uses_local:
        chain = chains.setdefault(svl_chain, [])
        _balance(chain, svl_chain, spn, proto, local_eps, sticky)
        reachable.update((e.text, e) for e in local_eps)
    for ep in reachable.values():
        sep = endpoint_chain(spn, proto, ep.text)
        remember = [("recent", "set", sep)] if sticky else []
        chains[sep] = [
            rule(sep, MARK_MASQ, ("s", ep.ip), ("comment", spn)),
            rule(
                sep,
                "DNAT",
                ("comment", spn),
                *remember,
                ("m", proto),
                args=f"--to-destination {ep.text}",
            ),
        ]


def _balance(
    chain: list[Rule],
    name: str,
    spn: str,
    proto: str,
    eps: tuple[Endpoint, ...],
    sticky: int | None,
) -> None:
    if sticky:  # sessionAffinity ClientIP: a client seen before goes back there
        for ep in eps:
            sep = endpoint_chain(spn, proto, ep.text)
            chain.append(
                rule(
                    name,
                    sep,
                    ("comment", f"{spn} -> {ep.text}"),
                    ("recent", "rcheck", sep, sticky),
                )
            )
    n = len(eps)
    for i, ep in enumerate(eps):
        parts: list[tuple] = [("comment", f"{spn} -> {ep.text}")]
        if i < n - 1:
            parts.append(("statistic", probability(n - i)))
        chain.append(rule(name, endpoint_chain(spn, proto, ep.text), *parts))
