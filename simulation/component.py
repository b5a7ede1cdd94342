"""The shape every control loop shares: what it watches and how it reconciles a key."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

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

    def keys_for(self, write: Write, sim: dict) -> Iterable[str]:
        """Work-queue keys a watched write concerns (default: the object's own key)."""
        return (write.key,)

    def reconcile(self, ctx: Context, key: str) -> Outcome | None:
        """Compare desired with observed for `key`; act through the API server."""
        raise NotImplementedError


def key_parts(key: str) -> tuple[str | None, str]:
    """(namespace, name) from an etcd key of a namespaced or cluster-scoped object."""
    parts = key.split("/")
    if parts[2] in ("minions", "namespaces"):
        return None, parts[3]
    return parts[-2], parts[-1]


def owner_of(obj: dict, kind: str) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("kind") == kind and ref.get("controller"):
            return ref["name"]
    return None


def owner_keys(obj: dict, kind: str, plural: str) -> tuple[str, ...]:
    """The etcd key of `obj`'s controlling `kind` owner, as a work-queue key tuple."""
    owner = owner_of(obj, kind)
    if owner is None:
        return ()
    return (f"/registry/{plural}/{obj['metadata']['namespace']}/{owner}",)


def owner_ref(obj: dict, block: bool = True) -> dict:
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": block,
    }
