"""Expensive requests within the limits: bounded time, bounded output.

Everything a session does runs on the server's one event loop, so a request that takes
seconds stalls every student on the server, and an answer of many megabytes is sent
to a browser in one frame. A cluster at 1,000 pods is well inside `Limits.pods`
(5,000); these requests must stay cheap there.
"""

from __future__ import annotations

import json
import time

import pytest

from kubeviz.registry import registry
from simulation import Cluster

PODS = 1_000
# At 1,000 pods a describe of all of them should take a fraction of this.
DESCRIBE_BUDGET = 1.0  # seconds
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


@pytest.fixture(scope="module")
def crowded() -> Cluster:
    cluster = Cluster(seed=3, nodes=20)
    grow(cluster, PODS)
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
def test_reading_everything_at_1000_pods_takes_well_under_a_second(
    crowded: Cluster, command: str
) -> None:
    started = time.perf_counter()
    result = crowded.act({"op": "kubectl", "command": command})
    took = time.perf_counter() - started
    assert result.ok, result.error
    assert took <= DESCRIBE_BUDGET, f"{command} took {took:.1f} s at {PODS} pods"


def test_describe_grows_in_proportion_to_the_pods() -> None:
    """Twice the pods may cost about twice the time, not four times."""
    times = {}
    for pods in (200, 400):
        cluster = Cluster(seed=3, nodes=10)
        grow(cluster, pods)
        started = time.perf_counter()
        cluster.act({"op": "kubectl", "command": "kubectl describe pods"})
        times[pods] = time.perf_counter() - started
    assert times[400] <= 3 * times[200] + 0.05, times


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
