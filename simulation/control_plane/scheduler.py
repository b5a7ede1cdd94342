"""kube-scheduler: filter the nodes a pod could run on, score them, bind the best."""

from __future__ import annotations

from ..component import Component, Outcome, key_parts
from ..events import Write
from ..quantity import parse, pod_requests
from .affinity import node_affinity_ok, preferred_affinity_score, tolerates

DETAIL_NODE_LIMIT = 100  # keep every node's verdict for clusters up to this size


class Scheduler(Component):
    """Is responsible for choosing a node for every pod that has none, and binding it."""

    name = "kube-scheduler"
    watches = ("pods", "nodes")
    delay = 0.05

    def keys_for(self, write: Write, sim: dict):
        if write.key.startswith("/registry/pods/"):
            pod = write.object
            if (
                pod
                and not pod["spec"].get("nodeName")
                and not pod["metadata"].get("deletionTimestamp")
            ):
                return (write.key,)
            return ()
        # a node appeared or changed: pods that could not be placed get another chance
        return tuple(sorted(sim["unschedulable"]))

    def reconcile(self, ctx, key):
        ns, name = key_parts(key)
        pod = ctx.store.get("pods", ns, name)
        if (
            pod is None
            or pod["spec"].get("nodeName")
            or pod["metadata"].get("deletionTimestamp")
        ):
            ctx.sim["unschedulable"].discard(key)
            return None
        if pod["spec"].get("schedulerName", "default-scheduler") != "default-scheduler":
            return None
        nodes = ctx.store.list("nodes")
        verdicts, feasible = self._filter(ctx, pod, nodes)
        if not feasible:
            return self._unschedulable(ctx, pod, key, verdicts, len(nodes))
        scores = self._score(ctx, pod, feasible)
        best = max(s["total"] for s in scores.values())
        winners = sorted(n for n, s in scores.items() if s["total"] == best)
        chosen = (
            winners[ctx.random.randrange(len(winners))]
            if len(winners) > 1
            else winners[0]
        )
        ctx.sim["unschedulable"].discard(key)
        ctx.api.bind(pod, chosen, actor=self.name)
        ctx.record_event(
            pod,
            "Scheduled",
            f"Successfully assigned {ns}/{name} to {chosen}",
            source="default-scheduler",
        )
        decision = {
            "pod": f"{ns}/{name}",
            "node": chosen,
            "time": ctx.now,
            "nodes": {n: dict(v, **scores.get(n, {})) for n, v in verdicts.items()}
            if len(nodes) <= DETAIL_NODE_LIMIT
            else {},
            "feasible": len(feasible),
            "evaluated": len(verdicts),
        }
        ctx.sim["decisions"][key] = decision
        others = len(feasible) - 1
        return Outcome(
            "pod.scheduled",
            f"Bound {ns}/{name} to {chosen}: {len(feasible)} of {len(nodes)} nodes passed"
            f" the filters and {chosen} scored highest ({best})"
            + (f" of {others + 1}." if others else "."),
            concept="scheduling",
            objects=(f"pods/{ns}/{name}", f"nodes/{chosen}"),
            details={"decision": decision},
        )

    def _filter(self, ctx, pod, nodes):
        """Run the filter plugins on each node; return verdicts and the feasible nodes."""
        want = pod_requests(pod)
        tolerations = pod["spec"].get("tolerations") or []
        verdicts: dict[str, dict] = {}
        feasible: list[dict] = []
        limit = _nodes_to_find(len(nodes))
        start = ctx.sim.get("scheduler_start", 0) % max(len(nodes), 1)
        order = nodes[start:] + nodes[:start]
        examined = 0
        for node in order:
            if len(feasible) >= limit:
                break
            examined += 1
            reason = self._reject_reason(ctx, pod, node, want, tolerations)
            verdicts[node["metadata"]["name"]] = {"filter": reason or "passed"}
            if reason is None:
                feasible.append(node)
        ctx.sim["scheduler_start"] = (start + examined) % max(len(nodes), 1)
        return verdicts, feasible

    def _reject_reason(self, ctx, pod, node, want, tolerations) -> str | None:
        spec, name = node.get("spec", {}), node["metadata"]["name"]
        if spec.get("unschedulable") and not tolerates(
            tolerations,
            {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"},
        ):
            return "node(s) were unschedulable"
        for taint in spec.get("taints") or []:
            if taint.get("effect") in ("NoSchedule", "NoExecute") and not tolerates(
                tolerations, taint
            ):
                return (
                    "node(s) had untolerated taint {"
                    f"{taint['key']}: {taint.get('value', '')}" + "}"
                )
        if not node_affinity_ok(pod, node):
            return "node(s) didn't match Pod's node affinity/selector"
        alloc = node.get("status", {}).get("allocatable", {})
        used = ctx.store.node_usage(name)
        if used["pods"] + 1 > parse(alloc.get("pods", 110)):
            return "Too many pods"
        if want["cpu"] and used["cpu"] + want["cpu"] > parse(alloc.get("cpu", 0)):
            return "Insufficient cpu"
        if want["memory"] and used["memory"] + want["memory"] > parse(
            alloc.get("memory", 0)
        ):
            return "Insufficient memory"
        return None

    def _score(self, ctx, pod, feasible):
        """LeastAllocated, spreading of a workload's pods, and preferred affinity."""
        want = pod_requests(pod)
        owner = _owner_key(pod)
        scores = {}
        for node in feasible:
            name = node["metadata"]["name"]
            alloc = node.get("status", {}).get("allocatable", {})
            used = ctx.store.node_usage(name)
            parts = []
            for res in ("cpu", "memory"):
                cap = parse(alloc.get(res, 0)) or 1
                parts.append(max(0.0, (cap - used[res] - want[res]) / cap) * 100)
            least = round(sum(parts) / len(parts))
            siblings = sum(
                1
                for p in ctx.store.pods_on_node(name)
                if owner and _owner_key(p) == owner
            )
            spread = max(0, 100 - 25 * siblings)
            affinity = preferred_affinity_score(pod, node)
            scores[name] = {
                "leastAllocated": least,
                "spread": spread,
                "affinity": affinity,
                "total": least + spread + affinity,
            }
        return scores

    def _unschedulable(self, ctx, pod, key, verdicts, total):
        counts: dict[str, int] = {}
        for verdict in verdicts.values():
            counts[verdict["filter"]] = counts.get(verdict["filter"], 0) + 1
        detail = ", ".join(f"{n} {r}" for r, n in sorted(counts.items()))
        message = (
            f"0/{total} nodes are available: {detail}. preemption: 0/{total}"
            f" nodes are available: {total} Preemption is not helpful for"
            " scheduling."
        )
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        ctx.sim["decisions"][key] = {
            "pod": f"{ns}/{name}",
            "node": None,
            "time": ctx.now,
            "nodes": verdicts,
            "message": message,
        }
        ctx.sim["unschedulable"].add(key)
        conditions = pod.get("status", {}).get("conditions") or []
        if any(c.get("message") == message for c in conditions):
            return None

        def change(obj):
            obj.setdefault("status", {})["conditions"] = [
                {
                    "type": "PodScheduled",
                    "status": "False",
                    "reason": "Unschedulable",
                    "message": message,
                }
            ]

        ctx.api.patch("pods", ns, name, change, actor=self.name, subresource="status")
        ctx.record_event(
            pod,
            "FailedScheduling",
            message,
            type_="Warning",
            source="default-scheduler",
        )
        return Outcome(
            "pod.unschedulable",
            f"No node can take {ns}/{name}: {detail}. It stays Pending.",
            concept="scheduling",
            objects=(f"pods/{ns}/{name}",),
            details={"verdicts": verdicts},
        )


def _nodes_to_find(n: int) -> int:
    """percentageOfNodesToScore's adaptive default: all nodes up to 100, fewer beyond."""
    if n <= 100:
        return n
    percentage = max(5, 50 - n // 125)
    return max(100, n * percentage // 100)


def _owner_key(pod: dict) -> str | None:
    for ref in pod["metadata"].get("ownerReferences") or []:
        return ref.get("uid")
    return None
