"""The event recorder and the Event TTL (simulation/recorder.py).

Followed: client-go tools/record/events_cache.go (EventCorrelator: EventAggregator
with defaultAggregateMaxEvents = 10 and defaultAggregateIntervalInSeconds = 600,
EventAggregatorByReasonMessageFunc's "(combined from similar events): ", and
eventLogger's count/firstTimestamp/name kept across repeats), tools/record/event.go
(recordEvent: PATCH a repeat, POST a new one) and kube-apiserver's --event-ttl
(default 1h: etcd deletes an Event an hour after its last write).
"""

from __future__ import annotations

import pytest

from simulation import Cluster
from simulation.clock import parse
from simulation.context import Context
from simulation.recorder import COMBINED, EVENT_TTL, live


def scale(cluster: Cluster, replicas: int, name: str = "web") -> None:
    result = cluster.act(
        {
            "op": "kubectl",
            "command": f"kubectl scale deploy/{name} --replicas={replicas}",
        }
    )
    assert result.ok, result.error
    cluster.settle()


def events(cluster: Cluster, reason: str | None = None) -> list[dict]:
    """The Events a read sees now (steps delete expired ones; reads between
    steps skip them)."""
    return [
        e
        for e in live(cluster.store.list("events"), cluster.time)
        if reason is None or e["reason"] == reason
    ]


@pytest.fixture
def web(k8s) -> Cluster:
    cluster = Cluster(seed=3)
    k8s.apply(cluster, k8s.deployment(replicas=2))
    return cluster


def test_a_repeated_event_is_one_event_with_a_count(web):
    """Scaling 2 → 3 three times gives one "Scaled up … from 2 to 3" Event with
    count 3, the first time as firstTimestamp and the last as lastTimestamp
    (eventLogger.eventObserve), under the first occurrence's name."""
    spans = []
    for _ in range(3):
        start = web.time
        scale(web, 3)
        spans.append((start, web.time))
        web.run(until=web.time + 30)
        scale(web, 2)
        web.run(until=web.time + 30)
    up = [e for e in events(web, "ScalingReplicaSet") if "from 2 to 3" in e["message"]]
    assert len(up) == 1
    assert up[0]["count"] == 3
    first, last = parse(up[0]["firstTimestamp"]), parse(up[0]["lastTimestamp"])
    assert int(spans[0][0]) <= first <= spans[0][1]
    assert int(spans[2][0]) <= last <= spans[2][1]
    assert up[0]["metadata"]["name"].startswith("web.")


def test_a_repeat_is_patched_not_created(web):
    """The step that repeats an Event PATCHes it by its first name (event.go's
    recordEvent with updateExistingEvent)."""
    scale(web, 3)
    scale(web, 2)
    name = next(
        e["metadata"]["name"]
        for e in events(web, "ScalingReplicaSet")
        if "from 2 to 3" in e["message"]
    )
    web.act({"op": "kubectl", "command": "kubectl scale deploy/web --replicas=3"})
    steps = web.settle()
    calls = [c for s in steps for c in s.api_calls if "/events" in c.path]
    assert ("PATCH", f"/api/v1/namespaces/default/events/{name}") in {
        (c.verb, c.path) for c in calls
    }


def test_the_tenth_distinct_message_of_a_reason_is_combined(k8s):
    """Twelve SuccessfulCreate "Created pod: …" events about one ReplicaSet within
    ten minutes (1 replica, then scaled to 12): nine stand alone; the tenth becomes
    "(combined from similar events): Created pod: <pod>", and the eleventh and
    twelfth patch it (count 3, the latest pod's name) — EventAggregator, as
    `kubectl describe rs` shows after a big scale-up on a real cluster."""
    cluster = Cluster(seed=5)
    k8s.apply(cluster, k8s.deployment(replicas=1))
    scale(cluster, 12)
    created = [
        e
        for e in events(cluster, "SuccessfulCreate")
        if e["metadata"]["namespace"] == "default"
    ]
    plain = [e for e in created if not e["message"].startswith(COMBINED)]
    combined = [e for e in created if e["message"].startswith(COMBINED)]
    assert len(plain) == 9
    assert len(combined) == 1
    assert combined[0]["count"] == 3
    assert combined[0]["involvedObject"]["kind"] == "ReplicaSet"
    pod = combined[0]["message"][len(COMBINED) :].removeprefix("Created pod: ")
    assert pod in {p["metadata"]["name"] for p in cluster.store.list("pods")}
    assert pod not in {e["message"].removeprefix("Created pod: ") for e in plain}


def involved(cluster: Cluster) -> dict:
    return cluster.store.list("deployments", "default")[0]


def test_similar_events_further_apart_than_the_interval_are_not_combined(web):
    """The aggregator starts a fresh record when the last similar event is more
    than 600 s old: nine messages, then a tenth 601 s later stays its own Event."""
    ctx = Context(web, "tester")
    for i in range(9):
        ctx.record_event(involved(web), "Probe", f"message {i}")
    web.time += 601
    ctx.record_event(involved(web), "Probe", "message 9")
    found = events(web, "Probe")
    assert len(found) == 10
    assert not any(e["message"].startswith(COMBINED) for e in found)
    assert web.time - 601 < max(parse(e["lastTimestamp"]) for e in found) + 1


def test_same_message_from_two_sources_is_two_events(web):
    """The key includes the source: the same words from two components are
    counted apart (getEventKey)."""
    for actor in ("one", "two", "one"):
        Context(web, actor).record_event(involved(web), "Probe", "same words")
    found = sorted(events(web, "Probe"), key=lambda e: e["source"]["component"])
    assert [(e["source"]["component"], e["count"]) for e in found] == [
        ("one", 2),
        ("two", 1),
    ]


def test_events_expire_an_hour_after_their_last_write(web):
    """--event-ttl: every Event of the apply is still there 3,599 s after the
    oldest was written, and all are gone an hour after the newest; a read
    between steps does not show an expired one either."""
    written = [parse(e["lastTimestamp"]) for e in events(web)]
    assert len(written) > 5
    web.run(until=min(written) + EVENT_TTL - 1)
    assert len(events(web)) == len(written)
    web.run(until=max(written) + EVENT_TTL)
    assert events(web) == []
    out = web.act({"op": "kubectl", "command": "kubectl get events -A"}).output
    assert out == "No resources found"
    scale(web, 3)  # a step: the expired Events are deleted from the store
    assert all(
        parse(e["lastTimestamp"]) > web.time - EVENT_TTL
        for e in web.store.list("events")
    )


def test_a_repeat_restarts_the_events_ttl(web):
    """An Event patched 30 minutes after it was created lives an hour from the
    patch, not from its creation (the lease is renewed by the write)."""
    scale(web, 3)
    scale(web, 2)
    first = web.time
    web.run(until=first + 1800)
    scale(web, 3)
    web.run(until=first + EVENT_TTL + 60)
    up = [e for e in events(web, "ScalingReplicaSet") if "from 2 to 3" in e["message"]]
    assert len(up) == 1 and up[0]["count"] == 2
    web.run(until=first + 1800 + EVENT_TTL + 60)
    assert not [e for e in events(web, "ScalingReplicaSet")]


def test_expiry_is_undone_by_step_back_and_replayed_exactly(web):
    """The step that deletes expired Events is undone by going back (they are
    stored and shown again); going forward and a replay of the saved actions
    give the same Events."""
    before = events(web)
    web.run(until=web.time + EVENT_TTL + 20)
    old = web.step_no
    scale(web, 3)
    first = next(s for s in web.events if s.step == old + 1)
    deleted = [w.key for w in first.writes if w.op == "DELETED"]
    assert len(deleted) == len(before)
    web.seek(first.step - 1)
    assert events(web) == before
    assert web.store.count("events") == len(before)
    web.seek(web.history.horizon)
    replay = Cluster.replay(web.inputs, web.actions, until=web.step_no)
    assert events(replay) == events(web)
    assert not {e["metadata"]["name"] for e in before} & {
        e["metadata"]["name"] for e in events(web)
    }


def test_a_long_session_keeps_only_the_last_hours_events(k8s):
    """Two simulated hours of scaling up and down every 30 s leave only Events
    written in the last hour, far fewer than were recorded (issue 13: 8,483
    Events in one session, none ever deleted)."""
    cluster = Cluster(seed=7)
    k8s.apply(cluster, k8s.deployment(replicas=1))
    for i in range(240):
        cluster.run(until=cluster.time + 30)
        scale(cluster, 3 if i % 2 == 0 else 1)
    now = cluster.time
    assert now > 2 * EVENT_TTL
    kept = cluster.store.list("events")  # what the session holds in memory
    assert all(parse(e["lastTimestamp"]) > now - EVENT_TTL for e in kept)
    # per hour: 120 scale-ups of 2 pods, each Scheduled and Started
    assert len(kept) < 600
