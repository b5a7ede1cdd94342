"""The etcd of the model: objects by key, one revision counter, a write log."""

from __future__ import annotations

from collections.abc import Iterable

from .events import Write
from .quantity import pod_requests
from .resources import BY_PLURAL


class Store:
    """Holds every object, numbers every write, and keeps the append-only write log.

    Stored objects are never mutated in place (writers replace them), so a checkpoint
    is a shallow copy of the maps below and shares every unchanged object.
    """

    def __init__(self) -> None:
        self.revision = 0
        self.log: list[Write] = []
        self._by_plural: dict[str, dict[str, dict]] = {p: {} for p in BY_PLURAL}
        self._by_ns: dict[tuple[str, str], dict[str, dict]] = {}
        self._pods_by_node: dict[str, dict[str, dict]] = {}
        self._usage: dict[str, tuple[float, float, int]] = {}

    # reads -------------------------------------------------------------------
    def key(self, plural: str, namespace: str | None, name: str) -> str:
        return BY_PLURAL[plural].key(namespace, name)

    def get(self, plural: str, namespace: str | None, name: str) -> dict | None:
        return self._by_plural[plural].get(self.key(plural, namespace, name))

    def get_key(self, plural: str, key: str) -> dict | None:
        return self._by_plural[plural].get(key)

    def list(self, plural: str, namespace: str | None = None) -> list[dict]:
        """Objects of a kind (in one namespace, or all), ordered by etcd key."""
        if namespace is None:
            items = self._by_plural[plural]
        else:
            items = self._by_ns.get((plural, namespace), {})
        return [items[k] for k in sorted(items)]

    def count(self, plural: str) -> int:
        return len(self._by_plural[plural])

    def pods_on_node(self, node: str) -> list[dict]:
        items = self._pods_by_node.get(node, {})
        return [items[k] for k in sorted(items)]

    def node_usage(self, node: str) -> dict[str, float]:
        """Requests of the pods bound to a node that still hold resources."""
        cpu, memory, pods = self._usage.get(node, (0.0, 0.0, 0))
        return {"cpu": cpu, "memory": memory, "pods": pods}

    def namespaces_of(self, plural: str) -> list[str]:
        return sorted(
            ns for (p, ns), objs in self._by_ns.items() if p == plural and objs
        )

    # writes (only the API server calls these) ---------------------------------
    def put(self, plural: str, obj: dict) -> Write:
        meta = obj["metadata"]
        key = self.key(plural, meta.get("namespace"), meta["name"])
        previous = self._by_plural[plural].get(key)
        self.revision += 1
        meta["resourceVersion"] = str(self.revision)
        if previous is None:
            meta.setdefault("creationRevision", self.revision)
        self._index(plural, key, obj, previous)
        write = Write(
            self.revision, "MODIFIED" if previous else "ADDED", key, obj, previous
        )
        self.log.append(write)
        return write

    def remove(self, plural: str, namespace: str | None, name: str) -> Write:
        key = self.key(plural, namespace, name)
        previous = self._by_plural[plural][key]
        self.revision += 1
        self._index(plural, key, None, previous)
        write = Write(self.revision, "DELETED", key, None, previous)
        self.log.append(write)
        return write

    def _index(self, plural: str, key: str, obj: dict | None, previous: dict | None):
        ref = obj or previous
        ns = ref["metadata"].get("namespace")
        by_ns = self._by_ns.setdefault((plural, ns or ""), {})
        if obj is None:
            del self._by_plural[plural][key]
            del by_ns[key]
        else:
            self._by_plural[plural][key] = obj
            by_ns[key] = obj
        if plural == "pods":
            old = (previous or {}).get("spec", {}).get("nodeName")
            new = (obj or {}).get("spec", {}).get("nodeName")
            if old and (old != new or obj is None):
                self._pods_by_node.get(old, {}).pop(key, None)
            if new and obj is not None:
                self._pods_by_node.setdefault(new, {})[key] = obj
            if previous is not None:
                self._account(previous, -1)
            if obj is not None:
                self._account(obj, 1)

    def _account(self, pod: dict, sign: int) -> None:
        node = pod["spec"].get("nodeName")
        if not node or pod.get("status", {}).get("phase") in ("Succeeded", "Failed"):
            return
        req = pod_requests(pod)
        cpu, memory, pods = self._usage.get(node, (0.0, 0.0, 0))
        self._usage[node] = (
            cpu + sign * req["cpu"],
            memory + sign * req["memory"],
            pods + sign,
        )

    # checkpoints ---------------------------------------------------------------
    def checkpoint(self) -> tuple:
        """A cheap copy of the maps (objects are shared; they are immutable)."""
        return (
            self.revision,
            len(self.log),
            {p: dict(m) for p, m in self._by_plural.items()},
            {k: dict(m) for k, m in self._by_ns.items()},
            {k: dict(m) for k, m in self._pods_by_node.items()},
            dict(self._usage),
        )

    def restore(self, state: tuple) -> list[Write]:
        """Return to a checkpoint; gives back the log entries that were undone."""
        revision, log_len, by_plural, by_ns, by_node, usage = state
        undone = self.log[log_len:]
        del self.log[log_len:]
        self.revision = revision
        self._by_plural = {p: dict(m) for p, m in by_plural.items()}
        self._by_ns = {k: dict(m) for k, m in by_ns.items()}
        self._pods_by_node = {k: dict(m) for k, m in by_node.items()}
        self._usage = dict(usage)
        return undone

    def all_keys(self) -> Iterable[str]:
        for plural in sorted(self._by_plural):
            yield from sorted(self._by_plural[plural])
