"""Sessions across tabs, reconnects, idle eviction and saving."""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer

from kubeviz.models import SavedSession
from kubeviz.registry import registry

pytestmark = pytest.mark.django_db(transaction=True)


async def test_two_tabs_of_one_session_receive_the_same_frame(
    make_session, open_tab
) -> None:
    session_id = await make_session("deploy")
    first = await open_tab(session_id)
    second = await open_tab(session_id)
    assert (await first.receive())["session"]["viewers"] == 2
    await second.send({"type": "step"})
    one, two = await first.receive_from(), await second.receive_from()
    assert one == two, "the same encoded text goes to every viewer"


async def test_different_sessions_never_share_state(make_session, open_tab) -> None:
    mine = await open_tab(await make_session("deploy"))
    theirs = await open_tab(await make_session("deploy"))
    await mine.send({"type": "step"})
    assert (await mine.receive())["type"] == "delta"
    assert await theirs.receive_nothing(0.2)


async def test_a_tab_that_reconnects_gets_exactly_what_it_missed(
    make_session, open_tab
) -> None:
    session_id = await make_session("deploy")
    stays = await open_tab(session_id)
    leaves = await open_tab(session_id)
    await stays.receive()  # status: two viewers
    last_seq = leaves.first["seq"]
    await leaves.disconnect()
    await stays.receive()  # status: one viewer
    sent = []
    for _ in range(3):
        await stays.send({"type": "step"})
        sent.append(await stays.receive())
    back = await open_tab(session_id, hello=False)
    await back.send({"type": "hello", "lastSeq": last_seq})
    missed = [await back.receive() for _ in range(3)]
    assert missed == sent
    assert (await back.receive())["type"] == "status"
    assert await back.receive_nothing(0.1), "no duplicates"


async def test_a_tab_that_missed_nothing_gets_an_ack(make_session, open_tab) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "hello", "lastSeq": tab.first["seq"]})
    assert await tab.receive() == {
        "type": "ack",
        "for": "hello",
        "seq": tab.first["seq"],
    }


async def test_a_tab_too_far_behind_gets_a_fresh_snapshot(
    make_session, open_tab, settings
) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, "RING_SIZE": 2}
    session_id = await make_session("deploy")
    stays = await open_tab(session_id)
    for _ in range(4):
        await stays.send({"type": "step"})
        last = await stays.receive()
    late = await open_tab(session_id, hello=False)
    await late.send({"type": "hello", "lastSeq": stays.first["seq"]})
    snapshot = await late.receive()
    assert snapshot["type"] == "snapshot"
    assert (snapshot["seq"], snapshot["state"]["step"]) == (last["seq"], last["step"])


async def test_a_sequence_number_from_another_run_gets_a_snapshot(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "hello", "lastSeq": tab.first["seq"] + 1000})
    assert (await tab.receive())["type"] == "snapshot"


async def test_play_stops_when_the_last_viewer_leaves(make_session, open_tab) -> None:
    session_id = await make_session("deploy")
    tab = await open_tab(session_id)
    await tab.send({"type": "play", "speed": 20})
    await tab.receive_until("delta")
    live = registry().sessions[session_id]
    await tab.disconnect()
    assert live.play_task is None and not live.viewers
    step = live.cluster.step_no
    await asyncio.sleep(0.2)
    assert live.cluster.step_no == step


async def test_timed_play_keeps_to_its_speed(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("deploy"))
    loop = asyncio.get_running_loop()
    await tab.send({"type": "play", "speed": 10})
    await tab.receive_until("status")
    start = loop.time()
    for _ in range(5):
        await tab.receive_until("delta")
    elapsed = loop.time() - start
    assert 0.35 <= elapsed <= 1.5, f"5 steps at 10/s took {elapsed:.2f} s"
    await tab.send({"type": "pause"})


async def test_a_session_reopens_exactly_after_leaving_memory(
    make_session, open_tab
) -> None:
    session_id = await make_session("web")
    tab = await open_tab(session_id)
    await tab.send({"type": "fault", "action": "fail_node", "target": "node-2"})
    await tab.receive()
    for _ in range(3):
        await tab.send({"type": "step"})
        await tab.receive()
    await tab.send({"type": "hello", "lastSeq": 0})
    before = await tab.receive()
    await tab.disconnect()
    registry().sessions.clear()  # as after the idle timeout, or a restart

    again = await open_tab(session_id)
    after = again.first
    assert after["state"] == before["state"]
    assert after["seq"] > before["seq"], "numbering never goes back"


async def test_leaving_saves_the_position(make_session, open_tab) -> None:
    session_id = await make_session("deploy")
    tab = await open_tab(session_id)
    for _ in range(2):
        await tab.send({"type": "step"})
        step = (await tab.receive())["step"]
    await tab.disconnect()
    row = await SavedSession.objects.aget(pk=session_id)
    assert row.position == step


async def test_hello_with_a_step_opens_the_session_there(
    make_session, open_tab
) -> None:
    session_id = await make_session("web")
    tab = await open_tab(session_id, hello=False)
    await tab.send({"type": "hello", "lastSeq": None, "step": 3})
    snapshot = await tab.receive_until("snapshot")
    assert snapshot["state"]["step"] == 3


async def test_an_idle_session_leaves_memory(make_session, open_tab, settings) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, "IDLE_SECONDS": 0.05}
    session_id = await make_session()
    tab = await open_tab(session_id)
    await tab.disconnect()
    assert session_id in registry().sessions
    await asyncio.sleep(0.2)
    assert session_id not in registry().sessions


async def test_a_viewer_back_in_time_cancels_the_eviction(
    make_session, open_tab, settings
) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, "IDLE_SECONDS": 0.2}
    session_id = await make_session()
    first = await open_tab(session_id)
    live = registry().sessions[session_id]
    await first.disconnect()
    await open_tab(session_id)
    await asyncio.sleep(0.3)
    assert registry().sessions.get(session_id) is live


async def test_frames_after_covers_exactly_the_gap_or_asks_for_a_snapshot(
    make_session, open_tab, settings
) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, "RING_SIZE": 3}
    session_id = await make_session("deploy")
    tab = await open_tab(session_id)
    live = registry().sessions[session_id]
    base = live.seq
    for _ in range(5):
        await tab.send({"type": "step"})
        await tab.receive()
    assert live.frames_after(base + 5) == []
    assert len(live.frames_after(base + 2)) == 3
    assert live.frames_after(base + 1) is None
    assert live.frames_after(None) is None


async def test_a_dropped_frame_is_filled_in_from_the_ring(
    make_session, open_tab, monkeypatch
) -> None:
    session_id = await make_session("deploy")
    asker, watcher = await open_tab(session_id), await open_tab(session_id)
    await asker.receive_until("status")
    layer = get_channel_layer()
    real_group_send = layer.group_send

    async def drop_once(group, message):
        monkeypatch.setattr(layer, "group_send", real_group_send)

    monkeypatch.setattr(layer, "group_send", drop_once)
    await asker.send({"type": "step"})
    first = await asker.receive()
    assert first["type"] == "delta", "the asker gets its frame from the ring"
    assert await watcher.receive_nothing(0.1), "the watcher's copy was lost"
    await asker.send({"type": "step"})
    second = await asker.receive()
    assert [await watcher.receive(), await watcher.receive()] == [first, second]
    assert await asker.receive_nothing(0.1), "no repeats for the asker"


async def test_a_socket_is_accepted_before_its_session_has_opened(
    make_session, open_tab, monkeypatch
) -> None:
    """Opening a session can outlast a handshake's timeout when a class opens
    theirs at once; the socket is accepted first and its hello waits its turn."""
    from kubeviz.registry import Registry

    opened = Registry.open

    async def slow_open(self, session_id):
        await asyncio.sleep(1.0)
        return await opened(self, session_id)

    monkeypatch.setattr(Registry, "open", slow_open)
    session_id = await make_session("deploy")
    loop = asyncio.get_running_loop()
    started = loop.time()
    tab = await open_tab(session_id, hello=False)
    assert loop.time() - started < 0.5, "the handshake waited for the session"
    await tab.send({"type": "hello", "lastSeq": None})
    snapshot = await tab.receive(timeout=10)
    assert snapshot["type"] == "snapshot"
    assert snapshot["session"]["id"] == session_id
