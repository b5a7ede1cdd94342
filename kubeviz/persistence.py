"""Saving and reopening sessions: the database side of the session registry."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from channels.db import database_sync_to_async

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
    SavedSession.objects.update_or_create(
        pk=record.id,
        defaults={
            "scenario": record.scenario,
            "seed": record.seed,
            "settings": record.settings,
            "actions": record.actions,
            "position": record.position,
        },
    )


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
asave = database_sync_to_async(save)
aset_position = database_sync_to_async(set_position)
