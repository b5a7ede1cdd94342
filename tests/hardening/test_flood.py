"""One client flooding the server: it is slowed or cut off, and nobody else notices.

A real Daphne process on 127.0.0.1; client A floods its own session's socket while
client B, on another session, steps and steps back and times each round trip. A must
get `error` replies saying it sends too fast (or be disconnected, once it keeps on),
and B's round trips must stay close to what they were before the flood.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time

import pytest
import websockets

from tests.conftest import LiveServer
from tests.hardening.conftest import new_session

FLOOD_SECONDS = 3.0
ROUND_TRIPS = 20
# B's round trips during the flood may be at most this much slower than before it.
SLOWER_BY = 3.0
SLOWER_FLOOR = 0.05  # seconds: below this, a difference is noise on a busy laptop
WORST = 1.0  # seconds: no single step of B's may wait longer


async def connect(server: LiveServer, session_id: str):
    socket = await websockets.connect(
        f"ws://127.0.0.1:{server.port}/ws/session/{session_id}/",
        origin=server.url,
        max_size=None,
        open_timeout=30,
    )
    await socket.send(json.dumps({"type": "hello", "lastSeq": None}))
    while json.loads(await asyncio.wait_for(socket.recv(), 30))["type"] != "status":
        pass
    return socket


async def round_trips(socket, count: int) -> list[float]:
    """Seconds from sending step (or back) to its delta, alternating to never end."""
    times = []
    for i in range(count):
        started = time.perf_counter()
        await socket.send(json.dumps({"type": "step" if i % 2 == 0 else "back"}))
        while True:
            reply = json.loads(await asyncio.wait_for(socket.recv(), 60))
            if reply["type"] in ("delta", "ack", "error"):
                break
        times.append(time.perf_counter() - started)
    return times


async def flood(socket, frames, seconds: float) -> dict:
    """Send `frames` round-robin for `seconds`; count what comes back."""
    seen: dict = {"sent": 0, "errors": {}, "closed": None}

    async def read() -> None:
        try:
            async for text in socket:
                reply = json.loads(text)
                if reply["type"] == "error":
                    code = reply["code"]
                    seen["errors"][code] = seen["errors"].get(code, 0) + 1
        except websockets.ConnectionClosed as exc:
            seen["closed"] = exc.rcvd.code if exc.rcvd else None

    reader = asyncio.create_task(read())
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            await socket.send(frames[seen["sent"] % len(frames)])
            seen["sent"] += 1
            if seen["sent"] % 20 == 0:
                await asyncio.sleep(0)
    except websockets.ConnectionClosed as exc:
        seen["closed"] = exc.rcvd.code if exc.rcvd else None
    await asyncio.sleep(1.0)
    reader.cancel()
    await socket.close()
    return seen


FLOODS = {
    "garbage": ["not json"],
    "steps": [json.dumps({"type": "step"}), json.dumps({"type": "back"})],
    "kubectl": [
        json.dumps(
            {"type": "kubectl", "id": 1, "command": "kubectl get pods -A -o yaml"}
        )
    ],
    "settings": [
        json.dumps({"type": "set", "cni": "routed"}),
        json.dumps({"type": "set", "cni": "overlay"}),
    ],
}


@pytest.mark.parametrize("kind", FLOODS)
async def test_a_flooding_client_is_told_to_slow_down_or_cut_off(
    server: LiveServer, kind: str
) -> None:
    socket = await connect(server, new_session(server))
    seen = await flood(socket, FLOODS[kind], FLOOD_SECONDS)
    limited = any("rate" in code or "slow" in code for code in seen["errors"])
    assert limited or seen["closed"] is not None, (
        f"{seen['sent']} frames in {FLOOD_SECONDS} s were neither rate-limited nor "
        f"cut off; replies: {seen['errors']}"
    )


@pytest.mark.parametrize("kind", FLOODS)
async def test_a_flood_on_one_session_does_not_slow_another_sessions_steps(
    server: LiveServer, kind: str
) -> None:
    flooder = await connect(server, new_session(server))
    other = await connect(server, new_session(server))
    before = statistics.median(await round_trips(other, ROUND_TRIPS))
    flooding = asyncio.create_task(flood(flooder, FLOODS[kind], FLOOD_SECONDS))
    await asyncio.sleep(0.3)
    during = await round_trips(other, ROUND_TRIPS)
    await flooding
    await other.close()
    allowed = max(before * SLOWER_BY, before + SLOWER_FLOOR)
    assert statistics.median(during) <= allowed, (
        f"median step round trip {statistics.median(during) * 1000:.0f} ms during "
        f"the flood, {before * 1000:.0f} ms before"
    )
    assert max(during) <= WORST, f"one step waited {max(during):.2f} s"


async def test_a_frame_over_daphnes_1_mb_limit_closes_only_that_socket(
    server: LiveServer,
) -> None:
    """Daphne refuses a frame over 1 MB itself with 1009 "message too big" (RFC 6455
    7.4.1), not a dropped connection (1006); the server lives on."""
    big = await connect(server, new_session(server))
    other = await connect(server, new_session(server))
    with pytest.raises(websockets.ConnectionClosed) as closed:
        await big.send("x" * (2 * 1024 * 1024))
        await asyncio.wait_for(big.recv(), 10)
    assert closed.value.rcvd is not None, "dropped without a close frame (1006)"
    assert closed.value.rcvd.code == 1009
    assert len(await round_trips(other, 2)) == 2
    await other.close()


async def test_between_256_kb_and_1_mb_a_frame_gets_a_size_error(
    server: LiveServer,
) -> None:
    socket = await connect(server, new_session(server))
    await socket.send(json.dumps({"type": "apply_manifest", "yaml": "x" * 600_000}))
    reply = json.loads(await asyncio.wait_for(socket.recv(), 10))
    assert reply["type"] == "error" and reply["code"] == "too_large"
    assert len(await round_trips(socket, 2)) == 2
    await socket.close()
