"""The Deployment controller: ReplicaSets, scaling, rolling updates, deletion."""

from __future__ import annotations


def _replicasets(cluster, app="web"):
    return [
        r
        for r in cluster.store.list("replicasets", "default")
        if r["metadata"]["name"].startswith(app + "-")
    ]


def _image(p):
    return p["spec"]["containers"][0]["image"]


def test_a_deployment_creates_one_replicaset_named_by_template_hash(cluster, k8s):
    """<deployment>-<pod-template-hash>, revision 1, owned by the Deployment."""
    k8s.apply(cluster, k8s.deployment("web"))
    (rs,) = _replicasets(cluster)
    hash_ = rs["metadata"]["labels"]["pod-template-hash"]
    assert rs["metadata"]["name"] == f"web-{hash_}"
    assert rs["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "1"
    assert rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment"
    assert all(
        p["metadata"]["labels"]["pod-template-hash"] == hash_
        for p in k8s.pods(cluster, "web")
    )


def test_deployment_status_reports_available(cluster, k8s):
    """After settling, every replica is updated, ready and available."""
    k8s.apply(cluster, k8s.deployment("web", replicas=4))
    status = cluster.store.get("deployments", "default", "web")["status"]
    assert status["replicas"] == status["updatedReplicas"] == 4
    assert status["readyReplicas"] == status["availableReplicas"] == 4
    available = next(c for c in status["conditions"] if c["type"] == "Available")
    assert available["status"] == "True"


def test_scaling_a_deployment_scales_its_replicaset(cluster, k8s):
    """replicas 3 → 5: same ReplicaSet, two more pods, endpoints follow."""
    k8s.apply(cluster, k8s.deployment("web", replicas=3), k8s.service("web"))
    (before,) = _replicasets(cluster)
    k8s.apply(cluster, k8s.deployment("web", replicas=5))
    (after,) = _replicasets(cluster)
    assert after["metadata"]["uid"] == before["metadata"]["uid"]
    assert after["spec"]["replicas"] == 5
    assert len(k8s.endpoint_ips(cluster, "web")) == 5


def test_changing_the_image_rolls_out_a_new_replicaset(cluster, k8s):
    """A new template hash: a new ReplicaSet scaled up, the old one scaled to 0."""
    k8s.apply(cluster, k8s.deployment("web", replicas=4, image="nginx:1.26"))
    (old,) = _replicasets(cluster)
    k8s.apply(cluster, k8s.deployment("web", replicas=4, image="nginx:1.27"))
    sets = {r["metadata"]["name"]: r for r in _replicasets(cluster)}
    assert len(sets) == 2
    new = next(r for n, r in sets.items() if n != old["metadata"]["name"])
    assert sets[old["metadata"]["name"]]["spec"]["replicas"] == 0
    assert new["spec"]["replicas"] == 4
    assert new["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "2"
    pods = k8s.pods(cluster, "web")
    assert len(pods) == 4 and {_image(p) for p in pods} == {"nginx:1.27"}


def test_a_rolling_update_respects_max_surge_and_max_unavailable(cluster, k8s):
    """25%/25% of 4: never more than 5 pods, never fewer than 3 available."""
    k8s.apply(cluster, k8s.deployment("web", replicas=4, image="nginx:1.26"))
    cluster.act({"op": "apply", "objects": [k8s.deployment("web", 4, "nginx:1.27")]})
    seen_new = False
    while True:
        event = cluster.step()
        if event is None or cluster.queue.only_periodic():
            break
        live = [
            p
            for p in k8s.pods(cluster, "web")
            if not p["metadata"].get("deletionTimestamp")
        ]
        assert len(live) <= 5
        replicas = sum(r["spec"]["replicas"] for r in _replicasets(cluster))
        assert replicas <= 5
        assert sum(1 for p in live if k8s.is_ready(p)) >= 3
        seen_new |= any(_image(p) == "nginx:1.27" for p in live)
    assert seen_new


def test_a_rolling_update_interleaves_new_and_old_pods(cluster, k8s):
    """The old ReplicaSet shrinks step by step while the new one grows."""
    k8s.apply(cluster, k8s.deployment("web", replicas=4, image="nginx:1.26"))
    cluster.act({"op": "apply", "objects": [k8s.deployment("web", 4, "nginx:1.27")]})
    events = cluster.settle()
    kinds = [e.type for e in events if e.type.startswith("deployment.scaled")]
    assert kinds.count("deployment.scaled_down") >= 2
    assert "deployment.scaled_up" in kinds


def test_recreate_strategy_scales_old_to_zero_first(cluster, k8s):
    """strategy Recreate: the old pods go before the new ones are created."""
    first = k8s.deployment("web", replicas=3, image="nginx:1.26")
    first["spec"]["strategy"] = {"type": "Recreate"}
    k8s.apply(cluster, first)
    second = k8s.deployment("web", replicas=3, image="nginx:1.27")
    second["spec"]["strategy"] = {"type": "Recreate"}
    cluster.act({"op": "apply", "objects": [second]})
    events = cluster.settle()
    (new,) = [
        r
        for r in _replicasets(cluster)
        if r["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"
    ]
    assert new["spec"]["replicas"] == 3
    assert {_image(p) for p in k8s.pods(cluster, "web")} == {"nginx:1.27"}
    assert any(e.type == "deployment.replicaset_created" for e in events)


def test_deleting_a_deployment_cascades_through_the_garbage_collector(cluster, k8s):
    """Deployment gone → GC deletes its ReplicaSet → GC deletes the pods."""
    k8s.apply(cluster, k8s.deployment("web", replicas=3))
    cluster.api.delete("deployments", "default", "web", actor="kubectl")
    events = cluster.settle()
    assert [e.actor for e in events if e.type == "gc.deleted"] == [
        "garbage-collector",
        "garbage-collector",
    ]
    assert _replicasets(cluster) == []
    assert k8s.pods(cluster, "web") == []


def test_applying_an_unchanged_deployment_is_not_a_step(cluster, k8s):
    """Same manifest again: `unchanged`, no write, no new generation."""
    k8s.apply(cluster, k8s.deployment("web"))
    generation = cluster.store.get("deployments", "default", "web")["metadata"][
        "generation"
    ]
    result = cluster.act({"op": "apply", "objects": [k8s.deployment("web")]})
    assert result.ok and result.event is None
    assert result.output == "deployment.apps/web unchanged"
    assert (
        cluster.store.get("deployments", "default", "web")["metadata"]["generation"]
        == generation
    )
