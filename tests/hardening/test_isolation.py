"""Sessions are isolated: one student's session can neither freeze nor break others.

A process holds a bounded number of live sessions and evicts idle ones to the
database; an accepted apply never leaves a session that cannot be drawn again; and a
step that never ends in one session must not stop the server for everyone.
"""

from __future__ import annotations

import asyncio
import json
import time

import pytest
import websockets

from kubeviz.registry import registry
from tests.conftest import LiveServer
from tests.hardening.conftest import (
    ORIGIN,
    Tab,
    new_session,
    saved_position_once_evicted,
)

HPA_FOR_NOTHING = """\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: h}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: nowhere}
  maxReplicas: 3
"""
INGRESS_WITHOUT_SPEC = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: empty}
spec: null
"""
NODE_WITH_BAD_TAINTS = """\
apiVersion: v1
kind: Node
metadata: {name: odd}
spec: {taints: 5}
"""


# --- in one process: eviction and a bound on live sessions -------------------------
@pytest.mark.django_db(transaction=True)
async def test_an_idle_session_leaves_memory_and_reopens_at_its_saved_step(
    settings, make_session, open_tab
) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, "IDLE_SECONDS": 0}
    session_id = await make_session("deploy")
    tab = await open_tab(session_id)
    for _ in range(3):
        await tab.send({"type": "step"})
        await tab.receive_until("delta")
    step = tab.first["state"]["step"] + 3
    await tab.disconnect()
    assert await saved_position_once_evicted(session_id, tries=50) == step
    again = await open_tab(session_id)
    assert again.first["state"]["step"] == step


@pytest.mark.django_db(transaction=True)
async def test_a_process_keeps_a_bounded_number_of_live_sessions(
    settings, make_session
) -> None:
    """KUBEVIZ["MAX_LIVE_SESSIONS"]: idle ones are evicted first; when every live
    session has a viewer, a new one is refused instead of growing memory."""
    assert "MAX_LIVE_SESSIONS" in settings.KUBEVIZ, (
        "no per-process bound on live sessions: each GET / creates a session and "
        "each socket to it holds a whole cluster in memory"
    )
    settings.KUBEVIZ = {**settings.KUBEVIZ, "MAX_LIVE_SESSIONS": 2}
    tabs = []
    try:
        for _ in range(2):
            tab = Tab(
                application(),
                f"/ws/session/{await make_session()}/",
                headers=[ORIGIN],
            )
            connected, _ = await tab.connect(timeout=30)
            assert connected
            tabs.append(tab)
        third = Tab(
            application(), f"/ws/session/{await make_session()}/", headers=[ORIGIN]
        )
        connected, _ = await third.connect(timeout=30)
        assert connected, "accepted first, so that the page can read why it is refused"
        refusal = json.loads(await third.receive_from())
        assert refusal["code"] == "server_full", "a third live session was opened"
        assert await third.receive_output() == {"type": "websocket.close", "code": 4503}
        await tabs.pop(0).disconnect()  # that session is now idle
        fourth = Tab(
            application(), f"/ws/session/{await make_session()}/", headers=[ORIGIN]
        )
        connected, _ = await fourth.connect(timeout=30)
        tabs.append(fourth)
        await fourth.send_to(text_data=json.dumps({"type": "hello", "lastSeq": None}))
        first = json.loads(await fourth.receive_from())
        assert first["type"] == "snapshot", "an idle session was not evicted for room"
        assert len(registry().sessions) <= 2
    finally:
        for tab in tabs:
            await tab.disconnect()
        await registry().shutdown()


def application():
    from kubeviz.asgi import application as app

    return app


# --- an accepted apply never breaks the session ------------------------------------
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "manifest",
    [INGRESS_WITHOUT_SPEC, NODE_WITH_BAD_TAINTS],
    ids=["ingress-without-spec", "node-with-bad-taints"],
)
async def test_after_any_accepted_apply_a_new_viewer_still_gets_a_snapshot(
    make_session, open_tab, manifest: str
) -> None:
    session_id = await make_session("web")
    tab = await open_tab(session_id)
    await tab.send({"type": "apply_manifest", "yaml": manifest, "id": 1})
    reply = await tab.receive(timeout=10)
    newcomer = await open_tab(session_id, hello=False)
    await newcomer.send({"type": "hello", "lastSeq": None})
    first = await newcomer.receive(timeout=10)
    assert first["type"] == "snapshot", (
        f"after the apply ({reply['type']} {reply.get('code', '')}) the session "
        f"cannot be drawn for anyone: {first}"
    )
    assert reply.get("code") != "internal", reply


# --- one stuck session must not stop the server ------------------------------------
async def open_socket(server: LiveServer):
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/session/{new_session(server)}/",
        origin=server.url,
        open_timeout=30,
    )
    await socket.send(json.dumps({"type": "hello", "lastSeq": None}))
    while json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] != "status":
        pass
    return socket


async def answer(socket, message: dict, timeout: float) -> dict:
    await socket.send(json.dumps(message))
    while True:
        reply = json.loads(await asyncio.wait_for(socket.recv(), timeout))
        if reply["type"] in ("delta", "ack", "error", "kubectl_output"):
            return reply


async def test_a_step_that_never_ends_in_one_session_does_not_freeze_the_others(
    server: LiveServer,
) -> None:
    stuck = await open_socket(server)
    other = await open_socket(server)
    await answer(stuck, {"type": "apply_manifest", "yaml": HPA_FOR_NOTHING}, 30)
    # Enough steps to settle the home scenario, after which only the HPA's timer is
    # left: it reconciles to nothing, forever, inside one call to step().
    for _ in range(400):
        await stuck.send(json.dumps({"type": "step"}))
    await asyncio.sleep(0.5)
    started = time.monotonic()
    try:
        await answer(other, {"type": "step"}, 10)
    except TimeoutError:
        pytest.fail(
            "another session's step got no answer in 10 s: one session's endless "
            "step froze the whole server"
        )
    assert time.monotonic() - started < 10
