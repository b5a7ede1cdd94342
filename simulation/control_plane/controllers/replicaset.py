"""The ReplicaSet controller keeps the number of running pods equal to `replicas`."""

from __future__ import annotations

import copy

from ...component import Component, Outcome
from ...errors import LimitExceeded
from ...events import Write
from ...objects import is_active, is_ready, key_parts, owner_keys, owner_ref

# memory key: ReplicaSets whose last pod creation the pod limit refused
FAILED_CREATE = "replicasets_failed_create"
BURST = 500  # pods created or deleted in one sync at most (the controller's burst)


def owned_pods(store, rs: dict) -> list[dict]:
    return store.owned("pods", rs["metadata"]["uid"])


def _deletion_rank(pod: dict) -> tuple:
    """Which pod goes first in a scale-down: unscheduled, pending, not ready, newest."""
    status = pod.get("status", {})
    return (
        bool(pod["spec"].get("nodeName")),
        status.get("phase") == "Running",
        is_ready(pod),
        -int(pod["metadata"].get("creationRevision", 0)),
    )


class ReplicaSetController(Component):
    """Is responsible for creating and deleting pods so a ReplicaSet has `replicas`."""

    name = "replicaset-controller"
    watches = ("replicasets", "pods")

    def keys_for(self, write: Write, memory: dict):
        if write.key.startswith("/registry/replicasets/"):
            return (write.key,)
        pod = write.object or write.previous
        keys = owner_keys(pod, "ReplicaSet", "replicasets")
        if write.op == "DELETED" and memory.get(FAILED_CREATE):
            # a pod gone makes room: ReplicaSets refused by the pod limit retry
            keys += tuple(sorted(memory[FAILED_CREATE] - set(keys)))
        return keys

    def reconcile(self, ctx, key):
        ns, name = key_parts(key)
        rs = ctx.store.get("replicasets", ns, name)
        if rs is None or rs["metadata"].get("deletionTimestamp"):
            return None
        pods = owned_pods(ctx.store, rs)
        active = [p for p in pods if is_active(p)]
        want = rs["spec"].get("replicas", 1)
        diff = want - len(active)
        if diff <= 0 and key in ctx.memory.get(FAILED_CREATE, ()):
            ctx.memory[FAILED_CREATE] = ctx.memory[FAILED_CREATE] - {key}
        if diff > 0:
            return self._create(ctx, rs, min(diff, BURST), len(active), want)
        if diff < 0:
            doomed = sorted(active, key=_deletion_rank)[: min(-diff, BURST)]
            for pod in doomed:
                ctx.api.delete("pods", ns, pod["metadata"]["name"], actor=self.name)
                ctx.record_event(
                    rs, "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}"
                )
            self._update_status(ctx, rs, pods)
            return Outcome(
                "replicaset.scaled_down",
                f"ReplicaSet {name} wants {want} pods but has {len(active)}, so it"
                f" deleted {len(doomed)}.",
                concept="reconcile",
                objects=(f"replicasets/{ns}/{name}",)
                + tuple(f"pods/{ns}/{p['metadata']['name']}" for p in doomed),
            )
        if self._update_status(ctx, rs, pods):
            return Outcome(
                "replicaset.status",
                f"ReplicaSet {name} reported {_ready(pods)} of {want} pods ready.",
                concept="reconcile",
                objects=(f"replicasets/{ns}/{name}",),
                quiet=True,
            )
        return None

    def _create(self, ctx, rs, count, have, want):
        ns, name = rs["metadata"]["namespace"], rs["metadata"]["name"]
        template = rs["spec"]["template"]
        created = []
        for _ in range(count):
            pod = {
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {
                    "generateName": f"{name}-",
                    "namespace": ns,
                    "labels": dict(template.get("metadata", {}).get("labels") or {}),
                    "ownerReferences": [owner_ref(rs)],
                },
                "spec": copy.deepcopy(template["spec"]),
            }
            annotations = template.get("metadata", {}).get("annotations")
            if annotations:
                pod["metadata"]["annotations"] = dict(annotations)
            try:
                new = ctx.api.create(pod, actor=self.name)
            except LimitExceeded as exc:
                failed = ctx.memory.get(FAILED_CREATE, frozenset())
                ctx.memory[FAILED_CREATE] = failed | {
                    ctx.store.key("replicasets", ns, name)
                }
                ctx.record_event(
                    rs, "FailedCreate", f"Error creating: {exc}", type_="Warning"
                )
                return Outcome(
                    "replicaset.failed_create",
                    f"ReplicaSet {name} wants {want} pods but has"
                    f" {have + len(created)}; the API server refused to create"
                    f" more: {exc}.",
                    concept="reconcile",
                    objects=(f"replicasets/{ns}/{name}",)
                    + tuple(f"pods/{ns}/{n}" for n in created),
                )
            created.append(new["metadata"]["name"])
            ctx.record_event(rs, "SuccessfulCreate", f"Created pod: {created[-1]}")
        return Outcome(
            "replicaset.scaled_up",
            f"ReplicaSet {name} wants {want} pods but has {have}, so it created"
            f" {count}: {', '.join(created[:5])}{' …' if count > 5 else ''}.",
            concept="reconcile",
            objects=(f"replicasets/{ns}/{name}",)
            + tuple(f"pods/{ns}/{n}" for n in created),
        )

    def _update_status(self, ctx, rs, pods) -> bool:
        active = [p for p in pods if is_active(p)]
        status = {
            "replicas": len(active),
            "fullyLabeledReplicas": len(active),
            "readyReplicas": _ready(active),
            "availableReplicas": _ready(active),
            "observedGeneration": rs["metadata"].get("generation", 1),
        }
        if {k: rs.get("status", {}).get(k, 0) for k in status} == status:
            return False

        def change(obj):
            obj["status"] = status

        ctx.api.patch(
            "replicasets",
            rs["metadata"]["namespace"],
            rs["metadata"]["name"],
            change,
            actor=self.name,
            subresource="status",
        )
        return True


def _ready(pods) -> int:
    return sum(1 for p in pods if is_ready(p) and is_active(p))
