"""What a component may use while it reconciles: the API, the clock, timers, events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .clock import iso

if TYPE_CHECKING:
    from .cluster import Cluster


class Context:
    """A component's window onto the cluster during one reconcile."""

    def __init__(self, cluster: Cluster, actor: str) -> None:
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
