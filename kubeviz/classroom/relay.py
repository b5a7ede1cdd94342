"""One subscription per process and classroom: frames reach local tabs directly.

The owner publishes each frame once, as text, to the classroom's group. The
group's members are not the tabs but one `Relay` per process, which hands the
same text to each of its following tabs. So a step costs one channel-layer
message per process (one Redis write per process, not one per follower) and no
per-tab queue or dispatch; each tab's consumer just sends the text.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref

from channels.layers import get_channel_layer

from kubeviz.classroom.live import frames_group, members_group

log = logging.getLogger(__name__)

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

    async def start(self) -> None:
        layer = get_channel_layer()
        self.channel = await layer.new_channel()
        await layer.group_add(frames_group(self.code), self.channel)
        await layer.group_add(members_group(self.code), self.channel)
        self.task = asyncio.create_task(self.run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        layer = get_channel_layer()
        with contextlib.suppress(Exception):
            await layer.group_discard(frames_group(self.code), self.channel)
            await layer.group_discard(members_group(self.code), self.channel)

    async def run(self) -> None:
        layer = get_channel_layer()
        while True:
            try:
                event = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("classroom %s: the relay could not receive", self.code)
                await asyncio.sleep(1)
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
