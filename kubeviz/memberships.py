"""This process's channel-layer groups, put back when Redis comes back without them.

channels-redis keeps a group's members in a Redis sorted set (`group_add` is a
`ZADD` and an `EXPIRE` of `group_expiry`), so a Redis that restarts without
persistence, or is flushed, forgets every group: sending to one then reaches
nobody, and nothing tells the processes. So every group this process joins goes
through `Memberships.add`, which remembers it, and a watcher asks Redis every
CHECK seconds whether it still holds this process's marker key. When Redis does
not answer, the layer is down; when it answers without the marker, or after
being down, every remembered membership is added again, and then the listeners
(the sockets of this process) are told, so that they catch up on what they
missed. With the in-memory layer nothing can be lost and nothing is watched.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
import weakref

from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

try:
    from redis.exceptions import RedisError
except ImportError:  # only channels-redis needs redis-py
    LAYER_ERRORS: tuple[type[Exception], ...] = (OSError,)
else:
    # What a channel layer raises while Redis is unreachable (redis-py's
    # ConnectionError and TimeoutError are RedisErrors, not the built-in ones).
    LAYER_ERRORS = (OSError, RedisError)

CHECK = 0.5  # seconds between two looks at Redis
ANSWER_WITHIN = 2.0  # seconds Redis has to answer a look before it counts as down
# Seconds after the layer came back before another process's silence means
# anything: every process notices within CHECK and re-joins its groups, and a
# ping sent before then would find an owner's group still empty.
SETTLE = 1.5
RETRY = 0.5  # seconds before a receive that failed is tried again
MARKER_TTL = 60  # seconds the marker outlives the last look at it


class LayerDown(ConnectionError):
    """The channel layer is known to be down: asking it now would prove nothing."""


def watched(layer) -> bool:
    """Can this layer lose its groups (channels-redis), so that it is watched?"""
    return type(layer).__module__.startswith("channels_redis") and hasattr(
        layer, "connection"
    )


class Memberships:
    """Is responsible for this process's group memberships surviving a Redis restart.

    Listeners are objects with `async layer_lost()` and `async layer_returned()`
    (the consumers); they are held weakly, so a socket that ends leaves by itself.
    """

    def __init__(self) -> None:
        self.pairs: set[tuple[str, str]] = set()
        self.listeners: weakref.WeakSet = weakref.WeakSet()
        self.up = asyncio.Event()
        self.up.set()
        self.returned_at = float("-inf")  # monotonic time the layer came back
        self.marker = f"kubeviz.alive.{uuid.uuid4().hex}"
        self.look_now = asyncio.Event()
        self.task: asyncio.Task | None = None
        self.marked = False  # the marker was put in Redis once
        self.renewed_at = time.monotonic()  # memberships were last all added
        self.telling: set[asyncio.Task] = set()

    # --- joining and leaving ---------------------------------------------------------
    async def add(self, group: str, channel: str) -> None:
        """Join `group`, and join it again whenever Redis has lost it.

        A join that fails raises, as the layer's own does: the tab is refused
        and its page tries again (a membership only remembered would never be
        added if Redis turned out to be up and the failure a passing one).
        """
        layer = get_channel_layer()
        self.watch(layer)
        self.pairs.add((group, channel))
        try:
            await layer.group_add(group, channel)
        except BaseException:
            self.pairs.discard((group, channel))
            self.trouble()
            raise

    async def discard(self, group: str, channel: str) -> None:
        self.pairs.discard((group, channel))
        with contextlib.suppress(Exception):
            await get_channel_layer().group_discard(group, channel)

    def listen(self, listener) -> None:
        self.listeners.add(listener)

    def unlisten(self, listener) -> None:
        self.listeners.discard(listener)

    # --- for those who send ---------------------------------------------------------
    def trouble(self) -> None:
        """A send or receive failed: look at Redis now rather than in CHECK s."""
        self.look_now.set()

    async def after_failure(self) -> None:
        """After a receive or send that failed: look at Redis now, wait a moment,
        and while the layer is down, wait until it is back."""
        self.trouble()
        await asyncio.sleep(RETRY)
        await self.up.wait()

    async def wait_up(self) -> None:
        """Return at once while the layer is up; otherwise when it is back."""
        await self.up.wait()

    async def settled(self) -> None:
        """Wait until every process has had time to re-join its groups (SETTLE)."""
        await self.up.wait()
        wait = self.returned_at + SETTLE - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    # --- the watcher ----------------------------------------------------------------
    def watch(self, layer) -> None:
        if self.task is None and watched(layer):
            self.task = asyncio.create_task(self.run(layer))

    async def run(self, layer) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.look_now.wait(), CHECK)
            self.look_now.clear()
            try:
                fresh = await asyncio.wait_for(self.mark(layer), ANSWER_WITHIN)
                if fresh or not self.up.is_set():
                    await self.rejoin(layer)
                elif time.monotonic() - self.renewed_at > layer.group_expiry / 2:
                    await self.renew(layer)
            except asyncio.CancelledError:
                raise
            except Exception:
                if self.up.is_set():
                    log.warning("the channel layer (Redis) is not answering")
                    self.up.clear()
                    self.tell("layer_lost")
                await asyncio.sleep(CHECK)

    async def mark(self, layer) -> bool:
        """Put this process's marker in every Redis; True if one had lost it (a
        Redis restarted or flushed since the last look)."""
        fresh = False
        for index in range(layer.ring_size):
            # SET … GET answers the value it replaced: None when the key was not
            # there. Its expiry (a minute) only tidies up after a process ends.
            old = await layer.connection(index).set(
                layer.prefix + self.marker, "1", ex=MARKER_TTL, get=True
            )
            fresh |= old is None
        if fresh and not self.marked:
            self.marked = True  # the first look: nothing was lost yet
            return False
        return fresh

    async def renew(self, layer) -> None:
        """Add every membership again, quietly: channels-redis drops a member
        older than group_expiry (a day), which a long classroom may outlive."""
        for group, channel in list(self.pairs):
            await layer.group_add(group, channel)
        self.renewed_at = time.monotonic()

    async def rejoin(self, layer) -> None:
        """Add every remembered membership again, then tell the listeners."""
        for index in range(layer.ring_size):
            # Idle pooled connections to the Redis that went away fail once when
            # next used ("Connection closed by server"): drop them now, not in
            # the middle of somebody's send.
            pool = layer.connection(index).connection_pool
            await pool.disconnect(inuse_connections=False)
        await self.renew(layer)
        log.warning(
            "the channel layer (Redis) is back: %d memberships joined again",
            len(self.pairs),
        )
        self.returned_at = time.monotonic()
        self.up.set()
        self.tell("layer_returned")

    def tell(self, method: str) -> None:
        """Each listener in a task of its own: a slow tab delays nobody."""
        for listener in list(self.listeners):
            task = asyncio.ensure_future(call(listener, method))
            self.telling.add(task)
            task.add_done_callback(self.telling.discard)

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None


async def call(listener, method: str) -> None:
    try:
        await getattr(listener, method)()
    except Exception:
        log.exception("%s of %r failed", method, listener)


memberships_by_loop: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, Memberships
] = weakref.WeakKeyDictionary()


def memberships() -> Memberships:
    """This event loop's memberships (a server has one loop; a test has its own)."""
    loop = asyncio.get_running_loop()
    found = memberships_by_loop.get(loop)
    if found is None:
        found = memberships_by_loop[loop] = Memberships()
    return found
