"""A session's step taken ahead: the next one, taken while the viewers look at this.

A learner who steps waits for the model; a learner who looks does not. So shortly
after a step (`PREPARE_AFTER`) the session takes the next one and keeps its encoded
delta, and the next `step` only numbers and sends it. Anything else that reads the
model undoes it first, exactly, with `Cluster.mark()` and `rollback()`, the capture
and undo that step back uses. Which sessions prepare, and when not (playing, no
viewers, costly steps), is the session's call (`LiveSession.prepare`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import NamedTuple

from kubeviz import protocol
from simulation import Cluster
from simulation.history import Mark

# Seconds after a step before the next one is prepared: its frame goes out first.
PREPARE_AFTER = 0.002
# ... unless the event loop is this many seconds late to it: the process is busy.
BUSY_LAG = 0.005


class Ahead(NamedTuple):
    """A step taken before anybody asked for it (`StepAhead.take`)."""

    mark: Mark  # Cluster.mark() of the step before
    step: int  # the step number before
    text: str  # the step's delta body, encoded (protocol.delta_text)


class StepAhead:
    """Is responsible for one session's step taken ahead: when, taking it, undoing it.

    Its callers hold the session's lock around `take` and `undo`.
    """

    def __init__(self) -> None:
        self.taken: Ahead | None = None
        self.handle: asyncio.TimerHandle | None = None

    def soon(self, prepare: Callable[[], Awaitable[None]]) -> None:
        """Run `prepare` once this step's frames are on their way."""
        self.cancel()
        loop = asyncio.get_running_loop()
        due = loop.time() + PREPARE_AFTER

        def start() -> None:
            self.handle = None
            # Late by more than BUSY_LAG: other sessions are waiting for the event
            # loop, and a step nobody asked for yet must not make them wait longer.
            if loop.time() - due < BUSY_LAG:
                asyncio.ensure_future(prepare())

        self.handle = loop.call_later(PREPARE_AFTER, start)

    def cancel(self) -> None:
        """Prepare nothing more (the session is closing, or preparing again)."""
        if self.handle is not None:
            self.handle.cancel()
            self.handle = None

    def take(self, cluster: Cluster, advance: Callable[[], dict | None]) -> None:
        """Take the next step with `advance` and keep its delta, encoded."""
        before = Ahead(cluster.mark(), cluster.step_no, "")
        body = advance()
        self.taken = before._replace(text=protocol.encode(body or {}))
        if body is None:
            self.undo(cluster)  # settled: nothing to keep

    def pop(self) -> Ahead | None:
        """The step taken ahead, handed over to be published: the model keeps it."""
        taken, self.taken = self.taken, None
        return taken

    def undo(self, cluster: Cluster) -> None:
        """Put `cluster` back, exactly, at the step before the one taken ahead."""
        taken = self.pop()
        cluster.rollback(taken.mark)
