"""kube-proxy's external IPs, loadBalancerSourceRanges and KUBE-FIREWALL, as
kubernetes pkg/proxy/iptables/proxier_test.go expects them.

`flow()` is that file's runPacketFlowTests in small: a packet enters node-1 (through
OUTPUT if its source is one of node-1's addresses, else PREROUTING), the nat table
may DNAT it, then the filter table (INPUT for a local destination, else FORWARD)
may drop or reject it. The answer is the set of endpoints it was DNATed to
("10.244.1.2:80, 10.244.2.2:80"), "DROP", "REJECT" or "" (no rule touched it), and
whether KUBE-MARK-MASQ marked it. Addresses are the model's: node-1 is the proxier's
test node (192.168.10.11), pod clients are 10.244.3.9 (a pod on node-3), the
internet client 198.51.100.7; the upstream tests' 10.0.0.2, 192.168.0.2 and
203.0.113.2 play the same parts.
"""

from __future__ import annotations

import random

import pytest
from netbuilders import ClusterBuilder

from simulation.network.netfilter import Packet, run_hook
from simulation.network.proxy.iptables import chain_name

NODE_IP = "192.168.10.11"
POD = "10.244.3.9"
CLIENT = "198.51.100.7"  # the model's internet client
BLOCKED = "198.51.100.130"  # outside 198.51.100.0/25
LB1, LB2 = "192.168.10.240", "192.168.10.241"
EXT_IP = "192.168.99.11"
LOCAL_EP, REMOTE_EP = "10.244.1.2:80", "10.244.2.2:80"


def flow(m, src: str, dst: str, dport: int, node: str = "node-1", proto="tcp"):
    """(output, masq) for one packet, over enough draws to see every endpoint."""
    rs = m.ruleset(node)
    outs, masq = set(), set()
    for seed in range(24):
        rng = random.Random(seed)
        pkt = Packet(src, 40000, dst, dport, proto)
        hook = "OUTPUT" if src in rs.local else "PREROUTING"
        res = run_hook(rs, hook, pkt, "NEW", rng)
        verdict, nat = res.verdict, res.nat
        if verdict == "ACCEPT" and hook == "PREROUTING":
            second = "INPUT" if pkt.dst in rs.local else "FORWARD"
            verdict = run_hook(rs, second, pkt, "NEW", rng).verdict
        if verdict != "ACCEPT":
            outs.add(verdict)
        elif nat and nat["type"] == "DNAT":
            outs.add(nat["to"])
        else:
            outs.add("")
        masq.add(bool(pkt.mark))
    assert len(masq) == 1, "masquerading must not depend on the draw"
    return ", ".join(sorted(outs)), masq.pop()


def lb_service(b, name="svc1", etp="Cluster", ranges=None, ext_ips=None, lb=True):
    """A LoadBalancer Service whose IPs were set through status (as MetalLB or a
    cloud's controller does), with endpoints on node-1 and node-2."""
    b.pod(f"{name}-a", "node-1", labels={"app": name})
    b.pod(f"{name}-b", "node-2", labels={"app": name})
    svc = b.service(name, {"app": name}, type="LoadBalancer", etp=etp)
    if ranges is not None:
        svc["spec"]["loadBalancerSourceRanges"] = ranges
    if ext_ips is not None:
        svc["spec"]["externalIPs"] = ext_ips
    if lb:
        svc["status"] = {"loadBalancer": {"ingress": [{"ip": LB1}, {"ip": LB2}]}}
    b.store.put("services", svc)
    return svc


def test_load_balancer_source_ranges_packet_flows():
    """proxier_test.go TestLoadBalancer: LB traffic passes KUBE-FW-…, which lets in
    only loadBalancerSourceRanges (and, since a range holds the node, the LB IPs
    themselves as source); a NodePort bypasses the ranges."""
    b = ClusterBuilder()
    svc = lb_service(b, ranges=["192.168.10.0/24", " 198.51.100.0/25"])
    m = b.model()
    node_port = svc["spec"]["ports"][0]["nodePort"]
    both = f"{LOCAL_EP}, {REMOTE_EP}"
    cases = [
        ("pod to cluster IP", POD, "10.96.0.20", 80, both, False),
        ("external to nodePort", CLIENT, NODE_IP, node_port, both, True),
        (
            "nodePort bypasses LoadBalancerSourceRanges",
            BLOCKED,
            NODE_IP,
            node_port,
            both,
            True,
        ),
        ("accepted external to LB1", CLIENT, LB1, 80, both, True),
        ("accepted external to LB2", CLIENT, LB2, 80, both, True),
        ("blocked external to LB1", BLOCKED, LB1, 80, "DROP", False),
        ("blocked external to LB2", BLOCKED, LB2, 80, "DROP", False),
        (
            "pod to LB1 (blocked by LoadBalancerSourceRanges)",
            POD,
            LB1,
            80,
            "DROP",
            False,
        ),
        (
            "pod to LB2 (blocked by LoadBalancerSourceRanges)",
            POD,
            LB2,
            80,
            "DROP",
            False,
        ),
        (
            "node to LB1 (allowed by LoadBalancerSourceRanges)",
            NODE_IP,
            LB1,
            80,
            both,
            True,
        ),
        (
            "node to LB2 (allowed by LoadBalancerSourceRanges)",
            NODE_IP,
            LB2,
            80,
            both,
            True,
        ),
        (
            "same node to LB1, SNATted to LB1 (implicitly allowed)",
            LB1,
            LB1,
            80,
            both,
            True,
        ),
        (
            "same node to LB2, SNATted to LB2 (implicitly allowed)",
            LB2,
            LB2,
            80,
            both,
            True,
        ),
    ]
    for name, src, dst, port, output, masq in cases:
        got = flow(m, src, dst, port)
        want = (output, masq if output not in ("DROP", "REJECT", "") else got[1])
        assert got == want, name


def test_source_ranges_rules_as_in_overall_iptables_rules():
    """proxier_test.go TestOverallIPTablesRules (ns5/svc5): the loadbalancer IP jumps
    to KUBE-FW-…, which jumps to KUBE-EXT-… per source range and ends in a rule with
    no target; KUBE-PROXY-FIREWALL drops the rest in the filter table."""
    b = ClusterBuilder()
    lb_service(b, ranges=[" 203.0.113.0/25"])
    m = b.model()
    nat, filt = m.iptables_save("node-1", "nat"), m.iptables_save("node-1", "filter")
    fw = chain_name("FW", "default/svc1:http", "tcp")
    ext = chain_name("EXT", "default/svc1:http", "tcp")
    assert (
        f"-A KUBE-SERVICES -d {LB1}/32 -p tcp -m comment --comment "
        f'"default/svc1:http loadbalancer IP" -m tcp --dport 80 -j {fw}'
    ) in nat
    assert f":{fw} - [0:0]" in nat
    assert (
        f'-A {fw} -s 203.0.113.0/25 -m comment --comment "default/svc1:http '
        f'loadbalancer IP" -j {ext}'
    ) in nat
    # the node's 192.168.10.11 is not in 203.0.113.0/25: no LB-IP-as-source rule
    assert f"-A {fw} -s {LB1}/32" not in nat
    assert nat.splitlines().index(
        f'-A {fw} -m comment --comment "other traffic to default/svc1:http will be '
        'dropped by KUBE-PROXY-FIREWALL"'
    )
    for ip in (LB1, LB2):
        assert (
            f"-A KUBE-PROXY-FIREWALL -d {ip}/32 -p tcp -m comment --comment "
            f'"default/svc1:http traffic not accepted by {fw}" -m tcp --dport 80 '
            "-j DROP"
        ) in filt


def test_no_source_ranges_means_no_firewall_chain():
    """TestOverallIPTablesRules (ns2/svc2): without source ranges the LB IP goes
    straight to KUBE-EXT-… and KUBE-PROXY-FIREWALL stays empty."""
    b = ClusterBuilder()
    lb_service(b)
    m = b.model()
    nat, filt = m.iptables_save("node-1", "nat"), m.iptables_save("node-1", "filter")
    ext = chain_name("EXT", "default/svc1:http", "tcp")
    assert f'loadbalancer IP" -m tcp --dport 80 -j {ext}' in nat
    assert "KUBE-FW-" not in nat
    assert "-A KUBE-PROXY-FIREWALL" not in filt


def test_external_ip_rules_as_in_overall_iptables_rules():
    """TestOverallIPTablesRules (ns4/svc4 and ns2/svc2): an external IP jumps from
    KUBE-SERVICES to the Service's KUBE-EXT-… chain; with externalTrafficPolicy
    Local and no local endpoint, KUBE-EXTERNAL-SERVICES drops it."""
    b = ClusterBuilder()
    b.pod("web", "node-2", labels={"app": "web"})
    svc = b.service("web", {"app": "web"}, type="NodePort", etp="Local")
    svc["spec"]["externalIPs"] = [EXT_IP]
    b.store.put("services", svc)
    m = b.model()
    ext = chain_name("EXT", "default/web:http", "tcp")
    rule = (
        f"-A KUBE-SERVICES -d {EXT_IP}/32 -p tcp -m comment --comment "
        f'"default/web:http external IP" -m tcp --dport 80 -j {ext}'
    )
    assert rule in m.iptables_save("node-1", "nat")
    assert rule in m.iptables_save("node-2", "nat")
    drop = (
        f"-A KUBE-EXTERNAL-SERVICES -d {EXT_IP}/32 -p tcp -m comment --comment "
        '"default/web:http has no local endpoints" -m tcp --dport 80 -j DROP'
    )
    assert drop in m.iptables_save("node-1", "filter")
    assert drop not in m.iptables_save("node-2", "filter")


def test_a_clusterip_service_with_an_external_ip_gets_an_ext_chain():
    """TestOverallIPTablesRules (ns4/svc4 has externalIPs and no NodePort): the
    external IP alone makes the Service externally accessible, so KUBE-EXT-…
    masquerades (Cluster policy) and jumps to KUBE-SVC-…."""
    b = ClusterBuilder()
    b.pod("web", "node-2", labels={"app": "web"})
    svc = b.service("web", {"app": "web"})
    svc["spec"]["externalIPs"] = [EXT_IP]
    b.store.put("services", svc)
    nat = b.model().iptables_save("node-1", "nat")
    ext = chain_name("EXT", "default/web:http", "tcp")
    svc_chain = chain_name("SVC", "default/web:http", "tcp")
    assert (
        f'-A {ext} -m comment --comment "masquerade traffic for default/web:http '
        'external destinations" -j KUBE-MARK-MASQ'
    ) in nat
    assert f"-A {ext} -j {svc_chain}" in nat


def test_no_endpoints_reject_packet_flows():
    """proxier_test.go TestNoEndpointsReject: a Service with no endpoints rejects
    connections to its cluster IP, external IP, NodePort and LoadBalancer IP."""
    b = ClusterBuilder()
    svc = b.service("svc1", {"app": "none"}, type="LoadBalancer")
    svc["spec"]["externalIPs"] = [EXT_IP]
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": LB1}]}}
    b.store.put("services", svc)
    m = b.model()
    node_port = svc["spec"]["ports"][0]["nodePort"]
    cases = [
        ("pod to cluster IP with no endpoints", POD, "10.96.0.20", 80),
        ("external to external IP with no endpoints", CLIENT, EXT_IP, 80),
        ("pod to NodePort with no endpoints", POD, NODE_IP, node_port),
        ("external to NodePort with no endpoints", CLIENT, NODE_IP, node_port),
        ("pod to LoadBalancer IP with no endpoints", POD, LB1, 80),
        ("external to LoadBalancer IP with no endpoints", CLIENT, LB1, 80),
    ]
    for name, src, dst, port in cases:
        assert flow(m, src, dst, port)[0] == "REJECT", name
    filt = m.iptables_save("node-1", "filter")
    assert (
        f"-A KUBE-EXTERNAL-SERVICES -d {EXT_IP}/32 -p tcp -m comment --comment "
        '"default/svc1:http has no endpoints" -m tcp --dport 80 -j REJECT '
        "--reject-with icmp-port-unreachable"
    ) in filt


@pytest.mark.parametrize("etp", ["Local", "Cluster"])
def test_external_traffic_policy_packet_flows(etp):
    """proxier_test.go TestExternalTrafficPolicyLocal and …Cluster: with Local,
    external clients reach only node-1's endpoint with their address kept, while
    pods reach every endpoint; with Cluster everything external is masqueraded."""
    b = ClusterBuilder()
    svc = lb_service(b, etp=etp, ext_ips=[EXT_IP])
    m = b.model()
    node_port = svc["spec"]["ports"][0]["nodePort"]
    both = f"{LOCAL_EP}, {REMOTE_EP}"
    local = etp == "Local"
    cases = [
        ("pod to cluster IP", POD, "10.96.0.20", 80, both, False),
        ("pod to external IP", POD, EXT_IP, 80, both, not local),
        (
            "external to external IP",
            CLIENT,
            EXT_IP,
            80,
            LOCAL_EP if local else both,
            not local,
        ),
        ("pod to LB IP", POD, LB1, 80, both, not local),
        ("external to LB IP", CLIENT, LB1, 80, LOCAL_EP if local else both, not local),
        ("pod to NodePort", POD, NODE_IP, node_port, both, not local),
        (
            "external to NodePort",
            CLIENT,
            NODE_IP,
            node_port,
            LOCAL_EP if local else both,
            not local,
        ),
    ]
    for name, src, dst, port, output, masq in cases:
        assert flow(m, src, dst, port) == (output, masq), name


def test_kube_firewall_blocks_incoming_localnet_connections():
    """proxier_test.go TestNodePorts (expectFirewall with localhost NodePorts, the
    default) and TestOverallIPTablesRules: KUBE-FIREWALL drops packets for
    127.0.0.0/8 that do not come from it, unless they belong to a connection or
    were DNATed; INPUT and OUTPUT jump to it (the kubelet's jumps)."""
    m = ClusterBuilder().model()
    filt = m.iptables_save("node-1", "filter")
    assert (
        "-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "
        '"block incoming localnet connections" -m conntrack ! --ctstate '
        "RELATED,ESTABLISHED,DNAT -j DROP"
    ) in filt
    assert "-A INPUT -j KUBE-FIREWALL" in filt
    assert "-A OUTPUT -j KUBE-FIREWALL" in filt
    rs = m.ruleset("node-1")
    martian = Packet("192.168.10.12", 40000, "127.0.0.1", 8080, "tcp")
    assert run_hook(rs, "INPUT", martian, "NEW", random.Random(0)).verdict == "DROP"
    for state in ("ESTABLISHED", "DNAT"):
        pkt = Packet("192.168.10.12", 40000, "127.0.0.1", 8080, "tcp")
        assert run_hook(rs, "INPUT", pkt, state, random.Random(0)).verdict == "ACCEPT"
    own = Packet("127.0.0.1", 40000, "127.0.0.1", 8080, "tcp")
    assert run_hook(rs, "INPUT", own, "NEW", random.Random(0)).verdict == "ACCEPT"


def test_internet_reaches_a_status_lb_ip_on_bare_metal():
    """A LoadBalancer IP set through status (MetalLB's way on bare metal) routes from
    the internet to a node, where KUBE-SERVICES' "loadbalancer IP" rule DNATs it
    (TestLoadBalancer "accepted external to LB1")."""
    b = ClusterBuilder()
    lb_service(b)
    r = b.model().trace("internet", f"{LB1}:80", random.Random(1))
    assert r.verdict == "delivered", r.reason
    dnat = next(h for h in r.hops if h["nat"] and h["nat"]["type"] == "DNAT")
    assert dnat["nat"]["from"] == f"{LB1}:80"
    assert dnat["nat"]["to"] in (LOCAL_EP, REMOTE_EP)
    assert "loadbalancer IP" in " ".join(dnat["rules"])


def test_internet_outside_source_ranges_is_dropped_by_kube_proxy_firewall():
    """TestLoadBalancer "blocked external to LB1": on bare metal the packet reaches
    the node with the client's address, KUBE-FW-… lets it through to no endpoint
    and the filter table's KUBE-PROXY-FIREWALL drops it."""
    b = ClusterBuilder()
    lb_service(b, ranges=["203.0.113.0/25"])
    r = b.model().trace("internet", f"{LB1}:80", random.Random(1))
    assert r.verdict == "dropped"
    assert "KUBE-PROXY-FIREWALL" in r.reason and "traffic not accepted" in r.reason
    pre = next(h for h in r.hops if h["hook"] == "PREROUTING")
    assert "lets in only the Service's loadBalancerSourceRanges" in pre["explain"]


def test_internet_reaches_an_external_ip():
    """TestExternalTrafficPolicyCluster "external to external IP hits both
    endpoints, masqueraded", end to end: routed to a node, DNATed there."""
    b = ClusterBuilder()
    lb_service(b, ext_ips=[EXT_IP], lb=False)
    r = b.model().trace("internet", f"{EXT_IP}:80", random.Random(2))
    assert r.verdict == "delivered", r.reason
    assert any("external IP" in " ".join(h.get("rules") or ()) for h in r.hops)


def test_cloud_load_balancer_honours_source_ranges():
    """On a cloud the provider's firewall for the load balancer applies
    loadBalancerSourceRanges (the LB forwards to NodePorts, which kube-proxy does
    not filter by range: TestLoadBalancer "nodePort bypasses
    LoadBalancerSourceRanges")."""
    b = ClusterBuilder(platform="cloud")
    b.pod("web", "node-2", labels={"app": "web"})
    svc = b.service("web", {"app": "web"}, type="LoadBalancer")
    lb_ip = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    svc["spec"]["loadBalancerSourceRanges"] = ["203.0.113.0/25"]
    b.store.put("services", svc)
    m = b.model()
    assert m.trace("internet", f"{lb_ip}:80").verdict == "dropped"
    svc["spec"]["loadBalancerSourceRanges"] = ["198.51.100.0/24"]
    b.store.put("services", svc)
    assert m.trace("internet", f"{lb_ip}:80").verdict == "delivered"


def _node_port_cluster(cidrs=()):
    b = ClusterBuilder()
    b.config.node_port_addresses = tuple(cidrs)
    b.pod("np-a", "node-1", labels={"app": "np"})
    b.pod("np-b", "node-2", labels={"app": "np"})
    svc = b.service("np", {"app": "np"}, type="NodePort")
    return b.model(), svc["spec"]["ports"][0]["nodePort"]


def test_node_ports_on_every_local_address_by_default():
    """proxier_test.go TestNodePorts "ipv4, localhost-nodeports enabled": external,
    node and localhost clients reach the NodePort (masqueraded), also on the
    node's secondary address (here cni0's 10.244.1.1)."""
    m, np = _node_port_cluster()
    both = f"{LOCAL_EP}, {REMOTE_EP}"
    cases = [
        ("pod to cluster IP", POD, "10.96.0.20", 80, (both, False)),
        ("external to nodePort", CLIENT, NODE_IP, np, (both, True)),
        ("node to nodePort", NODE_IP, NODE_IP, np, (both, True)),
        (
            "localhost to nodePort gets masqueraded",
            "127.0.0.1",
            "127.0.0.1",
            np,
            (both, True),
        ),
        (
            "external to nodePort on secondary IP",
            CLIENT,
            "10.244.1.1",
            np,
            (both, True),
        ),
    ]
    for name, src, dst, port, want in cases:
        assert flow(m, src, dst, port) == want, name


def test_node_port_addresses_limit_node_ports_to_those_addresses():
    """proxier_test.go TestNodePorts with nodePortAddresses ("ipv4,
    localhost-nodeports disabled, localhost in nodeport-addresses" without the
    localhost entry): KUBE-SERVICES jumps to KUBE-NODEPORTS with `-d <node IP>`
    instead of `--dst-type LOCAL`, so the secondary IP and localhost ignore
    NodePorts (proxier.go: one rule per node address inside the CIDRs)."""
    m, np = _node_port_cluster(["192.168.10.0/24"])
    nat = m.iptables_save("node-1", "nat")
    services = [x for x in nat.splitlines() if x.startswith("-A KUBE-SERVICES")]
    assert services[-1] == (
        f'-A KUBE-SERVICES -d {NODE_IP}/32 -m comment --comment "kubernetes '
        'service nodeports; NOTE: this must be the last rule in this chain" '
        "-j KUBE-NODEPORTS"
    )
    assert "--dst-type LOCAL -j KUBE-NODEPORTS" not in nat
    both = f"{LOCAL_EP}, {REMOTE_EP}"
    cases = [
        ("external to nodePort", CLIENT, NODE_IP, np, (both, True)),
        ("node to nodePort", NODE_IP, NODE_IP, np, (both, True)),
        ("secondary nodeIP ignores NodePorts", CLIENT, "10.244.1.1", np, ("", False)),
        ("localhost to nodePort is ignored", "127.0.0.1", "127.0.0.1", np, ("", False)),
    ]
    for name, src, dst, port, want in cases:
        assert flow(m, src, dst, port) == want, name
    # the internet still reaches the NodePort on the node IP, end to end
    r = m.trace("internet", f"{NODE_IP}:{np}", random.Random(0))
    assert r.verdict == "delivered"


def test_node_port_addresses_with_several_cidrs_list_each_address():
    """TestNodePorts "multiple nodeport-addresses": each local address inside any
    of the CIDRs gets its own jump (loopback kept: localhost NodePorts are on)."""
    m, _ = _node_port_cluster(["192.168.10.0/24", "127.0.0.1/32"])
    nat = m.iptables_save("node-1", "nat")
    jumps = [x.split()[3] for x in nat.splitlines() if x.endswith("-j KUBE-NODEPORTS")]
    assert jumps == ["127.0.0.1/32", f"{NODE_IP}/32"]


def test_health_check_fails_where_every_local_endpoint_is_terminating():
    """proxier_test.go TestHealthCheckNodePortWhenTerminating: the health check
    node port counts only ready local endpoints, so a node whose endpoints are all
    terminating fails it and the cloud load balancer sends it nothing, although
    kube-proxy's rules still use the serving, terminating endpoint."""
    b = ClusterBuilder(platform="cloud")
    b.pod("web", "node-2", labels={"app": "web"})
    svc = b.service("web", {"app": "web"}, type="LoadBalancer", etp="Local")
    lb_ip = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    sl = b.store.get("endpointslices", "default", "web-abcde")
    sl["endpoints"][0]["conditions"] = {
        "ready": False,
        "serving": True,
        "terminating": True,
    }
    b.store.put("endpointslices", sl)
    m = b.model()
    r = m.trace("internet", f"{lb_ip}:80")
    assert r.verdict == "dropped"
    assert r.reason == "The load balancer has no healthy node to send to."
    # the rules on node-2 still DNAT to the terminating endpoint
    assert flow(m, CLIENT, lb_ip, 80, node="node-2")[0] == "10.244.2.2:80"


def test_local_policy_falls_back_to_its_own_terminating_endpoints():
    """proxier_test.go TestTerminatingEndpointsTrafficPolicyLocal ("only
    terminating endpoints exist" locally) and kube-proxy's CategorizeEndpoints
    (pkg/proxy/topology.go): usable endpoints are the ready ones, falling back to
    serving-terminating ones independently for Cluster and Local. With a ready
    endpoint on node-2 and only a terminating one on node-1, node-1 sends
    external NodePort traffic (Local) to its own terminating endpoint, while
    cluster IP traffic (Cluster) goes to the ready one."""
    b = ClusterBuilder()
    b.pod("web-a", "node-1", labels={"app": "web"})
    b.pod("web-b", "node-2", labels={"app": "web"})
    svc = b.service("web", {"app": "web"}, type="NodePort", etp="Local")
    sl = b.store.get("endpointslices", "default", "web-abcde")
    sl["endpoints"][0]["conditions"] = {
        "ready": False,
        "serving": True,
        "terminating": True,
    }
    b.store.put("endpointslices", sl)
    m = b.model()
    np = svc["spec"]["ports"][0]["nodePort"]
    assert flow(m, CLIENT, NODE_IP, np) == (LOCAL_EP, False)
    assert flow(m, POD, "10.96.0.20", 80) == (REMOTE_EP, False)
    assert "has no local endpoints" not in m.iptables_save("node-1", "filter")


def test_health_check_node_port_is_served_by_kube_proxy():
    """proxier_test.go TestHealthCheckNodePort: the filter table ACCEPTs the
    healthCheckNodePort from anywhere (nodePortAddresses do not limit it) and no
    rule is left once the Service is gone; kube-proxy itself answers on it, 200
    where a ready local endpoint exists and 503 elsewhere."""
    b = ClusterBuilder(platform="cloud")
    b.config.node_port_addresses = ("127.0.0.0/8",)
    b.pod("web", "node-2", labels={"app": "web"})
    svc = b.service("web", {"app": "web"}, type="LoadBalancer", etp="Local")
    svc["spec"]["healthCheckNodePort"] = 32000
    b.store.put("services", svc)
    m = b.model()
    rs = m.ruleset("node-1")
    pkt = Packet("1.2.3.4", 40000, NODE_IP, 32000, "tcp")
    res = run_hook(rs, "INPUT", pkt, "NEW", random.Random(0))
    assert res.rules[-1].endswith("--dport 32000 -j ACCEPT")
    with_ep = m.trace("internet", "192.168.10.12:32000")
    assert with_ep.verdict == "delivered"
    assert "HTTP 200 (localEndpoints: 1)" in with_ep.hops[-1]["explain"]
    without = m.trace("internet", f"{NODE_IP}:32000")
    assert without.verdict == "delivered"
    assert "HTTP 503" in without.hops[-1]["explain"]
    b.store.delete("services", "default", "web")
    gone = m.ruleset("node-1")
    pkt = Packet("1.2.3.4", 40000, NODE_IP, 32000, "tcp")
    res = run_hook(gone, "INPUT", pkt, "NEW", random.Random(0))
    assert not any("32000" in r for r in res.rules)
    assert m.trace("internet", f"{NODE_IP}:32000").verdict == "refused"


def test_cluster_ip_general_packet_flows():
    """proxier_test.go TestClusterIPGeneral: a simple cluster IP, hairpin traffic
    (masqueraded), several endpoints, a targetPort, TCP and UDP on the same port
    (SCTP is not modelled), and ports or protocols a Service does not have."""
    b = ClusterBuilder()
    b.pod("one", "node-1", labels={"app": "one"})
    b.service("svc1", {"app": "one"})  # 10.96.0.20
    two = {"http": 80, "https": 8443, "dns-udp": 53, "dns-tcp": 5353}
    containers = {
        "app": [{"containerPort": p, "protocol": "TCP"} for p in two.values()]
    }
    containers["app"][2]["protocol"] = "UDP"
    b.pod("two-a", "node-1", labels={"app": "two"}, containers=containers)
    b.pod("two-b", "node-2", labels={"app": "two"}, containers=containers)
    b.service(
        "svc2",
        {"app": "two"},
        ports=[
            {"name": "http", "port": 80},
            {"name": "https", "port": 443, "targetPort": 8443},
            {"name": "dns-udp", "port": 53, "protocol": "UDP"},
            {"name": "dns-tcp", "port": 53, "targetPort": 5353},
        ],
    )  # 10.96.0.21
    m = b.model()
    one, a, c = "10.244.1.2", "10.244.1.3", "10.244.2.2"
    client = "10.244.3.9"
    cases = [
        ("simple clusterIP", client, "10.96.0.20", 80, "tcp", f"{one}:80", False),
        ("hairpin to cluster IP", one, "10.96.0.20", 80, "tcp", f"{one}:80", True),
        (
            "clusterIP with multiple endpoints",
            client,
            "10.96.0.21",
            80,
            "tcp",
            f"{a}:80, {c}:80",
            False,
        ),
        (
            "clusterIP with TargetPort",
            client,
            "10.96.0.21",
            443,
            "tcp",
            f"{a}:8443, {c}:8443",
            False,
        ),
        (
            "clusterIP with TCP and UDP on same port (TCP)",
            client,
            "10.96.0.21",
            53,
            "tcp",
            f"{a}:5353, {c}:5353",
            False,
        ),
        (
            "clusterIP with TCP and UDP on same port (UDP)",
            client,
            "10.96.0.21",
            53,
            "udp",
            f"{a}:53, {c}:53",
            False,
        ),
        (
            "TCP-only port does not match UDP traffic",
            client,
            "10.96.0.21",
            80,
            "udp",
            "",
            False,
        ),
        (
            "svc1 does not accept svc2's ports",
            client,
            "10.96.0.20",
            443,
            "tcp",
            "",
            False,
        ),
    ]
    for name, src, dst, port, proto, output, masq in cases:
        assert flow(m, src, dst, port, proto=proto) == (output, masq), name


@pytest.mark.parametrize(
    ("itp", "web_nodes", "output"),
    [
        ("Cluster", ("node-1", "node-2", "node-3"), "all"),
        ("Local", ("node-1", "node-2", "node-3"), "local"),
        ("Local", ("node-2", "node-3"), "DROP"),
    ],
)
def test_internal_traffic_policy_packet_flows(itp, web_nodes, output):
    """proxier_test.go TestInternalTrafficPolicy: Cluster reaches every endpoint,
    Local only node-1's, and Local without a local endpoint is dropped ("has no
    local endpoints" in the filter table); once the endpoints are gone, REJECT."""
    b = ClusterBuilder()
    for i, node in enumerate(web_nodes):
        b.pod(f"web-{i}", node, labels={"app": "web"})
    svc = b.service("svc1", {"app": "web"})
    svc["spec"]["internalTrafficPolicy"] = itp
    b.store.put("services", svc)
    m = b.model()
    eps = sorted(f"10.244.{n[-1]}.2:80" for n in web_nodes)
    want = {
        "all": ", ".join(eps),
        "local": "10.244.1.2:80",
        "DROP": "DROP",
    }[output]
    assert flow(m, POD, "10.96.0.20", 80) == (want, False)
    if output == "DROP":
        assert (
            "-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment "
            '"default/svc1:http has no local endpoints" -m tcp --dport 80 -j DROP'
        ) in m.iptables_save("node-1", "filter")
    for i in range(len(web_nodes)):
        b.store.delete("pods", "default", f"web-{i}")
    b.endpoints("svc1")
    assert flow(m, POD, "10.96.0.20", 80)[0] == "REJECT"


def test_an_ip_mode_proxy_load_balancer_ip_is_not_captured():
    """kube-proxy's IsVIPMode (pkg/proxy/util): a status ingress with ipMode Proxy
    is the proxy's own address, so kube-proxy writes no "loadbalancer IP" rule for
    it (an ingress without ipMode, or ipMode VIP, is captured)."""
    b = ClusterBuilder()
    svc = lb_service(b)
    svc["status"] = {
        "loadBalancer": {
            "ingress": [{"ip": LB1, "ipMode": "Proxy"}, {"ip": LB2, "ipMode": "VIP"}]
        }
    }
    b.store.put("services", svc)
    m = b.model()
    nat = m.iptables_save("node-1", "nat")
    assert f"-d {LB1}/32" not in nat
    assert f'-A KUBE-SERVICES -d {LB2}/32 -p tcp -m comment --comment "default/' in nat
    assert flow(m, CLIENT, LB1, 80) == ("", False)
