"""Every kind of presenter action reaches followers in two processes over Redis.

The table is tests/classroom_actions.py. The first follower's tab is on B, so B owns
the classroom's model; the presenter is on A, so each control travels over Redis to
B's host and each answer back; a second follower on A gets the frames B publishes
through A's relay, and the first gets them through B's own.
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Iterator

import pytest
from websockets.sync.client import ClientConnection

from tests.classroom_actions import ACTIONS, Action, Seen, Want, judge, match
from tests.multiprocess.conftest import Server, open_classroom, start_classroom


@pytest.fixture(scope="module")
def two_processes(
    tmp_path_factory: pytest.TempPathFactory, postgres_server, redis_server: str
) -> Iterator[tuple[Server, Server]]:
    """Two Daphne processes on one database and one Redis, for the whole table:
    each action gets a classroom of its own."""
    workdir = tmp_path_factory.mktemp("actions")
    database = postgres_server.new_database()
    a = Server(workdir, database_url=database, redis_url=redis_server)
    b = Server(workdir, database_url=database, redis_url=redis_server)
    a.migrate()
    a.start()
    try:
        b.start()
        try:
            yield a, b
        finally:
            b.stop()
    finally:
        a.stop()


def collect(
    socket: ClientConnection, wants: tuple[Want, ...], timeout: float = 20
) -> tuple[list[dict], list[dict]]:
    """What `socket` receives until `wants` are met in order: (everything, matches)."""
    deadline = time.monotonic() + timeout
    received: list[dict] = []
    found: list[dict] = []
    while not match(wants, received, found):
        left = deadline - time.monotonic()
        received.append(json.loads(socket.recv(timeout=max(left, 0.01))))
    return received, found


def join(socket: ClientConnection) -> dict:
    socket.send(json.dumps({"type": "hello", "lastSeq": None}))
    first, _ = collect(socket, (Want("snapshot"), Want("classroom")))
    return next(m for m in first if m["type"] == "snapshot")


def latest_step(messages: list[dict], step: int) -> int:
    for message in messages:
        if message["type"] == "delta":
            step = message["step"]
        elif message["type"] == "snapshot":
            step = message["state"]["step"]
    return step


@pytest.mark.parametrize("action", ACTIONS, ids=lambda action: action.name)
def test_a_presenters_action_reaches_followers_in_both_processes(
    two_processes, action: Action
) -> None:
    a, b = two_processes
    code, token = start_classroom(a, action.scenario, action.lesson)
    with contextlib.ExitStack() as tabs:
        far = tabs.enter_context(open_classroom(b, code))
        join(far)  # first: B opens the model and owns the classroom
        presenter = tabs.enter_context(open_classroom(a, code, token))
        start = join(presenter)
        near = tabs.enter_context(open_classroom(a, code))
        join(near)
        collect(presenter, (Want("followers", lambda m: m["count"] == 2),))
        step = start["state"]["step"]
        for message, presenter_waits, follower_waits in action.before:
            presenter.send(json.dumps(message))
            received, _ = collect(presenter, (Want(presenter_waits),))
            step = latest_step(received, step)
            for follower in (far, near):
                collect(follower, (Want(follower_waits),))
        presenter.send(json.dumps(action.make(start["state"])))
        followers = [collect(follower, action.follower) for follower in (far, near)]
        presenter_got, _ = collect(presenter, action.presenter)
        for received, wanted in followers:
            judge(action, Seen(step, presenter_got, received, wanted))
