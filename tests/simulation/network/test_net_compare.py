"""The same request under two settings, traced on copies: the session never moves.

Facts followed: flannel's host-gw backend routes a remote podCIDR via the other
node's IP with no encapsulation (backend/hostgw), its VXLAN backend via flannel.1;
kube-proxy with externalTrafficPolicy: Local keeps the client's source address and
sends only to endpoints on the receiving node (proxier.go, the XLB chain).
"""

from __future__ import annotations

import pytest

from simulation import Cluster
from simulation.errors import UsageError
from simulation.network.compare import compare, pair


@pytest.fixture(scope="module")
def web() -> Cluster:
    c = Cluster(seed=1)
    c.act(
        {
            "op": "kubectl",
            "command": "kubectl create deployment web"
            " --image=nginx:1.27 --replicas=3 --port=80",
        }
    )
    c.act(
        {
            "op": "kubectl",
            "command": "kubectl expose deployment web --port=80 --type=NodePort",
        }
    )
    c.settle()
    return c


def _client(c: Cluster) -> str:
    return "default/" + sorted(p["metadata"]["name"] for p in c.store.list("pods"))[0]


def test_comparing_does_not_move_the_session(web):
    step, state = web.step_no, web.random.getstate()
    conntrack = web.network.conntrack_text("node-1")
    compare(web, _client(web), "web", "cni")
    assert web.step_no == step
    assert web.random.getstate() == state
    assert web.network.conntrack_text("node-1") == conntrack
    assert web.config.cni == "overlay"


def test_overlay_against_routed_differs_at_the_tunnel(web):
    pods = sorted(
        web.store.list("pods", "default"), key=lambda p: p["metadata"]["name"]
    )
    first = pods[0]
    other = next(p for p in pods if p["spec"]["nodeName"] != first["spec"]["nodeName"])
    target = f"{other['status']['podIP']}:80"
    result = compare(web, "default/" + first["metadata"]["name"], target, "cni")
    a, b = result["a"], result["b"]
    assert any(h["device"] == "flannel.1" for h in a["hops"])
    assert not any(h["device"] == "flannel.1" for h in b["hops"])
    assert not any(h.get("outer") for h in b["hops"])
    only_a = [
        a["hops"][r["a"]]["device"] for r in result["rows"] if r["status"] == "only-a"
    ]
    assert "flannel.1" in only_a
    assert result["rows"][0]["status"] == "same"  # both start in the same pod


def test_etp_local_keeps_the_client_address(web):
    port = web.store.get("services", "default", "web")["spec"]["ports"][0]["nodePort"]
    result = compare(web, "internet", f"192.168.10.11:{port}", "etp", "default/web")
    a, b = result["a"], result["b"]
    assert a["verdict"] == b["verdict"] == "delivered"
    assert b["hops"][-1]["src"].startswith("198.51.100.7:")  # the client itself
    # Cluster: the node masquerades, so the pod sees the node's address.
    assert not a["hops"][-1]["src"].startswith("198.51.100.7:")
    assert {r["status"] for r in result["rows"]} - {"same"}


def test_before_and_after_a_change(web):
    c = Cluster(seed=1)
    c.act(
        {
            "op": "kubectl",
            "command": "kubectl create deployment web"
            " --image=nginx:1.27 --replicas=2 --port=80",
        }
    )
    c.act({"op": "kubectl", "command": "kubectl expose deployment web --port=80"})
    c.settle()
    then = c.step_no
    c.act({"op": "kubectl", "command": "kubectl scale deployment web --replicas=0"})
    c.settle()
    result = compare(c, "node/node-1", "svc/default/web:80", "step", step=then)
    assert result["labels"][0] == f"at step {then}"
    assert result["a"]["verdict"] == "delivered"
    assert result["b"]["verdict"] == "rejected"  # no endpoints left: REJECT


def test_etp_needs_an_exposed_service(web):
    with pytest.raises(UsageError):
        compare(web, _client(web), "web", "etp", "default/kubernetes")


def test_pairing_marks_changed_and_missing_hops():
    a = [{"at": "x", "src": "1"}, {"at": "y", "src": "1"}, {"at": "z", "src": "1"}]
    b = [{"at": "x", "src": "1"}, {"at": "z", "src": "2"}]
    assert pair(a, b) == [
        {"a": 0, "b": 0, "status": "same"},
        {"a": 1, "b": None, "status": "only-a"},
        {"a": 2, "b": 1, "status": "changed"},
    ]
