"""The network as a networkx graph: devices and namespaces, wired as Linux wires them.

Vertices are interfaces or places a packet can be (a node's root namespace, a pod's
eth0, a container's socket, the node LAN, the internet). Edges are the wires: veth
pairs, bridge ports, the VXLAN device riding on eth0, the LAN. A trace's hops name
vertices with `at`, and consecutive hops are always equal or adjacent. The graph is
updated pod by pod (cached by resourceVersion) and rebuilt when nodes change.
"""

from __future__ import annotations

from collections import deque

import networkx as nx

from . import addresses as ad
from .index import ClusterIndex
from .records import NodeInfo, PodInfo

INTERNET, CLIENT, ROUTER, LAN, LB = "internet", "client", "router", "lan", "lb"


def node_v(node: str, dev: str) -> str:
    """Vertex id of a node-level device: eth0, root, cni0, flannel.1, vethXXXX."""
    return f"node/{node}/{dev}"


def pod_v(pod: PodInfo, dev: str) -> str:
    """Vertex id of a pod device (eth0, lo)."""
    return f"pod/{pod.key}/{dev}"


def ctr_v(pod: PodInfo, container: str) -> str:
    """Vertex id of a container's sockets (all containers share the pod netns)."""
    return f"pod/{pod.key}/c/{container}"


def netns_name(pod: PodInfo) -> str:
    """The label for a pod's network namespace (the pause container holds it)."""
    return "root" if pod.host_network else f"pod {pod.key}"


class NetworkGraph:
    """Keeps a networkx Graph in step with the cluster's nodes and pods."""

    def __init__(self, cni: str, platform: str) -> None:
        self.cni, self.platform = cni, platform
        self.g = nx.Graph()
        self._nodes_sig: tuple = ()
        self._rev: int | None = None
        self._pods: dict[str, tuple[PodInfo, list[str]]] = {}
        # Which vertex answers to each MAC: kept as vertices come and go, because a
        # trace resolves one at every hop and a scan of the graph costs ~1 ms per
        # 1,000 pods.
        self.macs: dict[str, str] = {}

    def update(self, idx: ClusterIndex) -> nx.Graph:
        """Bring the graph up to date with idx; returns the graph."""
        sig = tuple(sorted(idx.nodes.items()))
        if sig != self._nodes_sig:
            self._rebuild(idx)
            self._nodes_sig = sig
            keys = None
        elif idx.base_revision is not None and idx.base_revision == self._rev:
            keys = idx.changed_pods
        else:
            keys = None
        if keys is None:
            keys = set(self._pods) | set(idx.pods)
        for key in sorted(keys):
            pod = idx.pods.get(key)
            want = pod if pod is not None and pod.wired else None
            have = self._pods.get(key)
            if have is not None and have[0] is want:
                continue
            if have is not None:
                self._remove_pod(key)
            if want is not None:
                self._add_pod(idx.nodes.get(want.node), want)
        self._rev = idx.revision
        return self.g

    def _rebuild(self, idx: ClusterIndex) -> None:
        g = self.g = nx.Graph()
        self._pods = {}
        g.add_node(INTERNET, kind="internet", node=None, netns=None, device=None)
        g.add_node(
            CLIENT,
            kind="client",
            ip=ad.INTERNET_CLIENT_IP,
            node=None,
            netns=None,
            device="eth0",
            mac=ad.mac_for("client"),
        )
        g.add_node(
            ROUTER,
            kind="router",
            node=None,
            netns=None,
            device=None,
            mac=ad.mac_for("router"),
        )
        g.add_node(LAN, kind="lan", node=None, netns=None, device=None)
        g.add_edges_from([(CLIENT, INTERNET), (INTERNET, ROUTER), (ROUTER, LAN)])
        if self.platform == "cloud":
            g.add_node(LB, kind="loadbalancer", node=None, netns=None, device=None)
            g.add_edges_from([(INTERNET, LB), (LB, LAN)])
        for node in sorted(idx.nodes.values(), key=lambda n: n.name):
            self._add_node(node)
        self.macs = {a["mac"]: v for v, a in g.nodes(data=True) if a.get("mac")}

    def _add_node(self, node: NodeInfo) -> None:
        g, n = self.g, node.name
        eth0, root = node_v(n, "eth0"), node_v(n, "root")
        g.add_node(
            eth0,
            kind="nic",
            node=n,
            netns="root",
            device="eth0",
            ip=node.ip,
            mac=ad.mac_for(eth0),
        )
        g.add_node(
            root,
            kind="netns",
            node=n,
            netns="root",
            device=None,
            parts=("routing table", "netfilter"),
        )
        g.add_edges_from([(eth0, LAN), (eth0, root)])
        if not node.pod_cidr:
            return
        cni0 = node_v(n, ad.BRIDGE_DEV)
        g.add_node(
            cni0,
            kind="bridge",
            node=n,
            netns="root",
            device=ad.BRIDGE_DEV,
            ip=node.cni0_ip,
            mac=ad.mac_for(cni0),
        )
        g.add_edge(root, cni0)
        if self.cni == "overlay":
            vx = node_v(n, ad.FLANNEL_DEV)
            g.add_node(
                vx,
                kind="vxlan",
                node=n,
                netns="root",
                device=ad.FLANNEL_DEV,
                ip=node.flannel_ip,
                mac=ad.mac_for(vx),
                vni=ad.VXLAN_VNI,
                port=ad.VXLAN_PORT,
            )
            g.add_edges_from([(root, vx), (vx, eth0)])

    def _add_pod(self, node: NodeInfo | None, pod: PodInfo) -> None:
        if node is None:
            return
        g, added = self.g, []
        if pod.host_network:
            attach = node_v(node.name, "root")
            for cname, _ in pod.containers:
                v = ctr_v(pod, cname)
                g.add_node(
                    v,
                    kind="container",
                    node=node.name,
                    netns="root",
                    device=None,
                    pod=pod.key,
                    container=cname,
                )
                g.add_edge(v, attach)
                added.append(v)
            self._pods[pod.key] = (pod, added)
            return
        cni0 = node_v(node.name, ad.BRIDGE_DEV)
        if cni0 not in g:
            return
        ns = netns_name(pod)
        eth0, lo = pod_v(pod, "eth0"), pod_v(pod, "lo")
        veth = node_v(node.name, pod.veth)
        g.add_node(
            eth0,
            kind="nic",
            node=node.name,
            netns=ns,
            device="eth0",
            ip=pod.ip,
            mac=ad.mac_for(eth0),
            pod=pod.key,
            holder="pause",  # the pause container keeps the namespace alive
        )
        g.add_node(
            lo,
            kind="loopback",
            node=node.name,
            netns=ns,
            device="lo",
            ip=ad.LOOPBACK,
            pod=pod.key,
            holder="pause",
        )
        g.add_node(
            veth,
            kind="veth",
            node=node.name,
            netns="root",
            device=pod.veth,
            mac=ad.mac_for(veth),
            pod=pod.key,
        )
        g.add_edges_from([(eth0, veth), (veth, cni0)])
        added += [eth0, lo, veth]
        for cname, _ in pod.containers:
            v = ctr_v(pod, cname)
            g.add_node(
                v,
                kind="container",
                node=node.name,
                netns=ns,
                device=None,
                pod=pod.key,
                container=cname,
            )
            g.add_edges_from([(v, eth0), (v, lo)])
            added.append(v)
        self._pods[pod.key] = (pod, added)
        self.macs[g.nodes[eth0]["mac"]] = eth0
        self.macs[g.nodes[veth]["mac"]] = veth

    def _remove_pod(self, key: str) -> None:
        _, added = self._pods.pop(key)
        for v in added:
            self.macs.pop(self.g.nodes[v].get("mac"), None)
        self.g.remove_nodes_from(added)


def shortest_path(g: nx.Graph, a: str, b: str) -> list[str]:
    """The lexicographically first of the shortest paths (ties made explicit)."""
    if a == b:
        return [a]
    parent: dict[str, str | None] = {a: None}
    queue = deque([a])
    while queue:
        v = queue.popleft()
        for w in sorted(g.adj[v]):
            if w in parent:
                continue
            parent[w] = v
            if w == b:
                path = [w]
                while parent[path[-1]] is not None:
                    path.append(parent[path[-1]])
                return path[::-1]
            queue.append(w)
    raise nx.NetworkXNoPath(f"no path between {a} and {b}")
