"""One learner's lesson: the lesson's cluster, or a sandbox copy, as a live session.

`LessonLive` is a LiveSession (numbered frames, play loop, kubectl) whose model is
the `LessonRun`'s cluster while the lesson guides, and a free copy of the current
moment while the learner tries things ("sandbox"). In the sandbox, every frame is
followed by the step's check whenever its verdict changes. Nothing is saved: a
lesson's progress lives in the learner's browser.
"""

from __future__ import annotations

import asyncio
import secrets

from kubeviz import persistence, protocol
from kubeviz.lessons import messages
from kubeviz.lessons.guide import Guide
from kubeviz.live import LiveSession
from kubeviz.models import new_session_id
from simulation import kubectl
from simulation.errors import SimulationError

GUIDE, SANDBOX = "guide", "sandbox"
UNSETTLED = (
    "Not yet: the cluster is still working on it. Press Play or Step until it settles."
)
WAITING = (
    "The cluster has not settled yet, so this may still change: run it until it "
    "settles."
)


class LessonLive(LiveSession):
    """Is responsible for one tab's lesson: its position, its mode and its model.

    All model calls happen under `lock`, as in LiveSession; the lesson engine is
    not thread-safe, so its moves run in a worker thread under the same lock.
    """

    # The lesson engine moves the model by its own script: no step ahead.
    steps_ahead = False

    def __init__(self, guide: Guide, **kw) -> None:
        token = secrets.token_hex(8)
        record = persistence.Record(id=f"lesson-{token}", scenario=guide.run.id)
        super().__init__(record, guide.run.cluster, **kw)
        self.guide = guide
        self.run = guide.run
        self.group = f"lesson.{token}"
        self.mode = GUIDE
        self.verdict: dict | None = None

    def info(self) -> dict:
        return {
            **super().info(),
            "id": self.run.id,
            "lesson": self.run.id,
            "position": self.run.position,
            "mode": self.mode,
        }

    def frame_message(self) -> dict:
        return messages.lesson(self.run.current(), self.mode)

    def trace_message(self, frame: dict) -> dict | None:
        """The step's packet trace for the picture, if it has one."""
        if not frame.get("trace"):
            return None
        request = {"lesson": self.run.id, "position": frame["position"]}
        return protocol.trace(frame["trace"], request)

    # --- frames: a check follows every change in the sandbox ------------------------
    async def publish(self, message: dict, numbered: bool = True) -> None:
        await super().publish(message, numbered)
        if numbered and self.mode == SANDBOX:
            await self.tell_verdict()

    async def tell_verdict(self, always: bool = False) -> None:
        """Send the check's verdict when it changed (called with `lock` held)."""
        result = self.check()
        if result is None or (result == self.verdict and not always):
            return
        self.verdict = result
        await super().publish(messages.check(self.run.position, result), False)

    def check(self) -> dict | None:
        """The current step's check on the sandbox, or None if it sets no task.

        A task counts as done only once the cluster has settled, as the lesson's
        own proof runs its solution and then settles: halfway through, a check can
        hold for a moment on stale status (a Deployment still reporting the pod
        that was just deleted as ready).
        """
        if (
            self.mode != SANDBOX
            or self.run.lesson.steps[self.run.position].check is None
        ):
            return None
        result = self.run.check(self.cluster)
        if self.cluster.queue.only_periodic():
            return result
        if result["passed"]:
            return {"passed": False, "message": UNSETTLED, "settling": True}
        return {**result, "message": f"{result['message']} {WAITING}", "settling": True}

    async def step(self) -> bool:
        """One step; when nothing is left to do, the cluster has settled: re-check."""
        if await super().step():
            return True
        if self.mode == SANDBOX:
            async with self.lock:
                await self.tell_verdict()
        return False

    # --- lesson moves ---------------------------------------------------------------
    async def move(self, position: int) -> None:
        """Go to a lesson step: the picture, then the frame, then its trace."""
        await self.stop_play()
        async with self.lock:
            left_sandbox = self.mode == SANDBOX
            frame = await self.guide.goto(position)
            self.mode, self.verdict = GUIDE, None
            self.cluster = self.run.cluster  # rebuilt if it left the script
            if self.run.delta is None or left_sandbox:
                await self.publish(self.snapshot_message(0))
            else:
                await self.publish(protocol.delta(0, self.run.delta))
            await self.tell_frame(frame)

    async def tell_frame(self, frame: dict | None = None) -> None:
        """The lesson frame and its trace, after the frames (called with `lock`)."""
        frame = frame or self.run.current()
        await self.publish(messages.lesson(frame, self.mode), numbered=False)
        trace = self.trace_message(frame)
        if trace is not None:
            await self.publish(trace, numbered=False)

    async def open_sandbox(self) -> None:
        """Try it yourself: a free copy of this moment becomes the model."""
        await self.stop_play()
        async with self.lock:
            self.cluster = await asyncio.to_thread(self.run.sandbox)
            self.mode, self.verdict = SANDBOX, None
            # LiveSession's publish: here the verdict follows the lesson frame.
            await super().publish(self.snapshot_message(0))
            await self.publish(self.frame_message(), numbered=False)
            await self.tell_verdict(always=True)

    async def reset_sandbox(self) -> None:
        """Start the sandbox again from the lesson's moment."""
        await self.open_sandbox()

    async def read(self, command: str) -> tuple[bool, str]:
        """A kubectl read on the lesson's own cluster: no step, nothing recorded.

        `Cluster.act` would cut the lesson's scripted future off first (a new
        action rewrites what follows), so reads go to kubectl directly.
        """
        async with self.lock:
            try:
                result = kubectl.run(self.cluster, command)
            except SimulationError as exc:
                return False, str(exc)
        return True, result.output

    def saved_copy(self) -> persistence.Record:
        """This moment as an ordinary session (inputs and the actions so far)."""
        cluster = self.cluster
        now = cluster.step_no
        inputs = {k: v for k, v in cluster.inputs.items() if k != "seed"}
        return persistence.Record(
            id=new_session_id(),
            seed=cluster.seed,
            settings=inputs,
            actions=[a for a in cluster.actions if a["step"] <= now],
            position=now,
        )

    # --- nothing is saved -------------------------------------------------------------
    async def save_now(self) -> None:
        return None

    def schedule_save(self) -> None:
        return None
