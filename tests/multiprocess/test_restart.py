"""Stopping and starting Daphne: the classroom comes back at the same step."""

from __future__ import annotations

import json
import time

from tests.multiprocess.conftest import hello, open_classroom, start_classroom, until


def test_a_classroom_survives_a_restart_at_the_same_step(one_server) -> None:
    code, token = start_classroom(one_server)
    with open_classroom(one_server, code, token) as presenter:
        hello(presenter)
        for _ in range(3):
            presenter.send(json.dumps({"type": "step"}))
            last = until(presenter, "delta")
        presenter.send(json.dumps({"type": "lock", "locked": True}))
        until(presenter, "ack")
        time.sleep(0.6)  # the position is saved within KUBEVIZ_SAVE_DELAY (0.2 s)
    one_server.restart()
    with open_classroom(one_server, code) as follower:
        back = hello(follower, last_seq=last["seq"])
        assert back["state"]["step"] == last["step"]
        assert back["classroom"]["locked"] is True
        with open_classroom(one_server, code, token) as presenter:
            again = hello(presenter, last_seq=last["seq"])
            assert again["classroom"]["role"] == "presenter"
            presenter.send(json.dumps({"type": "step"}))
            assert until(follower, "delta")["step"] == last["step"] + 1
