"""Two Daphne processes on one Redis: the classroom's owner can be either of them."""

from __future__ import annotations

import json
import time

import psycopg

from tests.multiprocess.conftest import hello, open_classroom, start_classroom, until


def followers_seen(presenter, want: int, timeout: float = 15) -> int:
    """The follower count the presenter is shown once it reaches `want`, or the
    last one it was shown: a count sent for an earlier roster may come first."""
    deadline = time.monotonic() + timeout
    count = None
    while count != want and time.monotonic() < deadline:
        count = until(presenter, "followers", timeout=deadline - time.monotonic())[
            "count"
        ]
    return count


def test_a_presenter_on_one_process_drives_a_follower_on_another(two_servers) -> None:
    a, b = two_servers
    code, token = start_classroom(a)
    with open_classroom(a, code, token) as presenter:
        start = hello(presenter)
        assert start["classroom"]["role"] == "presenter"
        with open_classroom(b, code) as follower:
            seen = hello(follower)
            assert seen["classroom"]["role"] == "follower"
            assert seen["state"]["step"] == start["state"]["step"]
            assert followers_seen(presenter, 1) == 1
            presenter.send(json.dumps({"type": "step"}))
            mine = until(presenter, "delta")
            theirs = until(follower, "delta")
            assert theirs == mine
            assert theirs["seq"] == seen["seq"] + 1
            follower.send(json.dumps({"type": "step", "id": 1}))
            assert until(follower, "error")["code"] == "presenter_only"


def test_controls_travel_to_the_owner_on_the_other_process(two_servers) -> None:
    a, b = two_servers
    code, token = start_classroom(a)
    with open_classroom(b, code) as follower:  # B owns the classroom's model
        seen = hello(follower)
        with open_classroom(a, code, token) as presenter:
            hello(presenter)
            for _ in range(2):
                presenter.send(json.dumps({"type": "step"}))
                until(presenter, "delta")
            presenter.send(json.dumps({"type": "spotlight", "target": "nodes/node-1"}))
            assert until(follower, "delta")["step"] == seen["state"]["step"] + 1
            assert until(follower, "delta")["step"] == seen["state"]["step"] + 2
            assert until(follower, "spotlight")["target"] == "nodes/node-1"


def test_followers_survive_the_owner_process_stopping(two_servers) -> None:
    """The other process notices the silent owner, takes over and catches up."""
    a, b = two_servers
    code, token = start_classroom(a)
    with open_classroom(a, code, token) as presenter:  # A owns the model
        hello(presenter)
        with open_classroom(b, code) as follower:
            hello(follower)
            for _ in range(2):
                presenter.send(json.dumps({"type": "step"}))
                last = until(presenter, "delta")
            assert until(follower, "delta")["step"] == last["step"] - 1
            assert until(follower, "delta")["step"] == last["step"]
            time.sleep(0.6)  # the position is saved within KUBEVIZ_SAVE_DELAY
            a.stop()
            caught_up = until(follower, "snapshot", timeout=30)
            assert caught_up["state"]["step"] == last["step"]
            with open_classroom(b, code, token) as again:
                hello(again)
                again.send(json.dumps({"type": "step"}))
                assert until(follower, "delta")["step"] == last["step"] + 1


def test_a_presenters_step_right_after_the_owner_stops_is_not_lost(
    two_servers,
) -> None:
    a, b = two_servers
    code, token = start_classroom(a)
    with open_classroom(a, code) as owner_side:  # the first tab makes A the owner
        hello(owner_side)
        with (
            open_classroom(b, code, token) as presenter,
            open_classroom(b, code) as follower,
        ):
            start = hello(presenter)
            hello(follower)
            time.sleep(0.6)
            a.stop()
            time.sleep(5.5)  # longer than a trusted pong: the next step asks again
            presenter.send(json.dumps({"type": "step"}))
            # A delta, or a snapshot if the follower's tab noticed the new owner by
            # the gap in sequence numbers that its first frame makes.
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                message = json.loads(follower.recv(timeout=30))
                step = (message.get("state") or message).get("step")
                if message["type"] in ("delta", "snapshot") and step is not None:
                    if step == start["state"]["step"] + 1:
                        break
            else:
                raise AssertionError("the step never reached the follower")


def test_both_processes_keep_the_classroom_in_one_postgresql(two_servers) -> None:
    """The deployment of docs/deploy.md: the classroom a form post on A made is a
    row in PostgreSQL, and B opens it from there."""
    a, b = two_servers
    assert a.database_url.startswith("postgres://")
    code, _ = start_classroom(a)
    with psycopg.connect(a.database_url) as connection:
        row = connection.execute(
            "SELECT code FROM classroom_classroom WHERE code = %s", (code,)
        ).fetchone()
    assert row == (code,)
    with open_classroom(b, code) as follower:
        assert hello(follower)["classroom"]["role"] == "follower"
