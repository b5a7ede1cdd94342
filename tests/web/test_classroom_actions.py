"""Every kind of presenter action reaches a follower in the same process.

The table is tests/classroom_actions.py; here the presenter and the follower are
WebsocketCommunicator tabs of one process, on the in-memory channel layer, so the
presenter's controls run in the owner's `Executor` and the follower's frames come
through the process's `Relay`, as in a one-process deployment.
"""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from kubeviz.classroom import services
from tests.classroom_actions import ACTIONS, Action, Seen, Want, judge, match
from tests.web import test_classroom
from tests.web.test_classroom import Member

pytestmark = pytest.mark.django_db(transaction=True)
enter = test_classroom.enter  # the classroom transcripts' fixture: tabs, closed after


async def collect(tab: Member, wants: tuple[Want, ...], timeout: float = 10):
    """What `tab` receives until `wants` are met in order: (everything, matches)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    received: list[dict] = []
    found: list[dict] = []
    while not match(wants, received, found):
        received.append(await tab.receive(max(deadline - loop.time(), 0.01)))
    return received, found


async def open_classroom(action: Action) -> tuple[str, str]:
    created = await database_sync_to_async(services.create)(
        None, action.scenario, lesson=action.lesson
    )
    return created.classroom.code, created.token


def latest_step(messages: list[dict], step: int) -> int:
    for message in messages:
        if message["type"] == "delta":
            step = message["step"]
        elif message["type"] == "snapshot":
            step = message["state"]["step"]
    return step


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name)
async def test_a_presenters_action_reaches_the_follower(enter, action) -> None:
    code, token = await open_classroom(action)
    presenter = await enter(code, token)
    follower = await enter(code, name="Ada")
    step = presenter.first["state"]["step"]
    await collect(presenter, (Want("followers", lambda m: m["count"] == 1),))
    for message, presenter_waits, follower_waits in action.before:
        await presenter.send(message)
        received, _ = await collect(presenter, (Want(presenter_waits),))
        step = latest_step(received, step)
        await collect(follower, (Want(follower_waits),))
    await presenter.send(action.make(presenter.first["state"]))
    seen = Seen(step)
    seen.follower, seen.wanted = await collect(follower, action.follower)
    seen.presenter, _ = await collect(presenter, action.presenter)
    judge(action, seen)
