"""Faults: the server is killed mid-play, a tab loses its connection mid-session.

A SIGKILL gives Daphne no chance to save, so what comes back is what the periodic
saves wrote (docs/deploy.md: a position is saved at most KUBEVIZ_SAVE_DELAY after it
changes, and at once after every user action). A tab that reconnects says hello with
the last sequence number it applied and receives exactly the frames it missed.
"""

from __future__ import annotations

import json
import os
import signal
import socket as sockets
import sqlite3
import time

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import LiveServer
from tests.hardening.conftest import new_session

SAVE_DELAY = 0.2  # what LiveServer sets KUBEVIZ_SAVE_DELAY to
EXTRA = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: extra}
spec:
  replicas: 12
  selector: {matchLabels: {app: extra}}
  template:
    metadata: {labels: {app: extra}}
    spec:
      containers: [{name: c, image: nginx}]
"""


def open_socket(server: LiveServer, session_id: str) -> ClientConnection:
    return connect(
        f"ws://127.0.0.1:{server.port}/ws/session/{session_id}/",
        origin=server.url,
        open_timeout=30,
        max_size=None,
    )


def ask(socket: ClientConnection, message: dict, reply: str) -> dict:
    socket.send(json.dumps(message))
    return wait_for(socket, reply)


def wait_for(socket: ClientConnection, kind: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        answer = json.loads(socket.recv(timeout=max(deadline - time.monotonic(), 0.1)))
        if answer["type"] == kind:
            return answer


def saved_position(server: LiveServer, session_id: str) -> int:
    with sqlite3.connect(server.workdir / "db.sqlite3") as db:
        row = db.execute(
            "SELECT position FROM kubeviz_savedsession WHERE id = ?", (session_id,)
        ).fetchone()
    return row[0]


def by_id(state: dict) -> dict[str, dict]:
    """Every drawn object of a view-model state, keyed by its id."""
    return {
        obj["id"]: obj
        for key, items in state.items()
        if isinstance(items, list)
        for obj in items
        if isinstance(obj, dict) and "id" in obj
    }


def apply_delta(objects: dict[str, dict], delta: dict) -> None:
    for change in delta.get("changes", []):
        if change["op"] == "remove":
            objects.pop(change["id"], None)
        else:
            objects[change["id"]] = change["object"]


# --- SIGKILL mid-play ----------------------------------------------------------------
def test_a_session_killed_mid_play_reopens_at_its_last_saved_step(
    server: LiveServer,
) -> None:
    session_id = new_session(server)
    seen: list[tuple[float, int]] = []
    with open_socket(server, session_id) as socket:
        ask(socket, {"type": "hello", "lastSeq": None}, "snapshot")
        ask(socket, {"type": "apply_manifest", "yaml": EXTRA}, "delta")
        socket.send(json.dumps({"type": "play", "speed": 20}))
        until = time.monotonic() + 1.5
        while time.monotonic() < until:
            frame = json.loads(socket.recv(timeout=5))
            if frame["type"] == "delta":
                seen.append((time.monotonic(), frame["step"]))
            elif frame["type"] == "status" and not frame["session"]["playing"]:
                if seen:
                    pytest.fail("the cluster settled before the kill: nothing to test")
        os.kill(server.process.pid, signal.SIGKILL)
        killed_at = time.monotonic()
        server.process.wait(10)
        server.process = None
    assert len(seen) > 10, "play sent too few steps to test anything"

    position = saved_position(server, session_id)
    # Anything shown more than a save delay (plus slack) before the kill was saved.
    settled = [step for at, step in seen if at < killed_at - SAVE_DELAY - 0.5]
    assert position >= max(settled), (position, max(settled))
    assert position <= seen[-1][1]

    server.start()
    with open_socket(server, session_id) as socket:
        snapshot = ask(socket, {"type": "hello", "lastSeq": None}, "snapshot")
    assert snapshot["state"]["step"] == position
    assert snapshot["session"]["playing"] is False
    names = {d["name"] for d in snapshot["state"]["deployments"]}
    assert "extra" in names, "the apply before the kill was lost"


def test_after_a_kill_the_step_link_still_opens_at_that_step(
    server: LiveServer,
) -> None:
    session_id = new_session(server)
    with open_socket(server, session_id) as socket:
        ask(socket, {"type": "hello", "lastSeq": None}, "snapshot")
        for _ in range(6):
            ask(socket, {"type": "step"}, "delta")
        saved = ask(socket, {"type": "save", "id": "s"}, "ack")
        for _ in range(3):
            ask(socket, {"type": "step"}, "delta")
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)
    server.process = None
    server.start()
    import urllib.request

    with urllib.request.urlopen(server.url + saved["url"], timeout=30) as page:
        assert page.status == 200
    with open_socket(server, session_id) as socket:
        snapshot = ask(socket, {"type": "hello", "lastSeq": None}, "snapshot")
    assert snapshot["state"]["step"] == saved["step"]


# --- a tab that loses its connection -----------------------------------------------
def drop(socket: ClientConnection) -> None:
    """Lose the connection the way a laptop's Wi-Fi does: no close handshake."""
    socket.socket.shutdown(sockets.SHUT_RDWR)
    socket.socket.close()


@pytest.mark.parametrize("missed", [1, 7, 40])
def test_a_tab_that_reconnects_gets_exactly_the_frames_it_missed(
    shared_server: LiveServer, missed: int
) -> None:
    session_id = new_session(shared_server)
    with open_socket(shared_server, session_id) as other:
        ask(other, {"type": "hello", "lastSeq": None}, "snapshot")
        with open_socket(shared_server, session_id) as tab:
            snapshot = ask(tab, {"type": "hello", "lastSeq": None}, "snapshot")
            objects = by_id(snapshot["state"])
            last_seq = snapshot["seq"]
            for _ in range(2):
                delta = ask(other, {"type": "step"}, "delta")
                got = wait_for(tab, "delta")
                assert got["seq"] == last_seq + 1
                apply_delta(objects, got)
                last_seq = got["seq"]
            drop(tab)

        for i in range(missed):
            other.send(json.dumps({"type": "step" if i % 3 else "back"}))
            delta = wait_for(other, "delta")
        current_seq = delta["seq"]

    with open_socket(shared_server, session_id) as again:
        again.send(json.dumps({"type": "hello", "lastSeq": last_seq}))
        frames = []
        while True:
            frame = json.loads(again.recv(timeout=10))
            if frame["type"] == "status":
                break
            frames.append(frame)
        assert [f["type"] for f in frames] == ["delta"] * missed
        assert [f["seq"] for f in frames] == list(range(last_seq + 1, current_seq + 1))
        for frame in frames:
            apply_delta(objects, frame)
        fresh = ask(again, {"type": "hello", "lastSeq": None}, "snapshot")
    assert objects == by_id(fresh["state"])
    assert frames[-1]["step"] == fresh["state"]["step"]


def test_a_tab_that_missed_more_than_the_ring_gets_a_snapshot(
    shared_server: LiveServer,
) -> None:
    """Past KUBEVIZ_RING_SIZE (512) missed frames a tab is sent the whole state."""
    session_id = new_session(shared_server)
    with open_socket(shared_server, session_id) as tab:
        stale = ask(tab, {"type": "hello", "lastSeq": None}, "snapshot")["seq"]
    with open_socket(shared_server, session_id) as other:
        ask(other, {"type": "hello", "lastSeq": None}, "snapshot")
        for i in range(520):
            other.send(json.dumps({"type": "step" if i % 2 == 0 else "back"}))
        for _ in range(520):
            wait_for(other, "delta")
    with open_socket(shared_server, session_id) as again:
        first = ask(again, {"type": "hello", "lastSeq": stale}, "snapshot")
    assert first["seq"] > stale + 500


def test_a_sequence_number_from_before_a_restart_gets_a_snapshot(
    server: LiveServer,
) -> None:
    session_id = new_session(server)
    with open_socket(server, session_id) as tab:
        before = ask(tab, {"type": "hello", "lastSeq": None}, "snapshot")
        ask(tab, {"type": "step"}, "delta")
    time.sleep(SAVE_DELAY + 0.5)
    os.kill(server.process.pid, signal.SIGKILL)
    server.process.wait(10)
    server.process = None
    server.start()
    with open_socket(server, session_id) as tab:
        tab.send(json.dumps({"type": "hello", "lastSeq": before["seq"] + 1}))
        first = json.loads(tab.recv(timeout=30))
    assert first["type"] == "snapshot"
    assert first["state"]["step"] == before["state"]["step"] + 1
