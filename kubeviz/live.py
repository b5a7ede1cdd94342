"""One live session: its model, its numbered frames, its viewers' group and play loop.

Every change to the model is published as a frame with the next sequence number:
encoded to JSON once, kept in a bounded ring for viewers that reconnect
(kubeviz/frames.py), and sent to the session's Channels group as ready-made text.
Play is a task owned by the session. The step taken ahead of the next `step` is in
kubeviz/ahead.py, and when the session is saved in kubeviz/autosave.py.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import dataclasses
import logging
import time
from typing import Any

from channels.layers import get_channel_layer

from kubeviz import persistence, protocol, scenarios
from kubeviz.ahead import Ahead, StepAhead
from kubeviz.autosave import Autosave
from kubeviz.frames import RING_BYTES, FrameRing
from kubeviz.memberships import memberships
from simulation import ActionResult, Cluster
from simulation.errors import SimulationError

log = logging.getLogger(__name__)

FRAME = "session.frame"  # a numbered frame: consumers dispatch it to session_frame
NOTE = "session.note"  # an unnumbered message for every synced viewer (status, trace)
SNAPSHOT_EVENTS = 200
# A step whose recent cost is under this many seconds runs on the event loop: the
# hop to a worker thread and back would cost more than the step (see `advance`).
INLINE_STEP = 0.002
# The channel of the tab whose message is being handled (set by its consumer).
ASKER: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "kubeviz_asker", default=None
)


class LiveSession:
    """Is responsible for one session's live model and for telling its viewers.

    All model calls happen under `lock`, so steps, actions and snapshots never
    interleave, and in a worker thread (`in_thread`), so that a slow one stalls
    only its own session, never the event loop every other session shares.
    """

    # True when `viewers` names every member of `group` (sessions are kept by one
    # process); then a frame for the one tab that asked for it skips the group.
    viewers_are_local = True
    # Take the next step while the viewers look at this one (`prepare`).
    steps_ahead = True

    def __init__(
        self,
        record: persistence.Record,
        cluster: Cluster,
        ring_size: int = 512,
        save_delay: float = 1.0,
        ring_bytes: int = RING_BYTES,
    ) -> None:
        self.id = record.id
        self.scenario = record.scenario
        self.lookahead = StepAhead()  # before `cluster`, whose setter clears it
        self.cluster = cluster
        self.group = f"session.{record.id}"
        self.lock = asyncio.Lock()
        # Numbering starts at the clock in milliseconds, so that a sequence number
        # from before a restart or an eviction never matches this run's frames.
        self.seq = time.time_ns() // 1_000_000
        self.ring = FrameRing(ring_size, ring_bytes)
        self.step_cost = 0.0  # seconds a step has cost lately (`advance`)
        self.snapshot_cache: tuple[int, str] | None = None
        self.viewers: set[str] = set()
        self.play_task: asyncio.Task | None = None
        self.speed: float | str | None = None
        self.pulled = asyncio.Event()
        self.autosave = Autosave(self.id, self.locked_record, save_delay)
        self.evict_task: asyncio.Task | None = None

    # --- the model, with no step ahead showing --------------------------------------
    @property
    def cluster(self) -> Cluster:
        """The model at the step the viewers see.

        A step prepared ahead (`prepare`) is undone, exactly, before anyone else
        reads or changes the model, so that only `step` ever sees it.
        """
        if self.lookahead.taken is not None:
            self.lookahead.undo(self._cluster)
        return self._cluster

    @cluster.setter
    def cluster(self, cluster: Cluster) -> None:
        self.lookahead.taken = None
        self._cluster = cluster

    @property
    def ahead(self) -> Ahead | None:
        """The step taken ahead of the viewers (`prepare`), if one is."""
        return self.lookahead.taken

    # --- what viewers are told ----------------------------------------------------
    def info(self) -> dict:
        """The session's own state, for `snapshot.session` and `status`."""
        return {
            "id": self.id,
            "scenario": self.scenario,
            "playing": self.play_task is not None,
            "speed": self.speed,
            "viewers": len(self.viewers),
            "step": self.cluster.step_no,
            "lastStep": self.last_step(),
            "time": round(self.cluster.time, 3),
        }

    def last_step(self) -> int:
        return max(self.cluster.history.horizon, self.cluster.step_no)

    async def publish(self, message: dict, numbered: bool = True) -> None:
        """Encode once and send to the group; a numbered frame also goes in the ring.

        Called with `lock` held, so frames leave in sequence order.
        """
        if not numbered:
            text = protocol.encode(message)
            await self.send_to_group({"type": NOTE, "text": text})
            return
        self.seq += 1
        message["seq"] = self.seq
        await self.publish_frame(
            protocol.encode(message), message["type"] == "snapshot"
        )

    async def publish_frame(self, text: str, snapshot: bool) -> None:
        """Keep and send frame `self.seq`, already numbered and encoded."""
        if snapshot:
            self.ring.clear()
            self.snapshot_cache = (self.seq, text)
        else:
            self.ring.keep(self.seq, text)
            self.snapshot_cache = None
        if self.viewers_are_local and self.viewers == {ASKER.get()}:
            # The only viewer is the tab that asked: its consumer sends the frame
            # from the ring as soon as the handler returns (send_own_frames).
            return
        await self.send_to_group(
            {"type": FRAME, "seq": self.seq, "snapshot": snapshot, "text": text}
        )

    async def send_to_group(self, message: dict) -> None:
        """Send to the session's group; while the channel layer is down, to nobody.

        A frame is in the ring already, and every viewer catches up from it when
        the layer is back (kubeviz/memberships.py), so an outage of Redis costs
        the viewers a pause, never a step or a dead play loop.
        """
        try:
            await get_channel_layer().group_send(self.group, message)
        except Exception:
            memberships().trouble()
            log.debug("session %s: the channel layer is down", self.id)

    async def publish_delta(self, body: dict) -> None:
        await self.publish(protocol.delta(0, body))

    async def publish_snapshot(self) -> None:
        await self.publish(await in_thread(self.snapshot_message, 0))

    async def publish_status(self) -> None:
        await self.publish(protocol.status(self.info()), numbered=False)

    def snapshot_message(self, seq: int) -> dict:
        state = self.cluster.snapshot()
        state["lastStep"] = self.last_step()
        # The timeline's recent past; a snapshot stays small however long a session.
        recent = self.cluster.events[-SNAPSHOT_EVENTS:]
        state["events"] = [e.to_dict() for e in recent if e.step <= state["step"]]
        return protocol.snapshot(seq, state, self.info())

    def frames_after(self, last_seq: int | None) -> list[str] | None:
        """The frames a viewer that applied `last_seq` is missing, or None if the
        ring no longer holds them all (the viewer needs a snapshot)."""
        return self.ring.after(last_seq, self.seq)

    @property
    def ring_used(self) -> int:
        """Characters of frame text the ring holds."""
        return self.ring.used

    async def current_snapshot(self) -> tuple[int, str]:
        """The current state as snapshot text, numbered like the last frame."""
        async with self.lock:
            if self.snapshot_cache is None or self.snapshot_cache[0] != self.seq:
                message = await in_thread(self.snapshot_message, self.seq)
                self.snapshot_cache = (self.seq, protocol.encode(message))
            return self.snapshot_cache

    # --- controls -------------------------------------------------------------------
    async def step(self) -> bool:
        """One step forward; False when nothing is left to do."""
        async with self.lock:
            ahead = self.lookahead.pop()
            if ahead is not None:  # taken already: the model is there
                self.seq += 1
                text = protocol.delta_text(self.seq, ahead.text)
                await self.publish_frame(text, False)
            else:
                if self.step_cost < INLINE_STEP:
                    body = self.advance()
                else:
                    body = await in_thread(self.advance)
                if body is None:
                    return False
                await self.publish_delta(body)
        self.schedule_save()
        if self.steps_ahead and self.play_task is None:
            self.lookahead.soon(self.prepare)
        return True

    async def prepare(self) -> None:
        """Take the next step now, while the viewers look at this one.

        A learner who steps waits for the model; a learner who looks does not. So
        after a step the session takes the next one at once, and keeps its delta:
        the next `step` only publishes it. Anything else that touches the model
        (an action, back, seek, a snapshot) first undoes it exactly, through
        `cluster`, with the capture and undo that step back uses. Only cheap steps
        are prepared, on the event loop: nothing else can run meanwhile.
        """
        if self.lock.locked() or self.ahead is not None or self.play_task is not None:
            return
        if self.step_cost >= INLINE_STEP or not self.viewers:
            return
        async with self.lock:
            self.lookahead.take(self._cluster, self.advance)

    def advance(self) -> dict | None:
        """The model's next step as a delta body.

        Most steps take a tenth of a millisecond, less than the hop to a worker
        thread and back, so `step` runs them on the event loop while the session's
        recent steps were cheap. The cost is remembered: one slow step (a
        ReplicaSet creating hundreds of pods) sends the following ones to a worker
        thread at once, and only a run of cheap steps brings them back.
        """
        started = time.perf_counter()
        event = self.cluster.step()
        body = None if event is None else self.cluster.delta(event)
        cost = time.perf_counter() - started
        self.step_cost = max(cost, 0.8 * self.step_cost + 0.2 * cost)
        return body

    async def back(self) -> bool:
        async with self.lock:
            body = await in_thread(self.cluster.back)
            if body is None:
                return False
            await self.publish_delta(body)
        self.schedule_save()
        return True

    async def seek(self, step: int) -> None:
        """Go to `step` (no further than the last step reached)."""
        async with self.lock:
            step = min(step, self.last_step())
            body = await in_thread(self.cluster.seek, step)
            await self.publish_delta(body)
        self.schedule_save()

    async def load(self, scenario: str, **overrides: Any) -> None:
        """Start again from a scenario (reset is load of the current one)."""
        chosen = scenarios.get(scenario)
        if chosen is None:
            raise KeyError(scenario)
        async with self.lock:
            settings = {k: v for k, v in self.cluster.inputs.items() if k != "seed"}
            if scenario != self.scenario:
                settings = dict(chosen.inputs)
            settings.update(overrides)
            cluster = await in_thread(chosen.build, self.cluster.seed, **settings)
            self.cluster, self.scenario = cluster, chosen.name
            await self.publish_snapshot()
        await self.save_now()

    async def act(self, action: dict, snapshot: bool = False) -> ActionResult:
        """A user action as one step: the delta (or a snapshot) goes to every viewer."""
        async with self.lock:
            before = self.record()
            try:
                result = await in_thread(self.cluster.act, action)
            except SimulationError:
                raise
            except Exception:
                # A bug in the model may have left it half-changed: put back the
                # state from before the action, by replay, then report the bug.
                self.cluster = await in_thread(before.rebuild)
                raise
            if snapshot and result.ok:
                await self.publish_snapshot()
            elif result.event is not None:
                body = await in_thread(self.cluster.delta, result.event)
                await self.publish_delta(body)
        if result.ok or result.event is not None:  # a partly applied apply too
            await self.save_now()
        return result

    async def tell(self, message: dict, skip: str | None = None) -> None:
        """An unnumbered message for every viewer (a trace, an event), but the
        channel `skip` (a tab that was answered directly)."""
        note = {"type": NOTE, "text": protocol.encode(message), "skip": skip}
        async with self.lock:
            await self.send_to_group(note)

    # --- play -------------------------------------------------------------------------
    async def play(self, speed: float | str) -> None:
        await self.stop_play()
        self.speed = speed
        self.pulled.set()
        # A fresh context: the loop's frames are nobody's answer (`ASKER`).
        self.play_task = asyncio.create_task(
            self.play_loop(speed), context=contextvars.Context()
        )
        async with self.lock:
            await self.publish_status()

    async def pause(self) -> None:
        await self.stop_play()
        async with self.lock:
            await self.publish_status()

    def ready(self, seq: int) -> None:
        """A viewer has drawn frame `seq`: at "max" speed that pulls the next step."""
        if self.speed == "max" and seq >= self.seq:
            self.pulled.set()

    async def stop_play(self) -> None:
        task, self.play_task, self.speed = self.play_task, None, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def play_loop(self, speed: float | str) -> None:
        """Step at `speed` steps a second, or at "max" each time a viewer pulls.

        A timed loop that falls behind skips the missed ticks instead of bursting,
        so a slow step never piles frames up. The step itself is shielded: pause
        cancels the wait, never a half-published step.
        """
        loop = asyncio.get_running_loop()
        interval = 0.0 if speed == "max" else 1.0 / float(speed)
        deadline = loop.time()
        try:
            while True:
                if speed == "max":
                    await self.pulled.wait()
                    self.pulled.clear()
                else:
                    deadline = max(deadline + interval, loop.time())
                    await asyncio.sleep(deadline - loop.time())
                # Without the channel layer nobody else sees a step: play waits
                # for it, and goes on from the step the viewers last saw.
                await memberships().wait_up()
                if not await asyncio.shield(self.step()):
                    break
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("play loop of session %s failed", self.id)
        if self.play_task is not asyncio.current_task():
            return
        self.play_task, self.speed = None, None
        async with self.lock:
            await self.publish_status()

    # --- saving ------------------------------------------------------------------
    def record(self) -> persistence.Record:
        """What to save: a step prepared ahead is not the viewers' position."""
        record = persistence.Record.of(self.id, self.scenario, self._cluster)
        if self.ahead is not None:
            record = dataclasses.replace(record, position=self.ahead.step)
        return record

    async def locked_record(self) -> persistence.Record:
        """`record()`, taken under `lock` (what `autosave` saves)."""
        async with self.lock:
            return self.record()

    async def save_now(self) -> None:
        """Save inputs, actions and position at once (after anything a user did)."""
        await self.autosave.now()

    def schedule_save(self) -> None:
        """Save the position soon; while playing, at most once per `save_delay`."""
        self.autosave.soon()

    async def close(self) -> None:
        """Stop playing and save: the last viewer has gone."""
        await self.stop_play()
        self.lookahead.cancel()
        await self.save_now()


async def in_thread(function, *args, **kwargs):
    """`function(*args, **kwargs)` in a worker thread, off the event loop.

    If the caller is cancelled meanwhile (a tab that closes mid-step), the wait goes
    on until the call has ended, and only then is the cancellation raised: the
    caller holds its session's lock, which must not be let go while the thread is
    still changing the model.
    """
    call = asyncio.ensure_future(asyncio.to_thread(function, *args, **kwargs))
    try:
        return await asyncio.shield(call)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await call
        raise
