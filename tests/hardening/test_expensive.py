"""Expensive requests within the limits: work in proportion, bounded output.

Everything a session does runs on the server's one event loop, so a request whose cost
grows faster than the cluster stalls every student on the server, and an answer of many
megabytes is sent to a browser in one frame. A cluster at 1,000 pods is well inside
`Limits.pods` (5,000); these requests must stay cheap there.

The tests count work (Python function calls, which are the same on a busy machine and
a quiet one) rather than time it; `bench/bench_expensive.py` prints the seconds.
"""

from __future__ import annotations

import cProfile
import json
import pstats

import pytest

from kubeviz.registry import registry
from simulation import Cluster

PODS = 1_000
SMALL = 200
MAX_OUTPUT = 1024 * 1024  # bytes of kubectl output in one websocket frame


def grow(cluster: Cluster, pods: int) -> None:
    """Add a Deployment of `pods` replicas and step until they all run (a few steps
    each: scheduled, sandbox, started), as a session that plays on would."""
    result = cluster.act(
        {
            "op": "kubectl",
            "command": f"kubectl create deployment big --image=nginx --replicas={pods}",
        }
    )
    assert result.ok, result.error
    for _ in range(5 * pods):
        if cluster.step() is None:
            break
    assert cluster.store.count("pods") >= pods


def calls(cluster: Cluster, command: str) -> int:
    """The Python function calls one kubectl command costs: a measure of its work
    that a loaded machine does not change."""
    profile = cProfile.Profile()
    profile.enable()
    result = cluster.act({"op": "kubectl", "command": command})
    profile.disable()
    assert result.ok, result.error
    return pstats.Stats(profile).total_calls


@pytest.fixture(scope="module")
def crowded() -> Cluster:
    cluster = Cluster(seed=3, nodes=20)
    grow(cluster, PODS)
    return cluster


@pytest.fixture(scope="module")
def small() -> Cluster:
    cluster = Cluster(seed=3, nodes=20)
    grow(cluster, SMALL)
    return cluster


@pytest.mark.parametrize(
    "command",
    [
        "kubectl describe pods -A",
        "kubectl describe pods",
        "kubectl describe nodes",
        "kubectl get pods -A -o yaml",
        "kubectl get events -A",
    ],
)
def test_reading_everything_costs_in_proportion_to_the_pods(
    crowded: Cluster, small: Cluster, command: str
) -> None:
    """Five times the pods cost at most about five times the work, not twenty-five:
    no per-pod scan of every pod, event or node hides in a reader."""
    few, many = calls(small, command), calls(crowded, command)
    ratio = PODS / SMALL
    assert many <= 1.25 * ratio * few, f"{command}: {few} calls -> {many} calls"


def test_describe_grows_in_proportion_to_the_pods() -> None:
    """Twice the pods may cost about twice the work, not four times."""
    work = {}
    for pods in (200, 400):
        cluster = Cluster(seed=3, nodes=10)
        grow(cluster, pods)
        work[pods] = calls(cluster, "kubectl describe pods")
    assert work[400] <= 2.5 * work[200], work


@pytest.mark.django_db(transaction=True)
async def test_kubectl_output_in_one_frame_is_bounded(make_session, open_tab) -> None:
    """`get pods -A -o json` at 1,000 pods is 7 MB: the frame says it was cut."""
    session_id = await make_session("blank")
    tab = await open_tab(session_id)
    live = registry().sessions[session_id]
    async with live.lock:
        grow(live.cluster, PODS)
    await tab.send(
        {"type": "kubectl", "id": 5, "command": "kubectl get pods -A -o json"}
    )
    reply = await tab.receive_until("kubectl_output", timeout=60)
    size = len(json.dumps(reply).encode())
    assert size <= MAX_OUTPUT + 4096, f"one kubectl_output frame of {size} bytes"
