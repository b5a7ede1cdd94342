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
from .cni.wire import Forwarding
from .conntrack import entry
from .enforce import PolicyChecks
from .explain import filter_explain, nat_explain
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


class Walker(Forwarding, PolicyChecks):
    """Records the hops of one packet; `verdict` is set when it stops."""

    def __init__(self, net, rng, pkt: Packet) -> None:
        self.net, self.rng, self.pkt = net, rng, pkt
        self.hops: list[dict] = []
        self.passes: list[Pass] = []
        self.verdict: str | None = None
        self.reason = ""
        self.delivered_to: PodInfo | None = None
        self.onlink = False  # the sender ARPed for the peer itself (same subnet)
        self.bridged = False
        self.sender_mac: str | None = None
        self.sender: PodInfo | None = None  # the pod whose egress is checked
        self._egress_done = False
        self.notes: list[str] = []  # what an enforcing CNI would have done

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
        if attrs.get("kind") == "netns":
            h["part"] = (
                "netfilter"
                if h["hook"]
                else ("routing" if "route" in extra else "stack")
            )
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
        self.sender = pod
        route = lookup(pod_routes(pod, node), p.dst)
        nxt = self.net.idx.pod_by_ip.get(p.dst) if route.dest != "default" else None
        dst_mac = (
            self.net.graph.nodes[pod_v(nxt, "eth0")]["mac"]
            if nxt is not None
            else self.net.graph.nodes[node_v(node.name, ad.BRIDGE_DEV)]["mac"]
        )
        eth0 = pod_v(pod, "eth0")
        self.onlink = nxt is not None
        self.sender_mac = self.net.graph.nodes[eth0]["mac"]
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

    def from_node(
        self, node: NodeInfo, pod: PodInfo | None = None, container: str = ""
    ) -> None:
        p, rs = self.pkt, self.net.ruleset(node.name)
        root = node_v(node.name, "root")
        route = lookup(self.net.routes(node.name), p.dst)
        if p.src is None or p.src == "":
            p.src = route.src or device_ip(node, route.dev)
        if pod is not None:
            self.hop(
                ctr_v(pod, container),
                f"Container {container} of hostNetwork pod {pod.key} uses the "
                f"node's own network namespace, so it sends as {node.name} would.",
            )
        before = p.copy()
        start = len(self.hops)
        self.hop(
            root,
            f"A process on {node.name} connects; routing ('{route.text}') chooses "
            f"source address {p.src}.",
            route=route.text,
        )
        r = run_hook(rs, "OUTPUT", p, "NEW", self.rng, seen=self.net.recent(node.name))
        self.hop(
            root,
            nat_explain(self.net, r, "OUTPUT", node.name),
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
        r = run_hook(
            rs, "PREROUTING", p, "NEW", self.rng, seen=self.net.recent(node.name)
        )
        self.hop(
            root,
            nat_explain(self.net, r, "PREROUTING", node.name),
            hook="PREROUTING",
            nat=r.nat,
            rules=r.rules,
        )
        if p.dst in rs.local:
            if self.check_egress(node):
                self._local_in(node, start, before, "local-in")
            return
        route = lookup(self.net.routes(node.name), p.dst)
        self.bridged = in_dev == ad.BRIDGE_DEV and self.onlink and r.nat is None
        if self.bridged:
            text = (
                f"Bridged, not routed: {p.dst} is on cni0's own subnet, so the bridge "
                "forwards the frame by MAC (br_netfilter still runs iptables)."
            )
        else:
            text = f"Routing on {node.name}: '{route.text}'."
        forward = "bridged" if self.bridged else "routed"
        self.hop(root, text, route=route.text, forward=forward)
        if not self.check_egress(node):
            return
        r = run_hook(rs, "FORWARD", p, "NEW", self.rng)
        if r.verdict != "ACCEPT":
            self.hop(root, filter_explain(r), hook="FORWARD", rules=r.rules)
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
        if r.nat and "flanneld masq" in r.nat["rule"]:
            text = (
                "flannel masquerades traffic crossing between the pod network and "
                f"the outside: the source becomes {out_ip}, {node.name}'s address "
                f"on {route.dev}."
            )
        elif r.nat:
            text = (
                f"kube-proxy marked this connection for SNAT (KUBE-MARK-MASQ), so "
                f"KUBE-POSTROUTING masquerades it to {out_ip}, {node.name}'s address "
                f"on {route.dev}: the reply must come back through this node."
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

    def _health_check(self, node: NodeInfo, p) -> str | None:
        """kube-proxy serves each healthCheckNodePort (a LoadBalancer with
        externalTrafficPolicy Local) on every node: HTTP 200 with the count of
        ready local endpoints, 503 when there is none (TestHealthCheckNodePort,
        TestHealthCheckNodePortWhenTerminating)."""
        idx = self.net.idx
        for svc in idx.services.values():
            if svc.health_node_port != p.dport or not svc.external_local:
                continue
            if not svc.externally_accessible:
                continue
            local = {
                e.text
                for port in svc.ports
                for e in idx.endpoints(svc, port)
                if e.ready and e.node == node.name
            }
            answer = (
                f"HTTP 200 (localEndpoints: {len(local)})"
                if local
                else "HTTP 503 (localEndpoints: 0), so load balancers skip this node"
            )
            return (
                f"Delivered to kube-proxy on {node.name}, which serves {svc.key}'s "
                f"healthCheckNodePort {p.dport}: it answers {answer}."
            )
        return None

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
            filter_explain(r)
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
        health = self._health_check(node, p) if p.proto == "tcp" else None
        if health:
            self.hop(root, health)
            self.stop("delivered", f"kube-proxy on {node.name} accepted it.")
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
