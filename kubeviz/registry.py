"""The live sessions of this process: opened on first viewer, evicted when idle."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import time
import weakref
from collections.abc import Callable

from django.conf import settings

from kubeviz import persistence
from kubeviz.live import LiveSession
from kubeviz.memberships import memberships

log = logging.getLogger(__name__)


MB = 1024 * 1024
COLLECT_EVERY = 1.0  # seconds between garbage collections after evictions


class Full(Exception):
    """Every live session this process may hold has a viewer: no room for another."""


def rss_bytes() -> int | None:
    """This process's resident memory, from /proc (Linux); None elsewhere."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


class MemoryBudget:
    """Is responsible for telling whether this process uses more memory than allowed.

    Use is the process's RSS, what an operator and the kernel's OOM killer see. A
    session that leaves memory rarely makes RSS fall: Python and malloc keep what
    was freed for the next objects rather than return it. So each eviction is
    credited with a live session's average share of RSS above the `baseline` (what
    the process held before any session), and use is RSS less that credit. Any
    move of RSS, and each session opened, uses the credit up: it never lets the
    process take more from the system than it gave back.
    """

    def __init__(self, read: Callable[[], int | None] = rss_bytes) -> None:
        self.read = read
        self.baseline = read() or 0
        self.mark = self.baseline  # RSS when last read
        self.credit = 0  # bytes freed by evictions and not yet reused

    def use(self) -> int | None:
        """Bytes in use: RSS less what evicted sessions freed; None if unknown."""
        rss = self.read()
        if rss is None:
            return None
        self.credit = max(0, self.credit - abs(rss - self.mark))
        self.mark = rss
        return rss - self.credit

    def over(self, limit_mb: float) -> bool:
        """True when a budget is set (`limit_mb` > 0) and use is past it."""
        if limit_mb <= 0:
            return False
        use = self.use()
        return use is not None and use > limit_mb * MB

    def share(self, live: int) -> int:
        """A live session's average share of memory, with `live` sessions."""
        return max(0, self.mark - self.baseline) // max(1, live)

    def evicted(self, share: int) -> None:
        self.credit += share

    def opened(self, share: int) -> None:
        self.credit = max(0, self.credit - share)


class Registry:
    """Is responsible for one LiveSession per session id in this process.

    The first viewer opens a session from the database (replaying it); the last one
    to leave stops its play loop and saves it; after `IDLE_SECONDS` without viewers
    it leaves memory, and the next viewer replays it again. Two bounds keep a
    process's memory in hand: at most `MAX_LIVE_SESSIONS` are live at once, and past
    `MAX_MEMORY_MB` a session whose last viewer leaves is evicted at once. To open
    another session past either bound, idle ones leave memory early, least recently
    used first; if none is idle and the bound still holds, opening raises `Full`.
    """

    def __init__(self) -> None:
        self.sessions: dict[str, LiveSession] = {}
        self.opening: dict[str, asyncio.Future] = {}
        self.memory = MemoryBudget()
        self.collected = float("-inf")  # when evictions were last collected

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
        """Evict idle sessions, least recently used first, until one more fits:
        under `MAX_LIVE_SESSIONS` and, if one is set, under `MAX_MEMORY_MB`."""
        options = settings.KUBEVIZ
        limit = options.get("MAX_LIVE_SESSIONS", 1000)
        budget = options.get("MAX_MEMORY_MB", 0)
        over_memory = self.memory.over(budget)
        freed = False  # sessions left for the memory budget: collect them
        try:
            while over_memory or len(self.sessions) + len(self.opening) >= limit:
                idle = self.least_recent_idle()
                if idle is None:
                    if over_memory:
                        raise Full(
                            f"this server is over its memory budget ({budget} MB)"
                        )
                    raise Full(f"this server already holds {limit} live sessions")
                self.evict(idle)
                freed = freed or over_memory
                over_memory = over_memory and self.memory.over(budget)
        finally:
            if freed:
                self.collect(force=True)
        self.memory.opened(self.memory.share(len(self.sessions) + 1))

    def least_recent_idle(self) -> LiveSession | None:
        """The least recently used session that is idle and saved: its last viewer
        has gone and close() has finished."""
        return next(
            (
                live
                for live in self.sessions.values()
                if not live.viewers and live.evict_task is not None
            ),
            None,
        )

    def evict(self, live: LiveSession) -> None:
        """Take an idle, saved session out of memory (its next viewer replays it)."""
        if (
            live.evict_task is not None
            and live.evict_task is not asyncio.current_task()
        ):
            live.evict_task.cancel()
        live.evict_task = None
        self.memory.evicted(self.memory.share(len(self.sessions)))
        del self.sessions[live.id]

    def collect(self, force: bool = False) -> None:
        """Free evicted sessions now: a model's objects refer to each other, so only
        the garbage collector frees them, and a full collection of a process with
        hundreds of sessions takes a few hundred milliseconds; at most once a
        `COLLECT_EVERY` unless `force`d."""
        now = time.monotonic()
        if force or now - self.collected >= COLLECT_EVERY:
            self.collected = now
            gc.collect()

    async def open(self, session_id: str) -> LiveSession | None:
        record = await persistence.aload(session_id)
        if record is None:
            return None
        cluster = await asyncio.to_thread(persistence.open_cluster, record)
        options = settings.KUBEVIZ
        live = LiveSession(
            record,
            cluster,
            ring_size=options["RING_SIZE"],
            save_delay=options["SAVE_DELAY"],
            ring_bytes=options.get("SESSION_RING_KB", 64) * 1024,
        )
        live.steps_ahead = options.get("STEP_AHEAD", True)
        return live

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
        try:
            await memberships().add(live.group, channel_name)
            async with live.lock:
                await live.publish_status()
        except BaseException:
            # The tab never learns of the session, so it will never leave it:
            # leave for it now (uncounted, and idle if it was the only one).
            with contextlib.suppress(Exception):
                await self.leave(live, channel_name)
            raise
        return live

    async def leave(self, live: LiveSession, channel_name: str) -> None:
        live.viewers.discard(channel_name)
        # Never raises: a layer that is away forgets the channel with its groups.
        await memberships().discard(live.group, channel_name)
        if live.viewers:
            async with live.lock:
                await live.publish_status()
            return
        try:
            await live.close()
        except Exception:
            log.exception("closing session %s failed", live.id)
            saved = False
        else:
            saved = True
        if (
            saved
            and not live.viewers
            and self.sessions.get(live.id) is live
            and self.memory.over(settings.KUBEVIZ.get("MAX_MEMORY_MB", 0))
        ):
            # Over the memory budget: a saved session with no viewer goes at once.
            self.evict(live)
            self.collect()
            return
        live.evict_task = asyncio.create_task(self.evict_later(live))

    async def evict_later(self, live: LiveSession) -> None:
        await asyncio.sleep(settings.KUBEVIZ["IDLE_SECONDS"])
        if not live.viewers and self.sessions.get(live.id) is live:
            self.evict(live)

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
