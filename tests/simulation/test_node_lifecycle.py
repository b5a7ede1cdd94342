"""Node failure: silence, NotReady after the grace period, eviction, recovery."""

from __future__ import annotations

import pytest

from simulation.control_plane.controllers.node_lifecycle import (
    GRACE,
    MONITOR_PERIOD,
    detection_time,
)

UNREACHABLE = "node.kubernetes.io/unreachable"


def _ready(node: dict) -> str:
    return next(c for c in node["status"]["conditions"] if c["type"] == "Ready")[
        "status"
    ]


def _fail(cluster, node="node-1", at=None):
    if at is not None:
        cluster.run(until=at)
    result = cluster.act({"op": "fail_node", "node": node})
    assert result.ok, result.error
    return result


def test_grace_period_is_the_current_kubernetes_default():
    """--node-monitor-grace-period is 50 s (since v1.32), checked every 5 s."""
    assert GRACE == 50.0 and MONITOR_PERIOD == 5.0


@pytest.mark.parametrize(
    ("failed_at", "not_ready_at"),
    [(0.0, 55.0), (5.25, 55.0), (10.0, 65.0), (19.9, 65.0), (23.0, 75.0)],
)
def test_not_ready_at_first_monitor_tick_after_last_renewal_plus_grace(
    failed_at, not_ready_at
):
    """Leases renew every 10 s; NotReady comes at the first tick past renewal + 50 s."""
    assert detection_time(failed_at) == not_ready_at


def test_node_goes_not_ready_at_the_computed_time(guestbook):
    """The node lifecycle controller marks the node Unknown exactly then, not before."""
    result = _fail(guestbook, at=20.0)
    due = result.event.details["detectAt"]
    guestbook.run(until=due - 0.01)
    assert _ready(guestbook.store.get("nodes", None, "node-1")) == "True"
    events = guestbook.run(until=due)
    assert [e.type for e in events] == ["node.not_ready"]
    node = guestbook.store.get("nodes", None, "node-1")
    assert _ready(node) == "Unknown"
    taints = {(t["key"], t["effect"]) for t in node["spec"]["taints"]}
    assert taints == {(UNREACHABLE, "NoSchedule"), (UNREACHABLE, "NoExecute")}
    assert "50s grace period" in events[0].reason


def test_pods_on_a_not_ready_node_leave_the_endpoints(guestbook, k8s):
    """Its pods are marked not Ready, so their IPs drop out of every Service."""
    on_node = [p for p in k8s.pods(guestbook) if p["spec"]["nodeName"] == "node-1"]
    assert on_node
    result = _fail(guestbook)
    guestbook.run(until=result.event.details["detectAt"] + 1)
    gone = {p["status"]["podIP"] for p in on_node}
    for svc in ("frontend", "redis-master", "redis-replica"):
        assert not gone & set(k8s.endpoint_ips(guestbook, svc))
    for p in on_node:
        now = guestbook.store.get("pods", "default", p["metadata"]["name"])
        assert not k8s.is_ready(now) and k8s.phase(now) == "Running"


def test_pods_are_evicted_after_the_300s_default_toleration(guestbook, k8s):
    """Eviction comes tolerationSeconds (300) after the NoExecute taint was added."""
    result = _fail(guestbook)
    due = result.event.details["detectAt"]
    guestbook.run(until=due + 299.9)
    assert not any(p["metadata"].get("deletionTimestamp") for p in k8s.pods(guestbook))
    events = guestbook.run(until=due + 300)
    evicted = [e for e in events if e.type == "pod.evicted"]
    assert evicted and all(e.time == due + 300 for e in evicted)


def test_evicted_pods_are_replaced_on_healthy_nodes(guestbook, k8s):
    """After eviction every Deployment is back to full strength off the dead node."""
    result = _fail(guestbook)
    guestbook.run(until=result.event.details["detectAt"] + 400)
    live = [
        p for p in k8s.pods(guestbook) if not p["metadata"].get("deletionTimestamp")
    ]
    assert len(live) == 6
    assert all(p["spec"]["nodeName"] != "node-1" for p in live)
    assert all(k8s.is_ready(p) for p in live)
    terminating = [p for p in k8s.pods(guestbook) if p not in live]
    assert terminating and all(p["spec"]["nodeName"] == "node-1" for p in terminating)


def test_restore_removes_terminating_pods_and_readies_the_node(guestbook, k8s):
    """The returning kubelet deletes the evicted pods; the taints come off."""
    result = _fail(guestbook)
    guestbook.run(until=result.event.details["detectAt"] + 400)
    assert guestbook.act({"op": "restore_node", "node": "node-1"}).ok
    guestbook.settle()
    node = guestbook.store.get("nodes", None, "node-1")
    assert _ready(node) == "True" and not node["spec"].get("taints")
    assert len(k8s.pods(guestbook)) == 6
    assert all(k8s.is_ready(p) for p in k8s.pods(guestbook))


def test_restore_before_eviction_makes_the_pods_ready_again(guestbook, k8s):
    """Pods that were only marked not Ready serve again once their node is back."""
    on_node = {
        p["metadata"]["name"]
        for p in k8s.pods(guestbook)
        if p["spec"]["nodeName"] == "node-1"
    }
    result = _fail(guestbook)
    guestbook.run(until=result.event.details["detectAt"] + 10)
    guestbook.act({"op": "restore_node", "node": "node-1"})
    guestbook.settle()
    guestbook.run(until=guestbook.time + 400)  # no eviction timer may fire now
    names = {p["metadata"]["name"] for p in k8s.pods(guestbook)}
    assert on_node <= names
    assert all(k8s.is_ready(p) for p in k8s.pods(guestbook))
    ips = {
        p["status"]["podIP"]
        for p in k8s.pods(guestbook)
        if p["metadata"]["name"] in on_node
    }
    assert ips <= set(k8s.endpoint_ips(guestbook, "frontend")) | set(
        k8s.endpoint_ips(guestbook, "redis-master")
    ) | set(k8s.endpoint_ips(guestbook, "redis-replica"))


def test_failing_a_failed_node_is_refused(guestbook):
    """fail_node twice is a usage error and not a step."""
    _fail(guestbook)
    before = guestbook.step_no
    result = guestbook.act({"op": "fail_node", "node": "node-1"})
    assert not result.ok and "already failed" in result.error
    assert guestbook.step_no == before


def test_the_scheduler_avoids_an_unreachable_node(guestbook, k8s):
    """New pods do not land on a node tainted unreachable."""
    result = _fail(guestbook)
    guestbook.run(until=result.event.details["detectAt"] + 1)
    k8s.apply(guestbook, k8s.deployment("more", replicas=6))
    assert all(p["spec"]["nodeName"] != "node-1" for p in k8s.pods(guestbook, "more"))
