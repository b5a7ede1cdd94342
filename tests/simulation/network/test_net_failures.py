"""What a learner sees when something is wrong: REJECT, timeout, refused."""

from __future__ import annotations

import random

from netbuilders import ClusterBuilder, web_cluster


def test_service_without_endpoints_is_rejected_on_the_source_node():
    b = web_cluster()
    b.service("empty", {"app": "nothing"})
    r = b.model().trace("client", "10.96.0.21:80", random.Random(1))
    assert r.verdict == "rejected"
    last = r.hops[-1]
    assert last["node"] == "node-1" and last["hook"] == "FORWARD"
    assert last["rules"][-1] == (
        "-A KUBE-SERVICES -d 10.96.0.21/32 -p tcp -m comment --comment "
        '"default/empty:http has no endpoints" -m tcp --dport 80 '
        "-j REJECT --reject-with icmp-port-unreachable"
    )
    assert r.reply[0]["proto"] == "icmp"
    assert r.reply[-1]["at"] == "pod/default/client/c/app"


def test_dns_fails_when_kube_dns_has_no_endpoints():
    b = ClusterBuilder()
    b.pod("client", "node-1", ports=[])
    b.service(
        "kube-dns",
        {"k8s-app": "kube-dns"},
        ns="kube-system",
        ports=[{"name": "dns", "port": 53, "protocol": "UDP"}],
        cluster_ip="10.96.0.10",
    )
    r = b.model().trace("client", "web", random.Random(1))
    assert r.verdict == "rejected"
    assert "kube-dns has no endpoints" in r.reason
    assert r.dns["hops"][-1]["rules"][-1].startswith("-A KUBE-SERVICES -d 10.96.0.10")


def test_endpoint_on_a_failed_node_times_out():
    b = ClusterBuilder()
    b.pod("client", "node-1", ports=[])
    b.pod("web", "node-2", labels={"app": "web"}, ports=[80])
    b.service("web", {"app": "web"})
    b.world.failed_nodes.add("node-2")
    r = b.model().trace("client", "10.96.0.20:80", random.Random(1))
    assert r.verdict == "timeout"
    assert r.hops[-1]["at"] == "lan"
    assert r.reply == []
    assert "node-2 is down" in r.reason


def test_failed_source_node_times_out_immediately():
    b = ClusterBuilder()
    b.pod("client", "node-1", ports=[])
    b.world.failed_nodes.add("node-1")
    r = b.model().trace("client", "10.244.2.9:80", random.Random(1))
    assert r.verdict == "timeout" and r.hops == []


def test_no_container_port_is_refused_with_a_reset():
    b = ClusterBuilder()
    b.pod("client", "node-1", ports=[])
    b.pod("web", "node-2", ports=[80])
    r = b.model().trace("client", "10.244.2.2:8080", random.Random(1))
    assert r.verdict == "refused"
    assert r.hops[-1]["at"] == "pod/default/web/eth0"
    assert "RST" in r.hops[-1]["explain"]
    assert r.reply[0]["src"] == "10.244.2.2:8080"
    assert r.reply[-1]["at"] == "pod/default/client/c/app"


def test_nodeport_on_a_failed_node_times_out_from_the_internet():
    b = ClusterBuilder()
    b.pod("web", "node-2", labels={"app": "web"}, ports=[80])
    b.service("web", {"app": "web"}, type="NodePort")
    b.world.failed_nodes.add("node-1")
    r = b.model().trace("internet", "192.168.10.11:30080", random.Random(1))
    assert r.verdict == "timeout"


def test_unknown_name_is_unresolved():
    b = web_cluster()
    r = b.model().trace("client", "nosuch", random.Random(1))
    assert r.verdict == "unresolved"
    assert all(q[1] == "NXDOMAIN" for q in r.dns["queries"])


def test_node_cannot_resolve_service_names():
    """The node's own resolver is not CoreDNS: service names do not resolve."""
    b = web_cluster()
    r = b.model().trace("node/node-1", "web", random.Random(1))
    assert r.verdict == "unresolved"


def test_ping_to_a_cluster_ip_gets_no_answer():
    """kube-proxy only translates the Service's ports: ICMP to a ClusterIP is lost."""
    b = web_cluster()
    r = b.model().trace("client", "10.96.0.20", random.Random(1), proto="icmp")
    assert r.verdict == "timeout"
    assert r.hops[-1]["at"] == "router"
    assert not any(h["nat"] and h["nat"]["type"] == "DNAT" for h in r.hops)


def test_pod_on_a_node_without_pod_cidr_is_a_usage_error():
    import pytest

    from simulation.errors import UsageError

    b = ClusterBuilder()
    node = b.store.get("nodes", None, "node-3")
    b.store.put("nodes", dict(node, spec={}))
    b.pod("stray", "node-3", ports=[])
    with pytest.raises(UsageError):
        b.model().trace("stray", "10.244.1.2:80")
