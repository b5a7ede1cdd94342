"""Packet paths a learner steps through: each test checks what the headers show."""

from __future__ import annotations

import random

from netbuilders import ClusterBuilder, web_cluster


def _hooks(hops, node):
    return [h["hook"] for h in hops if h["node"] == node and h["hook"]]


def test_containers_in_one_pod_talk_over_lo():
    """Two containers of one pod share the netns: the packet stays on lo."""
    b = ClusterBuilder()
    b.pod("app", "node-1", containers={"web": [80], "sidecar": [9000]})
    r = b.model().trace("default/app:web", "localhost:9000", random.Random(1))
    assert r.verdict == "delivered"
    assert [h["at"] for h in r.hops] == [
        "pod/default/app/c/web",
        "pod/default/app/lo",
        "pod/default/app/c/sidecar",
    ]
    assert r.hops[-1]["src"].startswith("127.0.0.1:")
    assert r.hops[-1]["dst"] == "127.0.0.1:9000"
    assert all(
        h["node"] == "node-1" and h["netns"] == "pod default/app" for h in r.hops
    )


def test_pod_to_pod_same_node_crosses_bridge_without_nat():
    """Same node: veth -> cni0 -> veth, no NAT, no encapsulation."""
    b = ClusterBuilder()
    b.pod("a", "node-1", ports=[])
    b.pod("b", "node-1", ports=[8080])
    r = b.model().trace("a", "10.244.1.3:8080", random.Random(1))
    assert r.verdict == "delivered"
    devices = [h["device"] for h in r.hops if h["node"] == "node-1"]
    assert devices[:4] == [None, "eth0", r.hops[2]["device"], "cni0"]
    assert r.hops[2]["device"].startswith("veth")
    assert all(h["nat"] is None and h["outer"] is None for h in r.hops)
    assert {h["src"].split(":")[0] for h in r.hops} == {"10.244.1.2"}
    g = b.model().graph
    assert r.hops[1]["mac"] == {
        "src": g.nodes["pod/default/a/eth0"]["mac"],
        "dst": g.nodes["pod/default/b/eth0"]["mac"],
    }
    bridge = [h for h in r.hops if h["device"] == "cni0"][-1]
    assert bridge["mac"] == r.hops[1]["mac"]  # bridged: the sender's MAC is kept
    assert "Bridged, not routed" in " ".join(h["explain"] for h in r.hops)


def test_pod_to_pod_across_nodes_overlay_wraps_in_vxlan():
    """Overlay: flannel.1 adds UDP 8472/VNI 1 node->node; inner IPs unchanged."""
    b = ClusterBuilder(cni="overlay")
    b.pod("a", "node-1", ports=[])
    b.pod("b", "node-2", ports=[80])
    r = b.model().trace("a", "10.244.2.2:80", random.Random(1))
    assert r.verdict == "delivered"
    outers = [h["outer"] for h in r.hops if h["outer"]]
    assert outers and all(
        o
        == {
            "src": "192.168.10.11",
            "dst": "192.168.10.12",
            "proto": "udp",
            "dport": 8472,
            "vni": 1,
        }
        for o in outers
    )
    assert "node/node-1/flannel.1" in [h["at"] for h in r.hops]
    assert {(h["src"].split(":")[0], h["dst"]) for h in r.hops} == {
        ("10.244.1.2", "10.244.2.2:80")
    }
    assert r.reply[-1]["src"] == "10.244.2.2:80"


def test_pod_to_pod_across_nodes_routed_has_no_encapsulation():
    """Routed (host-gw): a route to the peer podCIDR via its node IP, no outer."""
    b = ClusterBuilder(cni="routed")
    b.pod("a", "node-1", ports=[])
    b.pod("b", "node-2", ports=[80])
    m = b.model()
    r = m.trace("a", "10.244.2.2:80", random.Random(1))
    assert r.verdict == "delivered"
    assert all(h["outer"] is None for h in r.hops)
    assert not any("flannel.1" in h["at"] for h in r.hops)
    routing = [h["route"] for h in r.hops if h.get("route") and h["node"] == "node-1"]
    assert "10.244.2.0/24 via 192.168.10.12 dev eth0" in routing


def test_node_to_local_pod_uses_cni0_address_without_nat():
    """A node reaches its own pods directly; source is the node's cni0 address."""
    b = ClusterBuilder()
    b.pod("web", "node-1", ports=[80])
    r = b.model().trace("node/node-1", "10.244.1.2:80", random.Random(1))
    assert r.verdict == "delivered"
    assert r.hops[0]["hook"] is None and r.hops[1]["hook"] == "OUTPUT"
    assert {h["src"].split(":")[0] for h in r.hops} == {"10.244.1.1"}
    assert all(h["nat"] is None for h in r.hops)


def test_pod_to_service_by_name_resolves_then_dnats_on_source_node():
    """DNS via CoreDNS (itself DNATed) first, then DNAT on the client's node."""
    b = web_cluster()
    r = b.model().trace("client", "web", random.Random(3))
    assert r.verdict == "delivered"
    assert r.dns["answer"] == "10.96.0.20"
    assert r.dns["queries"][0] == ["web.default.svc.cluster.local", "10.96.0.20"]
    dns_nat = [h["nat"] for h in r.dns["hops"] if h["nat"]]
    assert dns_nat[0]["from"] == "10.96.0.10:53"
    assert "KUBE-SEP-" in dns_nat[0]["rule"]
    dnat = [h for h in r.hops if h["nat"]]
    assert len(dnat) == 1
    assert dnat[0]["node"] == "node-1" and dnat[0]["hook"] == "PREROUTING"
    assert dnat[0]["nat"]["type"] == "DNAT"
    assert dnat[0]["nat"]["from"] == "10.96.0.20:80"
    assert dnat[0]["nat"]["to"] in ("10.244.2.3:80", "10.244.3.2:80")
    assert any("KUBE-SVC-" in rule for rule in dnat[0]["rules"])
    undnat = [h for h in r.reply if h["nat"]]
    assert [h["nat"]["type"] for h in undnat] == ["un-DNAT"]
    assert undnat[0]["node"] == "node-1"
    assert r.reply[-1]["src"] == "10.96.0.20:80"
    assert any(
        e.startswith("tcp") and "dst=10.96.0.20" in e for e in r.conntrack["node-1"]
    )


def test_endpoint_pick_follows_the_rng_like_the_statistic_match():
    """Two endpoints: the first SEP is taken when rng.random() < 0.5."""

    class Fixed(random.Random):
        def __init__(self, value):
            super().__init__(0)
            self.value = value

        def random(self):
            return self.value

    b = web_cluster()
    m = b.model()
    low = m.trace("client", "10.96.0.20:80", Fixed(0.1))
    high = m.trace("client", "10.96.0.20:80", Fixed(0.9))
    assert [h["nat"]["to"] for h in low.hops if h["nat"]] == ["10.244.2.3:80"]
    assert [h["nat"]["to"] for h in high.hops if h["nat"]] == ["10.244.3.2:80"]


def test_hairpin_pod_reaches_itself_through_its_service():
    """The SEP's `-s <pod>` rule marks it, so it is masqueraded to cni0's IP."""
    b = ClusterBuilder()
    b.pod("solo", "node-1", labels={"app": "solo"}, ports=[80])
    b.service("solo", {"app": "solo"})
    r = b.model().trace("solo", "10.96.0.20:80", random.Random(1))
    assert r.verdict == "delivered"
    nats = [h["nat"] for h in r.hops if h["nat"]]
    assert [n["type"] for n in nats] == ["DNAT", "MASQUERADE"]
    assert nats[1]["to"].startswith("10.244.1.1:")
    assert r.hops[-1]["src"].startswith("10.244.1.1:")
    assert "hairpin" in [h for h in r.hops if h["device"] == "cni0"][-1]["explain"]
    assert [h["nat"]["type"] for h in r.reply if h["nat"]] == ["un-SNAT", "un-DNAT"]


def test_nodeport_cluster_policy_snats_to_the_entry_node():
    """Cluster policy: entry node DNATs to a pod elsewhere and masquerades."""
    b = ClusterBuilder()
    b.pod("web", "node-2", labels={"app": "web"}, ports=[80])
    b.service("web", {"app": "web"}, type="NodePort")
    r = b.model().trace("internet", "192.168.10.11:30080", random.Random(1))
    assert r.verdict == "delivered"
    nats = [(h["node"], h["hook"], h["nat"]["type"]) for h in r.hops if h["nat"]]
    assert nats == [
        ("node-1", "PREROUTING", "DNAT"),
        ("node-1", "POSTROUTING", "MASQUERADE"),
    ]
    rules = [h for h in r.hops if h["nat"]][0]["rules"]
    assert any(x.startswith("-A KUBE-NODEPORTS") for x in rules)
    assert any("masquerade traffic for default/web:http external" in x for x in rules)
    seen = r.hops[-1]["src"].split(":")[0]
    assert seen == "10.244.1.0"  # node-1's flannel.1 address, not the client
    assert r.reply[-1]["dst"].startswith("198.51.100.7:")
    assert r.reply[-1]["src"] == "192.168.10.11:30080"


def test_nodeport_local_policy_keeps_client_ip_on_a_node_with_an_endpoint():
    b = ClusterBuilder()
    b.pod("web", "node-2", labels={"app": "web"}, ports=[80])
    b.service("web", {"app": "web"}, type="NodePort", etp="Local")
    r = b.model().trace("internet", "192.168.10.12:30080", random.Random(1))
    assert r.verdict == "delivered"
    assert [h["nat"]["type"] for h in r.hops if h["nat"]] == ["DNAT"]
    assert r.hops[-1]["src"].startswith("198.51.100.7:")
    assert any("KUBE-SVL-" in x for x in [h for h in r.hops if h["nat"]][0]["rules"])


def test_nodeport_local_policy_drops_on_a_node_without_an_endpoint():
    b = ClusterBuilder()
    b.pod("web", "node-2", labels={"app": "web"}, ports=[80])
    b.service("web", {"app": "web"}, type="NodePort", etp="Local")
    r = b.model().trace("internet", "192.168.10.11:30080", random.Random(1))
    assert r.verdict == "dropped"
    assert r.reply == []
    last = r.hops[-1]
    assert last["hook"] == "INPUT" and last["node"] == "node-1"
    assert "has no local endpoints" in last["rules"][-1]
    assert last["rules"][-1].endswith("-j DROP")


def test_loadbalancer_from_the_internet_goes_lb_nodeport_pod():
    b = ClusterBuilder(platform="cloud")
    b.pod("web", "node-2", labels={"app": "web"}, ports=[80])
    b.service("web", {"app": "web"}, type="LoadBalancer")
    r = b.model().trace("internet", "203.0.113.10:80", random.Random(2))
    assert r.verdict == "delivered"
    ats = [h["at"] for h in r.hops]
    assert ats[:3] == ["client", "internet", "lb"]
    lb = r.hops[2]["nat"]
    assert lb["from"] == "203.0.113.10:80" and lb["to"].endswith(":30080")
    assert r.reply[-1]["src"] == "203.0.113.10:80"


def test_pod_to_internet_is_masqueraded_to_the_node_ip():
    b = web_cluster()
    r = b.model().trace("client", "http://example.com/", random.Random(1))
    assert r.verdict == "delivered"
    assert [q[1] for q in r.dns["queries"][:3]] == ["NXDOMAIN"] * 3
    masq = [h["nat"] for h in r.hops if h["nat"]]
    assert [n["type"] for n in masq] == ["MASQUERADE"]
    assert masq[0]["to"].startswith("192.168.10.11:")
    assert "flanneld masq" in masq[0]["rule"]
    assert r.hops[-1]["at"] == "internet"
    assert [h["nat"]["type"] for h in r.reply if h["nat"]] == ["un-SNAT"]


def test_ingress_controller_terminates_and_opens_a_new_connection():
    b = web_cluster(platform="cloud")
    b.ingress_controller()
    b.ingress("shop", "shop.example.com", {"/": ("web", 80)})
    r = b.model().trace("internet", "http://shop.example.com/cart", random.Random(4))
    assert r.verdict == "delivered"
    assert r.http["status"] == 200 and r.http["rule"] == "shop.example.com/ (Prefix)"
    kinds = [leg["kind"] for leg in r.legs]
    assert kinds == ["request", "upstream"]
    upstream = r.legs[1]["hops"]
    assert upstream[0]["at"].startswith("pod/ingress-nginx/")
    assert upstream[-1]["dst"] in ("10.244.2.3:80", "10.244.3.2:80")
    assert not any(h["nat"] and h["nat"]["type"] == "DNAT" for h in upstream)


def test_host_network_pod_sends_from_the_node_namespace():
    b = ClusterBuilder()
    b.pod("agent", "node-1", containers={"agent": [9100]}, host_network=True)
    b.pod("web", "node-2", ports=[80])
    m = b.model()
    r = m.trace("agent", "10.244.2.2:80", random.Random(1))
    assert r.verdict == "delivered"
    assert r.hops[0]["at"] == "pod/default/agent/c/agent"
    assert r.hops[0]["netns"] == "root"
    assert r.hops[1]["at"] == "node/node-1/root"
    assert r.reply[-1]["at"] == "pod/default/agent/c/agent"


def test_shortest_path_ties_are_broken_by_name():
    """Two equal paths (via two nodes' LAN ports): always the same one."""
    from simulation.network.graph import shortest_path

    m = ClusterBuilder(nodes=3).model()
    g = m.graph
    one = shortest_path(g, "node/node-1/root", "node/node-3/root")
    assert one == m.path("node/node-1/root", "node/node-3/root")
    assert one == [
        "node/node-1/root",
        "node/node-1/eth0",
        "lan",
        "node/node-3/eth0",
        "node/node-3/root",
    ]
    h = g.copy()
    h.add_edge("node/node-1/root", "shortcut-a")
    h.add_edge("shortcut-a", "node/node-3/root")
    h.add_edge("node/node-1/root", "shortcut-b")
    h.add_edge("shortcut-b", "node/node-3/root")
    picks = {
        tuple(shortest_path(h, "node/node-1/root", "node/node-3/root"))
        for _ in range(5)
    }
    assert picks == {("node/node-1/root", "shortcut-a", "node/node-3/root")}


def test_protocol_style_object_destinations():
    """`svc/NS/NAME:PORT` means the ClusterIP (no DNS); `pod/...`, `node/...:PORT`."""
    b = web_cluster()
    b.service("np", {"app": "web"}, type="NodePort")
    m = b.model()
    r = m.trace("pod/default/client", "svc/default/web:80", random.Random(1))
    assert r.verdict == "delivered" and r.dns is None
    assert r.hops[0]["dst"] == "10.96.0.20:80"
    assert r.destination == "svc/default/web:80"
    r = m.trace("pod/default/client", "pod/default/web-2", random.Random(1))
    assert r.hops[0]["dst"] == "10.244.3.2:80" and r.verdict == "delivered"
    r = m.trace("internet", "node/node-3:30080", random.Random(1))
    assert r.verdict == "delivered"


def test_the_model_never_mutates_the_objects_it_reads():
    import copy

    b = web_cluster(platform="cloud")
    b.ingress_controller()
    b.ingress("shop", "shop.example.com", {"/": ("web", 80)})
    before = copy.deepcopy(b.store.objects)
    m = b.model()
    m.trace("internet", "http://shop.example.com/", random.Random(1))
    m.trace("client", "web", random.Random(1))
    for node in m.idx.nodes:
        m.iptables_save(node)
        m.routes_text(node)
    assert b.store.objects == before
