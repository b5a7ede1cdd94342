"""The shape every control loop shares: what it watches and how it reconciles a key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .events import Write

if TYPE_CHECKING:
    from .context import Context


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a reconcile did, in words a learner can read."""

    type: str
    reason: str
    concept: str | None = None
    node: str | None = None
    objects: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)
    quiet: bool = False


class Component:
    """A reconcile loop fed by watch events through a de-duplicating work queue."""

    name = "component"
    where = "control-plane"  # or "node"
    watches: tuple[str, ...] = ()
    delay = 0.05  # watch delivery plus processing, in simulated seconds
    priority = 5  # lower runs first when two items are due at the same time

    def initial_memory(self) -> dict[str, Any]:
        """What this component remembers between reconciles, before its first one
        (`Context.memory`; the API holds everything else)."""
        return {}

    def keys_for(self, write: Write, memory: dict[str, Any]) -> Iterable[str]:
        """Work-queue keys a watched write concerns (default: the object's own key).

        `memory` is this component's own (`initial_memory`), read only here."""
        return (write.key,)

    def reconcile(self, ctx: Context, key: str) -> Outcome | None:
        """Compare desired with observed for `key`; act through the API server."""
        raise NotImplementedError
