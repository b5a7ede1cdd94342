"""kube-scheduler: filter the nodes a pod could run on, score them, bind the best."""

from __future__ import annotations

from ..component import Component, Outcome, key_parts
from ..events import Write
from ..quantity import parse, pod_requests
from .affinity import node_affinity_ok, preferred_affinity_score, tolerates

DETAIL_NODE_LIMIT = 100  # keep every node's verdict for clusters up to this size


UNSCHEDULABLE_TAINT = {
    "key": "node.kubernetes.io/unschedulable",
    "effect": "NoSchedule",
}
RESOURCE_REASONS = frozenset(
    {"Too many pods", "Insufficient cpu", "Insufficient memory"}
)


class _NodeInfo:
    """A node's allocatable resources, taints and flags, parsed once."""

    __slots__ = ("node", "name", "cpu", "memory", "pods", "taints", "unschedulable")

    def __init__(self, node: dict) -> None:
        spec = node.get("spec", {})
        alloc = node.get("status", {}).get("allocatable", {})
        self.node = node
        self.name = node["metadata"]["name"]
        self.cpu = parse(alloc.get("cpu", 0))
        self.memory = parse(alloc.get("memory", 0))
        self.pods = parse(alloc.get("pods", 110))
        self.taints = [
            t
            for t in spec.get("taints") or []
            if t.get("effect") in ("NoSchedule", "NoExecute")
        ]
        self.unschedulable = bool(spec.get("unschedulable"))


class Scheduler(Component):
    """Is responsible for choosing a node for every pod that has none, and binding."""

    name = "kube-scheduler"
    watches = ("pods", "nodes")
    delay = 0.05

    def __init__(self) -> None:
        # parsed node facts, keyed by node name and checked by object identity;
        # a pure cache of immutable objects, so stepping back cannot stale it
        self._cache: dict[str, _NodeInfo] = {}

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
        if len(verdicts) < len(nodes):
            passed = (
                f"{len(feasible)} of the {len(verdicts)} nodes it checked passed the"
                f" filters (with {len(nodes)} nodes it stops at"
                f" {_nodes_to_find(len(nodes))} feasible ones:"
                " percentageOfNodesToScore)"
            )
        else:
            passed = f"{len(feasible)} of {len(nodes)} nodes passed the filters"
        return Outcome(
            "pod.scheduled",
            f"Bound {ns}/{name} to {chosen}: {passed} and {chosen} scored highest"
            f" ({best}).",
            concept="scheduling",
            objects=(f"pods/{ns}/{name}", f"nodes/{chosen}"),
            details={"decision": decision},
        )

    def _filter(self, ctx, pod, nodes):
        """Run the filter plugins on each node; return verdicts and the feasible nodes.

        Like kube-scheduler, it stops once percentageOfNodesToScore of the nodes
        are feasible and starts the next pod where this one stopped.
        """
        want = pod_requests(pod)
        tolerations = pod["spec"].get("tolerations") or []
        spec = pod["spec"]
        selective = bool(
            spec.get("nodeSelector")
            or ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
                "requiredDuringSchedulingIgnoredDuringExecution"
            )
        )
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
            reasons = self._reject_reasons(ctx, pod, node, want, tolerations, selective)
            verdict = {"filter": reasons[0] if reasons else "passed"}
            if len(reasons) > 1:
                verdict["reasons"] = reasons
            verdicts[node["metadata"]["name"]] = verdict
            if not reasons:
                feasible.append(self._info(node))
        ctx.sim["scheduler_start"] = (start + examined) % max(len(nodes), 1)
        return verdicts, feasible

    def _info(self, node: dict) -> _NodeInfo:
        """What the filters need from a node, parsed once per node version."""
        name = node["metadata"]["name"]
        cached = self._cache.get(name)
        if cached is not None and cached.node is node:
            return cached
        info = _NodeInfo(node)
        self._cache[name] = info
        return info

    def _reject_reasons(
        self, ctx, pod, node, want, tolerations, selective=True
    ) -> list[str]:
        """Why a node cannot take the pod, in the scheduler's words (empty: it can)."""
        info = self._info(node)
        if info.unschedulable and not tolerates(tolerations, UNSCHEDULABLE_TAINT):
            return ["node(s) were unschedulable"]
        for taint in info.taints:
            if not tolerates(tolerations, taint):
                return [
                    "node(s) had untolerated taint {"
                    f"{taint['key']}: {taint.get('value', '')}" + "}"
                ]
        if selective and not node_affinity_ok(pod, node):
            return ["node(s) didn't match Pod's node affinity/selector"]
        cpu, memory, count = ctx.store.usage(info.name)
        reasons = []
        if count + 1 > info.pods:
            reasons.append("Too many pods")
        if want["cpu"] and cpu + want["cpu"] > info.cpu:
            reasons.append("Insufficient cpu")
        if want["memory"] and memory + want["memory"] > info.memory:
            reasons.append("Insufficient memory")
        return reasons

    def _score(self, ctx, pod, feasible):
        """LeastAllocated, spreading of a workload's pods, and preferred affinity."""
        want = pod_requests(pod)
        owner = _owner_key(pod)
        preferred = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
            "preferredDuringSchedulingIgnoredDuringExecution"
        )
        scores = {}
        store = ctx.store
        for info in feasible:
            used_cpu, used_memory, _ = store.usage(info.name)
            cpu = max(0.0, (info.cpu - used_cpu - want["cpu"]) / (info.cpu or 1))
            memory = max(
                0.0,
                (info.memory - used_memory - want["memory"]) / (info.memory or 1),
            )
            least = round((cpu + memory) * 50)
            siblings = store.owned_on_node(info.name, owner) if owner else 0
            spread = max(0, 100 - 25 * siblings)
            affinity = preferred_affinity_score(pod, info.node) if preferred else 0
            scores[info.name] = {
                "leastAllocated": least,
                "spread": spread,
                "affinity": affinity,
                "total": least + spread + affinity,
            }
        return scores

    def _unschedulable(self, ctx, pod, key, verdicts, total):
        counts: dict[str, int] = {}
        helpless = victimless = 0
        for verdict in verdicts.values():
            reasons = verdict.get("reasons") or [verdict["filter"]]
            for reason in reasons:
                counts[reason] = counts.get(reason, 0) + 1
            # preemption could only free resources; taints and selectors stay
            if all(r in RESOURCE_REASONS for r in reasons):
                victimless += 1
            else:
                helpless += 1
        # kube-scheduler sorts the "<count> <reason>" strings themselves
        detail = ", ".join(sorted(f"{n} {r}" for r, n in counts.items()))
        preemption = []
        if helpless:
            preemption.append(f"{helpless} Preemption is not helpful for scheduling")
        if victimless:
            preemption.append(
                f"{victimless} No preemption victims found for incoming pod"
            )
        message = (
            f"0/{total} nodes are available: {detail}. preemption: 0/{total}"
            f" nodes are available: {', '.join(sorted(preemption))}."
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
    """percentageOfNodesToScore's adaptive default: all of up to 100, fewer beyond."""
    if n <= 100:
        return n
    percentage = max(5, 50 - n // 125)
    return max(100, n * percentage // 100)


def _owner_key(pod: dict) -> str | None:
    for ref in pod["metadata"].get("ownerReferences") or []:
        return ref.get("uid")
    return None
