"""Exact step back and seek: cheap checkpoints every K steps plus exact replay."""

from __future__ import annotations

import copy
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .config import ClusterConfig
    from .context import Model
    from .state import State


CAPTURE_UNIT = 100_000
MAX_INTERVAL = 400
# Steps back that undo reaches; older steps are reached by replay from step 0.
KEEP_STEPS = 1_000
# 32-bit words: the Mersenne Twister's state is 624 of them and an index (≤ 624).
WORD = next(code for code in "IL" if array(code).itemsize == 4)


def pack_random(state: tuple) -> tuple:
    """`random.getstate()` in 2.5 KB instead of 25 KB (625 Python ints), exactly."""
    version, internal, gauss_next = state
    return version, array(WORD, internal).tobytes(), gauss_next


def unpack_random(packed: tuple) -> tuple:
    version, words, gauss_next = packed
    return version, tuple(array(WORD, words)), gauss_next


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Everything needed to put the cluster back at one step exactly."""

    store: tuple[int, int]  # Store.checkpoint(): (revision, log length)
    queue: Any  # WorkQueue.checkpoint()
    time: float
    random: tuple  # pack_random(random.getstate())
    state: State  # the world and the components' memory
    config: ClusterConfig
    events: int  # events ever recorded (forgotten ones included)
    step_no: int
    idle: int  # do-nothing reconciles since the last step


@dataclass(frozen=True, slots=True)
class Mark:
    """A moment to come back to, future included (`Cluster.mark`)."""

    checkpoint: Checkpoint
    horizon: int  # the furthest step reached, then
    checkpoints: frozenset[int]  # the steps checkpointed, then


class History:
    """Is responsible for returning the cluster to any earlier step exactly.

    A checkpoint holds the store's (revision, log length) — going back undoes the
    write log — plus copies of the work queue, the clock, the random state (packed:
    one is kept every `interval` steps for the session's life) and the model's
    bookkeeping (`State`: the world and the components' memory, copied one
    level deep: its maps may be changed in place, their values may not). The
    user's actions are recorded by the step they became, with the clock and
    idle reconciles before them; replay from a checkpoint re-applies them at the
    same steps and times.

    Undo information (checkpoints, the store's write log, the steps' events) is
    kept for about the last `keep` steps: a busy cluster's step holds some
    kilobytes, so an unbounded log grows by megabytes a minute of play. A step
    before the oldest checkpoint is reached by replaying the recorded actions from
    step 0 (`Cluster.seek`), exactly as a saved session reopens.
    """

    def __init__(self, interval: int = 50, keep: int = KEEP_STEPS) -> None:
        self.interval = interval
        self.keep = keep
        self.checkpoints: dict[int, Checkpoint] = {}
        self.inputs: dict[int, dict] = {}
        # step → (idle reconciles before the action, clock when it came)
        self.preludes: dict[int, tuple[int, float]] = {}
        self.horizon = 0  # the furthest step ever reached on this timeline

    def capture(self, cluster: Model, share_state: bool = False) -> Checkpoint:
        """The state to come back to. `share_state` copies the world's and the
        memories' containers only: enough before a user action, which replaces
        world values and never changes them in place (its reconciles run only
        after it)."""
        return Checkpoint(
            store=cluster.store.checkpoint(),
            queue=cluster.queue.checkpoint(),
            time=cluster.time,
            random=pack_random(cluster.random.getstate()),
            state=cluster.state.copy(share=share_state),
            config=copy.deepcopy(cluster.config),
            events=cluster.events_forgotten + len(cluster.events),
            step_no=cluster.step_no,
            idle=cluster.idle,
        )

    def apply(self, cluster: Model, checkpoint: Checkpoint) -> None:
        cluster.store.restore(checkpoint.store)
        cluster.queue.restore(checkpoint.queue)
        cluster.time = checkpoint.time
        cluster.random.setstate(unpack_random(checkpoint.random))
        cluster.state = checkpoint.state.copy()
        cluster.config = copy.deepcopy(checkpoint.config)
        cluster.api.config = cluster.config
        del cluster.events[checkpoint.events - cluster.events_forgotten :]
        cluster.step_no = checkpoint.step_no
        cluster.idle = checkpoint.idle
        cluster.epoch += 1

    def after_step(
        self,
        cluster: Model,
        action: dict | None,
        prelude: tuple[int, float] | None = None,
    ) -> None:
        n = cluster.step_no
        self.horizon = max(self.horizon, n)
        if action is not None:
            self.inputs[n] = action
            if prelude is not None:
                self.preludes[n] = prelude
        if n % self.interval_for(cluster) == 0 and n not in self.checkpoints:
            self.checkpoints[n] = self.capture(cluster)
            self.forget(cluster)

    def forget(self, cluster: Model) -> None:
        """Drop the undo information from before the newest checkpoint that is at
        least `keep` steps back: that checkpoint becomes the oldest one."""
        old = [n for n in self.checkpoints if n <= cluster.step_no - self.keep]
        if len(old) < 2:
            return
        boundary = max(old)
        state = self.checkpoints[boundary]
        for n in old:
            if n != boundary:
                del self.checkpoints[n]
        cluster.store.forget(state.store)
        drop = state.events - cluster.events_forgotten
        if drop > 0:
            del cluster.events[:drop]
            cluster.events_forgotten += drop

    def oldest(self) -> int:
        """The earliest step a checkpoint can restore."""
        return min(self.checkpoints)

    def rebuilt(self, checkpoint_0: Checkpoint) -> None:
        """The cluster was rebuilt from step 0: only its new checkpoint is valid."""
        self.checkpoints = {0: checkpoint_0}

    def interval_for(self, cluster: Model) -> int:
        """Steps between checkpoints: doubles per CAPTURE_UNIT things a capture copies.

        The store costs nothing to checkpoint (its log is undone), but the work
        queue and the model's bookkeeping are copied; a big cluster checkpoints
        less often so that copying stays a small part of a step. Intervals are
        powers of two times the base, so every grid divides the coarser ones.
        """
        size = len(cluster.queue) + cluster.state.size()
        interval = self.interval
        while size >= CAPTURE_UNIT and interval < MAX_INTERVAL:
            size //= 2
            interval *= 2
        return interval

    def mark(self, cluster: Model) -> Mark:
        return Mark(self.capture(cluster), self.horizon, frozenset(self.checkpoints))

    def rollback(self, cluster: Model, mark: Mark) -> None:
        """Back to `mark` as if nothing since had happened: the model, the horizon
        and the checkpoints (the recorded actions are the same: stepping records
        none, and anything that does is not tentative)."""
        self.apply(cluster, mark.checkpoint)
        self.horizon = mark.horizon
        for n in [n for n in self.checkpoints if n not in mark.checkpoints]:
            del self.checkpoints[n]

    def truncate_future(self, step_no: int) -> None:
        """A new action after stepping back discards the old future, like an editor."""
        for table in (self.inputs, self.preludes, self.checkpoints):
            for n in [n for n in table if n > step_no]:
                del table[n]
        self.horizon = step_no

    def nearest(self, step_no: int) -> tuple[int, Checkpoint]:
        base = max(n for n in self.checkpoints if n <= step_no)
        return base, self.checkpoints[base]
