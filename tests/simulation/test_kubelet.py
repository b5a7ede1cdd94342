"""The kubelet: sandbox and IP, containers, readiness, crashes, termination."""

from __future__ import annotations

import ipaddress


def _one(cluster, k8s, app="web"):
    (pod,) = k8s.pods(cluster, app)
    return pod


def test_a_bound_pod_goes_pending_then_running_and_ready(cluster, k8s):
    """ContainerCreating after the sandbox, Running and Ready once started."""
    cluster.act({"op": "apply", "objects": [k8s.deployment("web", replicas=1)]})
    seen = []
    while (event := cluster.step()) is not None and not cluster.queue.only_periodic():
        if event.type.startswith("pod.") and event.actor == "kubelet":
            pod = _one(cluster, k8s)
            seen.append((event.type, pod["status"]["phase"], k8s.is_ready(pod)))
    assert seen[:2] == [
        ("pod.sandbox_created", "Pending", False),
        ("pod.started", "Running", True),
    ]


def test_the_pod_ip_comes_from_its_nodes_pod_cidr(cluster, k8s):
    """CNI host-local IPAM hands out addresses of the node's podCIDR, not .0/.1."""
    k8s.apply(cluster, k8s.deployment("web", replicas=6))
    for pod in k8s.pods(cluster, "web"):
        node = cluster.store.get("nodes", None, pod["spec"]["nodeName"])
        net = ipaddress.ip_network(node["spec"]["podCIDR"])
        ip = ipaddress.ip_address(pod["status"]["podIP"])
        assert ip in net and int(ip) - int(net.network_address) >= 2
        assert pod["status"]["hostIP"] == node["status"]["addresses"][0]["address"]


def test_host_network_pods_use_the_node_ip(cluster):
    """Static control-plane pods share the node's network namespace."""
    pod = cluster.store.get("pods", "kube-system", "etcd-control-plane")
    assert pod["status"]["podIP"] == pod["status"]["hostIP"] == "192.168.10.10"


def test_crash_keeps_the_pod_ip_and_counts_a_restart(cluster, k8s):
    """Same pod, same IP, restartCount + 1, Ready again after the back-off."""
    k8s.apply(cluster, k8s.deployment("web", replicas=1))
    before = _one(cluster, k8s)
    result = cluster.act({"op": "crash_container", "pod": before["metadata"]["name"]})
    assert result.ok and result.event.type == "container.crashed"
    crashed = _one(cluster, k8s)
    status = crashed["status"]["containerStatuses"][0]
    assert status["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert status["lastState"]["terminated"]["exitCode"] == 1
    assert not k8s.is_ready(crashed)
    events = cluster.settle()
    assert "container.restarted" in [e.type for e in events]
    after = _one(cluster, k8s)
    assert after["metadata"]["name"] == before["metadata"]["name"]
    assert after["status"]["podIP"] == before["status"]["podIP"]
    assert after["status"]["containerStatuses"][0]["restartCount"] == 1
    assert k8s.is_ready(after)


def test_the_restart_waits_for_the_10s_back_off(cluster, k8s):
    """CrashLoopBackOff: the first restart comes 10 s after the crash."""
    k8s.apply(cluster, k8s.deployment("web", replicas=1))
    crashed_at = cluster.act(
        {"op": "crash_container", "pod": _one(cluster, k8s)["metadata"]["name"]}
    ).event.time
    (restart,) = [e for e in cluster.settle() if e.type == "container.restarted"]
    assert abs(restart.time - (crashed_at + 10.0)) < 1e-6


def test_a_readiness_probe_delays_ready(cluster, k8s):
    """With a probe the pod is Running but not Ready until the probe passes."""
    deploy = k8s.deployment("web", replicas=1)
    deploy["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {
        "httpGet": {"path": "/", "port": 80},
        "initialDelaySeconds": 5,
        "periodSeconds": 10,
    }
    cluster.act({"op": "apply", "objects": [deploy]})
    events = cluster.settle()
    started = next(e for e in events if e.type == "pod.started")
    ready = next(e for e in events if e.type == "pod.ready")
    assert abs(ready.time - started.time - 15.0) < 1e-6
    assert k8s.is_ready(_one(cluster, k8s))


def test_the_service_account_token_is_requested_for_the_pod(cluster, k8s):
    """The kubelet asks for a projected token (TokenRequest) before starting it."""
    cluster.act({"op": "apply", "objects": [k8s.pod("solo")]})
    events = cluster.settle()
    sandbox = next(e for e in events if e.type == "pod.sandbox_created")
    assert ("POST", "/api/v1/namespaces/default/serviceaccounts/default/token") in [
        (c.verb, c.path) for c in sandbox.api_calls
    ]


def test_a_deleted_pod_is_removed_by_its_kubelet(cluster, k8s):
    """Deletion sets deletionTimestamp; the kubelet stops it and removes the object."""
    k8s.apply(cluster, k8s.pod("solo"))
    cluster.api.delete("pods", "default", "solo", actor="kubectl")
    pod = cluster.store.get("pods", "default", "solo")
    assert pod["metadata"]["deletionTimestamp"]
    events = cluster.settle()
    assert events[-1].type != "pod.deleted" or events[-1].actor == "kubelet"
    deleted = next(e for e in events if e.type == "pod.deleted")
    assert deleted.actor == "kubelet" and deleted.node == pod["spec"]["nodeName"]
    assert cluster.store.get("pods", "default", "solo") is None


def test_a_failed_nodes_kubelet_does_nothing(guestbook, k8s):
    """A pod deleted on a dead node stays Terminating."""
    victim = next(p for p in k8s.pods(guestbook) if p["spec"]["nodeName"] == "node-1")[
        "metadata"
    ]["name"]
    guestbook.act({"op": "fail_node", "node": "node-1"})
    guestbook.act({"op": "kill_pod", "pod": victim})
    guestbook.run(until=guestbook.time + 30)
    assert guestbook.store.get("pods", "default", victim)["metadata"][
        "deletionTimestamp"
    ]


def test_a_restored_node_restarts_its_pods_containers(guestbook, k8s):
    """Power came back: same pods, same IPs, restart count + 1."""
    before = {
        p["metadata"]["name"]: p["status"]["podIP"]
        for p in k8s.pods(guestbook)
        if p["spec"]["nodeName"] == "node-1"
    }
    guestbook.act({"op": "fail_node", "node": "node-1"})
    guestbook.run(until=guestbook.time + 20)  # back before anyone noticed
    guestbook.act({"op": "restore_node", "node": "node-1"})
    guestbook.settle()
    for name, ip in before.items():
        pod = guestbook.store.get("pods", "default", name)
        assert pod["status"]["podIP"] == ip
        assert pod["status"]["containerStatuses"][0]["restartCount"] == 1
        assert k8s.is_ready(pod)
