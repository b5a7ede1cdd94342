"""The lesson websocket: one learner's tab at /ws/lesson/<lesson-id>/.

It speaks the session protocol about the lesson's cluster (the page is the
session page, with main.js unchanged) and adds the lesson messages. While the
lesson guides, messages that would change its cluster are refused with
`lesson_mode` and kubectl may only read; in the sandbox everything goes, as in a
session, and the step's check follows each change. The handlers are the session
consumer's own; the work is in `LessonLive` and the lesson engine.
"""

from __future__ import annotations

import logging
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.conf import settings

from kubeviz import persistence, protocol
from kubeviz.consumers import NOT_FOUND, SessionConsumer
from kubeviz.lessons import guide as catalog
from kubeviz.lessons import messages
from kubeviz.lessons.guide import Guide
from kubeviz.lessons.live import GUIDE, SANDBOX, LessonLive
from kubeviz.memberships import memberships
from simulation.errors import SimulationError

log = logging.getLogger(__name__)

INTERNAL = 1011  # RFC 6455: the server met a condition it did not expect


class LessonConsumer(SessionConsumer):
    """Is responsible for one tab's walk through one lesson."""

    live: LessonLive | None = None

    async def connect(self) -> None:
        lesson_id = self.scope["url_route"]["kwargs"]["lesson_id"]
        if not await sync_to_async(catalog.exists)(lesson_id):
            await self.close(code=NOT_FOUND)
            return
        try:
            guide = await Guide.open(lesson_id, self.start_position())
        except Exception:
            # The catalog proved the lesson at load; this is a bug, not bad input.
            log.exception("lesson %s could not be opened", lesson_id)
            await self.close(code=INTERNAL)
            return
        options = settings.KUBEVIZ
        self.live = LessonLive(
            guide,
            ring_size=options["RING_SIZE"],
            ring_bytes=options.get("SESSION_RING_KB", 64) * 1024,
        )
        await memberships().add(self.live.group, self.channel_name)
        await self.accept()

    def start_position(self) -> int:
        """`?position=N` (0-based) in the socket's URL; Guide.open clamps it."""
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        value = (query.get("position") or ["0"])[0]
        return int(value) if value.isdigit() and len(value) <= 4 else 0

    async def disconnect(self, code: int) -> None:
        if self.live is not None:
            await self.live.stop_play()
            await memberships().discard(self.live.group, self.channel_name)
            self.live = None

    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        try:
            message = messages.parse(text_data, bytes_data)
        except protocol.ProtocolError as exc:
            await self.reply(protocol.error(exc.code, exc.message, exc.request_id))
            return
        kind, rid = message["type"], message.get("id")
        if self.seq is None and kind != "hello":
            await self.reply(
                protocol.error(
                    "hello_first", "send hello before anything else", rid, kind
                )
            )
            return
        if kind in messages.NEVER:
            await self.reply(
                protocol.error(
                    "lesson_mode",
                    "A lesson brings its own cluster; scenarios open from the "
                    "home page.",
                    rid,
                    kind,
                )
            )
            return
        if kind in messages.CHANGES and self.live.mode == GUIDE:
            await self.reply(messages.refused(kind, rid))
            return
        try:
            await getattr(self, "on_" + kind)(message)
        except SimulationError as exc:
            await self.reply(protocol.error("rejected", str(exc), rid, kind))
        except Exception:
            log.exception("%s failed in lesson %s", kind, self.live.run.id)
            await self.reply(
                protocol.error(
                    "internal",
                    f"{kind} failed inside the server; the lesson is still open",
                    rid,
                    kind,
                )
            )

    # --- session messages that mean something else here ------------------------------
    async def on_hello(self, message: dict) -> None:
        """Catch up as a session does, then say where the lesson is."""
        message.pop("step", None)  # a lesson's position is not a model step
        await super().on_hello(message)
        async with self.live.lock:
            frame = self.live.run.current()
            await self.reply(messages.lesson(frame, self.live.mode))
            trace = self.live.trace_message(frame)
            if trace is not None:
                await self.reply(trace)
            if self.live.mode == SANDBOX:
                verdict = self.live.check()
                if verdict is not None:
                    await self.reply(messages.check(self.live.run.position, verdict))

    async def on_kubectl(self, message: dict) -> None:
        if self.live.mode == SANDBOX:
            await super().on_kubectl(message)
            return
        command = message["command"]
        if not messages.only_reads(command):
            await self.reply(messages.refused("kubectl", message["id"]))
            return
        ok, output = await self.live.read(command)
        await self.reply(protocol.kubectl_output(message["id"], command, output, ok))

    async def on_reset(self, message: dict) -> None:
        await self.live.reset_sandbox()

    async def on_save(self, message: dict) -> None:
        """A link to this moment as an ordinary session (a copy; the lesson goes on)."""
        async with self.live.lock:
            record = self.live.saved_copy()
        await persistence.asave(record)
        await self.reply(
            protocol.ack(
                "save",
                message.get("id"),
                session=record.id,
                step=record.position,
                url=f"/s/{record.id}",
            )
        )

    # --- lesson messages ------------------------------------------------------------
    async def on_lesson_next(self, message: dict) -> None:
        await self.live.move(self.live.guide.target(message))

    async def on_lesson_back(self, message: dict) -> None:
        await self.live.move(self.live.guide.target(message))

    async def on_lesson_goto(self, message: dict) -> None:
        steps = self.live.run.steps
        if message["position"] >= steps:
            await self.reply(
                protocol.error(
                    "out_of_range",
                    f"lesson_goto.position must be between 0 and {steps - 1}, "
                    f"not {message['position']}",
                    message.get("id"),
                    "lesson_goto",
                )
            )
            return
        await self.live.move(message["position"])

    async def on_lesson_answer(self, message: dict) -> None:
        run, rid = self.live.run, message.get("id")
        async with self.live.lock:
            question = run.current()["prediction"]
            if question is None:
                await self.reply(
                    protocol.error(
                        "no_question",
                        f"lesson step {run.position + 1} asks no question",
                        rid,
                        "lesson_answer",
                    )
                )
                return
            if message["choice"] >= len(question["choices"]):
                await self.reply(
                    protocol.error(
                        "out_of_range",
                        "lesson_answer.choice must be between 0 and "
                        f"{len(question['choices']) - 1}, not {message['choice']}",
                        rid,
                        "lesson_answer",
                    )
                )
                return
            result = run.answer(message["choice"])
        await self.reply(messages.answer(run.position, result))

    async def on_lesson_sandbox(self, message: dict) -> None:
        await self.live.open_sandbox()

    async def on_lesson_guide(self, message: dict) -> None:
        if self.live.mode == GUIDE:
            await self.reply(
                protocol.ack("lesson_guide", message.get("id"), changed=False)
            )
            return
        await self.live.move(self.live.run.position)

    async def on_lesson_check(self, message: dict) -> None:
        run = self.live.run
        async with self.live.lock:
            if run.current()["check"] is None:
                await self.reply(
                    protocol.error(
                        "no_task",
                        f"lesson step {run.position + 1} sets no task",
                        message.get("id"),
                        "lesson_check",
                    )
                )
                return
            result = self.live.check() if self.live.mode == SANDBOX else run.check(None)
        await self.reply(messages.check(run.position, result))
