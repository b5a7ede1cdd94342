"""A real Daphne process is stopped and started again: saved sessions come back."""

from __future__ import annotations

import json
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import LiveServer


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = LiveServer(tmp_path)
    live.migrate()
    live.start()
    try:
        yield live
    finally:
        live.stop()


def new_session(server: LiveServer) -> str:
    """Open the home page, which starts a session of its own; return its id."""
    with urllib.request.urlopen(server.url + "/") as response:
        html = response.read().decode()
    return re.search(r'"sessionId": "([A-Za-z0-9]+)"', html).group(1)


def open_socket(server: LiveServer, session_id: str) -> ClientConnection:
    return connect(
        f"ws://127.0.0.1:{server.port}/ws/session/{session_id}/",
        origin=server.url,
        open_timeout=10,
    )


def ask(socket: ClientConnection, message: dict, reply: str) -> dict:
    socket.send(json.dumps(message))
    while True:
        answer = json.loads(socket.recv(timeout=10))
        if answer["type"] == reply:
            return answer


def test_a_saved_session_survives_a_restart_and_its_link_reopens_it(
    server: LiveServer,
) -> None:
    session_id = new_session(server)
    with open_socket(server, session_id) as socket:
        ask(socket, {"type": "hello", "lastSeq": None}, "snapshot")
        ask(
            socket,
            {"type": "fault", "action": "fail_node", "target": "node-2"},
            "delta",
        )
        for _ in range(4):
            ask(socket, {"type": "step"}, "delta")
        saved = ask(socket, {"type": "save", "id": 1}, "ack")
        before = ask(socket, {"type": "hello", "lastSeq": 0}, "snapshot")

    server.restart()

    with urllib.request.urlopen(server.url + saved["url"]) as response:
        assert response.status == 200
    with open_socket(server, session_id) as socket:
        after = ask(socket, {"type": "hello", "lastSeq": before["seq"]}, "snapshot")
    assert after["state"] == before["state"]
    assert after["state"]["step"] == saved["step"]


def test_steps_are_saved_without_asking(server: LiveServer) -> None:
    session_id = new_session(server)
    with open_socket(server, session_id) as socket:
        ask(socket, {"type": "hello"}, "snapshot")
        for _ in range(3):
            step = ask(socket, {"type": "step"}, "delta")["step"]
        time.sleep(0.6)  # the server saves positions at most every 0.2 s here

    server.restart()

    with open_socket(server, session_id) as socket:
        snapshot = ask(socket, {"type": "hello"}, "snapshot")
    assert snapshot["state"]["step"] == step
