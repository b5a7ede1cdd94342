"""How a packet leaves a node and arrives somewhere: bridge, VXLAN, LAN, internet.

`Forwarding` is the half of the Walker that moves a packet between namespaces and
machines once routing has chosen a device: the cni0 bridge to a local pod, flannel.1
(VXLAN over eth0) or a host-gw route to another node, the default route to the
internet, and the internet client's way in through a cloud load balancer.
"""

from __future__ import annotations

from .. import addresses as ad
from ..graph import CLIENT, INTERNET, LAN, LB, ROUTER, ctr_v, node_v, pod_v
from ..records import NodeInfo, PodInfo
from ..routes import Route


class Forwarding:
    """Moves the Walker's packet across devices, nodes and the internet."""

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
                mac=self._bridge_mac(cni0, pod),
            )
            if not self.check_ingress(node, pod):
                return
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

    def _bridge_mac(self, cni0: str, pod: PodInfo) -> dict:
        """A bridged frame keeps the sender's MAC; a routed one leaves from cni0's."""
        mac = self._mac(cni0, pod_v(pod, "eth0"))
        if self.bridged and self.sender_mac:
            mac["src"] = self.sender_mac
        return mac

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
                f"Nothing in {pod.key} listens on {p.dport}/{p.proto.upper()}, so "
                "its kernel answers with "
                + ("a TCP RST." if p.proto == "tcp" else "ICMP port unreachable."),
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

    def _lb_nodes(self) -> list[NodeInfo]:
        """Nodes a load balancer may send to: ready, up, not excluded."""
        net = self.net
        return [
            n
            for n in sorted(net.idx.nodes.values(), key=lambda n: n.name)
            if n.ready and n.name not in net.failed and n.pod_cidr and not n.lb_excluded
        ]

    def _announcing_node(self, ip: str) -> tuple[NodeInfo | None, str]:
        """The node a Service's load balancer IP (set in its status by something
        other than a cloud, such as MetalLB) or external IP is routed to.

        kube-proxy only captures such a packet once it reaches a node; getting it
        there is the announcer's or the administrator's job. The model sends it to
        the first eligible node by name (for externalTrafficPolicy Local on an LB
        IP, the first with a ready local endpoint, as MetalLB announces only from
        those). Returns the node and the router hop's explanation.
        """
        idx = self.net.idx
        lb = idx.svc_by_lb_ip.get(ip)
        if lb is not None and ip not in lb.lb_vips:
            lb = None  # an ipMode Proxy address belongs to the proxy, not a node
        svc = lb or idx.svc_by_external_ip.get(ip)
        if svc is None:
            return None, ""
        nodes = self._lb_nodes()
        if lb is not None and svc.external_local:
            local = {
                e.node
                for port in svc.ports
                for e in idx.endpoints(svc, port)
                if e.ready
            }
            nodes = [n for n in nodes if n.name in local] or nodes
        if not nodes:
            return None, ""
        node = nodes[0]
        if lb is not None:
            text = (
                f"{ip} is the load balancer IP in {svc.key}'s status; {node.name} "
                "announces it (a load-balancer implementation such as MetalLB, not "
                "kube-proxy, does that), so the site router sends it there."
            )
        else:
            text = (
                f"{ip} is an externalIP of {svc.key}: Kubernetes does not route "
                f"it, the cluster's administrator does; here it is routed to "
                f"{node.name}."
            )
        return node, text

    def from_client(self) -> None:
        """From the internet client: via the cloud LB or straight to a node IP."""
        w, net, rng = self, self.net, self.rng
        p, idx = w.pkt, net.idx
        w.hop(CLIENT, f"A client on the internet ({p.src}) sends to {p.destination}.")
        w.hop(INTERNET, "It crosses the internet.")
        svc = idx.svc_by_lb_ip.get(p.dst)
        if svc is not None and net.platform == "cloud":
            port = next((x for x in svc.ports if x.port == p.dport), None)
            if port is None or not port.node_port:
                w.hop(LB, f"The load balancer has no listener on port {p.dport}.")
                w.stop("dropped", "The cloud load balancer does not forward that port.")
                return
            if svc.source_ranges and not any(
                ad.in_cidr(p.src, r) for r in svc.source_ranges
            ):
                ranges = ", ".join(svc.source_ranges)
                w.hop(
                    LB,
                    f"The cloud provider's firewall for this load balancer admits "
                    f"only the Service's loadBalancerSourceRanges ({ranges}); "
                    f"{p.src} is not in them.",
                )
                w.stop("dropped", "The load balancer's firewall drops the client.")
                return
            nodes = self._lb_nodes()
            if svc.external_local:
                # kube-proxy's healthCheckNodePort answers 200 only on nodes with
                # a ready local endpoint; terminating ones do not count
                local = {e.node for e in idx.endpoints(svc, port) if e.ready}
                nodes = [n for n in nodes if n.name in local]
            if not nodes:
                w.hop(LB, "Every backend node fails the load balancer's health check.")
                w.stop("dropped", "The load balancer has no healthy node to send to.")
                return
            target = rng.choice(nodes)
            before = p.destination
            p.dst, p.dport = target.ip, port.node_port
            rule = (
                f"cloud load balancer {before} -> NodePort {port.node_port} on a "
                "healthy node"
            )
            why = (
                "only nodes with a local endpoint pass the health check "
                "(externalTrafficPolicy: Local)"
                if svc.external_local
                else "any healthy node will do"
            )
            w.hop(
                LB,
                f"The cloud load balancer (provisioned by the cloud-controller-"
                f"manager) picks {target.name} ({why}) and forwards to its NodePort.",
                nat={"type": "DNAT", "from": before, "to": p.destination, "rule": rule},
            )
            w.hop(LAN, f"Into the cluster network to {target.name}.")
            w.hop(node_v(target.name, "eth0"), f"{target.name} receives it on eth0.")
            w.root_pass(target, "eth0")
            return
        node = idx.node_by_ip.get(p.dst)
        via = "The site router forwards it onto the node network."
        if node is None:
            node, via = self._announcing_node(p.dst)
        if node is None:
            w.stop("dropped", f"Nothing on the internet answers for {p.dst}.")
            return
        w.hop(ROUTER, via)
        w.hop(LAN, f"Across the node network to {node.name}.")
        if node.name in net.failed:
            w.stop("timeout", f"{node.name} is down: nothing answers.")
            return
        w.hop(node_v(node.name, "eth0"), f"{node.name} receives it on eth0.")
        w.root_pass(node, "eth0")
