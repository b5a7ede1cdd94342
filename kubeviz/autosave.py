"""When a live session is saved: at once after a user's change, soon after a step.

A save hands the session's record (its inputs, recorded actions and position) to
`persistence.asave`, which writes it in the next group commit. Steps are saved at
most once per `delay`, so that a session at play writes a row a second, not one per
step; anything else a user did (an action, a new scenario) is saved at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from kubeviz import persistence

log = logging.getLogger(__name__)


class Autosave:
    """Is responsible for saving one session: now, or soon and then at most once per
    `delay`.

    `record` returns what to save, taken under the session's lock.
    """

    def __init__(
        self,
        session_id: str,
        record: Callable[[], Awaitable[persistence.Record]],
        delay: float = 1.0,
    ) -> None:
        self.session_id = session_id
        self.record = record
        self.delay = delay
        self.task: asyncio.Task | None = None

    async def now(self) -> None:
        """Save at once; a save that was due later is not needed any more."""
        if self.task is not None and self.task is not asyncio.current_task():
            self.task.cancel()
            self.task = None
        await persistence.asave(await self.record())

    def soon(self) -> None:
        """Save in `delay` seconds, unless a save is due already."""
        if self.task is None or self.task.done():
            self.task = asyncio.create_task(self.later())

    async def later(self) -> None:
        await asyncio.sleep(self.delay)
        self.task = None
        try:
            await self.now()
        except Exception:
            log.exception("saving session %s failed", self.session_id)
