"""The session websocket: validate each message, call the live session, reply.

The consumer is thin. `receive` parses a frame with `protocol.parse` and dispatches
on its type to one `on_<type>` method; the work happens in `LiveSession` and the
model. Frames for every viewer arrive from the session's group already encoded and
are passed on as they are, in sequence order, without gaps or repeats.
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

from kubeviz import limits, protocol, scenarios
from kubeviz.live import ASKER, LiveSession, in_thread
from kubeviz.memberships import memberships
from kubeviz.registry import Full, registry
from simulation.errors import SimulationError
from simulation.network.compare import compare

log = logging.getLogger(__name__)

NOT_FOUND = 4404
SERVER_FULL = 4503
INTERNAL_ERROR = 1011  # RFC 6455: how Daphne closes a socket whose consumer raised
# A pull at max speed, as static/js/main.js words it (JSON.stringify keeps key order).
READY = re.compile(r'\{\s*"type"\s*:\s*"ready"')
HELD = (
    "The server lost its connection to Redis, which carries frames between its "
    "processes: play waits until it is back."
)
RESUMED = "The server's connection to Redis is back: play goes on."


class SessionConsumer(AsyncWebsocketConsumer):
    """Is responsible for one browser tab's connection to one session."""

    live: LiveSession | None = None
    # The sequence number of the last frame this viewer was sent; None until hello.
    seq: int | None = None
    bucket: limits.Bucket | None = None
    pulled: int | None = None  # the frame this tab's last free `ready` answered
    backlog_limit = limits.BACKLOG  # frames over the rate that may wait their turn
    cut_off = False
    cleaned_up = False  # `disconnect` has run (see clean_up)
    held = False  # told that play waits for the channel layer

    async def dispatch(self, message: dict) -> None:
        """Frames and received text skip Channels' per-message database clean-up.

        `AsyncConsumer.dispatch` runs `close_old_connections` on the one sync thread
        before every handler: a thread hop per message, which was most of a step's
        round trip. These handlers never touch the database directly (saving goes
        through `database_sync_to_async`, which cleans up by itself).
        """
        handler = FAST_PATHS.get(message["type"])
        if handler is not None:
            await handler(self, message)
        else:
            await super().dispatch(message)

    async def connect(self) -> None:
        """Accept at once, then open the session.

        Opening may take a while (a replay, and many tabs opening sessions at
        once queue for the worker threads), longer than Daphne lets a handshake
        wait; an accepted socket can wait, and a `hello` sent meanwhile waits its
        turn behind this. Accepted first, a refusal also reaches the page with its
        code and reason (a socket closed during the handshake reaches a browser as
        1006): 4404 stops its reconnecting, 4503 makes it try again later.
        """
        session_id = self.scope["url_route"]["kwargs"]["session_id"]
        await self.accept()
        try:
            self.live = await registry().join(session_id, self.channel_name)
        except Full as exc:
            log.warning("refused a viewer of %s: %s", session_id, exc)
            await self.reply(
                protocol.error(
                    "server_full",
                    "this server is holding as many live sessions as it may; "
                    "the page will try again shortly",
                )
            )
            await self.close(code=SERVER_FULL)
            return
        if self.live is None:
            await self.reply(
                protocol.error("not_found", f"there is no session {session_id!r}")
            )
            await self.close(code=NOT_FOUND)

    async def disconnect(self, code: int) -> None:
        if self.live is not None:
            await registry().leave(self.live, self.channel_name)
            self.live = None

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

    async def layer_lost(self) -> None:
        """The channel layer is down: a playing session's play waits for it."""
        if self.live is not None and self.seq is not None and self.live.speed:
            self.held = True
            await self.reply(protocol.event(protocol.note("session.held", HELD)))

    async def layer_returned(self) -> None:
        """The layer is back with this tab's groups: send what the tab missed."""
        if self.live is None or self.seq is None:
            return
        async with self.turn:
            await self.catch_up(self.seq)
            if self.held:
                self.held = False
                note = protocol.note("session.resumed", RESUMED)
                await self.reply(protocol.event(note))
            await self.reply(protocol.status(self.live.info()))

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

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        if self.live is None:
            return  # no such session: the socket is closing
        try:
            message = protocol.parse(text_data, bytes_data)
        except protocol.ProtocolError as exc:
            await self.reply(protocol.error(exc.code, exc.message, exc.request_id))
            return
        kind = message["type"]
        if self.seq is None and kind != "hello":
            await self.reply(
                protocol.error(
                    "hello_first",
                    "send hello before anything else",
                    message.get("id"),
                    kind,
                )
            )
            return
        handler = getattr(self, "on_" + kind)
        asking = ASKER.set(getattr(self, "channel_name", None))
        try:
            await handler(message)
        except SimulationError as exc:
            await self.reply(
                protocol.error("rejected", str(exc), message.get("id"), kind)
            )
        except Exception:
            log.exception("%s failed in session %s", kind, self.live.id)
            await self.reply(
                protocol.error(
                    "internal",
                    f"{kind} failed inside the server; the session is "
                    "unchanged and still open",
                    message.get("id"),
                    kind,
                )
            )
        finally:
            ASKER.reset(asking)
        # What the handler published, even if it failed after publishing: when
        # this tab is the session's only viewer, these frames skipped the group.
        await self.send_own_frames()

    async def reply(self, message: dict) -> None:
        """A message for this viewer only."""
        await self.send(text_data=protocol.encode(message))

    # --- frames from the session's group ---------------------------------------------
    async def session_frame(self, event: dict) -> None:
        if self.seq is None or event["seq"] <= self.seq:
            return
        if event["seq"] == self.seq + 1 or event["snapshot"]:
            self.seq = event["seq"]
            await self.send(text_data=event["text"])
            return
        # The channel layer dropped frames (a full queue): fill the gap.
        await self.catch_up(self.seq)

    async def send_own_frames(self) -> None:
        """Send this tab the frames its own message just made, straight from the
        session's ring rather than after a trip through the channel layer; their
        copies from the group are then skipped like any repeat."""
        if self.seq is None or getattr(self, "channel_name", None) not in (
            self.live.viewers
        ):
            return
        frames = self.live.frames_after(self.seq)
        if frames is None:  # a snapshot cleared the ring: send that
            await self.catch_up(self.seq)
            return
        for text in frames:
            self.seq += 1
            await self.send(text_data=text)

    async def session_note(self, event: dict) -> None:
        # The tab a note is about (a trace's asker) was answered directly.
        if self.seq is not None and event.get("skip") != self.channel_name:
            await self.send(text_data=event["text"])

    async def catch_up(self, last_seq: int | None) -> bool:
        """Send what follows `last_seq`, or a snapshot; False if nothing was missed."""
        frames = self.live.frames_after(last_seq)
        if frames is None:
            self.seq, text = await self.live.current_snapshot()
            await self.send(text_data=text)
            return True
        # Frames published while these are sent arrive through the group later.
        self.seq = last_seq
        for text in frames:
            self.seq += 1
            await self.send(text_data=text)
        return bool(frames)

    # --- client messages -------------------------------------------------------
    async def on_hello(self, message: dict) -> None:
        last_seq = message.get("lastSeq") or None
        step = message.get("step")
        if step is not None and last_seq is None:
            await self.live.seek(step)
        if not await self.catch_up(last_seq):
            await self.reply(protocol.ack("hello", message.get("id"), seq=self.seq))
        await self.reply(protocol.status(self.live.info()))

    async def on_step(self, message: dict) -> None:
        if not await self.live.step():
            await self.reply(
                protocol.ack(
                    "step",
                    message.get("id"),
                    changed=False,
                    message="Nothing is waiting to happen: the cluster is settled.",
                )
            )

    async def on_back(self, message: dict) -> None:
        if not await self.live.back():
            await self.reply(
                protocol.ack(
                    "back",
                    message.get("id"),
                    changed=False,
                    message="This is step 0: there is nothing to go back to.",
                )
            )

    async def on_play(self, message: dict) -> None:
        await self.live.play(message["speed"])

    async def on_pause(self, message: dict) -> None:
        await self.live.pause()

    async def on_ready(self, message: dict) -> None:
        self.live.ready(message["seq"])

    async def on_seek(self, message: dict) -> None:
        await self.live.seek(message["step"])

    async def on_reset(self, message: dict) -> None:
        await self.live.load(self.live.scenario)

    async def on_load_scenario(self, message: dict) -> None:
        if scenarios.get(message["scenario"]) is None:
            await self.reply(
                protocol.error(
                    "unknown_scenario",
                    f"there is no scenario {message['scenario']!r}",
                    message.get("id"),
                    "load_scenario",
                )
            )
            return
        await self.live.load(message["scenario"])

    async def on_apply_manifest(self, message: dict) -> None:
        await self.perform(message, {"op": "apply", "yaml": message["yaml"]})

    async def on_fault(self, message: dict) -> None:
        await self.perform(message, fault_action(message["action"], message["target"]))

    async def on_set(self, message: dict) -> None:
        changes = {k: v for k, v in message.items() if k not in ("type", "id")}
        await self.perform(message, {"op": "set", **changes}, snapshot=True)

    async def on_trace(self, message: dict) -> None:
        action = {"op": "trace", "from": message["from"], "to": message["to"]}
        result = await self.perform(message, action)
        if result is not None and result.trace is not None:
            await self.send_trace(message, result.trace, action)

    async def on_compare(self, message: dict) -> None:
        """The same request traced on two copies of the model: not a step."""
        live = self.live
        async with live.lock:
            body = await in_thread(
                compare,
                live.cluster,
                message["from"],
                message["to"],
                message["variant"],
                message.get("service"),
                message.get("step"),
            )
        await self.reply(protocol.compare(body, message.get("id")))

    async def on_kubectl(self, message: dict) -> None:
        action = {"op": "kubectl", "command": message["command"]}
        result = await self.live.act(action)
        output = result.output if result.ok else (result.error or result.output)
        await self.reply(
            protocol.kubectl_output(
                message["id"], message["command"], output or "", result.ok
            )
        )
        if result.trace is not None:  # `kubectl exec … -- curl` sends a packet
            await self.send_trace(message, result.trace, action)

    async def on_save(self, message: dict) -> None:
        await self.live.save_now()
        step = self.live.cluster.step_no
        await self.reply(
            protocol.ack(
                "save",
                message.get("id"),
                session=self.live.id,
                step=step,
                url=f"/s/{self.live.id}?step={step}",
            )
        )

    async def send_trace(self, message: dict, body: dict, request: dict) -> None:
        """A packet's hops: to the tab that asked, with its `id`, after the step's
        frame; to the other tabs as a note. The asker's answer never goes through
        the group, whose queue may drop notes for a busy tab."""
        await self.send_own_frames()
        await self.reply(protocol.trace(body, request, message.get("id")))
        await self.live.tell(protocol.trace(body, request), skip=self.channel_name)

    async def perform(self, message: dict, action: dict, snapshot: bool = False):
        """Carry out a model action; its failure is an `error` for this viewer only."""
        result = await self.live.act(action, snapshot=snapshot)
        if not result.ok:
            await self.reply(
                protocol.error(
                    "rejected",
                    result.error or "the cluster refused that",
                    message.get("id"),
                    message["type"],
                )
            )
            return None
        return result


def size(message: dict) -> int:
    """A websocket frame's length, near enough for bounding a backlog."""
    return len(message.get("text") or message.get("bytes") or "")


def fault_action(action: str, target: str) -> dict:
    """The model action for a `fault` message's action and target."""
    if action in ("fail_node", "restore_node"):
        return {"op": action, "node": target}
    if action == "kill_pod":
        return {"op": action, "pod": target}
    pod, _, container = (
        target.rpartition("/") if target.count("/") >= 2 else (target, "", "")
    )
    return {"op": action, "pod": pod, **({"container": container} if container else {})}


FAST_PATHS = {
    "websocket.receive": SessionConsumer.websocket_receive,
    "session.frame": SessionConsumer.session_frame,
    "session.note": SessionConsumer.session_note,
}
