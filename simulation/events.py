"""What one step did: the component that acted, its API calls, its writes and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class APICall:
    """One HTTP request a component made to the API server."""

    actor: str
    verb: str
    path: str

    def to_dict(self) -> dict[str, str]:
        return {"actor": self.actor, "verb": self.verb, "path": self.path}


@dataclass(frozen=True, slots=True)
class Write:
    """One entry of etcd's write log: the object after and before the write."""

    revision: int
    op: str  # ADDED | MODIFIED | DELETED
    key: str
    object: dict | None
    previous: dict | None

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "key": self.key, "revision": self.revision}


@dataclass(frozen=True, slots=True)
class Event:
    """One step a learner can follow: who acted, the calls it made, and why."""

    step: int
    time: float
    type: str
    actor: str
    reason: str
    node: str | None = None
    concept: str | None = None
    api_calls: tuple[APICall, ...] = ()
    writes: tuple[Write, ...] = ()
    objects: tuple[str, ...] = ()
    details: dict = field(default_factory=dict)
    quiet: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "time": round(self.time, 3),
            "type": self.type,
            "actor": self.actor,
            "node": self.node,
            "reason": self.reason,
            "concept": self.concept,
            "apiCalls": [c.to_dict() for c in self.api_calls],
            "writes": [w.to_dict() for w in self.writes],
            "objects": list(self.objects),
            "details": self.details,
            "quiet": self.quiet,
        }
