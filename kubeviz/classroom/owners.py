"""Which process owns each classroom's live model, and the hosts this one owns.

A classroom has one owner process at a time, named in its database row. A
process that needs the classroom pings the owner group; if nobody answers (the
owner stopped or crashed), it takes over with a compare-and-set on the row, so
two processes racing for it agree on one winner. With one process this is the
same code on the in-memory channel layer.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import socket
import uuid
import weakref

from channels.layers import get_channel_layer

from kubeviz.classroom import services
from kubeviz.classroom.host import Host
from kubeviz.classroom.live import owner_group
from kubeviz.memberships import LayerDown, memberships

PING_TIMEOUT = 1.0
ALIVE_FOR = 5.0  # seconds a pong is trusted before the owner is pinged again


class Owners:
    """Is responsible for this process's classroom hosts and its claims on them."""

    def __init__(self) -> None:
        self.id = f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self.hosts: dict[str, Host] = {}
        self.locks: dict[str, asyncio.Lock] = {}
        self.alive_until: dict[str, float] = {}
        self.pongs: dict[int, asyncio.Future] = {}
        self.nonces = itertools.count(1)
        self.inbox_channel: str | None = None
        self.inbox_task: asyncio.Task | None = None

    async def ensure(self, code: str) -> bool:
        """Make sure some process hosts `code`; False if the classroom is gone."""
        lock = self.locks.setdefault(code, asyncio.Lock())
        async with lock:
            for _attempt in range(5):
                host = self.hosts.get(code)
                if host is not None and not host.closed:
                    return True
                if host is not None:
                    # Closing: let it save and release before anyone claims again.
                    await host.finished.wait()
                owner = await services.aowner_of(code)
                if owner is None:
                    return False
                if owner and owner != self.id and await self.alive(code):
                    return True
                if await services.aclaim(code, owner, self.id):
                    host = self.hosts[code] = Host(code, self.id)
                    await host.start()  # quick: the model opens in the background
                    return True
            raise RuntimeError(f"classroom {code}: no process could take it over")

    async def alive(self, code: str) -> bool:
        """Does a live host answer in the classroom's owner group?"""
        loop = asyncio.get_running_loop()
        host = self.hosts.get(code)
        if host is not None and not host.closed:
            return True
        if self.alive_until.get(code, 0.0) > loop.time():
            return True
        layer = memberships()
        if not layer.up.is_set():
            # Nobody can answer while Redis is down; silence proves nothing.
            raise LayerDown("the channel layer (Redis) is not answering")
        # Just after Redis came back, the owner may not have re-joined its group
        # yet: a ping then would find it silent and make a second owner.
        await layer.settled()
        inbox = await self.inbox()
        nonce = next(self.nonces)
        answered = self.pongs[nonce] = loop.create_future()
        try:
            await get_channel_layer().group_send(
                owner_group(code),
                {"type": "classroom.ping", "reply_to": inbox, "nonce": nonce},
            )
            await asyncio.wait_for(asyncio.shield(answered), PING_TIMEOUT)
        except TimeoutError:
            return False
        finally:
            self.pongs.pop(nonce, None)
        self.alive_until[code] = loop.time() + ALIVE_FOR
        return True

    async def inbox(self) -> str:
        """This process's channel for pongs, read by one long-lived task.

        Waiting on a future instead of on `layer.receive` means a timed-out ping
        never cancels a channels-redis receive half-way.
        """
        if self.inbox_channel is None:
            self.inbox_channel = await get_channel_layer().new_channel()
            self.inbox_task = asyncio.create_task(self.read_inbox(self.inbox_channel))
        return self.inbox_channel

    async def read_inbox(self, channel: str) -> None:
        layer = get_channel_layer()
        while True:
            try:
                message = await layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                await memberships().after_failure()
                continue
            answered = self.pongs.get(message.get("nonce"))
            if answered is not None and not answered.done():
                answered.set_result(True)

    def forget(self, code: str) -> None:
        """The owner did not answer: ask again next time instead of trusting it."""
        self.alive_until.pop(code, None)

    async def shutdown(self) -> None:
        """Save and release every hosted classroom (tests, server stop)."""
        for host in list(self.hosts.values()):
            with contextlib.suppress(Exception):
                await host.close()
        self.hosts.clear()
        if self.inbox_task is not None:
            self.inbox_task.cancel()
            self.inbox_task, self.inbox_channel = None, None


owners_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Owners] = (
    weakref.WeakKeyDictionary()
)


def owners() -> Owners:
    """This event loop's owner registry (a server has one loop; a test has its own)."""
    loop = asyncio.get_running_loop()
    found = owners_by_loop.get(loop)
    if found is None:
        found = owners_by_loop[loop] = Owners()
    return found
