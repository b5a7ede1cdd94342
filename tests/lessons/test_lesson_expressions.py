"""The expression vocabulary, evaluated against a small cluster."""

from __future__ import annotations

import pytest

from lessons.catalog import DATA
from lessons.errors import StepError
from lessons.expressions import Scope, check, dig, evaluate, prepare
from simulation import Cluster


@pytest.fixture(scope="module")
def scope() -> Scope:
    cluster = Cluster(seed=1)
    for name in ("web.yaml", "client.yaml"):
        text = (DATA / "manifests" / name).read_text()
        assert cluster.act({"op": "apply", "yaml": text}).ok
    cluster.settle()
    trace = cluster.act({"op": "trace", "from": "default/client", "to": "web"}).trace
    return Scope(cluster, env={"who": "default/client"}, trace=trace)


def web_pods(scope: Scope) -> list[dict]:
    return sorted(
        (p for p in scope.cluster.store.list("pods", "default")),
        key=lambda p: p["metadata"]["name"],
    )[1:]  # "client" sorts first


def test_a_pod_reference_picks_by_label_in_name_order(scope):
    names = [p["metadata"]["name"] for p in web_pods(scope)]
    assert evaluate({"pod": {"app": "web"}}, scope) == f"default/{names[0]}"
    assert (
        evaluate({"pod": {"app": "web"}, "nth": -1, "as": "short"}, scope)
        == (names[-1])
    )
    first = f"default/{names[0]}"
    assert evaluate({"pod": {"app": "web"}, "except": [first]}, scope) == (
        f"default/{names[1]}"
    )
    assert evaluate({"pod": {"app": "web"}, "as": "id"}, scope).startswith("pods/")


def test_a_pod_reference_that_matches_nothing_is_an_error(scope):
    with pytest.raises(StepError, match="no pod matches"):
        evaluate({"pod": {"app": "database"}}, scope)


def test_pod_facts(scope):
    client = scope.cluster.store.get("pods", "default", "client")
    assert evaluate({"ip_of": {"var": "who"}}, scope) == client["status"]["podIP"]
    assert evaluate({"node_of": "default/client"}, scope) == "node-1"
    assert evaluate({"status_of": "client"}, scope) == "Running"
    assert evaluate({"running": "default/client"}, scope) is True
    assert evaluate({"exists": "default/nobody"}, scope) is False
    assert evaluate({"count": {"pods": {"app": "web"}, "ready": True}}, scope) == 3


def test_service_and_node_facts(scope):
    assert evaluate({"ready_endpoints": "web"}, scope) == 3
    assert evaluate({"cluster_ip": "kube-system/kube-dns"}, scope) == "10.96.0.10"
    assert evaluate({"service_type": "web"}, scope) == "ClusterIP"
    assert evaluate({"node_status": "node-2"}, scope) == "Ready"
    assert evaluate({"untainted_nodes": None}, scope) == ["node-1", "node-2"]
    assert evaluate({"taints_of": "control-plane"}, scope) == [
        "node-role.kubernetes.io/control-plane:NoSchedule"
    ]


def test_trace_kinds_match_hops_by_field(scope):
    dnat = {"where": {"nat.type": "DNAT"}, "field": "node"}
    assert evaluate({"trace_find": dnat}, scope) == "node-1"
    assert evaluate({"trace_count": {"where": {"nat.type": "DNAT"}}}, scope) == 1
    assert evaluate({"trace_count": {"where": {"nat.type": "un-DNAT"}}}, scope) == 0
    undo = {"in": "reply", "where": {"nat.type": "un-DNAT"}}
    assert evaluate({"trace_count": undo}, scope) == 1
    contains = {"where": {"explain": {"contains": "DNAT"}}}
    assert evaluate({"trace_count": contains}, scope) >= 1
    assert evaluate({"host_of": {"trace_field": "reply[-1].src"}}, scope) == (
        evaluate({"cluster_ip": "web"}, scope)
    )
    assert evaluate({"trace_field": "reply.hops[-1].src"}, scope) == evaluate(
        {"trace_field": "reply[-1].src"}, scope
    )


def test_logic_and_text(scope):
    assert evaluate({"equal": [1, 1, 1]}, scope) is True
    assert evaluate({"not": {"equal": [1, 2]}}, scope) is True
    assert evaluate({"less": [1, 2]}, scope) is True
    assert evaluate({"minus": [5, 2.5]}, scope) == 2.5
    assert evaluate({"split": {"text": "a://b", "sep": "://"}}, scope) == "a"
    assert evaluate({"number": "30080"}, scope) == 30080
    assert evaluate({"without": [["a", "b"], "a"]}, scope) == ["b"]
    assert evaluate({"largest": {"x": 1, "y": 2}}, scope) == "y"
    with pytest.raises(StepError, match="tie"):
        evaluate({"largest": {"x": 2, "y": 2}}, scope)


def test_unchanged_compares_the_moment_asked_with_the_moment_revealed(scope):
    expr = {"unchanged": {"ip_of": "default/client"}}
    before = prepare(expr, scope)
    later = Scope(scope.cluster, env=scope.env, trace=scope.trace, before=before)
    assert evaluate(expr, later) is True
    changed = Scope(scope.cluster, before={k: "10.0.0.1" for k in before})
    assert evaluate(expr, changed) is False


def test_unknown_kinds_are_refused_before_running():
    with pytest.raises(StepError, match="unknown expression kind 'ip_off'"):
        check({"equal": [{"ip_off": "x"}, 1]})
    with pytest.raises(StepError, match="cannot be used `at: now`"):
        check({"unchanged": {"ip_of": "x"}}, at_now=True)


def test_paths_into_nested_data():
    data = {"a": [{"b": {"c-d": 1}}]}
    assert dig(data, "a[0].b.c-d") == 1
    assert dig(data, "a[-1].b") == {"c-d": 1}
    with pytest.raises(StepError, match="nothing at"):
        dig(data, "a[3]")
    with pytest.raises(StepError, match="not of the form"):
        dig(data, "a[0]..b")
