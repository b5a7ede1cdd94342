"""The HorizontalPodAutoscaler controller scales a Deployment on CPU utilisation."""

from __future__ import annotations

import math

from ...component import Component, Outcome
from ...limits import room_for_pods
from ...objects import is_ready, key_parts
from ...quantity import parse, pod_requests

SYNC_PERIOD = 15.0  # --horizontal-pod-autoscaler-sync-period
TOLERANCE = 0.1
DOWN_WINDOW = 300.0  # behavior.scaleDown.stabilizationWindowSeconds default


class HPAController(Component):
    """Is responsible for setting a target's replicas from observed CPU utilisation."""

    name = "horizontal-pod-autoscaler"
    watches = ("horizontalpodautoscalers",)

    @staticmethod
    def _behave(ctx, key: str, current: int, desired: int) -> tuple[int, str]:
        """The default `behavior`: a 300 s scale-down window, bounded scale-up.

        Scale-down takes the highest recommendation of the last five minutes, so
        a brief dip does not remove pods; scale-up adds at most 100% or 4 pods
        (whichever is more) per period.
        """
        history = dict(ctx.memory.get("hpa_recommendations") or {})
        recent = tuple(
            (t, d) for t, d in history.get(key, ()) if t > ctx.now - DOWN_WINDOW
        ) + ((ctx.now, desired),)
        history[key] = recent
        ctx.memory["hpa_recommendations"] = history
        if desired < current:
            held = min(current, max(d for _, d in recent))
            if held > desired:
                return held, (
                    f" (held at {held}: the highest recommendation of the last"
                    f" {int(DOWN_WINDOW)} s, the scale-down stabilization window)"
                )
        if desired > current:
            limit = max(2 * current, current + 4)
            if desired > limit:
                return limit, (
                    f" (limited to {limit}: at most +100% or +4 pods per period)"
                )
        return desired, ""

    def keys_for(self, write, memory):
        return (write.key,) if write.op == "ADDED" else ()

    def reconcile(self, ctx, key):
        ns, name = key_parts(key)
        hpa = ctx.store.get("horizontalpodautoscalers", ns, name)
        if hpa is None:
            return None
        ctx.after(SYNC_PERIOD, self.name, key, periodic=True)
        spec = hpa["spec"]
        target = spec["scaleTargetRef"]["name"]
        deploy = ctx.store.get("deployments", ns, target)
        if deploy is None:
            return None
        goal = _target_utilization(spec)
        pods = [
            p
            for rs in ctx.store.owned("replicasets", deploy["metadata"]["uid"])
            for p in ctx.store.owned("pods", rs["metadata"]["uid"])
            if is_ready(p) and not p["metadata"].get("deletionTimestamp")
        ]
        load = float(ctx.world.load.get(f"{ns}/{target}", 0.0))  # cores in total
        requested = sum(pod_requests(p)["cpu"] for p in pods) or 0.0
        current = deploy["spec"].get("replicas", 1)
        if not pods or not requested:
            return None
        # A whole-number percentage, as the replica calculator computes it from
        # milli-CPU totals, before the ratio: 12% against 25% is 0.48.
        utilization = round(load * 1000) * 100 // max(1, round(requested * 1000))
        ratio = utilization / goal
        desired = current if abs(ratio - 1) <= TOLERANCE else math.ceil(current * ratio)
        raw = desired = max(
            spec.get("minReplicas", 1), min(spec["maxReplicas"], desired)
        )
        desired, why = self._behave(ctx, key, current, desired)
        room = room_for_pods(ctx.store, ctx.config.limits.pods)
        if desired > current + room:
            desired = current + room
            why += (
                f" (limited to {desired}: this session's limit of"
                f" {ctx.config.limits.pods} pods)"
            )

        def status(obj):
            obj["status"] = {
                "currentReplicas": current,
                "desiredReplicas": desired,
                "currentMetrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "current": {"averageUtilization": utilization},
                        },
                    }
                ],
            }

        ctx.api.patch(
            "horizontalpodautoscalers",
            ns,
            name,
            status,
            actor=self.name,
            subresource="status",
        )
        if desired == current:
            return Outcome(
                "hpa.observed",
                f"HPA {name}: CPU at {utilization}% of"
                f" requests (target {goal}%), {current} replicas are right{why}.",
                concept="autoscaling",
                objects=(f"hpas/{ns}/{name}",),
                quiet=True,
            )

        def scale(obj):
            obj["spec"]["replicas"] = desired

        ctx.api.patch(
            "deployments", ns, target, scale, actor=self.name, subresource="scale"
        )
        return Outcome(
            "hpa.scaled",
            f"HPA {name}: CPU at {utilization}% of requests against a"
            f" {goal}% target, so desired = ceil({current} × {utilization}/{goal})"
            f" = {raw}{why}; it set {target}'s replicas from {current} to"
            f" {desired}.",
            concept="autoscaling",
            objects=(f"hpas/{ns}/{name}", f"deployments/{ns}/{target}"),
        )


def _target_utilization(spec: dict) -> int:
    for metric in spec.get("metrics") or []:
        target = (metric.get("resource") or {}).get("target") or {}
        if target.get("averageUtilization"):
            return int(target["averageUtilization"])
    return int(spec.get("targetCPUUtilizationPercentage", 80))


__all__ = ["HPAController", "parse"]
