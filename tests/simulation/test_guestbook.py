"""The guestbook from kubernetes/examples, exactly as published, in the model."""

from __future__ import annotations


def test_guestbook_settles_with_every_pod_running_and_ready(guestbook, k8s):
    """All six guestbook pods end Running and Ready."""
    pods = k8s.pods(guestbook)
    assert len(pods) == 6
    assert all(k8s.phase(p) == "Running" and k8s.is_ready(p) for p in pods)


def test_every_service_endpoints_equal_its_ready_pods(guestbook, k8s):
    """Each Service lists exactly the IPs of the ready pods its selector matches."""
    for svc in guestbook.store.list("services", "default"):
        selector = svc["spec"].get("selector")
        if not selector:
            continue
        want = sorted(
            p["status"]["podIP"]
            for p in k8s.pods(guestbook)
            if all(p["metadata"]["labels"].get(k) == v for k, v in selector.items())
            and k8s.is_ready(p)
        )
        assert want, svc["metadata"]["name"]
        assert k8s.endpoint_ips(guestbook, svc["metadata"]["name"]) == want


def test_guestbook_objects_are_created_as_kubectl_reports(cluster, k8s):
    """apply prints one `created` line per object, in manifest order."""
    result = cluster.act({"op": "apply", "yaml": k8s.guestbook_yaml()})
    assert result.output.splitlines() == [
        "service/redis-master created",
        "deployment.apps/redis-master created",
        "service/redis-replica created",
        "deployment.apps/redis-replica created",
        "service/frontend created",
        "deployment.apps/frontend created",
    ]


def test_applying_the_guestbook_again_changes_nothing(guestbook, k8s):
    """A second apply of the same file is `unchanged` and is not a step."""
    before = guestbook.step_no
    result = guestbook.act({"op": "apply", "yaml": k8s.guestbook_yaml()})
    assert result.ok and result.event is None
    assert all(line.endswith("unchanged") for line in result.output.splitlines())
    assert guestbook.step_no == before


def test_frontend_is_a_node_port_service(guestbook):
    """The frontend Service gets a nodePort in 30000-32767 and a ClusterIP."""
    svc = guestbook.store.get("services", "default", "frontend")
    assert svc["spec"]["type"] == "NodePort"
    assert 30000 <= svc["spec"]["ports"][0]["nodePort"] <= 32767
    assert svc["spec"]["clusterIP"].startswith("10.")


def test_the_rollout_follows_the_control_loops_in_order(cluster, k8s):
    """Deployment → ReplicaSet → Pod → bound → started → endpoints → kube-proxy."""
    cluster.act({"op": "apply", "yaml": k8s.guestbook_yaml()})
    types = [e.type for e in cluster.settle()]
    order = [
        "deployment.replicaset_created",
        "replicaset.scaled_up",
        "pod.scheduled",
        "pod.sandbox_created",
        "pod.started",
        "endpoints.updated",
        "proxy.synced",
    ]
    firsts = [types.index(t) for t in order]
    assert firsts[:5] == sorted(firsts[:5])
    assert types.index("pod.started") < max(
        i for i, t in enumerate(types) if t == "endpoints.updated"
    )
    assert types[-1] == "proxy.synced"
