"""What the layers below `Cluster` see of it: `Model`, and a component's `Context`.

`Model` is the typed shape components, kubectl, the history, the limits and the
view are given instead of `Cluster`, so none of them imports `cluster.py` (which
imports them all). `Context` is what one component may use while it reconciles:
the API, the clock, timers and events.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Protocol

from .clock import iso

if TYPE_CHECKING:
    from .apiserver import APIServer
    from .config import ClusterConfig
    from .events import Event
    from .network.model import NetworkModel
    from .store import Store
    from .workqueue import WorkQueue


class Model(Protocol):
    """The parts of a cluster that the layers below `Cluster` may read or write."""

    store: Store
    api: APIServer
    config: ClusterConfig
    random: random.Random
    queue: WorkQueue
    sim: dict[str, Any]
    time: float
    step_no: int
    epoch: int  # bumped whenever state is restored: caches keyed by it start afresh
    idle: int  # do-nothing reconciles since the last step
    events: list[Event]
    events_forgotten: int

    @property
    def network(self) -> NetworkModel: ...


class Context:
    """A component's window onto the cluster during one reconcile."""

    def __init__(self, cluster: Model, actor: str) -> None:
        self._cluster = cluster
        self.actor = actor
        self.api = cluster.api
        self.store = cluster.store
        self.config = cluster.config
        self.random = cluster.random
        self.sim = cluster.sim

    @property
    def now(self) -> float:
        return self._cluster.time

    def after(
        self, delay: float, component: str, key: str, periodic: bool = False
    ) -> None:
        """Schedule `component` to reconcile `key` after `delay` simulated seconds."""
        self._cluster.queue.push(
            self._cluster.time + delay, component, key, periodic=periodic, dedupe=False
        )

    def record_event(
        self,
        involved: dict,
        reason: str,
        message: str,
        type_: str = "Normal",
        source: str | None = None,
    ) -> None:
        """Create a core/v1 Event, as components do for `kubectl get events`."""
        meta = involved["metadata"]
        stamp = int(self._cluster.time * 1e9) + self._cluster.queue.next_seq()
        ns = meta.get("namespace") or "default"
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {"name": f"{meta['name']}.{stamp:x}", "namespace": ns},
            "involvedObject": {
                "kind": involved["kind"],
                "name": meta["name"],
                "namespace": meta.get("namespace"),
                "uid": meta.get("uid"),
            },
            "reason": reason,
            "message": message,
            "type": type_,
            "source": {"component": source or self.actor},
            "firstTimestamp": iso(self._cluster.time),
            "lastTimestamp": iso(self._cluster.time),
            "count": 1,
        }
        self.api.create(event, actor=self.actor)
