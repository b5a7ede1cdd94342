"""The session websocket: validate each message, call the live session, reply.

The consumer is thin. `receive` parses a frame with `protocol.parse` and dispatches
on its type to one `on_<type>` method; the work happens in `LiveSession` and the
model. Frames for every viewer arrive from the session's group already encoded and
are passed on as they are, in sequence order, without gaps or repeats. The socket's
loop, rate limit and clean-up are the transport's (kubeviz/transport.py), which the
lesson and classroom consumers share through this class.
"""

from __future__ import annotations

import logging

from kubeviz import protocol, scenarios
from kubeviz.live import ASKER, LiveSession, in_thread
from kubeviz.registry import Full, registry
from kubeviz.transport import Transport
from simulation.errors import SimulationError
from simulation.network.compare import compare

log = logging.getLogger(__name__)

NOT_FOUND = 4404
SERVER_FULL = 4503
HELD = (
    "The server lost its connection to Redis, which carries frames between its "
    "processes: play waits until it is back."
)
RESUMED = "The server's connection to Redis is back: play goes on."


class SessionConsumer(Transport):
    """Is responsible for one browser tab's connection to one session."""

    live: LiveSession | None = None
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
        output = result.output if result.ok else printed(result)
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
            # an apply of which only some objects were refused has also made a
            # step (its delta went to every tab): the error says what was created
            await self.reply(
                protocol.error(
                    "rejected",
                    printed(result) or "the cluster refused that",
                    message.get("id"),
                    message["type"],
                )
            )
            return None
        return result


def printed(result) -> str:
    """What kubectl would print for a failed action: the result lines of what it
    did write (an apply sends each object on its own), then the errors."""
    return "\n".join(part for part in (result.output, result.error) if part)


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
