"""Invariants under any sequence of actions (hypothesis, bounded examples)."""

from __future__ import annotations

import ipaddress
import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import Cluster
from simulation.quantity import parse, pod_requests

APPS = ("web", "api", "db")
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _deployment(name, replicas, cpu_m, memory_mi):
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "c",
                            "image": "nginx:1.27",
                            "resources": {
                                "requests": {
                                    "cpu": f"{cpu_m}m",
                                    "memory": f"{memory_mi}Mi",
                                }
                            },
                        }
                    ]
                },
            },
        },
    }


actions = st.lists(
    st.one_of(
        st.tuples(
            st.just("apply"),
            st.sampled_from(APPS),
            st.integers(0, 8),
            st.sampled_from([100, 500, 1500, 3000]),
            st.sampled_from([64, 1024, 4096]),
        ),
        st.tuples(st.just("kill"), st.integers(0, 30)),
        st.tuples(st.just("crash"), st.integers(0, 30)),
        st.tuples(st.just("fail"), st.integers(1, 3)),
        st.tuples(st.just("restore"), st.integers(1, 3)),
        st.tuples(st.just("wait"), st.sampled_from([1.0, 30.0, 400.0])),
        st.tuples(st.just("steps"), st.integers(1, 15)),
    ),
    min_size=1,
    max_size=12,
)


def _do(cluster, action) -> None:
    kind = action[0]
    pods = cluster.store.list("pods", "default")
    if kind == "apply":
        _, name, replicas, cpu, memory = action
        cluster.act(
            {"op": "apply", "objects": [_deployment(name, replicas, cpu, memory)]}
        )
    elif kind in ("kill", "crash") and pods:
        pod = pods[action[1] % len(pods)]["metadata"]["name"]
        cluster.act(
            {"op": "kill_pod" if kind == "kill" else "crash_container", "pod": pod}
        )
    elif kind in ("fail", "restore"):
        op = "fail_node" if kind == "fail" else "restore_node"
        cluster.act({"op": op, "node": f"node-{action[1]}"})  # may be refused
    elif kind == "wait":
        cluster.run(until=cluster.time + action[1])
    elif kind == "steps":
        for _ in range(action[1]):
            cluster.step()


def _holding(pod) -> bool:
    return pod.get("status", {}).get("phase") not in ("Succeeded", "Failed")


def _check_capacity(cluster) -> None:
    for node in cluster.store.list("nodes"):
        name = node["metadata"]["name"]
        alloc = node["status"]["allocatable"]
        pods = [p for p in cluster.store.pods_on_node(name) if _holding(p)]
        cpu = sum(pod_requests(p)["cpu"] for p in pods)
        memory = sum(pod_requests(p)["memory"] for p in pods)
        assert cpu <= parse(alloc["cpu"]) + 1e-9, name
        assert memory <= parse(alloc["memory"]), name
        assert len(pods) <= parse(alloc["pods"]), name
        used = cluster.store.node_usage(name)
        assert abs(used["cpu"] - cpu) < 1e-9 and used["pods"] == len(pods)


def _check_ips(cluster) -> None:
    seen: dict[str, str] = {}
    for pod in cluster.store.list("pods"):
        status = pod.get("status", {})
        if status.get("phase") != "Running" or pod["spec"].get("hostNetwork"):
            continue
        node = cluster.store.get("nodes", None, pod["spec"]["nodeName"])
        ip = status["podIP"]
        assert ipaddress.ip_address(ip) in ipaddress.ip_network(node["spec"]["podCIDR"])
        assert ip not in seen, (ip, seen.get(ip), pod["metadata"]["name"])
        seen[ip] = pod["metadata"]["name"]


@SETTINGS
@given(actions)
def test_no_node_is_ever_over_its_allocatable(script):
    """Whatever is applied, killed or failed, bound requests fit every node."""
    cluster = Cluster(seed=5, nodes=3)
    for action in script:
        _do(cluster, action)
        _check_capacity(cluster)
    cluster.settle()
    _check_capacity(cluster)


@SETTINGS
@given(actions)
def test_every_running_pod_has_a_unique_ip_in_its_nodes_pod_cidr(script):
    """No two Running pods share an IP; each IP is in its node's podCIDR."""
    cluster = Cluster(seed=6, nodes=3)
    for action in script:
        _do(cluster, action)
        _check_ips(cluster)
    cluster.settle()
    _check_ips(cluster)


def _picture(cluster) -> str:
    """The view at this step; the clock as of the step (idle time is not a step)."""
    view = dict(cluster.snapshot(), horizon=0)
    view["time"] = cluster.events[-1].time if cluster.events else 0.0
    return json.dumps(view, sort_keys=True)


@SETTINGS
@given(actions, st.integers(0, 1000))
def test_stepping_back_equals_the_earlier_snapshot(script, pick):
    """seek(k) after any history gives exactly the snapshot taken at step k."""
    cluster = Cluster(seed=7, nodes=3)
    pictures = {0: _picture(cluster)}
    for action in script:
        _do(cluster, action)
        pictures[cluster.step_no] = _picture(cluster)
    steps = sorted(pictures)
    target = steps[pick % len(steps)]
    cluster.seek(target)
    assert _picture(cluster) == pictures[target]
