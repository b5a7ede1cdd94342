"""One subscription per process and classroom: frames reach local tabs directly.

The owner publishes each frame once, as text, to the classroom's group. The
group's members are not the tabs but one `Relay` per process, which hands the
same text to each of its following tabs. So a step costs one channel-layer
message per process (one Redis write per process, not one per follower) and no
per-tab queue or dispatch; each tab's consumer just sends the text.

Every HEARTBEAT seconds a relay also tells the owner who is connected here (so
tabs of a process that died stop being counted) and checks that the owner still
answers; if it does not, this process takes the classroom over and its tabs
catch up from the new owner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref

from channels.layers import get_channel_layer

from kubeviz.classroom.live import frames_group, members_group, owner_group
from kubeviz.classroom.owners import owners
from kubeviz.memberships import memberships

log = logging.getLogger(__name__)

HEARTBEAT = 6.0
# channels-redis 4.3 waits in BZPOPMIN for up to 5 s, and redis-py 8's default
# socket timeout is also 5 s: a process whose channels are silent that long gets
# "Timeout reading" in whichever tab holds the receive, and that tab's socket is
# closed. Until the layer's hosts set a longer `socket_timeout` (kubeviz/env.py),
# a tick every TICK seconds keeps every classroom process's receive short.
TICK = 2.0

# Group message type -> the consumer method that takes it, and who gets it.
ROUTES = {
    "session.frame": ("session_frame", "following"),
    "session.note": ("session_note", "following"),
    "classroom.message": ("classroom_message", "members"),
}


class Relay:
    """Is responsible for handing one classroom's group messages to local tabs."""

    def __init__(self, code: str) -> None:
        self.code = code
        self.members: set = set()
        self.following: set = set()
        self.channel = ""
        self.task: asyncio.Task | None = None
        self.beat_task: asyncio.Task | None = None

    async def start(self) -> None:
        layer = get_channel_layer()
        self.channel = await layer.new_channel()
        await memberships().add(frames_group(self.code), self.channel)
        await memberships().add(members_group(self.code), self.channel)
        self.task = asyncio.create_task(self.run())
        self.beat_task = asyncio.create_task(self.beat())

    async def stop(self) -> None:
        for task in (self.task, self.beat_task):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        await memberships().discard(frames_group(self.code), self.channel)
        await memberships().discard(members_group(self.code), self.channel)

    async def run(self) -> None:
        layer = get_channel_layer()
        while True:
            try:
                event = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                if memberships().up.is_set():
                    log.exception(
                        "classroom %s: the relay could not receive", self.code
                    )
                await memberships().after_failure()
                continue
            route = ROUTES.get(event.get("type"))
            if route is None:
                continue
            method, audience = route
            for consumer in list(getattr(self, audience)):
                try:
                    await getattr(consumer, method)(event)
                except Exception:
                    log.debug("classroom %s: a tab missed a frame", self.code)

    async def beat(self) -> None:
        layer = get_channel_layer()
        ticking = type(layer).__module__.startswith("channels_redis")
        loop = asyncio.get_running_loop()
        next_beat = loop.time() + HEARTBEAT
        while True:
            await asyncio.sleep(TICK if ticking else HEARTBEAT)
            if ticking:
                with contextlib.suppress(Exception):
                    await layer.send(self.channel, {"type": "classroom.tick"})
                if loop.time() < next_beat:
                    continue
            next_beat = loop.time() + HEARTBEAT
            if not memberships().up.is_set():
                continue  # no roster or ping can travel; the tabs are told
            try:
                if not await owners().alive(self.code):
                    await self.take_over()
                roster = [consumer.member() for consumer in list(self.members)]
                await get_channel_layer().group_send(
                    owner_group(self.code),
                    {"type": "classroom.roster", "members": roster},
                )
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("classroom %s: heartbeat failed", self.code)

    async def take_over(self) -> None:
        """The owner is silent: find or become the new one, then catch up."""
        log.warning("classroom %s: the owner is silent; taking over", self.code)
        if await owners().ensure(self.code):
            for consumer in list(self.following):
                await consumer.sync(consumer.seq)


class Relays:
    """This process's relays, one per classroom with a tab here."""

    def __init__(self) -> None:
        self.relays: dict[str, Relay] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    async def enter(self, code: str, consumer) -> Relay:
        lock = self.locks.setdefault(code, asyncio.Lock())
        async with lock:
            relay = self.relays.get(code)
            if relay is None:
                relay = self.relays[code] = Relay(code)
                await relay.start()
            relay.members.add(consumer)
            relay.following.add(consumer)
            return relay

    async def leave(self, code: str, consumer) -> None:
        lock = self.locks.setdefault(code, asyncio.Lock())
        async with lock:
            relay = self.relays.get(code)
            if relay is None:
                return
            relay.members.discard(consumer)
            relay.following.discard(consumer)
            if not relay.members:
                del self.relays[code]
                await relay.stop()


relays_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Relays] = (
    weakref.WeakKeyDictionary()
)


def relays() -> Relays:
    loop = asyncio.get_running_loop()
    found = relays_by_loop.get(loop)
    if found is None:
        found = relays_by_loop[loop] = Relays()
    return found
