"""What the layers below `Cluster` see of it: `Model`, and a component's `Context`.

`Model` is the typed shape components, kubectl, the history, the limits and the
view are given instead of `Cluster`, so none of them imports `cluster.py` (which
imports them all). `Context` is what one component may use while it reconciles:
the API, the clock, timers and events.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any, Protocol

from . import recorder
from .clock import iso

if TYPE_CHECKING:
    from .apiserver import APIServer
    from .config import ClusterConfig
    from .events import Event
    from .network.model import NetworkModel
    from .state import State
    from .store import Store
    from .workqueue import WorkQueue


class Model(Protocol):
    """The parts of a cluster that the layers below `Cluster` may read or write."""

    store: Store
    api: APIServer
    config: ClusterConfig
    random: random.Random
    queue: WorkQueue
    state: State
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
        # what happens outside the API (failed nodes, load), read only
        self.world = cluster.state.world
        self._recorder = cluster.state.memory[recorder.MEMORY]

    @property
    def memory(self) -> dict[str, Any]:
        """This component's own memory between reconciles, read and written."""
        return self._cluster.state.memory.setdefault(self.actor, {})

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
        host: str | None = None,
    ) -> None:
        """Record a core/v1 Event as client-go's recorder does (`recorder`):
        correlate, then POST a new Event or PATCH the one it repeats."""
        meta = involved["metadata"]
        now = self._cluster.time
        stamp = iso(now)
        origin = {"component": source or self.actor}
        if host:
            origin["host"] = host
        # <object>.<unix nanoseconds, hex>; a queue number keeps two apart
        seq = int(now * 1e9) + self._cluster.queue.next_seq()
        event = {
            "apiVersion": "v1",
            "kind": "Event",
            "metadata": {
                "name": f"{meta['name']}.{seq:x}",
                "namespace": meta.get("namespace") or "default",
            },
            "involvedObject": {
                "apiVersion": involved.get("apiVersion", ""),
                "kind": involved["kind"],
                "name": meta["name"],
                "namespace": meta.get("namespace"),
                "uid": meta.get("uid"),
            },
            "reason": reason,
            "message": message,
            "type": type_,
            "source": origin,
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
        }
        event = recorder.aggregate(self._recorder, event, now)
        existing = self.store.event_for(recorder.correlation_key(event))
        if existing is None:
            self.api.create(event, actor=self.actor)
            return

        def observe(current: dict) -> None:
            current["count"] = (current.get("count") or 1) + 1
            current["lastTimestamp"] = stamp
            current["message"] = event["message"]

        where = existing["metadata"]
        self.api.patch(
            "events", where["namespace"], where["name"], observe, actor=self.actor
        )
