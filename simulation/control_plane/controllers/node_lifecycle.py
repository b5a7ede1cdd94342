"""Node lifecycle: notice a node that stopped heartbeating, taint it, evict its pods."""

from __future__ import annotations

import math

from ...clock import iso
from ...component import Component, Outcome
from ...objects import TAINT_NODE_UNREACHABLE
from ..affinity import toleration_seconds

LEASE_RENEW = 10.0  # kubelet renews its Lease every 10 s
MONITOR_PERIOD = 5.0  # --node-monitor-period
# --node-monitor-grace-period: 50 s since Kubernetes v1.32 (kubernetes/kubernetes
# PR #126287); it was 40 s before, which many write-ups still quote.
GRACE = 50.0
UNREACHABLE = TAINT_NODE_UNREACHABLE


def last_renew(fail_time: float) -> float:
    """The last Lease renewal before a kubelet stopped (renewals every 10 s)."""
    return math.floor(fail_time / LEASE_RENEW) * LEASE_RENEW


def detection_time(fail_time: float) -> float:
    """First node-monitor tick after the grace period since the last renewal."""
    due = last_renew(fail_time) + GRACE
    return math.floor(due / MONITOR_PERIOD) * MONITOR_PERIOD + MONITOR_PERIOD


class NodeLifecycleController(Component):
    """Is responsible for marking silent nodes NotReady, tainting them, evicting pods.

    Kubelets renew a Lease every 10 s; rather than step through every renewal, the model
    computes when the monitor (every 5 s) first sees one older than the 50 s grace.
    """

    name = "node-lifecycle-controller"
    watches = ()
    priority = 3

    def reconcile(self, ctx, key):
        action, _, target = key.partition("|")
        return getattr(self, f"_{action}")(ctx, target)

    def _monitor(self, ctx, name):
        node = ctx.store.get("nodes", None, name)
        if node is None or name not in ctx.world.failed_nodes:
            return None
        silent_since = last_renew(ctx.world.failed_at[name])
        now = ctx.now

        def unknown(obj):
            for cond in obj["status"]["conditions"]:
                if cond["type"] == "Ready":
                    cond.update(
                        status="Unknown",
                        reason="NodeStatusUnknown",
                        message="Kubelet stopped posting node status.",
                        lastTransitionTime=iso(now),
                    )

        def change(obj):
            taints = [
                t
                for t in obj["spec"].get("taints") or []
                if t.get("key") != UNREACHABLE
            ]
            taints += [
                {"key": UNREACHABLE, "effect": "NoSchedule"},
                {"key": UNREACHABLE, "effect": "NoExecute", "timeAdded": iso(now)},
            ]
            obj["spec"]["taints"] = taints

        # conditions through the status subresource, taints through the node
        # itself: a plain write to a node leaves its status as it was
        ctx.api.patch("nodes", None, name, unknown, self.name, subresource="status")
        ctx.api.patch("nodes", None, name, change, actor=self.name)
        ctx.record_event(
            node, "NodeNotReady", f"Node {name} status is now: NodeNotReady"
        )
        evictions = []
        for pod in ctx.store.pods_on_node(name):
            ns, pod_name = pod["metadata"]["namespace"], pod["metadata"]["name"]

            def not_ready(obj):
                for cond in obj.get("status", {}).get("conditions", []):
                    if cond["type"] == "Ready":
                        cond.update(status="False", lastTransitionTime=iso(now))

            if not pod["spec"].get("hostNetwork"):
                ctx.api.patch(
                    "pods",
                    ns,
                    pod_name,
                    not_ready,
                    actor=self.name,
                    subresource="status",
                )
            seconds = toleration_seconds(
                pod["spec"].get("tolerations") or [],
                {"key": UNREACHABLE, "effect": "NoExecute"},
            )
            if seconds is not None:
                ctx.after(seconds, self.name, f"evict|{ns}/{pod_name}")
                evictions.append(seconds)
        wait = f" in {int(min(evictions))}s" if evictions else ""
        return Outcome(
            "node.not_ready",
            f"{name} has not renewed its Lease since {iso(silent_since)[11:19]}"
            f" ({int(now - silent_since)}s, over the {int(GRACE)}s grace period:"
            " --node-monitor-grace-period, 50s since Kubernetes v1.32), so"
            f" it is NotReady: tainted {UNREACHABLE}, its pods marked not Ready"
            f" (endpoints drop them) and they will be evicted{wait} when their"
            " toleration runs out.",
            concept="node-failure",
            objects=(f"nodes/{name}",),
            details={"lastRenew": silent_since},
        )

    def _evict(self, ctx, target):
        ns, name = target.split("/")
        pod = ctx.store.get("pods", ns, name)
        if pod is None or pod["metadata"].get("deletionTimestamp"):
            return None
        node = ctx.store.get("nodes", None, pod["spec"]["nodeName"])
        if not any(
            t.get("key") == UNREACHABLE for t in node["spec"].get("taints") or []
        ):
            return None
        ctx.api.delete("pods", ns, name, actor="taint-eviction-controller")
        ctx.record_event(
            pod,
            "TaintManagerEviction",
            f"Marking for deletion Pod {ns}/{name}",
            source="taint-eviction-controller",
        )
        return Outcome(
            "pod.evicted",
            f"{name} tolerated {UNREACHABLE} for 300s and the node is still"
            " unreachable,"
            " so it is evicted (deleted). It stays Terminating until the node returns;"
            " its ReplicaSet already counts it gone and creates a replacement.",
            concept="node-failure",
            objects=(f"pods/{ns}/{name}",),
        )

    def _recover(self, ctx, name):
        node = ctx.store.get("nodes", None, name)
        if node is None or name in ctx.world.failed_nodes:
            return None
        now = ctx.now

        def ready(obj):
            for cond in obj["status"]["conditions"]:
                if cond["type"] == "Ready":
                    cond.update(
                        status="True",
                        reason="KubeletReady",
                        message="kubelet is posting ready status",
                        lastTransitionTime=iso(now),
                    )

        def change(obj):
            obj["spec"]["taints"] = [
                t
                for t in obj["spec"].get("taints") or []
                if t.get("key") != UNREACHABLE
            ] or None
            if obj["spec"]["taints"] is None:
                del obj["spec"]["taints"]

        ctx.api.patch("nodes", None, name, ready, "kubelet", subresource="status")
        ctx.api.patch("nodes", None, name, change, actor=self.name)
        return Outcome(
            "node.ready",
            f"kubelet on {name} renews its Lease and posts Ready again; the"
            " node lifecycle controller removes the unreachable taints.",
            concept="node-failure",
            node=name,
            objects=(f"nodes/{name}",),
        )
