"""The ReplicaSet controller keeps `replicas` pods alive."""

from __future__ import annotations

from simulation.control_plane.controllers.replicaset import BURST


def _rs(cluster, name="web"):
    (rs,) = [
        r
        for r in cluster.store.list("replicasets", "default")
        if r["metadata"]["name"].startswith(name + "-")
    ]
    return rs


def test_a_replicaset_creates_its_replicas_with_generated_names(cluster, k8s):
    """Pods are named <replicaset>-<5 random characters> and owned by it."""
    k8s.apply(cluster, k8s.deployment("web", replicas=3))
    rs = _rs(cluster)
    pods = k8s.pods(cluster, "web")
    assert len(pods) == 3
    for p in pods:
        prefix, _, suffix = p["metadata"]["name"].rpartition("-")
        assert prefix == rs["metadata"]["name"] and len(suffix) == 5
        (ref,) = p["metadata"]["ownerReferences"]
        assert ref["kind"] == "ReplicaSet" and ref["uid"] == rs["metadata"]["uid"]
        assert ref["controller"] is True


def test_killing_a_pod_brings_a_replacement_with_a_new_name(cluster, k8s):
    """Self-healing: the ReplicaSet notices one missing and creates another."""
    k8s.apply(cluster, k8s.deployment("web", replicas=3))
    victim = k8s.pods(cluster, "web")[0]["metadata"]["name"]
    result = cluster.act({"op": "kill_pod", "pod": f"default/{victim}"})
    assert result.ok and result.event.type == "pod.killed"
    types = [e.type for e in cluster.settle()]
    assert "replicaset.scaled_up" in types and "pod.deleted" in types
    names = {p["metadata"]["name"] for p in k8s.pods(cluster, "web")}
    assert len(names) == 3 and victim not in names
    assert all(k8s.is_ready(p) for p in k8s.pods(cluster, "web"))


def test_the_replacement_is_created_while_the_old_pod_terminates(cluster, k8s):
    """A Terminating pod no longer counts, so the replacement does not wait for it."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2))
    victim = k8s.pods(cluster, "web")[0]["metadata"]["name"]
    cluster.act({"op": "kill_pod", "pod": victim})
    events = cluster.settle()
    scaled = next(i for i, e in enumerate(events) if e.type == "replicaset.scaled_up")
    removed = next(i for i, e in enumerate(events) if e.type == "pod.deleted")
    assert scaled < removed


def test_scaling_down_removes_the_newest_pods_first(cluster, k8s):
    """Among equally ready pods the youngest go first."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2))
    oldest = {p["metadata"]["name"] for p in k8s.pods(cluster, "web")}
    k8s.apply(cluster, k8s.deployment("web", replicas=4))
    k8s.apply(cluster, k8s.deployment("web", replicas=2))
    assert {p["metadata"]["name"] for p in k8s.pods(cluster, "web")} == oldest


def test_scale_to_zero_and_back(cluster, k8s):
    """replicas: 0 leaves no pods; scaling up again creates fresh ones."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2))
    k8s.apply(cluster, k8s.deployment("web", replicas=0))
    assert k8s.pods(cluster, "web") == []
    k8s.apply(cluster, k8s.deployment("web", replicas=3))
    assert len(k8s.pods(cluster, "web")) == 3


def test_status_counts_ready_replicas(cluster, k8s):
    """status.readyReplicas follows the pods' Ready condition."""
    k8s.apply(cluster, k8s.deployment("web", replicas=3))
    status = _rs(cluster)["status"]
    assert status["replicas"] == status["readyReplicas"] == 3
    assert status["availableReplicas"] == 3


def test_a_crashed_container_lowers_ready_replicas(cluster, k8s):
    """A crash makes the pod not Ready until the kubelet restarts it."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2))
    victim = k8s.pods(cluster, "web")[0]["metadata"]["name"]
    cluster.act({"op": "crash_container", "pod": victim})
    cluster.run(until=cluster.time + 1)
    assert _rs(cluster)["status"]["readyReplicas"] == 1
    cluster.settle()
    assert _rs(cluster)["status"]["readyReplicas"] == 2


def test_creation_is_bounded_per_sync(cluster, k8s):
    """One sync creates at most BURST pods, like the controller's burst limit."""
    assert BURST == 500
    k8s.apply(cluster, k8s.deployment("web", replicas=3))
    created = [
        e
        for e in cluster.events
        if e.type == "replicaset.scaled_up" and "web" in e.reason
    ]
    assert len(created) == 1 and len(created[0].objects) == 1 + 3
