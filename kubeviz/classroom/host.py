"""The classroom's live model, in the one process that owns it.

The owner's `Host` holds the classroom's `ClassroomLive` (a LiveSession whose
frames go to the classroom's followers) and answers requests from consumers in
any process over the channel layer: sync (late join, reconnect, a gap), the
presenter's controls and commands, break away, poll answers, and who is there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from channels.layers import get_channel_layer
from django.conf import settings

from kubeviz import persistence, protocol
from kubeviz.classroom import messages, services
from kubeviz.classroom.live import (
    CATCHUP,
    NOTICE,
    PRIVATE,
    ClassroomLive,
    Executor,
    members_group,
    owner_group,
    send_text,
)
from kubeviz.lessons.guide import Guide, answer_message, lesson_message
from kubeviz.memberships import memberships
from simulation.errors import SimulationError, UsageError

log = logging.getLogger(__name__)


# Seconds without a roster naming a tab before the owner stops counting it.
STALE = 16.0


@dataclass
class Member:
    role: str
    name: str = ""
    voter: str = ""
    away: bool = False
    seen: float = field(default_factory=time.monotonic)


class Host:
    """Is responsible for one classroom in its owner process."""

    def __init__(self, code: str, owner_id: str) -> None:
        self.code = code
        self.owner_id = owner_id
        self.live: ClassroomLive | None = None
        self.ready = asyncio.Event()
        self.closed = False
        self.finished = asyncio.Event()  # closed, saved and released
        self.channel = ""
        self.members: dict[str, Member] = {}
        self.locked = False
        self.spotlight: str | None = None
        self.poll: dict | None = None
        self.tasks: set[asyncio.Task] = set()
        self.controls: asyncio.Queue = asyncio.Queue()
        self.idle_task: asyncio.Task | None = None
        self.poll_save: asyncio.Task | None = None
        self.guide: Guide | None = None

    # --- life -----------------------------------------------------------------------
    async def start(self) -> None:
        """Answer pings at once (so nobody else claims the classroom), then open.

        Opening (a replay, or running a lesson) can take seconds; it happens in the
        background so that tabs are accepted at once (Daphne drops a handshake
        that waits longer than 5 s) and their requests wait for `ready`.
        """
        layer = get_channel_layer()
        self.channel = await layer.new_channel()
        await memberships().add(owner_group(self.code), self.channel)
        self.spawn(self.serve())
        self.spawn(self.run_controls())
        self.spawn(self.open())

    async def open(self) -> None:
        try:
            row = await services.aget(self.code)
            record = await services.arecord_for(row.session_id)
            if row.lesson:
                self.guide = await Guide.open(row.lesson, row.lesson_position)
                cluster = self.guide.run.cluster
            else:
                cluster = await asyncio.to_thread(persistence.open_cluster, record)
        except Exception:
            log.exception("classroom %s could not be opened", self.code)
            await self.close()  # the next tab's request finds or makes a new owner
            return
        options = settings.KUBEVIZ
        self.live = ClassroomLive(
            record,
            cluster,
            self.code,
            ring_size=options["RING_SIZE"],
            save_delay=options["SAVE_DELAY"],
        )
        self.live.count = lambda: len(self.members)
        self.locked, self.spotlight = row.locked, row.spotlight or None
        self.poll = row.poll
        self.ready.set()
        self.idle_later()

    async def close(self) -> None:
        """Stop playing, save, and let another process own the classroom."""
        if self.closed:
            return
        self.closed = True
        await memberships().discard(owner_group(self.code), self.channel)
        if self.live is not None:
            with contextlib.suppress(Exception):
                await self.live.close()
        if self.poll_save is not None:
            with contextlib.suppress(Exception):
                await services.aremember(self.code, poll=self.poll)
        with contextlib.suppress(Exception):
            await services.arelease(self.code, self.owner_id)
        self.finished.set()
        for task in list(self.tasks):
            if task is not asyncio.current_task():
                task.cancel()

    def spawn(self, coroutine) -> asyncio.Task:
        task = asyncio.create_task(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    def idle_later(self) -> None:
        """With nobody in the classroom for IDLE_SECONDS, leave memory."""
        if self.idle_task is not None:
            self.idle_task.cancel()
            self.idle_task = None
        if not self.members:
            self.idle_task = self.spawn(self.close_when_idle())

    async def close_when_idle(self) -> None:
        await asyncio.sleep(settings.KUBEVIZ["IDLE_SECONDS"])
        if not self.members:
            await self.close()

    # --- requests -------------------------------------------------------------------
    async def serve(self) -> None:
        layer = get_channel_layer()
        while True:
            try:
                request = await layer.receive(self.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis went away: wait, then listen again
                if memberships().up.is_set():
                    log.exception("classroom %s: the host could not receive", self.code)
                await memberships().after_failure()
                continue
            kind = request.get("type")
            if kind == "classroom.ping":
                pong = {"type": "classroom.pong", "nonce": request.get("nonce")}
                await layer.send(request["reply_to"], pong)
            elif kind in ("classroom.control", "classroom.command"):
                self.controls.put_nowait(request)
            else:
                self.spawn(self.handle(request))

    async def run_controls(self) -> None:
        """The presenter's controls, one at a time and in the order sent."""
        while True:
            request = await self.controls.get()
            await self.handle(request)

    async def handle(self, request: dict) -> None:
        await self.ready.wait()
        handler = getattr(self, "on_" + request["type"].split(".", 1)[1], None)
        if handler is None:
            log.warning("classroom %s: unknown request %s", self.code, request["type"])
            return
        try:
            await handler(request)
        except Exception:
            log.exception("classroom %s: %s failed", self.code, request["type"])
            if "channel" in request:
                error = protocol.error(
                    "internal", "the classroom could not do that; it is still open"
                )
                await send_text(request["channel"], protocol.encode(error))

    async def on_join(self, request: dict) -> None:
        self.members[request["channel"]] = Member(
            request["role"], request.get("name", ""), request.get("voter", "")
        )
        self.idle_later()
        await self.tell_presenters(self.followers_message())

    async def on_leave(self, request: dict) -> None:
        if self.members.pop(request["channel"], None) is not None:
            await self.tell_presenters(self.followers_message())
        self.idle_later()

    async def on_roster(self, request: dict) -> None:
        """One process's tabs, every few seconds: count them, forget the silent."""
        now = time.monotonic()
        changed = False
        for entry in request["members"]:
            member = self.members.get(entry["channel"])
            if member is None:
                member = self.members[entry["channel"]] = Member(
                    entry["role"], entry["name"], entry["voter"]
                )
                changed = True
            changed |= member.away != entry["away"]
            member.away, member.seen = entry["away"], now
        # After an outage of Redis nobody's roster came for a while: wait for
        # every process's next one before forgetting anyone.
        settled = now - memberships().returned_at > STALE
        for channel, member in list(self.members.items()):
            if settled and now - member.seen > STALE:
                del self.members[channel]
                changed = True
        if changed:
            self.idle_later()
            await self.tell_presenters(self.followers_message())

    async def on_sync(self, request: dict) -> None:
        """Send a member what follows its last frame, or the current snapshot."""
        channel = request["channel"]
        member = self.members.get(channel)
        if member is None or member.away:
            # Unknown after an owner change, or back from a break: (re)count it.
            await self.on_join(request)
            member = self.members[channel]
        live = self.live
        frames = live.frames_after(request.get("last_seq"))
        if frames is None:
            seq, text = await live.current_snapshot()
            texts = [text]
        else:
            seq, texts = live.seq, frames
        after = [
            protocol.encode(protocol.status(live.info())),
            protocol.encode(self.state_message(member)),
        ]
        await get_channel_layer().send(
            channel,
            {
                "type": CATCHUP,
                "seq": seq,
                "texts": texts,
                "after": after,
                "locked": self.locked,
            },
        )

    async def on_control(self, request: dict) -> None:
        if self.guide is not None and '"reset"' in request["text"]:
            # In a lesson, starting again means the lesson's first step.
            message = messages.parse(request["text"])
            if message["type"] == "reset":
                await self.lesson_command({"type": "lesson_goto", "position": 0})
                return
        executor = Executor(self.live, request["channel"])
        await executor.receive(text_data=request["text"])

    async def on_breakaway(self, request: dict) -> None:
        channel = request["channel"]
        if self.locked:
            error = messages.locked(request.get("id"))
            await send_text(channel, protocol.encode(error))
            return
        async with self.live.lock:
            record = self.live.record()
        private = await services.asave_private(record)
        await get_channel_layer().send(channel, {"type": PRIVATE, "session": private})

    async def on_away(self, request: dict) -> None:
        member = self.members.get(request["channel"])
        if member is not None and not member.away:
            member.away = True
            await self.tell_presenters(self.followers_message())

    async def on_answer(self, request: dict) -> None:
        message, member = request["message"], self.members.get(request["channel"])
        poll = self.poll
        if poll is None or poll["id"] != message["poll"] or not poll["open"]:
            error = protocol.error(
                "poll_closed", "that poll is not open", message.get("id"), "poll_answer"
            )
            await send_text(request["channel"], protocol.encode(error))
            return
        if message["choice"] >= len(poll["options"]):
            error = protocol.error(
                "out_of_range",
                f"poll_answer.choice must be below {len(poll['options'])}",
                message.get("id"),
                "poll_answer",
            )
            await send_text(request["channel"], protocol.encode(error))
            return
        if member is None or not member.voter:  # the socket checked the signature
            await send_text(request["channel"], protocol.encode(messages.no_voter()))
            return
        voter = member.voter
        poll["answers"][voter] = message["choice"]
        view = messages.poll_view(poll, for_presenter=False, voter=voter)
        await send_text(request["channel"], protocol.encode(messages.poll(view)))
        await self.tell_presenters(messages.poll(messages.poll_view(poll, True)))
        self.save_poll_soon()

    # --- the presenter's classroom commands ----------------------------------------
    async def on_command(self, request: dict) -> None:
        message = request["message"]
        kind = message["type"]
        try:
            await self.command(message)
        except SimulationError as exc:
            error = protocol.error("rejected", str(exc), message.get("id"), kind)
            await send_text(request["channel"], protocol.encode(error))
            return
        await send_text(
            request["channel"], protocol.encode(protocol.ack(kind, message.get("id")))
        )

    async def command(self, message: dict) -> None:
        kind = message["type"]
        if kind.startswith("lesson_"):
            await self.lesson_command(message)
        elif kind == "hop":
            # Not saved: it only means something while this trace is on the screen.
            await self.tell_everyone(messages.hop(message["index"]))
        elif kind == "spotlight":
            self.spotlight = message["target"]
            await services.aremember(self.code, spotlight=self.spotlight or "")
            await self.tell_everyone(messages.spotlight(self.spotlight))
        elif kind == "lock":
            self.locked = message["locked"]
            await services.aremember(self.code, locked=self.locked)
            await self.tell_everyone(self.lock_message(), locked=self.locked)
        elif kind == "poll_open":
            number = (self.poll or {}).get("id", 0) + 1
            self.poll = {
                "id": number,
                "question": message["question"].strip(),
                "options": message["options"],
                "open": True,
                "revealed": False,
                "answers": {},
            }
            await self.poll_changed()
        elif kind in ("poll_reveal", "poll_close") and self.poll is not None:
            self.poll["revealed"] = self.poll["revealed"] or kind == "poll_reveal"
            self.poll["open"] = False
            # Closing ends the poll: its card goes away on every screen.
            self.poll["closed"] = self.poll.get("closed", False) or kind == "poll_close"
            await self.poll_changed()

    async def lesson_command(self, message: dict) -> None:
        """Move through the lesson (everyone sees the step) or reveal its answer."""
        guide = self.guide
        if guide is None:
            raise UsageError("error: this classroom does not follow a lesson")
        if message["type"] == "lesson_answer":
            result = guide.run.answer(message["choice"])
            await self.tell_everyone(answer_message(guide.position, result))
            return
        position = guide.target(message)
        async with self.live.lock:
            frame = await guide.goto(position)
            self.live.cluster = guide.run.cluster  # rebuilt if someone went off-script
            await self.live.publish_snapshot()
        await services.aremember(self.code, lesson_position=position)
        await self.tell_everyone(lesson_message(frame))
        if frame.get("trace"):
            request = {"lesson": guide.run.id, "position": position}
            await self.live.tell(protocol.trace(frame["trace"], request))

    async def poll_changed(self) -> None:
        await services.aremember(self.code, poll=self.poll)
        await self.tell_everyone(messages.poll(messages.poll_view(self.poll, False)))
        await self.tell_presenters(messages.poll(messages.poll_view(self.poll, True)))

    def save_poll_soon(self) -> None:
        """Answers arrive in bursts: save the poll once per burst."""
        if self.poll_save is None or self.poll_save.done():
            self.poll_save = self.spawn(self.save_poll_later())

    async def save_poll_later(self) -> None:
        await asyncio.sleep(0.5)
        await services.aremember(self.code, poll=self.poll)

    # --- telling members ------------------------------------------------------------
    def followers_message(self) -> dict:
        followers = [m for m in self.members.values() if m.role == "follower"]
        names = sorted(m.name for m in followers if m.name)
        return messages.followers(
            len(followers), sum(m.away for m in followers), names[:500]
        )

    def lock_message(self) -> dict:
        return {"type": "classroom", "locked": self.locked}

    def state_message(self, member: Member) -> dict:
        presenter = member.role == "presenter"
        state: dict[str, Any] = {
            "type": "classroom",
            "code": self.code,
            "role": member.role,
            "mode": "following",
            "locked": self.locked,
            "spotlight": self.spotlight,
            "poll": messages.poll_view(self.poll, presenter, member.voter),
            "lesson": self.guide.frame() if self.guide is not None else None,
        }
        if presenter:
            state["followers"] = self.followers_message()
        return state

    async def tell_everyone(self, message: dict, locked: bool | None = None) -> None:
        """One encode for every member, wherever it is connected."""
        await get_channel_layer().group_send(
            members_group(self.code),
            {"type": NOTICE, "text": protocol.encode(message), "locked": locked},
        )

    async def tell_presenters(self, message: dict) -> None:
        text = protocol.encode(message)
        layer = get_channel_layer()
        for channel, member in list(self.members.items()):
            if member.role == "presenter":
                await layer.send(
                    channel, {"type": NOTICE, "text": text, "locked": None}
                )
