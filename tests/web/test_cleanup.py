"""A socket whose handler raises is cleaned up as surely as one that closes.

A bug in one message's handling ends that tab's consumer (Daphne closes the socket
with 1011); it must still leave its session, classroom and lesson as a closing tab
does: no ghost in `status.viewers`, a session that can go idle and leave memory, no
dead member in a classroom's relay, no play loop stepping for nobody.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.layers import get_channel_layer

from kubeviz import consumers as session_consumers
from kubeviz.classroom import consumers as classroom_consumers
from kubeviz.classroom.relay import relays
from kubeviz.lessons import consumers as lesson_consumers
from kubeviz.lessons.live import LessonLive
from kubeviz.registry import registry
from tests.web import test_classroom, test_lesson_socket

pytestmark = pytest.mark.django_db(transaction=True)
enter = test_classroom.enter
make_classroom = test_classroom.make_classroom
learner = test_lesson_socket.learner

BOOM = '{"type": "pause", "boom": true}'


class Bug(RuntimeError):
    """What a handler's bug raises in these tests."""


def break_parsing(monkeypatch, module) -> None:
    """`module.parse` raises for the message BOOM, as a bug in a handler would."""
    real = module.parse

    def parse(text_data=None, bytes_data=None):
        if text_data == BOOM:
            raise Bug("a bug while handling one message")
        return real(text_data, bytes_data)

    monkeypatch.setattr(module, "parse", parse)


async def kill(tab) -> None:
    """Send BOOM; the tab's consumer ends with the handler's exception."""
    await tab.send_to(text_data=BOOM)
    await asyncio.wait({tab.future}, timeout=5)
    assert tab.future.done() and isinstance(tab.future.exception(), Bug)


async def test_a_tab_that_died_is_no_longer_counted(
    make_session, open_tab, monkeypatch
) -> None:
    session_id = await make_session()
    staying = await open_tab(session_id)
    dying = await open_tab(session_id)
    joined = await staying.receive_until("status")
    assert joined["session"]["viewers"] == 2
    break_parsing(monkeypatch, session_consumers.protocol)
    await kill(dying)
    left = await staying.receive_until("status")
    assert left["session"]["viewers"] == 1
    assert len(registry().sessions[session_id].viewers) == 1


async def test_a_session_whose_only_tab_died_leaves_memory(
    make_session, open_tab, monkeypatch, settings
) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, "IDLE_SECONDS": 0.05}
    session_id = await make_session("deploy")
    tab = await open_tab(session_id)
    await tab.send({"type": "step"})
    step = (await tab.receive_until("delta"))["step"]
    break_parsing(monkeypatch, session_consumers.protocol)
    await kill(tab)
    for _ in range(100):
        if session_id not in registry().sessions:
            break
        await asyncio.sleep(0.05)
    assert session_id not in registry().sessions
    again = await open_tab(session_id)
    assert again.first["state"]["step"] == step, "it was saved on its way out"


async def test_a_follower_that_died_leaves_the_classroom(
    make_classroom, enter, monkeypatch
) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    follower = await enter(code, name="Ada")
    counts = [m for m in await presenter.frames() if m["type"] == "followers"]
    assert counts[-1]["count"] == 1
    relay = relays().relays[code]
    assert len(relay.members) == 2
    break_parsing(monkeypatch, classroom_consumers.messages)
    await kill(follower)
    counts = [m for m in await presenter.frames() if m["type"] == "followers"]
    assert counts and counts[-1]["count"] == 0, "the presenter sees Ada leave"
    assert counts[-1]["names"] == []
    assert len(relay.members) == len(relay.following) == 1


async def test_the_last_classroom_tab_dying_stops_the_relay(
    make_classroom, enter, monkeypatch
) -> None:
    code, _ = await make_classroom()
    follower = await enter(code)
    relay = relays().relays[code]
    break_parsing(monkeypatch, classroom_consumers.messages)
    await kill(follower)
    await asyncio.sleep(0.1)
    assert code not in relays().relays
    assert relay.task.done(), "nobody here is listening to the classroom"


async def test_a_lesson_tab_that_died_stops_playing(learner, monkeypatch) -> None:
    opened: list[LessonLive] = []

    class Kept(LessonLive):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            opened.append(self)

    monkeypatch.setattr(lesson_consumers, "LessonLive", Kept)
    tab = await learner()
    live = opened[0]
    await tab.send({"type": "lesson_sandbox"})
    await tab.receive_until("lesson")
    await tab.send({"type": "play", "speed": 0.25})
    await tab.receive_until("status")
    assert live.play_task is not None
    break_parsing(monkeypatch, lesson_consumers.messages)
    await kill(tab)
    await asyncio.sleep(0.1)
    assert live.play_task is None, "a play loop steps for nobody"
    assert not get_channel_layer().groups.get(live.group)


async def test_a_tab_that_failed_to_join_is_not_counted(
    make_session, open_tab, monkeypatch, settings
) -> None:
    """The channel layer refuses one `group_add` (Redis went away for a moment)."""
    settings.KUBEVIZ = {**settings.KUBEVIZ, "IDLE_SECONDS": 0.05}
    session_id = await make_session()
    staying = await open_tab(session_id)
    layer = get_channel_layer()
    real = layer.group_add

    async def group_add(group: str, channel: str) -> None:
        monkeypatch.setattr(layer, "group_add", real)
        raise ConnectionError("the channel layer went away")

    monkeypatch.setattr(layer, "group_add", group_add)
    failing = await open_tab(session_id, hello=False)
    await asyncio.wait({failing.future}, timeout=5)
    assert isinstance(failing.future.exception(), ConnectionError)
    assert len(registry().sessions[session_id].viewers) == 1
    await staying.disconnect()
    for _ in range(100):
        if session_id not in registry().sessions:
            break
        await asyncio.sleep(0.05)
    assert session_id not in registry().sessions, "nobody is watching it"


async def test_a_session_leaves_memory_when_its_group_cannot_be_left(
    make_session, open_tab, monkeypatch, settings
) -> None:
    """The channel layer refuses the last tab's `group_discard`."""
    settings.KUBEVIZ = {**settings.KUBEVIZ, "IDLE_SECONDS": 0.05}
    session_id = await make_session()
    tab = await open_tab(session_id)
    layer = get_channel_layer()

    async def group_discard(group: str, channel: str) -> None:
        raise ConnectionError("the channel layer went away")

    monkeypatch.setattr(layer, "group_discard", group_discard)
    await tab.disconnect()
    for _ in range(100):
        if session_id not in registry().sessions:
            break
        await asyncio.sleep(0.05)
    assert session_id not in registry().sessions
