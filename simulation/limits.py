"""The session's limits on pods and nodes, counted as an apply would leave them.

Pods are counted by what is wanted, not only what exists: a Deployment applied a
moment ago has no pods yet, but its replicas will be made, so two applies cannot
add up past the limit before the ReplicaSet controller runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import LimitExceeded
from .objects import is_control_plane, owner_of

if TYPE_CHECKING:
    from .context import Model
    from .store import Store

WORKLOADS = {"Deployment": "deployments", "ReplicaSet": "replicasets"}


def _key(obj: dict) -> tuple[str, str, str]:
    meta = obj.get("metadata") or {}
    return obj["kind"], meta.get("namespace") or "default", str(meta.get("name"))


def _replicas(obj: dict) -> int:
    replicas = (obj.get("spec") or {}).get("replicas", 1)
    return replicas if isinstance(replicas, int) else 0


def wanted_pods(store: Store, objects: list[dict] = ()) -> int:
    """Pods the cluster will run once `objects` are applied: standalone pods plus
    the replicas of every Deployment and of every ReplicaSet no Deployment owns."""
    wanted: dict[tuple[str, str, str], int] = {}
    rs_owned = 0
    for kind, plural in WORKLOADS.items():
        for obj in store.values(plural):
            if kind == "ReplicaSet":
                rs_owned += store.count_owned("pods", obj["metadata"].get("uid"))
                if owner_of(obj, "Deployment"):
                    continue
            wanted[_key(obj)] = _replicas(obj)
    # pods no ReplicaSet owns, counted from the owner index rather than by a scan
    # of every pod, which would make each apply cost O(pods)
    standalone = store.count("pods") - rs_owned
    for obj in objects:
        if obj.get("kind") in WORKLOADS:
            wanted[_key(obj)] = _replicas(obj)
        elif obj.get("kind") == "Pod":
            meta = obj.get("metadata") or {}
            name = meta.get("name")
            existing = (
                store.get("pods", meta.get("namespace") or "default", name)
                if isinstance(name, str)
                else None
            )
            if existing is None or owner_of(existing, "ReplicaSet"):
                wanted[_key(obj)] = 1
    return standalone + sum(wanted.values())


def check_apply(cluster: Model, objects: list[dict]) -> None:
    """Refuse an apply that would take the session past its pod or node limit."""
    limits = cluster.config.limits
    before = max(cluster.store.count("pods"), wanted_pods(cluster.store))
    after = wanted_pods(cluster.store, objects)
    if after > limits.pods and after > before:
        raise LimitExceeded(
            f"error: this would run more than {limits.pods} pods, this session's limit"
        )
    workers = {
        n["metadata"]["name"]
        for n in cluster.store.list("nodes")
        if not is_control_plane(n)
    }
    added = {
        str((o.get("metadata") or {}).get("name"))
        for o in objects
        if o.get("kind") == "Node"
    } - {n["metadata"]["name"] for n in cluster.store.list("nodes")}
    if len(workers) + len(added) > limits.nodes:
        raise LimitExceeded(
            f"error: this would make {len(workers) + len(added)} nodes, over this"
            f" session's limit of {limits.nodes}"
        )


def room_for_pods(store: Store, limit: int) -> int:
    """How many more pods may be wanted before the pod limit."""
    return max(0, limit - max(store.count("pods"), wanted_pods(store)))
