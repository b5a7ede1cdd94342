"""Moves one packet through the modelled network, hop by hop.

A Walker starts at a container, a node or the internet client and follows what
Linux would do: the pod's routing table, the veth pair, the cni0 bridge, the node's
netfilter hooks (kube-proxy's DNAT, masquerade), the node routing table, flannel's
VXLAN device or a host-gw route, the LAN, and the same in reverse on the far side.
Every step appends a hop dict; root-namespace passes are remembered for the reply.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import addresses as ad
from .conntrack import entry
from .graph import ctr_v, node_v, pod_v
from .netfilter import Packet, run_hook
from .records import NodeInfo, PodInfo
from .routes import Route, device_ip, lookup, pod_routes

NODE_DAEMONS = {10250: "the kubelet", 10256: "kube-proxy (healthz)"}


@dataclass
class Pass:
    """One trip through a node's root namespace (kept for building the reply)."""

    node: str
    start: int
    end: int
    kind: str
    before: Packet
    after: Packet
    entry: str


class Walker:
    """Records the hops of one packet; `verdict` is set when it stops."""

    def __init__(self, net, rng, pkt: Packet) -> None:
        self.net, self.rng, self.pkt = net, rng, pkt
        self.hops: list[dict] = []
        self.passes: list[Pass] = []
        self.verdict: str | None = None
        self.reason = ""
        self.delivered_to: PodInfo | None = None

    # recording -------------------------------------------------------------
    def hop(self, at: str, explain: str, **extra) -> dict:
        attrs = self.net.graph.nodes[at]
        p = self.pkt
        h = {
            "at": at,
            "node": attrs.get("node"),
            "netns": attrs.get("netns"),
            "device": extra.pop("device", attrs.get("device")),
            "hook": extra.pop("hook", None),
            "src": p.source,
            "dst": p.destination,
            "proto": p.proto,
            "outer": extra.pop("outer", None),
            "nat": extra.pop("nat", None),
            "conntrack": extra.pop("conntrack", None),
            "explain": explain,
        }
        h.update(extra)
        self.hops.append(h)
        return h

    def stop(self, verdict: str, reason: str) -> None:
        self.verdict, self.reason = verdict, reason

    def _mac(self, a: str, b: str) -> dict:
        g = self.net.graph.nodes
        return {"src": g[a].get("mac"), "dst": g[b].get("mac")}

    # sources ---------------------------------------------------------------
    def from_container(self, pod: PodInfo, container: str) -> None:
        p = self.pkt
        self.hop(
            ctr_v(pod, container),
            f"Container {container} of pod {pod.key} sends from {p.source}: every "
            f"container in the pod shares one network namespace and one IP.",
        )
        if p.dst in (ad.LOOPBACK, pod.ip):
            self.hop(
                pod_v(pod, "lo"),
                "The destination is this pod itself, so the kernel keeps the packet "
                "on lo inside the pod's namespace; it never reaches the node.",
            )
            self.deliver(pod, via_lo=True)
            return
        node = self.net.idx.nodes[pod.node]
        route = lookup(pod_routes(pod, node), p.dst)
        nxt = self.net.idx.pod_by_ip.get(p.dst) if route.dest != "default" else None
        dst_mac = (
            self.net.graph.nodes[pod_v(nxt, "eth0")]["mac"]
            if nxt is not None
            else self.net.graph.nodes[node_v(node.name, ad.BRIDGE_DEV)]["mac"]
        )
        eth0 = pod_v(pod, "eth0")
        self.hop(
            eth0,
            f"The pod's routing table picks '{route.text}', so it leaves the pod's "
            f"eth0 (one end of a veth pair).",
            mac={"src": self.net.graph.nodes[eth0]["mac"], "dst": dst_mac},
            route=route.text,
        )
        veth = node_v(node.name, pod.veth)
        self.hop(
            veth,
            f"It comes out of {pod.veth}, the veth's other end, in the "
            "node's root namespace.",
        )
        self.hop(
            node_v(node.name, ad.BRIDGE_DEV),
            f"{pod.veth} is a port of the cni0 bridge; bridged and routed traffic "
            "both pass the node's netfilter hooks (br_netfilter).",
        )
        self.root_pass(node, "cni0")

    def from_node(self, node: NodeInfo) -> None:
        p, rs = self.pkt, self.net.ruleset(node.name)
        root = node_v(node.name, "root")
        route = lookup(self.net.routes(node.name), p.dst)
        if p.src is None or p.src == "":
            p.src = route.src or device_ip(node, route.dev)
        before = p.copy()
        start = len(self.hops)
        self.hop(
            root,
            f"A process on {node.name} connects; routing ('{route.text}') chooses "
            f"source address {p.src}.",
            route=route.text,
        )
        r = run_hook(rs, "OUTPUT", p, "NEW", self.rng)
        self.hop(
            root,
            self._nat_explain(r, "OUTPUT"),
            hook="OUTPUT",
            nat=r.nat,
            rules=r.rules,
        )
        if r.verdict != "ACCEPT":
            self._filtered(r, node, start, "local-out", before)
            return
        if r.nat:
            route = lookup(self.net.routes(node.name), p.dst)
        if p.dst in rs.local:
            self._local_in(node, start, before, "local-out")
            return
        self._post(node, route, start, "local-out", before)

    # a node's root namespace ----------------------------------------------
    def root_pass(self, node: NodeInfo, in_dev: str) -> None:
        p, rs = self.pkt, self.net.ruleset(node.name)
        root = node_v(node.name, "root")
        before, start = p.copy(), len(self.hops)
        r = run_hook(rs, "PREROUTING", p, "NEW", self.rng)
        self.hop(
            root,
            self._nat_explain(r, "PREROUTING"),
            hook="PREROUTING",
            nat=r.nat,
            rules=r.rules,
        )
        if p.dst in rs.local:
            self._local_in(node, start, before, "local-in")
            return
        route = lookup(self.net.routes(node.name), p.dst)
        self.hop(root, f"Routing on {node.name}: '{route.text}'.", route=route.text)
        r = run_hook(rs, "FORWARD", p, "NEW", self.rng)
        if r.verdict != "ACCEPT":
            self.hop(root, self._filter_explain(r), hook="FORWARD", rules=r.rules)
            self._filtered(r, node, start, "forward", before)
            return
        self.hop(
            root,
            "The filter table's FORWARD chain accepts it.",
            hook="FORWARD",
            rules=r.rules,
        )
        self._post(node, route, start, "forward", before)

    def _post(self, node, route: Route, start, kind, before) -> None:
        p, rs = self.pkt, self.net.ruleset(node.name)
        out_ip = device_ip(node, route.dev)
        r = run_hook(rs, "POSTROUTING", p, "NEW", self.rng, out_ip)
        if r.nat:
            text = (
                f"MASQUERADE rewrites the source to {out_ip}, this node's address "
                f"on {route.dev} (the mark or flannel's rule asked for SNAT)."
            )
        else:
            text = "POSTROUTING: no source NAT; the source address is unchanged."
        self.hop(
            node_v(node.name, "root"),
            text,
            hook="POSTROUTING",
            nat=r.nat,
            rules=r.rules,
        )
        self._close_pass(node, start, kind, before)
        self.egress(node, route)

    def _close_pass(self, node, start, kind, before) -> None:
        e = entry(self.pkt.proto, before, self.pkt)
        self.net.conntrack.add(node.name, e)
        self.hops[start]["conntrack"] = {"state": "NEW", "entry": e.text}
        self.passes.append(
            Pass(
                node.name,
                start,
                len(self.hops) - 1,
                kind,
                before,
                self.pkt.copy(),
                e.text,
            )
        )

    def _filtered(self, r, node, start, kind, before) -> None:
        self._close_pass(node, start, kind, before)
        if r.verdict == "REJECT":
            self.stop(
                "rejected",
                "kube-proxy's filter rule rejects it because the "
                "Service has no ready endpoints (ICMP port unreachable).",
            )
        else:
            self.stop(
                "dropped",
                "A filter rule drops it: " + (r.rules[-1] if r.rules else "policy"),
            )

    def _local_in(self, node, start, before, kind) -> None:
        p, rs = self.pkt, self.net.ruleset(node.name)
        root = node_v(node.name, "root")
        self.hop(
            root,
            f"{p.dst} is an address of {node.name} itself, so the packet "
            "is for a local process (INPUT).",
        )
        r = run_hook(rs, "INPUT", p, "NEW", self.rng)
        self.hop(
            root,
            self._filter_explain(r)
            if r.verdict != "ACCEPT"
            else "The filter table's INPUT chain accepts it.",
            hook="INPUT",
            rules=r.rules,
        )
        if r.verdict != "ACCEPT":
            self._filtered(r, node, start, "local-in", before)
            return
        self._close_pass(node, start, kind, before)
        if p.proto == "icmp":
            self.stop("delivered", f"{node.name} answers the ping itself.")
            return
        for pod in self.net.idx.pods_on_node.get(node.name, []):
            name = pod.host_network and pod.listener(p.dport, p.proto.upper())
            if name:
                self.hop(
                    ctr_v(pod, name),
                    f"Delivered to {name} of hostNetwork pod "
                    f"{pod.key}, listening on the node's port {p.dport}.",
                )
                self.delivered_to = pod
                self.stop("delivered", f"{pod.key} on {node.name} accepted it.")
                return
        daemon = NODE_DAEMONS.get(p.dport)
        if daemon:
            self.hop(
                root,
                f"Delivered to {daemon} on {node.name}, listening on port "
                f"{p.dport} in the root namespace.",
            )
            self.stop("delivered", f"{daemon} on {node.name} accepted it.")
            return
        self.stop(
            "refused",
            f"Nothing on {node.name} listens on port {p.dport}; the "
            "kernel answers with a TCP RST (connection refused).",
        )

    # leaving a node ---------------------------------------------------------
    def egress(self, node: NodeInfo, route: Route) -> None:
        p, idx = self.pkt, self.net.idx
        if route.dev == ad.BRIDGE_DEV:
            pod = idx.pod_by_ip.get(p.dst)
            cni0 = node_v(node.name, ad.BRIDGE_DEV)
            if pod is None or pod.node != node.name:
                self.hop(cni0, f"No pod answers ARP for {p.dst} on cni0.")
                self.stop("dropped", f"No pod has IP {p.dst}; the packet is dropped.")
                return
            veth = node_v(node.name, pod.veth)
            hairpin = any(h["at"] == veth for h in self.hops)
            self.hop(
                cni0,
                "The bridge forwards the frame to port "
                f"{pod.veth}"
                + (" (hairpin: back out the port it came in on)." if hairpin else "."),
                mac=self._mac(cni0, pod_v(pod, "eth0")),
            )
            self.hop(veth, f"Into {pod.veth}, the host end of {pod.key}'s veth pair.")
            self.hop(
                pod_v(pod, "eth0"),
                f"Arrives on eth0 in {pod.key}'s namespace "
                f"with source {p.source} and destination {p.destination}.",
            )
            self.deliver(pod)
        elif route.dev == ad.FLANNEL_DEV:
            target = idx.node_by_flannel_ip[route.via]
            outer = {
                "src": node.ip,
                "dst": target.ip,
                "proto": "udp",
                "dport": ad.VXLAN_PORT,
                "vni": ad.VXLAN_VNI,
            }
            vx, eth0 = node_v(node.name, ad.FLANNEL_DEV), node_v(node.name, "eth0")
            self.hop(
                vx,
                f"flannel.1 (VXLAN, VNI 1) wraps the packet, unchanged, in "
                f"UDP to {target.ip}:{ad.VXLAN_PORT}; its FDB maps VTEP "
                f"{route.via} to {target.name}.",
                outer=outer,
                mac=self._mac(vx, node_v(target.name, ad.FLANNEL_DEV)),
            )
            self.hop(
                eth0,
                f"Leaves eth0 as UDP {node.ip} -> {target.ip}:8472 with "
                "the pod packet inside.",
                outer=outer,
                mac=self._mac(eth0, node_v(target.name, "eth0")),
            )
            if not self.wire(node, target, outer):
                return
            self.hop(
                node_v(target.name, "eth0"),
                f"{target.name} receives UDP 8472 and hands it to its VXLAN device.",
                outer=outer,
            )
            self.hop(
                node_v(target.name, ad.FLANNEL_DEV),
                "flannel.1 strips the outer "
                "header: the inner packet is exactly what the pod sent.",
            )
            self.root_pass(target, ad.FLANNEL_DEV)
        else:
            self._via_eth0(node, route)

    def _via_eth0(self, node: NodeInfo, route: Route) -> None:
        p, idx = self.pkt, self.net.idx
        eth0 = node_v(node.name, "eth0")
        hop_ip = route.via or p.dst
        target = idx.node_by_ip.get(hop_ip)
        if target is None or target.name == node.name:
            self.hop(
                eth0,
                f"Out eth0 towards the gateway {node.gateway}.",
                mac=self._mac(eth0, "router"),
            )
            self.hop("lan", "Across the node network to the router.")
            if ad.in_cidr(p.dst, self.net.service_cidr):
                self.hop(
                    "router",
                    f"{p.dst} is a ClusterIP: virtual, held by no "
                    "interface, so the router has nowhere to send it.",
                )
                self.stop(
                    "timeout",
                    "Only kube-proxy's rules give a ClusterIP "
                    "meaning, and they matched nothing: no reply comes back.",
                )
                return
            self.hop("router", "The router sends it on to the internet.")
            self.hop("internet", f"{p.dst} is on the internet and answers.")
            self.stop("delivered", f"An internet host at {p.destination} answered.")
            return
        how = (
            "host-gw: no encapsulation, the route names the other node's IP as "
            "next hop."
            if route.via
            else "The destination is on the node LAN."
        )
        self.hop(
            eth0,
            f"Out eth0 straight to {target.name} ({target.ip}). {how}",
            mac=self._mac(eth0, node_v(target.name, "eth0")),
        )
        if not self.wire(node, target, None):
            return
        self.hop(node_v(target.name, "eth0"), f"{target.name} receives it on eth0.")
        self.root_pass(target, "eth0")

    def wire(self, node: NodeInfo, target: NodeInfo, outer) -> bool:
        """Cross the LAN; False (timeout) when the target node is down."""
        self.hop(
            "lan",
            f"Across the node network from {node.name} to {target.name}.",
            outer=outer,
        )
        if target.name in self.net.failed:
            self.stop(
                "timeout",
                f"{target.name} is down: nothing receives the frame, "
                "so the sender retransmits until it gives up.",
            )
            return False
        return True

    # arrival ----------------------------------------------------------------
    def deliver(self, pod: PodInfo, via_lo: bool = False) -> None:
        p = self.pkt
        if p.proto == "icmp":
            self.delivered_to = pod
            self.stop("delivered", f"{pod.key} answers the ping (its kernel replies).")
            return
        name = (
            pod.listener(p.dport, p.proto.upper()) if pod.phase == "Running" else None
        )
        where = pod_v(pod, "lo") if via_lo else pod_v(pod, "eth0")
        if name is None:
            self.hop(
                where,
                f"Nothing in {pod.key} listens on {p.dport}/"
                f"{p.proto.upper()}, so its kernel answers with a RST.",
            )
            self.stop(
                "refused",
                f"No container of {pod.key} listens on port "
                f"{p.dport} (connection refused).",
            )
            return
        self.hop(
            ctr_v(pod, name),
            f"Delivered to container {name}, listening on "
            f"{p.dport}; it sees the source as {p.source}.",
        )
        self.delivered_to = pod
        self.stop("delivered", f"{pod.key} accepted the connection on port {p.dport}.")

    # explanations -----------------------------------------------------------
    def _nat_explain(self, r, hook: str) -> str:
        if r.verdict == "REJECT":
            return self._filter_explain(r)
        if r.nat:
            return (
                f"kube-proxy's nat rules ({hook}) DNAT {r.nat['from']} to endpoint "
                f"{r.nat['to']}, chosen by the statistic match, before routing."
            )
        return f"{hook}: no kube-proxy rule matches, so the destination stays as is."

    @staticmethod
    def _filter_explain(r) -> str:
        last = r.rules[-1] if r.rules else ""
        if r.verdict == "REJECT":
            return f"Rejected by '{last}': the Service has no endpoints."
        return f"Dropped by '{last}'."
