"""The etcd of the model: objects by key, one revision counter, a write log."""

from __future__ import annotations

import heapq
from collections.abc import Iterable

from . import recorder
from .events import Write
from .objects import matches
from .quantity import pod_requests
from .resources import BY_PLURAL

_ETCD_TO_PLURAL = {r.etcd: r.plural for r in BY_PLURAL.values()}


def plural_of_key(key: str) -> str:
    """The resource an etcd key belongs to: /registry/minions/x → nodes."""
    parts = key.split("/")
    if parts[2] == "services":
        return _ETCD_TO_PLURAL["services/" + parts[3]]
    return _ETCD_TO_PLURAL[parts[2]]


def _selector_pairs(selector: dict) -> dict:
    """The equality part of a selector (a plain map or matchLabels)."""
    if "matchLabels" in selector or "matchExpressions" in selector:
        return selector.get("matchLabels") or {}
    return selector


class Store:
    """Holds every object, numbers every write, and keeps the append-only write log.

    Stored objects are never mutated in place (writers replace them). The log keeps
    each write's object and the one it replaced, so going back is undoing writes:
    a checkpoint is just (revision, log position) and costs nothing at any size.
    The history forgets the log's oldest entries (`forget`) to bound its memory.
    Secondary indexes (namespace, node, owner, label) keep the controllers' reads
    proportional to what they read, not to the size of the cluster.
    """

    def __init__(self) -> None:
        self.revision = 0
        self.log: list[Write] = []
        self.forgotten = 0  # writes dropped from the front of the log (`forget`)
        self._by_plural: dict[str, dict[str, dict]] = {p: {} for p in BY_PLURAL}
        self._by_ns: dict[tuple[str, str], dict[str, dict]] = {}
        self._sorted: dict[tuple[str, str | None], list[str]] = {}
        self._pods_by_node: dict[str, dict[str, dict]] = {}
        self._usage: dict[str, tuple[float, float, int]] = {}
        self._by_owner: dict[tuple[str, str], dict[str, dict]] = {}
        self._by_label: dict[tuple, dict[str, dict]] = {}
        self._owned_on_node: dict[tuple[str, str], int] = {}
        # Events: by the recorder's correlation key, and a heap of (last write,
        # key) for the --event-ttl sweep; heap entries may be stale (checked when
        # popped), but every stored Event has an entry for its current version
        self._events_by_key: dict[tuple, dict[str, dict]] = {}
        self._event_writes: list[tuple[float, str]] = []
        # bumped by every change of a kind, undo included; never reused, so a
        # reader may cache what it derived from a kind under this number
        self._changes: dict[str, int] = dict.fromkeys(BY_PLURAL, 0)

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
        keys = self._sorted.get((plural, namespace))
        if keys is None:
            keys = self._sorted[(plural, namespace)] = sorted(items)
        return [items[k] for k in keys]

    def count(self, plural: str, namespace: str | None = None) -> int:
        if namespace is None:
            return len(self._by_plural[plural])
        return len(self._by_ns.get((plural, namespace), {}))

    def pods_on_node(self, node: str) -> list[dict]:
        items = self._pods_by_node.get(node, {})
        return [items[k] for k in sorted(items)]

    def node_usage(self, node: str) -> dict[str, float]:
        """Requests of the pods bound to a node that still hold resources."""
        cpu, memory, pods = self._usage.get(node, (0.0, 0.0, 0))
        return {"cpu": cpu, "memory": memory, "pods": pods}

    def changes(self, plural: str) -> int:
        """A counter that moves whenever any object of the kind changes."""
        return self._changes[plural]

    def usage_map(self) -> dict[str, tuple[float, float, int]]:
        """node → (cpu, memory, pods) requested; read-only, for hot loops."""
        return self._usage

    def owned_on_node_map(self) -> dict[tuple[str, str], int]:
        """(node, owner uid) → pods; read-only, for hot loops."""
        return self._owned_on_node

    def usage(self, node: str) -> tuple[float, float, int]:
        """node_usage as a (cpu, memory, pods) tuple, for the scheduler's hot loop."""
        return self._usage.get(node, (0.0, 0.0, 0))

    def owned(self, plural: str, uid: str) -> list[dict]:
        """Objects of a kind with an ownerReference to `uid`, ordered by key."""
        items = self._by_owner.get((plural, uid), {})
        return [items[k] for k in sorted(items)]

    def values(self, plural: str):
        """Every object of a kind in no particular order (for counting and sums)."""
        return self._by_plural[plural].values()

    def count_owned(self, plural: str, uid: str) -> int:
        """How many objects of a kind name `uid` as an owner."""
        return len(self._by_owner.get((plural, uid), ()))

    def owned_on_node(self, node: str, uid: str) -> int:
        """How many pods on `node` name `uid` as their first owner."""
        return self._owned_on_node.get((node, uid), 0)

    def select(self, plural: str, namespace: str, selector: dict) -> list[dict]:
        """Objects in a namespace whose labels match a selector, ordered by key.

        The equality terms pick the smallest label index as candidates; every
        candidate is then checked against the whole selector.
        """
        pairs = _selector_pairs(selector)
        pools = [
            self._by_label.get((plural, namespace, k, v), {}) for k, v in pairs.items()
        ]
        if pools:
            candidates = min(pools, key=len)
            return [
                candidates[k]
                for k in sorted(candidates)
                if matches(selector, candidates[k]["metadata"].get("labels") or {})
            ]
        return [
            o
            for o in self.list(plural, namespace)
            if matches(selector, o["metadata"].get("labels") or {})
        ]

    def event_for(self, correlation: tuple) -> dict | None:
        """The Event the recorder would patch for a correlation key, if stored
        (the oldest by key when several match: order-independent, so the same
        after a step back as on a replay)."""
        found = self._events_by_key.get(correlation)
        return found[min(found)] if found else None

    def events_written_before(self, cutoff: float) -> list[str]:
        """Keys of the Events last written at or before `cutoff` (simulated
        seconds), in (time, key) order; their heap entries are used up."""
        heap, due = self._event_writes, {}
        events = self._by_plural["events"]
        while heap and heap[0][0] <= cutoff:
            at, key = heapq.heappop(heap)
            obj = events.get(key)
            # two writes in one second leave two equal entries
            if obj is not None and recorder.written_at(obj) == at:
                due[key] = None
        return list(due)

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
        else:
            share_unchanged(obj, previous)
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
        self._changes[plural] += 1
        ref = obj or previous
        ns = ref["metadata"].get("namespace")
        by_ns = self._by_ns.setdefault((plural, ns or ""), {})
        if obj is None:
            del self._by_plural[plural][key]
            del by_ns[key]
        else:
            self._by_plural[plural][key] = obj
            by_ns[key] = obj
        if obj is None or previous is None:  # the set of keys changed
            self._sorted.pop((plural, None), None)
            self._sorted.pop((plural, ns or ""), None)
        self._reindex_refs(plural, key, ns or "", obj, previous)
        if plural == "pods":
            self._index_pod(key, obj, previous)
        elif plural == "events":
            self._index_event(key, obj, previous)

    def _index_event(self, key: str, obj: dict | None, previous: dict | None):
        if previous is not None:
            old = recorder.correlation_key(previous)
            bucket = self._events_by_key.get(old)
            if bucket is not None:
                bucket.pop(key, None)
                if not bucket:
                    del self._events_by_key[old]
        if obj is None:
            return
        self._events_by_key.setdefault(recorder.correlation_key(obj), {})[key] = obj
        heap = self._event_writes
        if len(heap) > 2 * len(self._by_plural["events"]) + 1024:
            # mostly stale entries (rewritten or deleted Events): start afresh
            heap[:] = [
                (recorder.written_at(o), k)
                for k, o in self._by_plural["events"].items()
            ]
            heapq.heapify(heap)
        else:
            heapq.heappush(heap, (recorder.written_at(obj), key))

    def _reindex_refs(self, plural, key, ns, obj, previous) -> None:
        """Owner and label indexes: drop what the old object had, add the new."""
        old_meta = previous["metadata"] if previous is not None else {}
        new_meta = obj["metadata"] if obj is not None else {}
        if (
            obj is not None
            and previous is not None
            and old_meta.get("labels") == new_meta.get("labels")
            and old_meta.get("ownerReferences") == new_meta.get("ownerReferences")
        ):  # the usual status update: same entries, point them at the new object
            for ref in new_meta.get("ownerReferences") or ():
                self._by_owner[(plural, ref.get("uid"))][key] = obj
            for k, v in (new_meta.get("labels") or {}).items():
                if isinstance(v, str):
                    self._by_label[(plural, ns, k, v)][key] = obj
            return
        old_owners = {r.get("uid") for r in old_meta.get("ownerReferences") or []}
        new_owners = {r.get("uid") for r in new_meta.get("ownerReferences") or []}
        for uid in old_owners:
            if uid not in new_owners:
                bucket = self._by_owner.get((plural, uid))
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del self._by_owner[(plural, uid)]
        for uid in new_owners:
            self._by_owner.setdefault((plural, uid), {})[key] = obj
        old_labels = old_meta.get("labels") or {}
        new_labels = new_meta.get("labels") or {}
        for k, v in old_labels.items():
            if new_labels.get(k) != v:
                index = (plural, ns, k, v)
                bucket = self._by_label.get(index)
                if bucket is not None:
                    bucket.pop(key, None)
                    if not bucket:
                        del self._by_label[index]
        for k, v in new_labels.items():
            if isinstance(v, str):
                self._by_label.setdefault((plural, ns, k, v), {})[key] = obj

    def _index_pod(self, key: str, obj: dict | None, previous: dict | None) -> None:
        old = (previous or {}).get("spec", {}).get("nodeName")
        new = (obj or {}).get("spec", {}).get("nodeName")
        if old:
            self._pods_by_node.get(old, {}).pop(key, None)
            owner = _first_owner(previous)
            if owner:
                left = self._owned_on_node[(old, owner)] - 1
                if left:
                    self._owned_on_node[(old, owner)] = left
                else:
                    del self._owned_on_node[(old, owner)]
        if new and obj is not None:
            self._pods_by_node.setdefault(new, {})[key] = obj
            owner = _first_owner(obj)
            if owner:
                pair = (new, owner)
                self._owned_on_node[pair] = self._owned_on_node.get(pair, 0) + 1
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
        """Where the store is now: restoring undoes every later write from the log.

        The log position counts every write ever logged, forgotten ones included,
        so a checkpoint stays valid when older entries are forgotten.
        """
        return (self.revision, self.forgotten + len(self.log))

    def restore(self, state: tuple) -> list[Write]:
        """Return to a checkpoint; gives back the log entries that were undone."""
        revision, position = state
        log_len = position - self.forgotten
        if log_len > len(self.log):
            raise ValueError("a store checkpoint can only be restored backwards")
        if log_len < 0:
            raise ValueError("the store has forgotten the writes since that checkpoint")
        undone = self.log[log_len:]
        for write in reversed(undone):
            plural = plural_of_key(write.key)
            self._index(plural, write.key, write.previous, write.object)
        del self.log[log_len:]
        self.revision = revision
        return undone

    def forget(self, state: tuple) -> None:
        """Drop the log before a checkpoint: no earlier one can be restored after,
        and the object versions only those writes held are freed."""
        drop = state[1] - self.forgotten
        if drop > 0:
            del self.log[:drop]
            self.forgotten += drop

    def all_keys(self) -> Iterable[str]:
        for plural in sorted(self._by_plural):
            yield from sorted(self._by_plural[plural])


def share_unchanged(new: dict | list, old: dict | list) -> None:
    """Point every part of `new` that equals the same part of `old` at old's.

    A writer hands the store a changed deep copy, and the write log keeps the
    version it replaces for step back: without this, each write of a pod's status
    would keep a second copy of its unchanged spec, labels and conditions, so
    undo information grew by kilobytes a step. Stored objects are never changed
    in place, so versions may share their parts.
    """
    if isinstance(new, dict):
        pairs = ((k, v, old.get(k, _ABSENT)) for k, v in new.items())
    elif len(new) == len(old):
        pairs = ((i, v, old[i]) for i, v in enumerate(new))
    else:
        return
    for where, value, before in pairs:
        if value is before or type(value) is not type(before):
            continue
        if not isinstance(value, (dict, list)):
            continue
        if value == before:
            new[where] = before
        else:
            share_unchanged(value, before)


_ABSENT = object()


def _first_owner(pod: dict) -> str | None:
    for ref in pod["metadata"].get("ownerReferences") or []:
        return ref.get("uid")
    return None
