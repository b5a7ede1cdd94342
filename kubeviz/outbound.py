"""What each websocket has waiting to be sent: bounded per socket and per process.

Daphne hands every frame an application sends straight to autobahn, which writes it
to the Twisted transport at once; whatever the kernel's socket buffer cannot take
waits in the transport's own buffer (`FileDescriptor.dataBuffer` and
`_tempDataBuffer`, twisted/internet/abstract.py), with no bound and no back-pressure
to the application (daphne issue #170). So a tab that stops reading, or a script
that never reads, grows the process by every frame it is sent: 1 MB kubectl answers
twenty times a second took a process from 93 to 627 MB in 30 s.

`OutboundLimit` wraps the websocket application (kubeviz/asgi.py). Before each frame
it reads how many bytes Daphne holds for that socket; when a frame would take the
socket past `KUBEVIZ_OUTBOUND_QUEUE_KB`, or all sockets' queues together past their
share of `KUBEVIZ_MAX_MEMORY_MB` (kubeviz/limits.py), nothing more is sent and the
socket is closed with 4408. A tab that reads again within SLOW_READER_WAIT seconds
finds the close after what was queued, and its page reconnects; one that does not is
dropped, and what was queued for it is freed. A socket holding less than READING
bytes (it is keeping up) is always sent its frame, however large.

It also asks autobahn to close a socket whose incoming message is over Daphne's
size limit with 1009 "message too big" rather than drop the connection, which a page
sees as 1006 (autobahn's `failByDrop`, on by default for servers).

Under another ASGI server, or the test communicator, there is no Daphne connection
to read and nothing is bounded here.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import functools
import logging

from django.conf import settings

from kubeviz import limits

log = logging.getLogger(__name__)

MB = 1024 * 1024


class Connection:
    """Is responsible for reading what Daphne holds unsent for one websocket."""

    def __init__(self, protocol) -> None:
        self.protocol = protocol  # daphne.ws_protocol.WebSocketProtocol

    @classmethod
    def of(cls, send) -> Connection | None:
        """The Daphne connection behind an ASGI `send`, or None under another server.

        Daphne's `send` is `partial(Server.handle_reply, protocol)`
        (daphne/server.py `create_application`).
        """
        if not isinstance(send, functools.partial) or not send.args:
            return None
        protocol = send.args[0]
        if not hasattr(protocol, "transport") or not hasattr(protocol, "sendMessage"):
            return None
        return cls(protocol)

    def queued(self) -> int:
        """Bytes written for this socket that the kernel has not taken yet."""
        # autobahn's own queue, used only for chopped or synchronous writes.
        total = sum(len(data) for data, _ in getattr(self.protocol, "send_queue", ()))
        transport = getattr(self.protocol, "transport", None)
        for _ in range(3):  # TLS wraps the TCP transport, each with a buffer
            if transport is None:
                break
            buffered = getattr(transport, "dataBuffer", b"")
            total += len(buffered) - getattr(transport, "offset", 0)
            total += getattr(transport, "_tempDataLen", 0)
            total += sum(len(data) for data in getattr(transport, "_appSendBuffer", ()))
            transport = getattr(transport, "transport", None)
        return total

    def refuse_oversized_with_1009(self) -> None:
        """Close on a message over the size limit with 1009 instead of dropping."""
        self.protocol.failByDrop = False

    def wait_for_close(self, seconds: float) -> None:
        """How long the close frame may wait behind the queue before a drop."""
        self.protocol.closeHandshakeTimeout = seconds

    def release(self) -> None:
        """Drop what a lost connection never sent: Twisted keeps the buffer as long
        as the transport object, which Daphne holds until it tidies up."""
        transport = getattr(self.protocol, "transport", None)
        if transport is not None and getattr(transport, "disconnected", False):
            transport.dataBuffer, transport.offset = b"", 0
            transport._tempDataBuffer, transport._tempDataLen = [], 0


def give_back() -> None:
    """Hand freed memory back to the system (glibc's `malloc_trim`).

    A slow reader's queue was megabytes in large blocks; malloc keeps what is freed
    for reuse, so without this RSS, what the memory budget and the kernel's OOM
    killer see, would keep each one's high-water mark: 16 slow readers one after
    another left 60 MB behind in 90 s, all of it free. Nothing where there is no
    glibc.
    """
    if TRIM is not None:
        TRIM(0)


def find_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


TRIM = find_trim()
TRIM_DELAY = 1.0  # seconds: one trim for the slow readers closed meanwhile
trimming: asyncio.TimerHandle | None = None


def give_back_soon() -> None:
    global trimming
    if trimming is None:
        trimming = asyncio.get_running_loop().call_later(TRIM_DELAY, trimmed)


def trimmed() -> None:
    global trimming
    trimming = None
    give_back()


# Every Daphne websocket of this process that is open.
OPEN: set[Connection] = set()


def queued_elsewhere(mine: Connection) -> int:
    """Bytes waiting for every other open socket of this process."""
    return sum(other.queued() for other in OPEN if other is not mine)


def allowance(connection: Connection) -> int:
    """Bytes this socket may have waiting: its own bound, and what the process's
    share leaves once the other sockets' queues are counted."""
    options = settings.KUBEVIZ
    bound = int(options.get("OUTBOUND_QUEUE_KB", limits.OUTBOUND_BYTES // 1024)) * 1024
    budget_mb = options.get("MAX_MEMORY_MB", 0)
    if budget_mb > 0:
        share = int(budget_mb * MB * limits.OUTBOUND_SHARE)
        bound = min(bound, max(0, share - queued_elsewhere(connection)))
    return bound


class Guard:
    """Is responsible for one socket's outbound frames: passed on, or the socket
    closed once it has more waiting than it may."""

    def __init__(self, connection: Connection, receive, send) -> None:
        self.connection = connection
        self.base_receive = receive
        self.base_send = send
        self.closed = False

    async def receive(self) -> dict:
        """What the tab sends after its close is not worked on: nobody would read
        the answers."""
        while True:
            message = await self.base_receive()
            if not (self.closed and message["type"] == "websocket.receive"):
                return message

    async def send(self, message: dict) -> None:
        if self.closed:
            return  # nothing more after the close, not even a close
        if message["type"] == "websocket.send":
            # Characters for text: near enough, frames are mostly ASCII JSON.
            size = len(message.get("text") or message.get("bytes") or b"")
            queued = self.connection.queued()
            if queued > limits.READING and queued + size > allowance(self.connection):
                await self.close(queued)
                return
        await self.base_send(message)

    async def close(self, queued: int) -> None:
        self.closed = True
        log.warning(
            "closed a websocket that does not read what it is sent (%d KB waiting)",
            queued // 1024,
        )
        self.connection.wait_for_close(limits.SLOW_READER_WAIT)
        await self.base_send(
            {"type": "websocket.close", "code": limits.SLOW_READER_CLOSE}
        )


class OutboundLimit:
    """ASGI middleware: every websocket's outbound frames go through a Guard."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send) -> None:
        connection = Connection.of(send) if scope["type"] == "websocket" else None
        if connection is None:
            await self.application(scope, receive, send)
            return
        connection.refuse_oversized_with_1009()
        OPEN.add(connection)
        guard = Guard(connection, receive, send)
        try:
            await self.application(scope, guard.receive, guard.send)
        finally:
            OPEN.discard(connection)
            if guard.closed:
                connection.release()
                give_back_soon()
