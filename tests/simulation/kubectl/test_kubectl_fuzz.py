"""Whatever is typed, kubectl answers with output or a SimulationError, never a
crash, and never changes the cluster when it fails."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulation import Cluster, kubectl
from simulation.errors import SimulationError

VERBS = list(kubectl.VERBS) + ["bogus", ""]
WORDS = st.sampled_from(
    [
        "pods",
        "po",
        "nodes",
        "svc",
        "deploy",
        "rs",
        "ep",
        "ev",
        "hpa",
        "all",
        "deployment/coredns",
        "node-1",
        "coredns",
        "web",
        "-n",
        "kube-system",
        "-A",
        "-o",
        "wide",
        "yaml",
        "json",
        "name",
        "-l",
        "k8s-app=kube-dns",
        "--replicas=2",
        "--image=nginx",
        "--port=80",
        "-f",
        "-",
        "--",
        "curl",
        "nslookup",
        "ping",
        "kubernetes",
        "--force",
        "--ignore-daemonsets",
        "-c",
        "'a b'",
        '"x"',
        "=",
        "--show-labels",
        "status",
        "image",
        "x=y",
        "/",
        "pod/",
        "--bogus",
        "-x",
    ]
)


@pytest.fixture(scope="module")
def booted() -> Cluster:
    return Cluster(seed=3)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(verb=st.sampled_from(VERBS), words=st.lists(WORDS, max_size=6))
def test_commands_built_from_kubectl_words_never_crash(booted, verb, words):
    line = " ".join(["kubectl", verb, *words])
    before = (booted.step_no, booted.store.revision)
    result = booted.act({"op": "kubectl", "command": line})
    assert isinstance(result.output, str)
    if not result.ok:
        assert result.error
        assert (booted.step_no, booted.store.revision) == before


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=80))
def test_arbitrary_text_is_output_or_a_simulation_error(text):
    cluster = _shared()
    try:
        kubectl.run(cluster, "get " + text)
    except SimulationError:
        pass


_CLUSTER: list[Cluster] = []


def _shared() -> Cluster:
    if not _CLUSTER:
        _CLUSTER.append(Cluster(seed=4))
    return _CLUSTER[0]
