"""Routing tables: what `ip route` prints on a node, and longest-prefix lookups.

Overlay mode is flannel's VXLAN backend (a route per remote podCIDR via that node's
flannel.1 address, onlink); routed mode is flannel's host-gw backend (a route per
remote podCIDR via that node's own IP on eth0, no encapsulation).
"""

from __future__ import annotations

from dataclasses import dataclass

from . import addresses as ad
from .index import ClusterIndex
from .records import NodeInfo, PodInfo


@dataclass(frozen=True, slots=True)
class Route:
    """One routing-table entry."""

    dest: str
    dev: str
    via: str | None
    src: str | None
    text: str

    @property
    def prefix(self) -> int:
        return 0 if self.dest == "default" else int(self.dest.split("/")[1])


def node_routes(idx: ClusterIndex, node: NodeInfo, cni: str) -> list[Route]:
    """The main routing table of node, in `ip route` order."""
    routes = [
        Route(
            "default",
            "eth0",
            node.gateway,
            None,
            f"default via {node.gateway} dev eth0",
        )
    ]
    others = sorted(
        (n for n in idx.nodes.values() if n.pod_cidr),
        key=lambda n: ad.network(n.pod_cidr),
    )
    subnet = Route(
        node.subnet,
        "eth0",
        None,
        node.ip,
        f"{node.subnet} dev eth0 proto kernel scope link src {node.ip}",
    )
    entries = [subnet]
    for other in others:
        if other.name == node.name:
            down = "" if idx.pods_on_node.get(node.name) else " linkdown"
            text = (
                f"{other.pod_cidr} dev {ad.BRIDGE_DEV} proto kernel scope link"
                f" src {node.cni0_ip}{down}"
            )
            entries.append(
                Route(other.pod_cidr, ad.BRIDGE_DEV, None, node.cni0_ip, text)
            )
        elif cni == "routed":
            text = f"{other.pod_cidr} via {other.ip} dev eth0"
            entries.append(Route(other.pod_cidr, "eth0", other.ip, None, text))
        else:
            via = other.flannel_ip
            text = f"{other.pod_cidr} via {via} dev {ad.FLANNEL_DEV} onlink"
            entries.append(Route(other.pod_cidr, ad.FLANNEL_DEV, via, None, text))
    entries.sort(key=lambda r: ad.network(r.dest))
    return routes + entries


def lookup(routes: list[Route], ip: str) -> Route:
    """Longest-prefix match (the default route always matches)."""
    best = routes[0]
    for r in routes[1:]:
        if r.prefix > best.prefix and ad.in_cidr(ip, r.dest):
            best = r
    return best


def device_ip(node: NodeInfo, dev: str) -> str:
    """The address a node holds on dev (what MASQUERADE and source selection use)."""
    if dev == ad.BRIDGE_DEV and node.cni0_ip:
        return node.cni0_ip
    if dev == ad.FLANNEL_DEV and node.flannel_ip:
        return node.flannel_ip
    return node.ip


def local_addresses(node: NodeInfo) -> frozenset[str]:
    """Addresses the node owns (iptables `--dst-type LOCAL`)."""
    found = {node.ip, ad.LOOPBACK}
    if node.pod_cidr:
        found |= {node.cni0_ip, node.flannel_ip}
    return frozenset(found)


def routes_text(routes: list[Route]) -> str:
    """`ip route` output."""
    return "".join(r.text + "\n" for r in routes)


def pod_routes(pod: PodInfo, node: NodeInfo) -> list[Route]:
    """A pod's own table: a default route via the bridge and its on-link subnet."""
    gw = node.cni0_ip or node.gateway
    cidr = node.pod_cidr or f"{pod.ip}/32"
    return [
        Route("default", "eth0", gw, None, f"default via {gw} dev eth0"),
        Route(
            cidr,
            "eth0",
            None,
            pod.ip,
            f"{cidr} dev eth0 proto kernel scope link src {pod.ip}",
        ),
    ]
