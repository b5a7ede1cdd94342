"""Steps prepared ahead: invisible to the learner, except that stepping is quicker.

After each step a session takes the next one before anybody asks (LiveSession.prepare)
and undoes it, exactly, if anything but a step comes next. Every test here runs the
same messages against two sessions of the same scenario and seed, one with steps
ahead and one without, and expects the same answers.
"""

from __future__ import annotations

import asyncio
import time

import pytest

from kubeviz import persistence
from kubeviz.live import LiveSession
from kubeviz.registry import registry
from kubeviz.scenarios import get as scenario

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def every_step_is_cheap(monkeypatch) -> None:
    """Only steps that were cheap lately are prepared; on a busy test machine a
    step may not be, nor its event loop on time (BUSY_LAG), and these tests are
    about what preparing must not change."""
    monkeypatch.setattr("kubeviz.live.INLINE_STEP", 1.0)
    monkeypatch.setattr("kubeviz.ahead.BUSY_LAG", 1.0)


def without_seq(frame: dict) -> dict:
    """A frame but what differs between two sessions: its number, its session."""
    return {k: v for k, v in frame.items() if k not in ("seq", "session", "url")}


async def pair(make_session, open_tab):
    """Two tabs on two sessions of one scenario: one stepping ahead, one not."""
    ahead_id, plain_id = await make_session("deploy"), await make_session("deploy")
    ahead, plain = await open_tab(ahead_id), await open_tab(plain_id)
    registry().sessions[plain_id].steps_ahead = False
    return ahead, plain, registry().sessions[ahead_id]


async def step(tab, times: int = 1) -> list[dict]:
    """Step `times` times; the deltas (or the ack once the cluster has settled)."""
    frames = []
    for _ in range(times):
        await tab.send({"type": "step"})
        while (frame := await tab.receive())["type"] == "status":
            pass
        frames.append(without_seq(frame))
        await asyncio.sleep(0.01)  # time for the next step to be prepared
    return frames


async def prepared(live: LiveSession) -> bool:
    """Wait (a while at most) for the session to have prepared its next step."""
    for _ in range(200):
        if live.ahead is not None:
            return True
        await asyncio.sleep(0.01)
    return False


async def quiet(tab) -> list[dict]:
    """Everything a tab is sent until it falls quiet, but status notes."""
    frames = []
    while not await tab.receive_nothing(0.3):
        frame = await tab.receive()
        if frame["type"] != "status":
            frames.append(without_seq(frame))
    return frames


async def test_steps_taken_ahead_are_the_steps_taken_on_demand(
    make_session, open_tab
) -> None:
    ahead, plain, live = await pair(make_session, open_tab)
    first = await step(ahead, 10)
    assert await prepared(live), "the 11th step is prepared, so the test means it"
    frames = first + await step(ahead, 20)
    assert frames == await step(plain, 30)
    # The scenario settles within 30 steps: the step after that is refused alike.
    assert [f["type"] for f in frames[-2:]] == ["ack", "ack"]


@pytest.mark.parametrize(
    "message",
    [
        {"type": "kubectl", "id": 1, "command": "kubectl get pods -o wide"},
        {
            "type": "kubectl",
            "id": 1,
            "command": "kubectl scale deployment web --replicas=5",
        },
        {"type": "trace", "from": "node/node-1", "to": "svc/default/web:80"},
        {"type": "back"},
        {"type": "seek", "step": 3},
        {"type": "fault", "action": "fail_node", "target": "node-2"},
        {"type": "save"},
    ],
    ids=lambda m: m.get("command", m["type"]),
)
async def test_anything_but_a_step_sees_the_step_on_the_screen(
    make_session, open_tab, message
) -> None:
    ahead, plain, live = await pair(make_session, open_tab)
    await step(ahead, 12)
    await step(plain, 12)
    assert await prepared(live)
    answers = []
    for tab in (ahead, plain):
        await tab.send(message)
        answers.append(await quiet(tab))
    ahead_frames, plain_frames = answers
    assert ahead_frames and ahead_frames == plain_frames
    # And the model's whole state agrees, as a new tab's snapshot shows it.
    states = []
    for tab in (ahead, plain):
        await tab.send({"type": "hello", "lastSeq": None})
        states.append((await tab.receive_until("snapshot"))["state"])
    assert states[0] == states[1]


async def test_a_session_saved_while_a_step_is_ahead_reopens_where_it_was_seen(
    make_session, open_tab
) -> None:
    ahead, _plain, live = await pair(make_session, open_tab)
    frames = await step(ahead, 8)
    assert await prepared(live)
    record = live.record()
    assert record.position == frames[-1]["step"] == live.ahead.step
    rebuilt = await asyncio.to_thread(record.rebuild)
    assert rebuilt.snapshot() == live.cluster.snapshot()


def fingerprint(cluster) -> tuple:
    """Everything a step changes: the objects, the store's log, the work queue,
    the clock, the random numbers, the events and the history's bookkeeping."""
    return (
        cluster.snapshot(),
        cluster.store.checkpoint(),
        cluster.queue.checkpoint(),
        cluster.time,
        cluster.random.getstate(),
        len(cluster.events),
        cluster.history.horizon,
        sorted(cluster.history.checkpoints),
    )


async def test_undoing_a_step_ahead_restores_the_model_exactly() -> None:
    cluster = scenario("deploy").build(0)
    for _ in range(5):
        cluster.step()
    live = LiveSession(persistence.Record(id="x", scenario="deploy"), cluster)
    live.viewers.add("a tab")
    seen = cluster.step_no
    before = fingerprint(cluster)
    await live.prepare()
    assert live.ahead is not None and cluster.step_no == seen + 1, "a step was taken"
    after = live.cluster  # reading the model undoes it
    assert after is cluster and live.ahead is None
    assert fingerprint(cluster) == before


async def test_the_frame_ring_keeps_to_its_byte_budget() -> None:
    """A reconnecting tab is sent what it missed only while the ring holds it all;
    big frames push old ones out by size, not only by count."""
    cluster = scenario("deploy").build(0)
    live = LiveSession(
        persistence.Record(id="x", scenario="deploy"), cluster, ring_bytes=3_000
    )
    first = live.seq
    for _ in range(6):
        await live.publish({"type": "delta", "pad": "x" * 1_000})
    assert live.ring_used <= 3_000 + 1_100
    assert len(live.ring) == 3, "the newest frame and two more fit in 3,000 bytes"
    assert live.frames_after(first) is None, "too far back: a snapshot is needed"
    assert len(live.frames_after(live.seq - 2)) == 2


async def test_a_busy_process_does_not_prepare_steps_nobody_asked_for(
    make_session, open_tab, monkeypatch
) -> None:
    monkeypatch.setattr("kubeviz.ahead.PREPARE_AFTER", 0.05)
    monkeypatch.setattr("kubeviz.ahead.BUSY_LAG", 0.05)
    ahead, _plain, live = await pair(make_session, open_tab)
    await ahead.send({"type": "step"})
    await ahead.receive_until("delta")
    time.sleep(0.15)  # the event loop is held up: the process is busy
    await asyncio.sleep(0.2)
    assert live.ahead is None
    await step(ahead)
    assert await prepared(live), "with the loop free again, the next is prepared"


async def test_the_frame_ring_keeps_the_last_minute(monkeypatch) -> None:
    """Frames older than RING_SECONDS leave the ring: a tab away that long gets a
    snapshot, and a session's ring stops growing once it is that old."""
    clock = [1000.0]
    monkeypatch.setattr("kubeviz.live.time.monotonic", lambda: clock[0])
    live = LiveSession(
        persistence.Record(id="x", scenario="deploy"), scenario("deploy").build(0)
    )
    start = live.seq
    for _ in range(30):  # a frame a second for half a minute
        await live.publish({"type": "delta", "pad": "x" * 100})
        clock[0] += 1.0
    assert len(live.frames_after(start)) == 30, (
        "a 30 s drop is caught up frame by frame"
    )
    for _ in range(90):
        await live.publish({"type": "delta", "pad": "x" * 100})
        clock[0] += 1.0
    assert len(live.ring) == 61, "the last minute's frames, and no more"
    assert live.frames_after(start) is None, "away for two minutes: a snapshot"
