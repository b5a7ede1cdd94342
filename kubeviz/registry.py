"""The live sessions of this process: opened on first viewer, evicted when idle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref

from channels.layers import get_channel_layer
from django.conf import settings

from kubeviz import persistence
from kubeviz.live import LiveSession

log = logging.getLogger(__name__)


class Full(Exception):
    """Every live session this process may hold has a viewer: no room for another."""


class Registry:
    """Is responsible for one LiveSession per session id in this process.

    The first viewer opens a session from the database (replaying it); the last one
    to leave stops its play loop and saves it; after `idle_seconds` without viewers
    it leaves memory, and the next viewer replays it again. At most
    `MAX_LIVE_SESSIONS` are live at once: to open another, the least recently used
    idle one leaves memory early, and if none is idle, opening raises `Full`.
    """

    def __init__(self) -> None:
        self.sessions: dict[str, LiveSession] = {}
        self.opening: dict[str, asyncio.Future] = {}

    async def get(self, session_id: str) -> LiveSession | None:
        """The live session, opening it from the database; None if there is none."""
        live = self.sessions.pop(session_id, None)
        if live is not None:
            self.sessions[session_id] = live  # the most recently used comes last
            return live
        pending = self.opening.get(session_id)
        if pending is not None:
            return await asyncio.shield(pending)
        self.make_room()
        future = asyncio.get_running_loop().create_future()
        self.opening[session_id] = future
        try:
            live = await self.open(session_id)
            if live is not None:
                self.sessions[session_id] = live
            future.set_result(live)
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here; waiters re-raise it
            raise
        finally:
            del self.opening[session_id]
        return live

    def make_room(self) -> None:
        """Evict idle sessions, least recently used first, until one more fits."""
        limit = settings.KUBEVIZ.get("MAX_LIVE_SESSIONS", 200)
        while len(self.sessions) + len(self.opening) >= limit:
            # Idle and saved: its last viewer has gone and close() has finished.
            idle = next(
                (
                    live
                    for live in self.sessions.values()
                    if not live.viewers and live.evict_task is not None
                ),
                None,
            )
            if idle is None:
                raise Full(f"this server already holds {limit} live sessions")
            idle.evict_task.cancel()
            idle.evict_task = None
            del self.sessions[idle.id]

    async def open(self, session_id: str) -> LiveSession | None:
        record = await persistence.aload(session_id)
        if record is None:
            return None
        cluster = await asyncio.to_thread(persistence.open_cluster, record)
        options = settings.KUBEVIZ
        return LiveSession(
            record,
            cluster,
            ring_size=options["RING_SIZE"],
            save_delay=options["SAVE_DELAY"],
        )

    async def join(self, session_id: str, channel_name: str) -> LiveSession | None:
        """Add a viewer (a consumer's channel) to a session's group; None if there is
        no such session, `Full` if it is not live and there is no room for it."""
        live = await self.get(session_id)
        if live is None:
            return None
        if live.evict_task is not None:
            live.evict_task.cancel()
            live.evict_task = None
        live.viewers.add(channel_name)
        await get_channel_layer().group_add(live.group, channel_name)
        async with live.lock:
            await live.publish_status()
        return live

    async def leave(self, live: LiveSession, channel_name: str) -> None:
        live.viewers.discard(channel_name)
        await get_channel_layer().group_discard(live.group, channel_name)
        if live.viewers:
            async with live.lock:
                await live.publish_status()
            return
        try:
            await live.close()
        except Exception:
            log.exception("closing session %s failed", live.id)
        live.evict_task = asyncio.create_task(self.evict_later(live))

    async def evict_later(self, live: LiveSession) -> None:
        await asyncio.sleep(settings.KUBEVIZ["IDLE_SECONDS"])
        if not live.viewers and self.sessions.get(live.id) is live:
            del self.sessions[live.id]
            live.evict_task = None

    async def shutdown(self) -> None:
        """Stop every play loop and save every session (tests, server stop)."""
        for live in list(self.sessions.values()):
            with contextlib.suppress(Exception):
                await live.close()
            if live.evict_task is not None:
                live.evict_task.cancel()
        self.sessions.clear()


# One registry per event loop: a server has one loop; each test has its own.
registries: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Registry] = (
    weakref.WeakKeyDictionary()
)


def registry() -> Registry:
    loop = asyncio.get_running_loop()
    found = registries.get(loop)
    if found is None:
        found = registries[loop] = Registry()
    return found
