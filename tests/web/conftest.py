"""Builders for consumer tests: saved sessions, connected tabs, a clean registry."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from kubeviz import persistence
from kubeviz.asgi import application
from kubeviz.registry import registry

ORIGIN = (b"origin", b"http://localhost")


class Tab(WebsocketCommunicator):
    """A browser tab's websocket, speaking JSON text frames."""

    async def send(self, message: dict | str) -> None:
        text = message if isinstance(message, str) else json.dumps(message)
        await self.send_to(text_data=text)

    async def receive(self, timeout: float = 5) -> dict:
        text = await self.receive_from(timeout)
        # Daphne sends a text frame as UTF-8: a frame that cannot be is a dead tab.
        text.encode("utf-8")
        return json.loads(text)

    async def receive_until(self, kind: str, timeout: float = 5) -> dict:
        """Skip other messages (status notes, say) until one of type `kind`."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.receive(max(deadline - loop.time(), 0.01))
            if message["type"] == kind:
                return message

    async def hello(self, last_seq: int | None = None, **extra) -> dict:
        """Say hello and return the first reply (snapshot, delta or ack)."""
        await self.send({"type": "hello", "lastSeq": last_seq, **extra})
        return await self.receive()


@pytest.fixture(autouse=True)
def fresh_channel_layer() -> None:
    """Each test gets its own in-memory channel layer on its own event loop."""
    channel_layers.backends.clear()


@pytest.fixture
def make_session(db) -> Callable[..., Awaitable[str]]:
    """Save a new session of a scenario; returns its id."""

    async def make(scenario: str = "blank", seed: int = 0) -> str:
        row = await database_sync_to_async(persistence.create)(scenario, seed=seed)
        return row.id

    return make


@pytest.fixture
async def open_tab() -> AsyncIterator[Callable[..., Awaitable[Tab]]]:
    """Connect tabs to sessions; every tab is closed and every session saved after."""
    tabs: list[Tab] = []

    async def open_(session_id: str, hello: bool = True) -> Tab:
        tab = Tab(application, f"/ws/session/{session_id}/", headers=[ORIGIN])
        connected, code = await tab.connect(timeout=30)
        assert connected, f"the socket was refused ({code})"
        tabs.append(tab)
        if hello:
            first = await tab.hello()
            assert first["type"] == "snapshot", first
            status = await tab.receive()
            assert status["type"] == "status", status
            tab.first = first
        return tab

    yield open_
    for tab in tabs:
        # A receive that timed out has already stopped its tab's consumer.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await tab.disconnect()
    await registry().shutdown()
