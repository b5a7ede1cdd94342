"""Text that is not Unicode, through a real Daphne: refused, and never a dead session.

A JSON `\\ud800` escape decodes into a lone UTF-16 surrogate, which UTF-8 cannot
carry. Issue 13 found that one such console line or manifest made every later frame
of the session unsendable: Daphne closed each tab with 1011, every `hello` got
`internal`, and a restart replayed the same state. Only a real server encodes frames
to UTF-8, so these tests talk to one over real sockets.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import uuid
from datetime import UTC, datetime

import pytest
from websockets.sync.client import ClientConnection

from tests.conftest import LiveServer
from tests.hardening.conftest import new_session
from tests.hardening.test_faults import open_socket, wait_for

KUBECTL_RUN = '{"type":"kubectl","id":1,"command":"kubectl run x --image=nginx\\ud800"}'
POD_YAML = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: x\nspec:\n  containers:\n"
    '  - name: c\n    image: "nginx\\uD800"\n'
)


def hello(socket: ClientConnection) -> dict:
    socket.send(json.dumps({"type": "hello", "lastSeq": None}))
    snapshot = wait_for(socket, "snapshot")
    wait_for(socket, "status")
    return snapshot


def pod_names(snapshot: dict) -> set[str]:
    return {pod["name"] for pod in snapshot["state"]["pods"]}


def steps_on(socket: ClientConnection, step: int) -> None:
    """A step is answered with the next step's delta: the session is alive."""
    socket.send(json.dumps({"type": "step", "id": "s"}))
    delta = wait_for(socket, "delta")
    assert delta["step"] == step + 1


def test_a_console_line_with_a_lone_surrogate_is_refused_and_the_session_lives(
    shared_server: LiveServer,
) -> None:
    session_id = new_session(shared_server)
    with open_socket(shared_server, session_id) as socket:
        before = hello(socket)
        socket.send(KUBECTL_RUN)
        error = wait_for(socket, "error")
        assert error["code"] == "bad_text" and error["id"] == 1
        assert error["message"].startswith("kubectl.command is not Unicode text")
        assert hello(socket)["state"] == before["state"]
        steps_on(socket, before["state"]["step"])
    with open_socket(shared_server, session_id) as other:
        assert "x" not in pod_names(hello(other))


def test_a_manifest_with_a_surrogate_escape_is_refused_and_the_session_lives(
    shared_server: LiveServer,
) -> None:
    session_id = new_session(shared_server)
    with open_socket(shared_server, session_id) as socket:
        before = hello(socket)
        socket.send(json.dumps({"type": "apply_manifest", "yaml": POD_YAML, "id": 2}))
        error = wait_for(socket, "error")
        assert error["code"] == "rejected" and error["id"] == 2
        assert error["message"] == (
            "error: error parsing manifest: error converting YAML to JSON: yaml:"
            " line 8: found invalid Unicode character escape code"
        )
        steps_on(socket, before["state"]["step"])
    with open_socket(shared_server, session_id) as other:
        assert "x" not in pod_names(hello(other))


def save_record(server: LiveServer, actions: list[dict], position: int) -> str:
    """A saved session written straight into the server's database, as one saved
    before lone surrogates were refused would be (Django's JSONField keeps one as
    its `\\ud800` escape)."""
    session_id = uuid.uuid4().hex[:12]
    now = datetime.now(UTC).isoformat()
    with sqlite3.connect(server.workdir / "db.sqlite3") as db:
        db.execute(
            "INSERT INTO kubeviz_savedsession (id, scenario, seed, settings, actions,"
            " position, created, updated) VALUES (?, 'blank', 0, '{}', ?, ?, ?, ?)",
            (session_id, json.dumps(actions), position, now, now),
        )
    return session_id


@pytest.mark.parametrize("tabs", [1, 2], ids=["one-tab", "two-tabs"])
def test_a_saved_session_whose_objects_hold_a_surrogate_still_opens(
    shared_server: LiveServer, tabs: int
) -> None:
    """Objects applied as they are (not as YAML) reach the state unchecked: the
    snapshot carries the surrogate as its escape, to every tab, and play goes on."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": [{"name": "c", "image": "nginx\ud800"}]},
    }
    actions = [{"step": 1, "action": {"op": "apply", "objects": [pod]}}]
    session_id = save_record(shared_server, actions, 1)
    with contextlib.ExitStack() as stack:
        sockets = [
            stack.enter_context(open_socket(shared_server, session_id))
            for _ in range(tabs)
        ]
        for socket in sockets:
            snapshot = hello(socket)
            assert snapshot["state"]["step"] == 1
            assert "x" in pod_names(snapshot)
        steps_on(sockets[0], 1)
        for socket in sockets[1:]:
            assert wait_for(socket, "delta")["step"] == 2


def test_a_saved_session_with_a_line_now_refused_opens_and_steps_on(
    shared_server: LiveServer,
) -> None:
    """A recorded console line that the lexer now refuses is left out when the
    session is replayed; the steps after it are the cluster's own work."""
    web = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }
    run = {"op": "kubectl", "command": "kubectl run x --image=nginx\ud800"}
    apply = {"op": "apply", "yaml": POD_YAML.replace("name: x", "name: y")}
    actions = [
        {"step": 1, "action": {"op": "apply", "objects": [web]}},
        {"step": 3, "action": run},
        {"step": 5, "action": apply},
    ]
    session_id = save_record(shared_server, actions, 6)
    with open_socket(shared_server, session_id) as socket:
        snapshot = hello(socket)
        assert snapshot["state"]["step"] == 6
        assert not {"x", "y"} & pod_names(snapshot)
        assert "web" in {d["name"] for d in snapshot["state"]["deployments"]}
        steps_on(socket, 6)
