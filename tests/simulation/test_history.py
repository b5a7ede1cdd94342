"""Step back and seek: the cluster returns to earlier steps exactly."""

from __future__ import annotations

import copy
import json

import pytest

from simulation import Cluster
from simulation.errors import UsageError


def _state(cluster):
    """Everything a step can change: objects, clock, random state, the view."""
    view = dict(cluster.snapshot(), horizon=None)  # the horizon outlives a seek
    return (
        json.dumps(view, sort_keys=True),
        cluster.store.revision,
        cluster.time,
        cluster.random.getstate(),
        [(e.step, e.time, e.type, e.reason) for e in cluster.events],
        copy.deepcopy(
            {
                k: sorted(map(str, v)) if isinstance(v, set) else v
                for k, v in cluster.state.items()
                if k != "decisions"
            }
        ),
    )


def test_step_back_restores_objects_clock_and_random_state(guestbook, k8s):
    """back(1) after a step equals the state before it, bit for bit."""
    before = _state(guestbook)
    guestbook.act({"op": "apply", "objects": [k8s.deployment("web", replicas=2)]})
    guestbook.step()
    guestbook.back(2)
    assert _state(guestbook) == before


def test_seek_forward_again_reproduces_the_same_steps(guestbook, k8s):
    """Going back and forward again replays the identical events."""
    start = guestbook.step_no
    guestbook.act({"op": "kill_pod", "pod": k8s.pods(guestbook)[0]["metadata"]["name"]})
    guestbook.settle()
    end = guestbook.step_no
    after = _state(guestbook)
    guestbook.seek(start)
    guestbook.seek(end)
    assert _state(guestbook) == after


def test_every_earlier_step_is_reachable_exactly(cluster, k8s):
    """seek(k) for each k equals the snapshot taken live at step k."""
    cluster.act({"op": "apply", "yaml": k8s.guestbook_yaml()})
    live = {cluster.step_no: _state(cluster)}
    while (event := cluster.step()) is not None and event.step < 80:
        live[cluster.step_no] = _state(cluster)
    for k in sorted(live, reverse=True)[::7]:
        cluster.seek(k)
        assert _state(cluster) == live[k], k


def test_back_returns_a_delta_that_undoes_the_view(guestbook, k8s):
    """The delta from back() removes what the undone step created."""
    guestbook.act({"op": "apply", "objects": [k8s.pod("solo")]})
    delta = guestbook.back()
    assert {"op": "remove", "id": "pods/default/solo"} in delta["changes"]
    assert guestbook.store.get("pods", "default", "solo") is None


def test_an_action_after_stepping_back_discards_the_old_future(guestbook, k8s):
    """Like a video editor: the horizon moves to the new step."""
    guestbook.act({"op": "apply", "objects": [k8s.pod("one")]})
    guestbook.settle()
    far = guestbook.history.horizon
    guestbook.back(far - 1)
    guestbook.act({"op": "apply", "objects": [k8s.pod("two")]})
    assert guestbook.history.horizon == guestbook.step_no < far
    with pytest.raises(UsageError, match="has not happened yet"):
        guestbook.seek(far)


def test_an_action_after_idle_time_replays_at_the_same_clock(cluster, k8s):
    """run(until) then act: seek and replay put the action at the same time."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2))
    cluster.run(until=100)
    cluster.act({"op": "apply", "objects": [k8s.deployment("web", replicas=3)]})
    cluster.settle()
    end, after = cluster.step_no, _state(cluster)
    cluster.seek(0)
    cluster.seek(end)
    assert _state(cluster) == after
    again = Cluster.replay(cluster.inputs, cluster.actions, until=end)
    assert _state(again)[0] == after[0]


def test_replay_from_saved_actions_rebuilds_the_same_cluster(guestbook, k8s):
    """Cluster.replay(inputs, actions) gives the same objects and events."""
    guestbook.act({"op": "fail_node", "node": "node-2"})
    guestbook.run(until=guestbook.time + 400)
    guestbook.act({"op": "restore_node", "node": "node-2"})
    guestbook.settle()
    saved = json.loads(json.dumps(guestbook.actions))
    again = Cluster.replay(guestbook.inputs, saved, until=guestbook.step_no)
    assert _state(again)[:3] == _state(guestbook)[:3]


def test_a_recorded_action_refused_on_replay_is_left_out_not_a_dead_end(k8s):
    """A saved session can hold an action that a later check refuses (issue 13: a
    console line with a lone surrogate). Replay leaves it out and steps on with the
    cluster's own work, so the session opens at its saved step and can go on; the
    actions it saves next no longer hold it."""
    cluster = Cluster(seed=3, nodes=2)
    k8s.apply(cluster, k8s.deployment("web", replicas=2))
    refused = {"op": "kubectl", "command": "kubectl run x --image=nginx\ud800"}
    saved = [*cluster.actions, {"step": 3, "action": refused}]
    again = Cluster.replay(cluster.inputs, saved, until=8)
    assert again.step_no == 8
    assert [entry["step"] for entry in again.actions] == [1]
    assert again.store.get("pods", "default", "x") is None
    assert again.step() is not None


def test_reset_goes_to_step_zero_and_forgets(guestbook):
    """reset(): step 0, no recorded actions."""
    guestbook.reset()
    assert guestbook.step_no == 0 and guestbook.actions == []
    assert guestbook.store.count("deployments", "default") == 0


def test_history_keeps_more_than_ten_thousand_steps(k8s):
    """Step 1 is still reachable after 10,000 steps, and exactly."""
    cluster = Cluster(seed=3, nodes=2)
    k8s.apply(cluster, k8s.deployment("web", replicas=1))
    first, early = cluster.step_no, _state(cluster)
    while cluster.step_no < 10_050:
        victim = k8s.pods(cluster, "web")[0]["metadata"]["name"]
        cluster.act({"op": "kill_pod", "pod": victim})
        cluster.settle()
    assert cluster.history.horizon >= 10_050
    cluster.seek(first)
    assert _state(cluster) == early


def test_seek_refuses_the_future_and_bad_numbers(cluster):
    """Only whole numbers from 0 to the horizon."""
    with pytest.raises(UsageError):
        cluster.seek(cluster.history.horizon + 1)
    with pytest.raises(UsageError):
        cluster.seek(-1)


def test_checkpoint_spacing_grows_with_the_store(k8s):
    """Big clusters checkpoint less often (interval adapts to store size)."""
    small = Cluster(seed=1, nodes=1)
    assert small.history.interval_for(small) == small.history.interval
    big = Cluster(seed=1, nodes=3)
    k8s.apply(big, k8s.deployment("web", replicas=300, cpu="1m", memory="1Mi"))
    assert big.history.interval_for(big) >= small.history.interval


def test_a_rolled_back_step_leaves_no_trace(guestbook, k8s):
    """Steps taken after mark() and undone by rollback() leave the model, the
    horizon and the checkpoints as they were, and the same steps come again."""
    guestbook.history.interval = 2  # so that the steps below make checkpoints
    guestbook.act({"op": "apply", "objects": [k8s.deployment("web", replicas=3)]})
    before = (_state(guestbook), guestbook.history.horizon)
    checkpoints = sorted(guestbook.history.checkpoints)
    mark = guestbook.mark()
    taken = [guestbook.step() for _ in range(5)]
    assert sorted(guestbook.history.checkpoints) != checkpoints
    guestbook.rollback(mark)
    assert (_state(guestbook), guestbook.history.horizon) == before
    assert sorted(guestbook.history.checkpoints) == checkpoints
    again = [guestbook.step() for _ in range(5)]
    assert [e.to_dict() for e in again] == [e.to_dict() for e in taken]
