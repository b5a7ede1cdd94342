"""The Deployment controller rolls a Deployment's template out through ReplicaSets."""

from __future__ import annotations

import copy
import math

from ...component import Component, Outcome
from ...events import Write
from ...names import pod_template_hash
from ...objects import key_parts, owner_keys, owner_ref


def _scaled(value, replicas: int, round_up: bool) -> int:
    if isinstance(value, str) and value.endswith("%"):
        exact = int(value[:-1]) * replicas / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(value or 0)


def _available(rs: dict) -> int:
    return rs.get("status", {}).get("availableReplicas", 0)


class DeploymentController(Component):
    """Is responsible for a Deployment's ReplicaSets: creating, scaling, retiring."""

    name = "deployment-controller"
    watches = ("deployments", "replicasets")

    def keys_for(self, write: Write, memory: dict):
        if write.key.startswith("/registry/deployments/"):
            return (write.key,)
        return owner_keys(write.object or write.previous, "Deployment", "deployments")

    def reconcile(self, ctx, key):
        ns, name = key_parts(key)
        deploy = ctx.store.get("deployments", ns, name)
        if deploy is None or deploy["metadata"].get("deletionTimestamp"):
            return None
        uid = deploy["metadata"]["uid"]
        owned = ctx.store.owned("replicasets", uid)
        template_hash = pod_template_hash(deploy["spec"]["template"])
        new = next(
            (
                rs
                for rs in owned
                if rs["metadata"].get("labels", {}).get("pod-template-hash")
                == template_hash
            ),
            None,
        )
        old = [rs for rs in owned if rs is not new]
        want = deploy["spec"].get("replicas", 1)
        if new is None:
            return self._create_rs(ctx, deploy, template_hash, old, want)
        outcome = self._roll(ctx, deploy, new, old, want)
        if self._update_status(ctx, deploy, new, owned) and outcome is None:
            return Outcome(
                "deployment.status",
                f"Deployment {name} reported its rollout status.",
                concept="reconcile",
                objects=(f"deployments/{ns}/{name}",),
                quiet=True,
            )
        return outcome

    def _create_rs(self, ctx, deploy, template_hash, old, want):
        ns, name = deploy["metadata"]["namespace"], deploy["metadata"]["name"]
        template = copy.deepcopy(deploy["spec"]["template"])
        template.setdefault("metadata", {}).setdefault("labels", {})[
            "pod-template-hash"
        ] = template_hash
        selector = copy.deepcopy(deploy["spec"]["selector"])
        selector.setdefault("matchLabels", {})["pod-template-hash"] = template_hash
        surge = _scaled(self._rolling(deploy).get("maxSurge", "25%"), want, True)
        total = sum(rs["spec"].get("replicas", 0) for rs in old)
        start = want if not old else max(0, min(want, want + surge - total))
        revision = 1 + max(
            (
                int(
                    rs["metadata"]
                    .get("annotations", {})
                    .get("deployment.kubernetes.io/revision", 0)
                )
                for rs in old
            ),
            default=0,
        )
        rs = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "metadata": {
                "name": f"{name}-{template_hash}",
                "namespace": ns,
                "labels": dict(template["metadata"]["labels"]),
                "annotations": {
                    "deployment.kubernetes.io/desired-replicas": str(want),
                    "deployment.kubernetes.io/max-replicas": str(want + surge),
                    "deployment.kubernetes.io/revision": str(revision),
                },
                "ownerReferences": [owner_ref(deploy)],
            },
            "spec": {"replicas": start, "selector": selector, "template": template},
        }
        created = ctx.api.create(rs, actor=self.name)
        rs_name = created["metadata"]["name"]
        ctx.record_event(
            deploy,
            "ScalingReplicaSet",
            f"Scaled up replica set {rs_name} from 0 to {start}",
        )
        return Outcome(
            "deployment.replicaset_created",
            f"Deployment {name} has no ReplicaSet for its current pod template"
            f" (hash {template_hash}), so it created {rs_name} with {start}"
            " replicas.",
            concept="reconcile",
            objects=(f"deployments/{ns}/{name}", f"replicasets/{ns}/{rs_name}"),
        )

    @staticmethod
    def _rolling(deploy) -> dict:
        strategy = deploy["spec"].get("strategy") or {}
        if strategy.get("type") == "Recreate":
            return {"maxSurge": 0, "maxUnavailable": "100%"}
        return strategy.get("rollingUpdate") or {}

    def _roll(self, ctx, deploy, new, old, want):
        rolling = self._rolling(deploy)
        surge = _scaled(rolling.get("maxSurge", "25%"), want, True)
        unavailable = _scaled(rolling.get("maxUnavailable", "25%"), want, False)
        if surge == 0 and unavailable == 0:
            unavailable = 1
        live_old = [rs for rs in old if rs["spec"].get("replicas", 0) > 0]
        if not live_old:
            if new["spec"].get("replicas") != want:
                return self._scale(ctx, deploy, new, want)
            return None
        total = new["spec"]["replicas"] + sum(rs["spec"]["replicas"] for rs in live_old)
        if new["spec"]["replicas"] < want and total < want + surge:
            target = min(want, new["spec"]["replicas"] + want + surge - total)
            return self._scale(ctx, deploy, new, target)
        # as reconcileOldReplicaSets does: spec.replicas (always current) bounds
        # how far to scale down, so a stale availableReplicas cannot overshoot
        min_available = want - unavailable
        new_unavailable = new["spec"]["replicas"] - _available(new)
        max_scaled_down = total - min_available - new_unavailable
        if max_scaled_down <= 0:
            return None
        oldest_first = sorted(
            live_old, key=lambda rs: rs["metadata"].get("creationRevision", 0)
        )
        for rs in oldest_first:  # unhealthy old pods go first: they serve nobody
            unhealthy = rs["spec"]["replicas"] - _available(rs)
            if unhealthy > 0:
                cut = min(unhealthy, max_scaled_down)
                return self._scale(ctx, deploy, rs, rs["spec"]["replicas"] - cut)
        available = sum(_available(rs) for rs in [new, *live_old])
        can_remove = min(available - min_available, max_scaled_down)
        if can_remove > 0:
            victim = oldest_first[0]
            target = max(0, victim["spec"]["replicas"] - can_remove)
            return self._scale(ctx, deploy, victim, target)
        return None

    def _scale(self, ctx, deploy, rs, target):
        before = rs["spec"].get("replicas", 0)
        ns, rs_name = rs["metadata"]["namespace"], rs["metadata"]["name"]

        def change(obj):
            obj["spec"]["replicas"] = target
            obj["metadata"].setdefault("annotations", {})[
                "deployment.kubernetes.io/desired-replicas"
            ] = str(deploy["spec"].get("replicas", 1))

        ctx.api.patch("replicasets", ns, rs_name, change, actor=self.name)
        verb = "up" if target > before else "down"
        ctx.record_event(
            deploy,
            "ScalingReplicaSet",
            f"Scaled {verb} replica set {rs_name} from {before} to {target}",
        )
        return Outcome(
            f"deployment.scaled_{verb}",
            f"Deployment {deploy['metadata']['name']} scaled ReplicaSet"
            f" {rs_name} {verb} from {before} to {target}.",
            concept="reconcile",
            objects=(
                f"deployments/{ns}/{deploy['metadata']['name']}",
                f"replicasets/{ns}/{rs_name}",
            ),
        )

    def _update_status(self, ctx, deploy, new, owned) -> bool:
        want = deploy["spec"].get("replicas", 1)
        ready = sum(rs.get("status", {}).get("readyReplicas", 0) for rs in owned)
        available = sum(
            rs.get("status", {}).get("availableReplicas", 0) for rs in owned
        )
        status = {
            "observedGeneration": deploy["metadata"].get("generation", 1),
            "replicas": sum(rs.get("status", {}).get("replicas", 0) for rs in owned),
            "updatedReplicas": new.get("status", {}).get("replicas", 0),
            "readyReplicas": ready,
            "availableReplicas": available,
            "unavailableReplicas": max(0, want - available),
        }
        current = deploy.get("status", {})
        if {k: current.get(k, 0) for k in status} == status:
            return False
        ok = (
            "True"
            if available
            >= want
            - _scaled(self._rolling(deploy).get("maxUnavailable", "25%"), want, False)
            else "False"
        )

        def change(obj):
            obj["status"] = dict(
                status,
                conditions=[
                    {
                        "type": "Available",
                        "status": ok,
                        "reason": "MinimumReplicasAvailable"
                        if ok == "True"
                        else "MinimumReplicasUnavailable",
                    },
                    {
                        "type": "Progressing",
                        "status": "True",
                        "reason": "NewReplicaSetAvailable"
                        if status["updatedReplicas"] == want and available >= want
                        else "ReplicaSetUpdated",
                    },
                ],
            )

        ctx.api.patch(
            "deployments",
            deploy["metadata"]["namespace"],
            deploy["metadata"]["name"],
            change,
            actor=self.name,
            subresource="status",
        )
        return True
