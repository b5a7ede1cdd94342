"""The HorizontalPodAutoscaler controller scales a Deployment on CPU utilisation."""

from __future__ import annotations

import math

from ...clock import iso
from ...component import Component, Outcome
from ...limits import room_for_pods
from ...objects import is_ready, key_parts
from ...quantity import format_cpu, parse, pod_requests

SYNC_PERIOD = 15.0  # --horizontal-pod-autoscaler-sync-period
# The metric as conditions and events name it (horizontal.go)
CPU_METRIC = "cpu resource utilization (percentage of request)"
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
        proposal = desired
        raw = desired = max(
            spec.get("minReplicas", 1), min(spec["maxReplicas"], desired)
        )
        desired, why = self._behave(ctx, key, current, desired)
        limits = _limited(spec, proposal, raw, desired)
        room = room_for_pods(ctx.store, ctx.config.limits.pods)
        if desired > current + room:
            desired = current + room
            why += (
                f" (limited to {desired}: this session's limit of"
                f" {ctx.config.limits.pods} pods)"
            )

        if desired != current:
            able = (
                "SucceededRescale",
                f"the HPA controller was able to update the target scale to {desired}",
            )
        elif desired > raw:
            able = (
                "ScaleDownStabilized",
                "recent recommendations were higher than current one, applying the"
                " highest recent recommendation",
            )
        else:
            able = ("ReadyForNewScale", "recommended size matches current size")
        conditions = [
            ("AbleToScale", "True", *able),
            (
                "ScalingActive",
                "True",
                "ValidMetricFound",
                "the HPA was able to successfully calculate a replica count from"
                f" {CPU_METRIC}",
            ),
            ("ScalingLimited", *limits),
        ]
        # averageValue: the pods' mean usage, a milli-quantity (GetResourceReplicas)
        average = format_cpu(round(load * 1000) // len(pods) / 1000)

        def status(obj):
            old = obj.get("status") or {}
            before = {c["type"]: c for c in old.get("conditions") or []}
            obj["status"] = {
                "currentReplicas": current,
                "desiredReplicas": desired,
                "currentMetrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "current": {
                                "averageUtilization": utilization,
                                "averageValue": average,
                            },
                        },
                    }
                ],
                "conditions": [
                    _condition(before.get(kind), kind, state, reason, message, ctx.now)
                    for kind, state, reason, message in conditions
                ],
            }
            scaled_at = iso(ctx.now) if desired != current else old.get("lastScaleTime")
            if scaled_at:
                obj["status"]["lastScaleTime"] = scaled_at

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
        if current > spec["maxReplicas"]:
            reason = "Current number of replicas above Spec.MaxReplicas"
        elif current < spec.get("minReplicas", 1):
            reason = "Current number of replicas below Spec.MinReplicas"
        elif desired > current:
            reason = f"{CPU_METRIC} above target"
        else:
            reason = "All metrics below target"
        ctx.record_event(
            hpa, "SuccessfulRescale", f"New size: {desired}; reason: {reason}"
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


def _limited(spec: dict, proposal: int, clamped: int, desired: int) -> tuple:
    """ScalingLimited as convertDesiredReplicasWithBehaviorRate sets it: the rate
    limit, then maxReplicas and minReplicas, else within range (False)."""
    if desired < clamped:  # _behave bounded a scale-up
        return (
            "True",
            "ScaleUpLimit",
            "the desired replica count is increasing faster than the maximum scale"
            " rate",
        )
    if proposal > spec["maxReplicas"]:
        return (
            "True",
            "TooManyReplicas",
            "the desired replica count is more than the maximum replica count",
        )
    if proposal < spec.get("minReplicas", 1):
        return (
            "True",
            "TooFewReplicas",
            "the desired replica count is less than the minimum replica count",
        )
    return (
        "False",
        "DesiredWithinRange",
        "the desired count is within the acceptable range",
    )


def _condition(old, kind: str, state: str, reason: str, message: str, now) -> dict:
    """A condition keeps its lastTransitionTime while its status stays the same."""
    since = old["lastTransitionTime"] if old and old["status"] == state else iso(now)
    return {
        "type": kind,
        "status": state,
        "lastTransitionTime": since,
        "reason": reason,
        "message": message,
    }


def _target_utilization(spec: dict) -> int:
    for metric in spec.get("metrics") or []:
        target = (metric.get("resource") or {}).get("target") or {}
        if target.get("averageUtilization"):
            return int(target["averageUtilization"])
    return int(spec.get("targetCPUUtilizationPercentage", 80))


__all__ = ["HPAController", "parse"]
