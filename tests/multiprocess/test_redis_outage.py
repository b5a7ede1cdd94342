"""Redis stops and starts again under two Daphne processes: nobody is left frozen.

channels-redis keeps a group's members in a Redis sorted set (`ZADD` in
`group_add`, expired after `group_expiry`), and a Redis without persistence
forgets them all when it restarts (channels_redis/core.py, `group_add` and
`group_send`). Each process must put its channels back into their groups.
"""

from __future__ import annotations

import json
import time

from websockets.sync.client import ClientConnection

from tests.multiprocess.conftest import (
    hello,
    open_classroom,
    start_classroom,
    until,
)
from tests.web.test_restart import new_session
from tests.web.test_restart import open_socket as open_session

OUTAGE = 8.0  # longer than a relay's heartbeat (6 s) and a sync's retry (3 s)
RECOVERY = 10.0  # seconds after Redis returns by which every tab has frames again


def step_of(message: dict) -> int | None:
    if message["type"] == "delta":
        return message["step"]
    if message["type"] == "snapshot":
        return message["state"]["step"]
    return None


def frame_step(socket: ClientConnection, timeout: float = 15) -> int:
    """The step of the next delta or snapshot."""
    deadline = time.monotonic() + timeout
    while True:
        message = json.loads(
            socket.recv(timeout=max(0.01, deadline - time.monotonic()))
        )
        step = step_of(message)
        if step is not None:
            return step


def drain(socket: ClientConnection) -> list[dict]:
    """Whatever the socket has waiting now."""
    got = []
    while True:
        try:
            got.append(json.loads(socket.recv(timeout=0.05)))
        except TimeoutError:
            return got


def test_every_classroom_tab_gets_frames_again_after_redis_restarts(
    two_servers_and_redis,
) -> None:
    """Presenter and followers on both processes see the presenter's steps again
    within 10 s of Redis returning, and Redis holds every group again."""
    a, b, redis = two_servers_and_redis
    code, token = start_classroom(a)
    with (
        open_classroom(a, code, token) as presenter,
        open_classroom(a, code) as follower_a,
        open_classroom(b, code) as follower_b,
        open_classroom(b, code, token) as presenter_b,
    ):
        tabs = {
            "presenter on A": presenter,
            "follower on A": follower_a,
            "follower on B": follower_b,
            "presenter on B": presenter_b,
        }
        for tab in tabs.values():
            hello(tab)
        presenter.send(json.dumps({"type": "step"}))
        before = {name: step_of(until(tab, "delta")) for name, tab in tabs.items()}
        assert len(set(before.values())) == 1, before

        redis.stop()
        time.sleep(OUTAGE)
        redis.start()
        back_at = time.monotonic()

        recovered: dict[str, float] = {}
        next_step = back_at
        while len(recovered) < len(tabs) and time.monotonic() < back_at + RECOVERY:
            if time.monotonic() >= next_step:
                presenter.send(json.dumps({"type": "step"}))
                next_step += 1.0
            for name, tab in tabs.items():
                for message in drain(tab):
                    step = step_of(message)
                    if step is not None and step > before[name]:
                        recovered.setdefault(name, time.monotonic() - back_at)
        missing = sorted(set(tabs) - set(recovered))
        assert not missing, f"no frames {RECOVERY:g} s after Redis returned: {missing}"

        # Every process's channels are back in the classroom's groups: one relay
        # per process in the frames and notices groups, one host as the owner.
        assert redis.command("ZCARD", f"asgi:group:classroom.{code}") == "2"
        assert redis.command("ZCARD", f"asgi:group:classroom.{code}.all") == "2"
        assert redis.command("ZCARD", f"asgi:group:classroom.{code}.owner") == "1"

        # And the classroom goes on as before: one step reaches every tab.
        time.sleep(1.0)
        for tab in tabs.values():
            drain(tab)
        presenter.send(json.dumps({"type": "step"}))
        steps = {name: frame_step(tab) for name, tab in tabs.items()}
        assert len(set(steps.values())) == 1, steps


def test_a_playing_session_says_it_waits_and_plays_on_after_redis_restarts(
    one_server_and_redis,
) -> None:
    """Play waits while Redis is down, the page is told why, and play goes on
    from the step the tab last saw, without a gap, once Redis is back."""
    server, restartable_redis = one_server_and_redis
    with open_session(server, new_session(server)) as tab:
        tab.send(json.dumps({"type": "hello", "lastSeq": None}))
        seen = [frame_step(tab)]
        tab.send(json.dumps({"type": "play", "speed": 4}))
        while len(seen) < 4:
            seen.append(frame_step(tab))

        restartable_redis.stop()
        held = until(tab, "event", timeout=10)["event"]
        assert held["type"] == "session.held"
        assert "Redis" in held["reason"]
        time.sleep(OUTAGE)
        seen += [step_of(m) for m in drain(tab) if step_of(m) is not None]
        restartable_redis.start()
        back_at = time.monotonic()

        resumed = None
        after = []
        while len(after) < 4:
            message = json.loads(tab.recv(timeout=RECOVERY))
            if message["type"] == "event":
                resumed = message["event"]
            step = step_of(message)
            if step is not None:
                after.append(step)
        assert time.monotonic() - back_at < RECOVERY
        assert resumed is not None and resumed["type"] == "session.resumed"
        steps = seen + after
        assert steps == list(range(steps[0], steps[0] + len(steps))), steps
