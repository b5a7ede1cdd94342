"""A node's layer-2 tables: `ip neigh show` and `bridge fdb show`.

Two kinds of entry, as on a real node:

* **Programmed** (PERMANENT): flanneld's VXLAN backend writes, for every other
  node, an ARP entry on flannel.1 (that node's VTEP address -> its flannel.1 MAC)
  and an FDB entry (that MAC -> the node's IP, where the UDP 8472 datagrams go).
  The Linux bridge adds a permanent FDB entry for its own address and for each
  port's own address (every host-side veth).
* **Learned**: the kernel resolves a next hop the first time it sends to it (the
  neighbour entry, REACHABLE), and the bridge learns a source MAC on the port a
  frame came in by. The model learns these from the traces it runs, so a fresh
  cluster has none, like a node that has carried no traffic yet.
"""

from __future__ import annotations

from collections import OrderedDict

from . import addresses as ad
from .graph import node_v

MAX_ENTRIES = 512


class NeighbourTables:
    """Per-node learned neighbour and bridge entries (bounded, oldest dropped)."""

    def __init__(self) -> None:
        self._neigh: dict[str, OrderedDict[tuple[str, str], str]] = {}
        self._fdb: dict[str, OrderedDict[tuple[str, str], None]] = {}

    def clear(self) -> None:
        self._neigh.clear()
        self._fdb.clear()

    def neighbour(self, node: str, ip: str, dev: str, mac: str) -> None:
        """The node resolved ip on dev to mac (an ARP reply, cached)."""
        _put(self._neigh.setdefault(node, OrderedDict()), (ip, dev), mac)

    def bridge(self, node: str, mac: str, port: str) -> None:
        """The node's bridge saw source mac on port."""
        _put(self._fdb.setdefault(node, OrderedDict()), (mac, port), None)

    def neighbours(self, node: str) -> list[tuple[str, str, str]]:
        return [(ip, dev, mac) for (ip, dev), mac in self._neigh.get(node, {}).items()]

    def learned(self, node: str) -> list[tuple[str, str]]:
        return list(self._fdb.get(node, {}))


def _put(table: OrderedDict, key, value) -> None:
    table.pop(key, None)
    table[key] = value
    while len(table) > MAX_ENTRIES:
        table.popitem(last=False)


def neigh_text(net, node_name: str) -> str:
    """`ip neigh show` on a node: flannel's permanent entries, then learned ones."""
    node = net._node(node_name)
    g = net.graph
    lines = []
    for ip, dev, mac in net.neighbours.neighbours(node.name):
        lines.append(f"{ip} dev {dev} lladdr {mac} REACHABLE")
    if net.cni == "overlay":
        for other in sorted(net.idx.nodes.values(), key=lambda n: n.name):
            if other.name == node.name or not other.pod_cidr:
                continue
            mac = g.nodes[node_v(other.name, ad.FLANNEL_DEV)]["mac"]
            lines.append(
                f"{other.flannel_ip} dev {ad.FLANNEL_DEV} lladdr {mac} PERMANENT"
            )
    return "".join(line + "\n" for line in lines)


def fdb_text(net, node_name: str) -> str:
    """`bridge fdb show` on a node (unicast entries; the multicast ones are left
    out): learned pod MACs, each port's and the bridge's own address, and
    flannel.1's entries naming the node behind each remote VTEP."""
    node = net._node(node_name)
    g = net.graph
    lines = [
        f"{mac} dev {port} master {ad.BRIDGE_DEV}"
        for mac, port in net.neighbours.learned(node.name)
    ]
    cni0 = node_v(node.name, ad.BRIDGE_DEV)
    if cni0 in g:
        for pod in sorted(net.idx.pods_on_node.get(node.name, []), key=_pod_key):
            veth = node_v(node.name, pod.veth)
            if veth in g:
                lines.append(
                    f"{g.nodes[veth]['mac']} dev {pod.veth} master "
                    f"{ad.BRIDGE_DEV} permanent"
                )
        lines.append(
            f"{g.nodes[cni0]['mac']} dev {ad.BRIDGE_DEV} vlan 1 master "
            f"{ad.BRIDGE_DEV} permanent"
        )
    if net.cni == "overlay":
        for other in sorted(net.idx.nodes.values(), key=lambda n: n.name):
            if other.name == node.name or not other.pod_cidr:
                continue
            mac = g.nodes[node_v(other.name, ad.FLANNEL_DEV)]["mac"]
            lines.append(f"{mac} dev {ad.FLANNEL_DEV} dst {other.ip} self permanent")
    return "".join(line + "\n" for line in lines)


def _pod_key(pod) -> str:
    return pod.key
