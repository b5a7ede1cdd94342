"""A class on one session: every tab that asks gets its own answer, however busy.

Thirty tabs on one session (a classroom, or a shared link) each step and trace twice a
second. Numbered frames that a busy tab misses are caught up by sequence number; an
answer to a request (a trace, here) must reach the tab that asked as well, or the
student clicks Trace and nothing ever happens.
"""

from __future__ import annotations

import asyncio
import json
import time

import websockets

from tests.conftest import LiveServer
from tests.hardening.conftest import new_session

TABS = 30
SECONDS = 5.0
GRACE = 20.0  # seconds after the last request for the last answers to arrive


async def tab(server: LiveServer, session_id: str, number: int, tally: dict) -> None:
    # A destination of its own, so each tab can tell its answers from the others'.
    target = f"10.96.0.1:{1000 + number}"
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/session/{session_id}/",
        origin=server.url,
        max_size=None,
        open_timeout=60,
    )
    asked = answered = 0

    async def read() -> None:
        nonlocal answered
        async for text in socket:
            frame = json.loads(text)
            if frame["type"] == "trace" and frame["request"].get("to") == target:
                answered += 1
            elif frame["type"] == "error" and frame.get("for") == "trace":
                answered += 1

    await socket.send(json.dumps({"type": "hello", "lastSeq": None}))
    reader = asyncio.create_task(read())
    deadline = time.monotonic() + SECONDS
    while time.monotonic() < deadline:
        await socket.send(json.dumps({"type": "step"}))
        await socket.send(
            json.dumps({"type": "trace", "from": "node/node-1", "to": target})
        )
        asked += 1
        await asyncio.sleep(0.5)
    end = time.monotonic() + GRACE
    while answered < asked and time.monotonic() < end:
        await asyncio.sleep(0.2)
    reader.cancel()
    await socket.close()
    tally["asked"] += asked
    tally["answered"] += answered


async def test_every_tab_gets_the_answer_to_its_own_trace(server: LiveServer) -> None:
    session_id = new_session(server)
    tally = {"asked": 0, "answered": 0}
    await asyncio.gather(*(tab(server, session_id, n, tally) for n in range(TABS)))
    assert tally["answered"] == tally["asked"], (
        f"{tally['asked'] - tally['answered']} of {tally['asked']} traces were never "
        f"answered to the tab that asked"
    )
