"""A packet's headers layer by layer at every hop, and a node's layer-2 tables.

Facts followed: Linux sends with TTL 64 (net.ipv4.ip_default_ttl) and ip_forward()
lowers it by one at each routing hop, while a bridge forwards by MAC without
touching it; flannel's VXLAN backend (backend/vxlan/vxlan_network.go) writes, per
remote node, a PERMANENT neighbour entry for the VTEP address and an FDB entry
naming the node's IP, and sizes flannel.1 at the link MTU minus 50
(encapOverhead); VXLAN rides on UDP 8472 (the Linux kernel's default port).
"""

from __future__ import annotations

import random

from netbuilders import ClusterBuilder, web_cluster

from simulation.network import tables


def _at(hops, node, device):
    return [h for h in hops if h["node"] == node and h["device"] == device]


def test_ttl_is_64_at_the_sender_and_one_less_at_each_routing_node():
    """Cross-node pod to pod (overlay): node-1 and node-2 each route it once."""
    b = web_cluster()
    r = b.model().trace("client", "10.244.2.3:80", random.Random(1))
    assert r.verdict == "delivered"
    ttls = [h["pdu"]["l3"]["ttl"] for h in r.hops]
    assert ttls[0] == 64
    assert ttls[-1] == 62
    forwards = [h for h in r.hops if h["hook"] == "FORWARD"]
    assert [h["pdu"]["l3"]["ttl"] for h in forwards] == [63, 62]
    # The reply starts again at 64 in the web pod and loses one per node as well.
    assert r.reply[0]["pdu"]["l3"]["ttl"] == 64
    assert r.reply[-1]["pdu"]["l3"]["ttl"] == 62


def test_a_bridged_packet_keeps_its_ttl_and_its_sender_mac():
    """Same node, same subnet: the bridge forwards by MAC, so no TTL decrement."""
    b = ClusterBuilder()
    b.pod("a", "node-1", ports=[])
    b.pod("b", "node-1", ports=[8080])
    r = b.model().trace("a", "10.244.1.3:8080", random.Random(1))
    assert {h["pdu"]["l3"]["ttl"] for h in r.hops} == {64}
    first = r.hops[1]["pdu"]["l2"]
    last = _at(r.hops, "node-1", "eth0")[-1]["pdu"]["l2"]
    assert first["src"] == last["src"]  # the frame still comes from pod a's eth0
    kinds = [e["kind"] for h in r.hops for e in h["events"]]
    assert "bridge" in kinds and "fdb" in kinds


def test_vxlan_hops_carry_outer_headers_and_the_mtu_arithmetic():
    b = web_cluster()
    net = b.model()
    r = net.trace("client", "10.244.2.3:80", random.Random(1))
    (eth0,) = [
        h for h in _at(r.hops, "node-1", "eth0") if h["at"] == "node/node-1/eth0"
    ]
    outer = eth0["pdu"]["outer"]
    assert (outer["src"], outer["dst"]) == ("192.168.10.11", "192.168.10.12")
    assert (outer["proto"], outer["dport"], outer["vni"]) == ("udp", 8472, 1)
    assert outer["mtu"] == {"link": 1500, "overhead": 50, "inner": 1450}
    # Outer Ethernet between the nodes' eth0; inner Ethernet between the VTEPs.
    g = net.graph
    assert outer["mac"] == {
        "src": g.nodes["node/node-1/eth0"]["mac"],
        "dst": g.nodes["node/node-2/eth0"]["mac"],
    }
    assert eth0["pdu"]["l2"] == {
        "src": g.nodes["node/node-1/flannel.1"]["mac"],
        "dst": g.nodes["node/node-2/flannel.1"]["mac"],
    }
    # The inner packet is exactly what the pod sent.
    assert eth0["pdu"]["l3"]["src"] == "10.244.1.3"
    assert eth0["pdu"]["l3"]["dst"] == "10.244.2.3"
    vx = r.hops[r.hops.index(eth0) - 1]
    texts = [e["text"] for e in eth0["events"] + vx["events"]]
    assert any("1500 − 50 = 1450" in t for t in texts)


def test_the_first_packet_is_a_syn_and_the_reply_a_syn_ack():
    b = web_cluster()
    r = b.model().trace("client", "web:80", random.Random(1))
    request = r.legs[-1]
    assert {h["pdu"]["l4"]["flags"] for h in request["hops"]} == {"SYN"}
    assert {h["pdu"]["l4"]["flags"] for h in request["reply"]} == {"SYN, ACK"}
    flags = [p["flags"] for p in request["packets"]]
    assert flags[:3] == ["SYN", "SYN, ACK", "ACK"]
    syn, synack, ack = request["packets"][:3]
    assert synack["ack"] == syn["seq"] + 1 and ack["ack"] == synack["seq"] + 1


def test_a_refused_connection_answers_rst():
    b = web_cluster()
    r = b.model().trace("client", "10.244.2.3:81", random.Random(1))
    assert r.verdict == "refused"
    assert [p["flags"] for p in r.legs[-1]["packets"]] == ["SYN", "RST, ACK"]


def test_dns_and_http_are_shown_at_layer_7():
    b = web_cluster()
    r = b.model().trace("client", "http://web/healthz", random.Random(1))
    dns_leg = next(leg for leg in r.legs if leg["kind"] == "dns")
    q = dns_leg["hops"][0]["pdu"]["l7"]
    assert (q["protocol"], q["type"]) == ("DNS", "A")
    assert q["query"] == "web.default.svc.cluster.local"
    assert dns_leg["reply"][-1]["pdu"]["l7"]["answer"] == r.dns["answer"]
    http = r.legs[-1]["hops"][0]["pdu"]["l7"]
    assert (http["method"], http["host"], http["path"]) == ("GET", "web", "/healthz")


def test_the_dnat_hop_lists_its_nat_and_conntrack_events():
    b = web_cluster()
    r = b.model().trace("client", "web:80", random.Random(1))
    hop = next(h for h in r.legs[-1]["hops"] if h["nat"])
    kinds = [e["kind"] for e in hop["events"]]
    assert "nat" in kinds and "conntrack" in kinds
    assert any(e.get("nat") == "DNAT" for e in hop["events"])


def test_neighbour_table_has_flannels_permanent_entries_and_learns_from_traffic():
    b = web_cluster()
    net = b.model()
    before = tables.read(net, ["neigh", "node-1"]).splitlines()
    vtep2 = net.graph.nodes["node/node-2/flannel.1"]["mac"]
    assert f"10.244.2.0 dev flannel.1 lladdr {vtep2} PERMANENT" in before
    assert not any("REACHABLE" in line for line in before)
    net.trace("client", "10.244.2.3:80", random.Random(1))
    after = tables.read(net, ["neigh", "node-2"]).splitlines()
    pod_mac = net.graph.nodes["pod/default/web-1/eth0"]["mac"]
    assert f"10.244.2.3 dev cni0 lladdr {pod_mac} REACHABLE" in after


def test_fdb_maps_each_remote_vtep_to_its_node_and_learns_pod_macs():
    b = web_cluster()
    net = b.model()
    fdb = tables.read(net, ["fdb", "node-1"]).splitlines()
    vtep3 = net.graph.nodes["node/node-3/flannel.1"]["mac"]
    assert f"{vtep3} dev flannel.1 dst 192.168.10.13 self permanent" in fdb
    net.trace("client", "10.244.2.3:80", random.Random(1))
    client_mac = net.graph.nodes["pod/default/client/eth0"]["mac"]
    veth = net.idx.pods["default/client"].veth
    learned = f"{client_mac} dev {veth} master cni0"
    assert learned in tables.read(net, ["fdb", "node-1"]).splitlines()


def test_routed_mode_has_no_flannel_entries():
    b = web_cluster(cni="routed")
    net = b.model()
    assert "flannel.1" not in tables.read(net, ["neigh", "node-1"])
    assert "flannel.1" not in tables.read(net, ["fdb", "node-1"])
    r = net.trace("client", "10.244.2.3:80", random.Random(1))
    assert all(h["pdu"]["outer"] is None for h in r.hops)
    assert r.hops[-1]["pdu"]["l3"]["ttl"] == 62


def test_a_packet_from_the_internet_has_a_ttl_the_model_cannot_know():
    b = web_cluster()
    b.service("shop", {"app": "web"}, type="NodePort")
    net = b.model()
    port = net.idx.services["default/shop"].ports[0].node_port
    r = net.trace("internet", f"192.168.10.12:{port}", random.Random(1))
    assert r.hops[0]["pdu"]["l3"]["ttl"] == 64  # what the client sent
    arrived = next(h for h in r.hops if h["at"] == "node/node-2/eth0")
    assert arrived["pdu"]["l3"]["ttl"] is None
    assert arrived["pdu"]["l3"]["ttlLowered"] >= 1  # the site router, at least


def test_the_cli_prints_a_nodes_neighbour_and_fdb_tables():
    from simulation import Cluster
    from simulation.__main__ import sim

    cluster = Cluster(seed=0)
    neigh = sim(cluster, ["neigh", "node-1"])["output"].splitlines()
    assert neigh and all(line.endswith("PERMANENT") for line in neigh)
    fdb = sim(cluster, ["fdb", "node-2"])["output"]
    assert "dev flannel.1 dst 192.168.10.11 self permanent" in fdb
