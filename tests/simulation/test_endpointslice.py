"""The EndpointSlice controller: a Service's endpoints are its ready pods."""

from __future__ import annotations

from simulation.control_plane.controllers.endpointslice import MAX_PER_SLICE


def _slices(cluster, svc="web"):
    return [
        s
        for s in cluster.store.list("endpointslices", "default")
        if s["metadata"]["labels"].get("kubernetes.io/service-name") == svc
    ]


def _ips(cluster, app="web"):
    return sorted(
        p["status"]["podIP"]
        for p in cluster.store.list("pods", "default")
        if p["metadata"]["labels"].get("app") == app
    )


def test_a_service_gets_a_slice_with_its_pods(cluster, k8s):
    """One EndpointSlice, owned by the Service, listing each pod with its node."""
    k8s.apply(cluster, k8s.deployment("web", replicas=3), k8s.service("web"))
    (slice_,) = _slices(cluster)
    assert slice_["metadata"]["ownerReferences"][0]["kind"] == "Service"
    assert slice_["addressType"] == "IPv4"
    assert slice_["ports"] == [{"name": "", "port": 80, "protocol": "TCP"}]
    assert sorted(e["addresses"][0] for e in slice_["endpoints"]) == _ips(cluster)
    assert all(
        e["targetRef"]["kind"] == "Pod" and e["nodeName"] for e in slice_["endpoints"]
    )


def test_endpoints_follow_a_scale_up(cluster, k8s):
    """Two more replicas: two more ready endpoints."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), k8s.service("web"))
    k8s.apply(cluster, k8s.deployment("web", replicas=4))
    assert k8s.endpoint_ips(cluster, "web") == _ips(cluster)
    assert len(_ips(cluster)) == 4


def test_a_pod_that_is_not_ready_is_listed_but_not_ready(cluster, k8s):
    """A crashed container: the endpoint stays, with ready false, until restart."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), k8s.service("web"))
    victim = k8s.pods(cluster, "web")[0]
    cluster.act({"op": "crash_container", "pod": victim["metadata"]["name"]})
    cluster.run(until=cluster.time + 1)
    entry = next(
        e
        for e in _slices(cluster)[0]["endpoints"]
        if e["targetRef"]["name"] == victim["metadata"]["name"]
    )
    assert entry["conditions"]["ready"] is False
    assert victim["status"]["podIP"] not in k8s.endpoint_ips(cluster, "web")


def test_a_terminating_pod_is_marked_terminating_then_removed(cluster, k8s):
    """Deleting a pod: terminating=true and not ready, then gone from the slice."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), k8s.service("web"))
    victim = k8s.pods(cluster, "web")[0]["metadata"]["name"]
    cluster.act({"op": "kill_pod", "pod": victim})
    cluster.run(until=cluster.time + 0.1)
    entry = next(
        e for e in _slices(cluster)[0]["endpoints"] if e["targetRef"]["name"] == victim
    )
    assert entry["conditions"] == {"ready": False, "serving": True, "terminating": True}
    cluster.settle()
    names = {e["targetRef"]["name"] for e in _slices(cluster)[0]["endpoints"]}
    assert victim not in names


def test_a_service_without_matching_pods_has_an_empty_slice(cluster, k8s):
    """No pods match: one slice with no endpoints (kube-proxy rejects traffic)."""
    k8s.apply(cluster, k8s.service("nobody"))
    (slice_,) = _slices(cluster, "nobody")
    assert slice_["endpoints"] == []


def test_a_named_target_port_resolves_to_the_container_port(cluster, k8s):
    """targetPort: http → the containerPort named http."""
    deploy = k8s.deployment("web", replicas=1)
    deploy["spec"]["template"]["spec"]["containers"][0]["ports"] = [
        {"name": "http", "containerPort": 8080}
    ]
    svc = k8s.service("web")
    svc["spec"]["ports"] = [{"port": 80, "targetPort": "http"}]
    k8s.apply(cluster, deploy, svc)
    assert _slices(cluster)[0]["ports"][0]["port"] == 8080


def test_a_selector_change_moves_the_endpoints(cluster, k8s):
    """Pointing the Service at other pods swaps the endpoints."""
    k8s.apply(
        cluster,
        k8s.deployment("blue", replicas=2),
        k8s.deployment("green", replicas=2),
        k8s.service("web", selector={"app": "blue"}),
    )
    assert k8s.endpoint_ips(cluster, "web") == _ips(cluster, "blue")
    k8s.apply(cluster, k8s.service("web", selector={"app": "green"}))
    assert k8s.endpoint_ips(cluster, "web") == _ips(cluster, "green")


def test_more_than_100_endpoints_are_split_into_slices(k8s):
    """--max-endpoints-per-slice is 100: 150 pods need two slices."""
    from simulation import Cluster

    assert MAX_PER_SLICE == 100
    big = Cluster(seed=1, nodes=3)
    k8s.apply(
        big,
        k8s.deployment("web", replicas=150, cpu="1m", memory="1Mi"),
        k8s.service("web"),
    )
    sizes = sorted(len(s["endpoints"]) for s in _slices(big))
    assert sizes == [50, 100]
    assert len(k8s.endpoint_ips(big, "web")) == 150


def test_deleting_a_service_removes_its_slices(cluster, k8s):
    """The garbage collector deletes the slices the Service owned."""
    k8s.apply(cluster, k8s.deployment("web", replicas=1), k8s.service("web"))
    cluster.api.delete("services", "default", "web", actor="kubectl")
    cluster.settle()
    assert _slices(cluster) == []
