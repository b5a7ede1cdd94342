"""The garbage collector deletes objects whose owner is gone (cascading deletion)."""

from __future__ import annotations

from ...component import Component, Outcome

DEPENDENTS = ("replicasets", "pods", "endpointslices")


class GarbageCollector(Component):
    """Is responsible for removing dependents once their owner has been deleted."""

    name = "garbage-collector"
    watches = ("deployments", "replicasets", "services")
    delay = 0.2

    def keys_for(self, write, memory):
        if write.op != "DELETED":
            return ()
        meta = write.previous["metadata"]
        return (
            f"{meta['namespace']}|{meta['uid']}|{write.previous['kind']}/{meta['name']}",
        )

    def reconcile(self, ctx, key):
        ns, uid, owner = key.split("|")
        doomed = []
        for plural in DEPENDENTS:
            for obj in ctx.store.owned(plural, uid):
                if not obj["metadata"].get("deletionTimestamp"):
                    name = obj["metadata"]["name"]
                    ctx.api.delete(plural, ns, name, actor=self.name)
                    doomed.append(f"{plural}/{ns}/{name}")
        if not doomed:
            return None
        return Outcome(
            "gc.deleted",
            f"{owner} is gone, so the garbage collector deleted what it owned:"
            f" {len(doomed)} object{'s' if len(doomed) > 1 else ''}.",
            concept="ownership",
            objects=tuple(doomed),
        )
