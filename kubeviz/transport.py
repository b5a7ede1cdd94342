"""The part of every KubeViz websocket that is not about sessions: the transport.

`Transport` owns the socket's loop (Channels' consumer `__call__`, with a pump that
counts each frame against the tab's rate as it arrives, a backlog fed on at that
rate, and one long-lived task each for the socket and the channel layer), the
clean-up that runs once however the socket ends, and `reply`. The session, lesson
and classroom consumers build on it; `is_pull` lets a page's `ready` pulls pass
free, one per frame the tab was sent (`seq`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import deque

from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import get_channel_layer

from kubeviz import limits, protocol
from kubeviz.memberships import memberships

log = logging.getLogger(__name__)

INTERNAL_ERROR = 1011  # RFC 6455: how Daphne closes a socket whose consumer raised
# A pull at max speed, as static/js/main.js words it (JSON.stringify keeps key order).
READY = re.compile(r'\{\s*"type"\s*:\s*"ready"')


class Transport(AsyncWebsocketConsumer):
    """Is responsible for one tab's socket: its loop, its rate and its clean-up."""

    # The sequence number of the last frame this tab was sent; None until hello.
    seq: int | None = None
    bucket: limits.Bucket | None = None
    pulled: int | None = None  # the frame this tab's last free `ready` answered
    backlog_limit = limits.BACKLOG  # frames over the rate that may wait their turn
    cut_off = False
    cleaned_up = False  # `disconnect` has run (see clean_up)

    async def layer_lost(self) -> None:
        """The channel layer went down (kubeviz/memberships.py); by default nothing."""

    async def layer_returned(self) -> None:
        """The channel layer is back with this tab's groups; by default nothing."""

    async def websocket_disconnect(self, message: dict) -> None:
        """The socket closed: clean up (once), and end the consumer."""
        await self.clean_up(message["code"])
        raise StopConsumer()

    async def clean_up(self, code: int) -> None:
        """`disconnect`, exactly once, however the consumer ends.

        A socket that closes brings `websocket.disconnect`; one whose handler
        raised, or whose consumer was cancelled, never does, and must leave its
        session all the same: else `status.viewers` counts a ghost, the session
        never goes idle, and a classroom's relay keeps a dead member.
        """
        if self.cleaned_up:
            return
        self.cleaned_up = True
        await self.disconnect(code)

    async def __call__(self, scope, receive, send) -> None:
        """Every socket's frames pass the rate limit here, as they arrive.

        A pump takes each frame from the server as soon as it is there and counts
        it against the tab's rate then, not when the consumer gets round to it: a
        flood is thousands of frames a turn of the event loop, while Channels'
        dispatch costs several turns per frame, so a bucket checked at dispatch
        would see only the rate the server keeps up with. Frames over the rate wait
        in the tab's backlog, which a feeder hands on at the rate; past the
        backlog's bound they are dropped unread, and a tab that keeps on is closed
        (kubeviz/limits.py).

        Admitted frames and the channel layer's messages are each handled by a
        long-lived task, one message at a time across both (`turn`), as Channels'
        own loop does; Channels' loop instead makes a new task and a new wait for
        every message, which cost a step a third of its round trip.

        However the consumer ends (the socket closed, a handler raised, or the
        server cancelled it), `disconnect` runs once (`clean_up`).
        """
        self.scope = scope
        self.base_send = send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        inbox: asyncio.Queue[dict] = asyncio.Queue()
        self.bucket = limits.Bucket.from_settings()
        self.backlog: deque[dict] = deque()
        self.backlog_bytes = 0
        self.waiting = asyncio.Event()
        self.turn = asyncio.Lock()
        servers = [
            asyncio.create_task(self.serve(inbox.get)),
            asyncio.create_task(self.serve(self.receive_from_layer)),
        ]
        memberships().listen(self)
        tasks = [
            asyncio.create_task(self.pump(receive, send, inbox)),
            asyncio.create_task(self.feed(inbox)),
            *servers,
        ]
        try:
            done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                # A handler's exception ends the socket, as in Channels' loop.
                with contextlib.suppress(StopConsumer):
                    task.result()
        finally:
            memberships().unlisten(self)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await self.clean_up_after_failure()

    async def clean_up_after_failure(self) -> None:
        """Clean up a consumer that ended without the socket's disconnect.

        Shielded, so that a second cancellation (a server stopping) cannot cut
        the clean-up short; its own failure is logged, never raised over the
        exception that ended the consumer.
        """
        if self.cleaned_up:
            return
        cleaning = asyncio.ensure_future(self.clean_up(INTERNAL_ERROR))
        try:
            await asyncio.shield(cleaning)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("cleaning up after a failed socket failed too")

    async def receive_from_layer(self) -> dict:
        """The next message on this tab's channel; while the channel layer is down
        (Redis stopped), wait for it to come back rather than end the socket."""
        while True:
            try:
                return await self.channel_layer.receive(self.channel_name)
            except asyncio.CancelledError:
                raise
            except Exception:
                await memberships().after_failure()

    async def serve(self, source) -> None:
        """Dispatch what `source` gives, in its order, each in its turn."""
        while True:
            message = await source()
            async with self.turn:
                await self.dispatch(message)

    async def pump(self, receive, send, inbox: asyncio.Queue) -> None:
        while True:
            message = await receive()
            if message["type"] != "websocket.receive":
                inbox.put_nowait(message)
            elif not self.cut_off and not self.admit(message, inbox):
                await self.cut(send, inbox)

    def admit(self, message: dict, inbox: asyncio.Queue) -> bool:
        """Hand a frame on now (a token, or a free `ready` pull), put it in the
        backlog behind the ones already waiting, or drop it when that is full;
        False when the tab is flooding."""
        if not self.backlog and (
            self.is_pull(message.get("text")) or self.bucket.admit()
        ):
            inbox.put_nowait(message)
            return True
        if self.bucket.should_tell():
            inbox.put_nowait({"type": "kubeviz.refuse"})
        if (
            len(self.backlog) >= self.backlog_limit
            or self.backlog_bytes + size(message) > limits.BACKLOG_BYTES
        ):
            return not self.bucket.drop()
        self.backlog.append(message)
        self.backlog_bytes += size(message)
        self.waiting.set()
        return True

    async def feed(self, inbox: asyncio.Queue) -> None:
        """Hand the backlog on at the tab's rate, in order."""
        while True:
            await self.waiting.wait()
            while self.backlog:
                await asyncio.sleep(self.bucket.delay())
                if self.backlog and self.bucket.admit():
                    message = self.backlog.popleft()
                    self.backlog_bytes -= size(message)
                    inbox.put_nowait(message)
            self.waiting.clear()

    async def cut(self, send, inbox: asyncio.Queue) -> None:
        """Close a flooding tab; what it sent and is not yet handled is dropped."""
        self.cut_off = True
        self.backlog.clear()
        self.backlog_bytes = 0
        for message in [inbox.get_nowait() for _ in range(inbox.qsize())]:
            if message["type"] != "websocket.receive":
                inbox.put_nowait(message)
        # The pump must outlive a socket that is gone already: the disconnect it
        # will bring is what ends the consumer.
        with contextlib.suppress(Exception):
            await send({"type": "websocket.close", "code": limits.CLOSE_CODE})

    async def kubeviz_refuse(self, message: dict) -> None:
        """Tell a tab once that it sends too fast."""
        await self.reply(protocol.error(limits.CODE, self.bucket.message()))

    def is_pull(self, text_data: str | None) -> bool:
        """A page sends `ready` after drawing each frame at max speed, up to the
        display's frame rate: pacing, not a flood. One per frame this tab was sent
        is free; any more count against the rate like other messages."""
        if text_data is None or not READY.match(text_data):
            return False
        if self.seq is None or self.seq == self.pulled:
            return False
        self.pulled = self.seq
        return True

    async def reply(self, message: dict) -> None:
        """A message for this viewer only."""
        await self.send(text_data=protocol.encode(message))


def size(message: dict) -> int:
    """A websocket frame's length, near enough for bounding a backlog."""
    return len(message.get("text") or message.get("bytes") or "")
