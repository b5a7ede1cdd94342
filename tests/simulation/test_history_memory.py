"""What a session's history costs in memory, step after step."""

from __future__ import annotations

import json
import random
import sys

from simulation import Cluster
from simulation.history import pack_random, unpack_random


def test_a_packed_random_state_restores_the_generator_exactly():
    """The packed state gives back the same numbers as the state itself."""
    rng = random.Random(7)
    rng.random()
    rng.gauss(0, 1)  # leaves a gauss_next behind
    packed = pack_random(rng.getstate())
    expected = [rng.random() for _ in range(5)]
    rng.setstate(unpack_random(packed))
    assert [rng.random() for _ in range(5)] == expected


def test_a_checkpoint_keeps_the_random_state_in_a_few_kilobytes():
    """625 Python ints were 25 KB a checkpoint, one every 50 steps for good."""
    cluster = Cluster(seed=3)
    _version, words, _gauss = cluster.history.checkpoints[0].random
    assert sys.getsizeof(words) < 3_000


# --- a bounded history ----------------------------------------------------------------
KEEP = 30  # steps, with a checkpoint every 10


def busy(k8s, keep: int) -> tuple[Cluster, dict[int, tuple]]:
    """A cluster scaled up and down for a few hundred steps, and its state at
    every step as it was taken."""
    cluster = Cluster(seed=11)
    cluster.history.keep, cluster.history.interval = keep, 10
    seen = {0: state(cluster)}
    cluster.act({"op": "apply", "objects": [k8s.deployment("web", replicas=2)]})
    seen[cluster.step_no] = state(cluster)
    for replicas in (5, 1, 4, 2, 6, 3, 5, 2, 4, 1):
        command = f"kubectl scale deployment web --replicas={replicas}"
        cluster.act({"op": "kubectl", "command": command})
        seen[cluster.step_no] = state(cluster)
        while (event := cluster.step()) is not None:
            seen[event.step] = state(cluster)
    return cluster, seen


def state(cluster: Cluster) -> tuple:
    view = dict(cluster.snapshot(), horizon=None)
    return (
        json.dumps(view, sort_keys=True),
        cluster.store.revision,
        cluster.time,
        cluster.random.getstate(),
    )


def test_the_history_keeps_undo_for_its_last_steps_only(k8s):
    """Checkpoints, the write log and events stop growing past `keep` steps."""
    cluster, _ = busy(k8s, KEEP)
    assert cluster.step_no > 3 * KEEP, "the scenario should outlast the history"
    reach = cluster.step_no - cluster.history.oldest()
    assert reach < KEEP + 2 * cluster.history.interval
    assert len(cluster.events) == reach
    assert cluster.store.forgotten > 0


def test_a_step_older_than_the_history_is_reached_exactly_by_replay(k8s):
    """seek(k) before the oldest checkpoint equals the state taken live at k."""
    cluster, seen = busy(k8s, KEEP)
    assert min(seen) < cluster.history.oldest()
    for k in sorted(seen, reverse=True)[::9] + [0]:
        cluster.seek(k)
        assert state(cluster) == seen[k], f"step {k}"


def test_after_a_replay_the_same_future_is_stepped_again(k8s):
    """Back to an old step and forward to the end: identical events and state."""
    cluster, seen = busy(k8s, KEEP)
    end = cluster.step_no
    last = [(e.step, e.time, e.type, e.reason) for e in cluster.events[-20:]]
    cluster.seek(5)
    delta = cluster.seek(end)
    assert state(cluster) == seen[end]
    assert [(e.step, e.time, e.type, e.reason) for e in cluster.events[-20:]] == last
    assert delta["step"] == end


def test_a_seek_through_a_replay_returns_a_delta_of_what_changed(k8s):
    """The delta of a seek that rebuilt names the objects that came and went."""
    cluster, _ = busy(k8s, KEEP)
    before = {p["metadata"]["name"] for p in cluster.store.list("pods")}
    delta = json.dumps(cluster.seek(3))
    after = {p["metadata"]["name"] for p in cluster.store.list("pods")}
    assert before ^ after, "the pods should differ between the two steps"
    assert all(name in delta for name in before ^ after)
