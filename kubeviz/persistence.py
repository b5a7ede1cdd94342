"""Saving and reopening sessions: the database side of the session registry."""

from __future__ import annotations

import asyncio
import copy
import time
import weakref
from dataclasses import dataclass, field
from datetime import timedelta

from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone

from kubeviz import scenarios
from kubeviz.models import SavedSession
from simulation import Cluster


@dataclass
class Record:
    """A session as it is saved: its inputs, its recorded actions and its step."""

    id: str
    scenario: str = scenarios.BLANK
    seed: int = 0
    settings: dict = field(default_factory=dict)
    actions: list = field(default_factory=list)
    position: int = 0

    @classmethod
    def of(cls, session_id: str, scenario: str, cluster: Cluster) -> Record:
        inputs = {k: v for k, v in cluster.inputs.items() if k != "seed"}
        return cls(
            id=session_id,
            scenario=scenario,
            seed=cluster.seed,
            settings=copy.deepcopy(inputs),
            actions=copy.deepcopy(cluster.actions),
            position=cluster.step_no,
        )

    def rebuild(self) -> Cluster:
        """The same cluster at the same step, by deterministic replay."""
        return Cluster.replay(
            {"seed": self.seed, **self.settings}, self.actions, until=self.position
        )


def create(scenario: str = scenarios.BLANK, seed: int = 0) -> SavedSession:
    """A new saved session for a scenario (replayed when first opened)."""
    chosen = scenarios.get(scenario)
    if chosen is None:
        raise KeyError(scenario)
    return SavedSession.objects.create(
        scenario=chosen.name, seed=seed, settings=dict(chosen.inputs), position=0
    )


UNOPENED_FOR = timedelta(days=1)  # how long a visit's unopened session is kept
TIDY_EVERY = 3600.0  # seconds between tidies, per process
last_tidy = float("-inf")


def forget_unopened(older_than: timedelta = UNOPENED_FOR) -> int:
    """Delete sessions no page ever opened, made over `older_than` ago.

    Every visit to the home page saves a session; a socket that opens it saves its
    scenario's set-up as actions. One with no actions at step 0 was only ever
    fetched (a script, a crawler, a tab closed at once), and reopening it would
    build the same scenario anyway. Returns how many were deleted.
    """
    cutoff = timezone.now() - older_than
    unopened = SavedSession.objects.filter(created__lt=cutoff, position=0, actions=[])
    return unopened.delete()[0]


def tidy() -> None:
    """`forget_unopened`, at most once every TIDY_EVERY seconds in this process."""
    global last_tidy
    now = time.monotonic()
    if now - last_tidy >= TIDY_EVERY:
        last_tidy = now
        forget_unopened()


def load(session_id: str) -> Record | None:
    row = SavedSession.objects.filter(pk=session_id).first()
    if row is None:
        return None
    return Record(
        id=row.id,
        scenario=row.scenario,
        seed=row.seed,
        settings=dict(row.settings),
        actions=list(row.actions),
        position=row.position,
    )


def save(record: Record) -> None:
    fields = {
        "scenario": record.scenario,
        "seed": record.seed,
        "settings": record.settings,
        "actions": record.actions,
        "position": record.position,
        "updated": timezone.now(),
    }
    if not SavedSession.objects.filter(pk=record.id).update(**fields):
        SavedSession.objects.create(pk=record.id, **fields)


def save_all(records: list[Record]) -> None:
    """Save several records in one transaction (one commit, one sync to disk)."""
    with transaction.atomic():
        for record in records:
            save(record)


class Saver:
    """Is responsible for writing records with as few commits as the load allows.

    Group commit: the records handed in while one batch is being written go
    together in the next, the newest record of each session only. A caller's
    `save` returns once its record (or a newer one of the same session) is
    committed, so that what was acknowledged to a user is on disk. With one tab
    that is one commit a save, as before; with a class of 300 tabs stepping, it is
    a few commits a second instead of hundreds queued on Django's one database
    thread, behind which every trace's answer used to wait.
    """

    def __init__(self) -> None:
        self.pending: dict[str, Record] = {}
        self.waiting: list[asyncio.Future] = []
        self.writer: asyncio.Task | None = None

    async def save(self, record: Record) -> None:
        self.pending[record.id] = record
        done = asyncio.get_running_loop().create_future()
        self.waiting.append(done)
        if self.writer is None or self.writer.done():
            self.writer = asyncio.create_task(self.write())
        await asyncio.shield(done)

    async def write(self) -> None:
        while self.pending:
            batch, self.pending = list(self.pending.values()), {}
            waiting, self.waiting = self.waiting, []
            try:
                await asave_all(batch)
            except Exception as exc:
                outcome = exc
            else:
                outcome = None
            for done in waiting:
                if done.done():
                    continue
                if outcome is None:
                    done.set_result(None)
                else:
                    done.set_exception(outcome)


# One saver per event loop: a server has one loop; each test has its own.
savers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, Saver] = (
    weakref.WeakKeyDictionary()
)


async def asave(record: Record) -> None:
    """Save a record, in the next group commit of this event loop (`Saver`)."""
    loop = asyncio.get_running_loop()
    saver = savers.get(loop)
    if saver is None:
        saver = savers[loop] = Saver()
    await saver.save(record)


def set_position(session_id: str, step: int) -> bool:
    return SavedSession.objects.filter(pk=session_id).update(position=step) > 0


def open_cluster(record: Record) -> Cluster:
    """The live model for a record: a fresh scenario, or a replay of what was done.

    A record that was never saved has neither actions nor a position: it opens by
    building its scenario. Any other replays, since a scenario's set-up is itself
    recorded actions and steps.
    """
    if record.actions or record.position:
        return record.rebuild()
    chosen = scenarios.get(record.scenario) or scenarios.get(scenarios.BLANK)
    return chosen.build(seed=record.seed, **record.settings)


aload = database_sync_to_async(load)
asave_all = database_sync_to_async(save_all)
aset_position = database_sync_to_async(set_position)
