"""Invariants over random clusters: the network model's three principles hold."""

from __future__ import annotations

import os
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from netbuilders import ClusterBuilder


@st.composite
def clusters(draw, failures: bool = False):
    nodes = draw(st.integers(1, 4))
    b = ClusterBuilder(
        nodes=nodes,
        cni=draw(st.sampled_from(["overlay", "routed"])),
        platform=draw(st.sampled_from(["bare-metal", "cloud"])),
    )
    count = draw(st.integers(2, 8))
    for i in range(count):
        node = f"node-{draw(st.integers(1, nodes))}"
        ports = draw(st.lists(st.sampled_from([80, 8080]), unique=True, max_size=2))
        b.pod(f"p{i}", node, labels={"app": "web" if i % 2 else "db"}, ports=ports)
    svc_type = draw(st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"]))
    etp = draw(st.sampled_from(["Cluster", "Local"]))
    b.service("web", {"app": "web"}, type=svc_type, etp=etp)
    if failures and draw(st.booleans()):
        b.world.failed_nodes.add(f"node-{draw(st.integers(1, nodes))}")
    return b


def _ip(addr: str) -> str:
    return addr.rsplit(":", 1)[0]


def _is_walk(g, hops) -> bool:
    ats = [h["at"] for h in hops]
    return all(a == b or g.has_edge(a, b) for a, b in zip(ats, ats[1:], strict=False))


@settings(max_examples=int(os.environ.get("NET_EXAMPLES", 60)), deadline=None)
@given(clusters(), st.data())
def test_pod_to_pod_keeps_inner_addresses(b, data):
    """No NAT between pods: every hop shows the sender's and receiver's pod IPs."""
    m = b.model()
    pods = sorted(m.idx.pods.values(), key=lambda p: p.key)
    src = data.draw(st.sampled_from(pods))
    dst = data.draw(st.sampled_from([p for p in pods if p is not src]))
    port = data.draw(st.sampled_from([80, 8080]))
    r = m.trace(src.key, f"{dst.ip}:{port}", random.Random(data.draw(st.integers())))
    assert r.verdict in ("delivered", "refused")
    assert {_ip(h["src"]) for h in r.hops} == {src.ip}
    assert {h["dst"] for h in r.hops} == {f"{dst.ip}:{port}"}
    if r.verdict == "delivered":
        assert _ip(r.hops[-1]["src"]) == src.ip  # what the peer sees is its own IP
    assert {_ip(h["dst"]) for h in r.reply} == {src.ip}


@settings(max_examples=int(os.environ.get("NET_EXAMPLES", 40)), deadline=None)
@given(clusters(), st.data())
def test_node_to_pod_keeps_inner_addresses(b, data):
    m = b.model()
    pods = sorted(m.idx.pods.values(), key=lambda p: p.key)
    dst = data.draw(st.sampled_from(pods))
    node = data.draw(st.sampled_from(sorted(m.idx.nodes)))
    r = m.trace(f"node/{node}", f"{dst.ip}:80", random.Random(1))
    assert len({_ip(h["src"]) for h in r.hops}) == 1
    assert {h["dst"] for h in r.hops} == {f"{dst.ip}:80"}
    if dst.node == node:  # principle 2: a node reaches its own pods without NAT
        assert all(h["nat"] is None for h in r.hops)


@settings(max_examples=int(os.environ.get("NET_EXAMPLES", 60)), deadline=None)
@given(clusters(failures=True), st.data())
def test_every_trace_is_a_path_in_the_graph(b, data):
    m = b.model()
    pods = sorted(m.idx.pods.values(), key=lambda p: p.key)
    sources = [p.key for p in pods] + [f"node/{n}" for n in sorted(m.idx.nodes)]
    sources.append("internet")
    svc = m.idx.services["default/web"]
    nodes = sorted(m.idx.nodes.values(), key=lambda n: n.name)
    targets = [f"{p.ip}:80" for p in pods] + [f"{svc.cluster_ip}:80"]
    if svc.ports[0].node_port:
        targets += [f"{n.ip}:{svc.ports[0].node_port}" for n in nodes]
    targets += [f"{ip}:80" for ip in svc.lb_ips]
    src = data.draw(st.sampled_from(sources))
    dst = data.draw(st.sampled_from(targets))
    r = m.trace(src, dst, random.Random(data.draw(st.integers())))
    assert _is_walk(m.graph, r.hops)
    assert _is_walk(m.graph, r.reply)
    if r.reply:
        assert r.reply[-1]["at"] == r.hops[0]["at"]
        assert r.reply[-1]["dst"] == r.hops[0]["src"]  # conntrack undid every NAT


DESTS = st.sampled_from(
    [
        "web",
        "web:8080",
        "http://web/",
        "https://web/",
        "nosuch",
        "example.com",
        "http://shop.example.com/a",
        "svc/default/web",
        "svc/web:80",
        "pod/default/p0",
        "node/node-1:30080",
        "10.96.0.20:80",
        "10.96.0.20",
        "127.0.0.1:80",
        "localhost:8080",
        "203.0.113.10:80",
        "192.168.10.11:30080",
        "1.2.3.4:443",
    ]
)


@settings(max_examples=int(os.environ.get("NET_EXAMPLES", 60)), deadline=None)
@given(
    clusters(failures=True), st.data(), DESTS, st.sampled_from(["tcp", "udp", "icmp"])
)
def test_any_trace_ends_in_a_verdict_or_a_simulation_error(b, data, dst, proto):
    from simulation.errors import SimulationError
    from simulation.network import VERDICTS

    b.coredns(nodes=("node-1",))
    m = b.model()
    sources = ["internet", "node/node-1"] + sorted(m.idx.pods)
    src = data.draw(st.sampled_from(sources))
    try:
        r = m.trace(src, dst, random.Random(1), proto=proto)
    except SimulationError:
        return
    assert r.verdict in VERDICTS
    assert _is_walk(m.graph, r.hops) and _is_walk(m.graph, r.reply)
