"""kube-scheduler: filter the nodes a pod could run on, score them, bind the best."""

from __future__ import annotations

from ..component import Component, Outcome
from ..events import Write
from ..objects import TAINT_NODE_UNSCHEDULABLE, key_parts
from ..quantity import parse, pod_requests
from ..state import State
from .affinity import node_affinity_ok, preferred_affinity_score, tolerates

DETAIL_NODE_LIMIT = 100  # keep every node's verdict for clusters up to this size


UNSCHEDULABLE_TAINT = {
    "key": TAINT_NODE_UNSCHEDULABLE,
    "effect": "NoSchedule",
}
RESOURCE_REASONS = frozenset(
    {"Too many pods", "Insufficient cpu", "Insufficient memory"}
)


class _NodeInfo:
    """A node's allocatable resources, taints and flags, parsed once."""

    __slots__ = (
        "node",
        "name",
        "cpu",
        "memory",
        "pods",
        "taints",
        "unschedulable",
        "plain",
    )

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
        self.plain = not self.taints and not self.unschedulable


class Scheduler(Component):
    """Is responsible for choosing a node for every pod that has none, and binding."""

    name = "kube-scheduler"
    watches = ("pods", "nodes")
    delay = 0.05

    def __init__(self) -> None:
        # parsed node facts, keyed by node name and checked by object identity;
        # a pure cache of immutable objects, so stepping back cannot stale it
        self._cache: dict[str, _NodeInfo] = {}
        self._infos: list[_NodeInfo] = []
        self._nodes_version = -1

    def initial_memory(self) -> dict:
        # decisions: pod key → why it went where it did (for the inspector);
        # unschedulable: pods to try again when a node appears or changes
        return {"decisions": {}, "unschedulable": set()}

    def keys_for(self, write: Write, memory: dict):
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
        return tuple(sorted(memory["unschedulable"]))

    def reconcile(self, ctx, key):
        ns, name = key_parts(key)
        pod = ctx.store.get("pods", ns, name)
        if (
            pod is None
            or pod["spec"].get("nodeName")
            or pod["metadata"].get("deletionTimestamp")
        ):
            ctx.memory["unschedulable"].discard(key)
            return None
        if pod["spec"].get("schedulerName", "default-scheduler") != "default-scheduler":
            return None
        infos = self._nodes(ctx.store)
        results, feasible = self._filter(ctx, pod, infos)
        detailed = len(infos) <= DETAIL_NODE_LIMIT
        if not feasible:
            return self._unschedulable(ctx, pod, key, _verdicts(results), len(infos))
        scores, winners, best = self._score(ctx, pod, feasible, detailed)
        chosen = (
            winners[ctx.random.randrange(len(winners))]
            if len(winners) > 1
            else winners[0]
        )
        ctx.memory["unschedulable"].discard(key)
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
            "nodes": {
                n: dict(v, **scores.get(n, {})) for n, v in _verdicts(results).items()
            }
            if detailed
            else {},
            "feasible": len(feasible),
            "evaluated": len(results),
        }
        ctx.memory["decisions"][key] = decision
        if len(results) < len(infos):
            passed = (
                f"{len(feasible)} of the {len(results)} nodes it checked passed the"
                f" filters (with {len(infos)} nodes it stops at"
                f" {_nodes_to_find(len(infos))} feasible ones:"
                " percentageOfNodesToScore)"
            )
        else:
            passed = f"{len(feasible)} of {len(infos)} nodes passed the filters"
        return Outcome(
            "pod.scheduled",
            f"Bound {ns}/{name} to {chosen}: {passed} and {chosen} scored highest"
            f" ({best}).",
            concept="scheduling",
            objects=(f"pods/{ns}/{name}", f"nodes/{chosen}"),
            details={"decision": decision},
        )

    def _nodes(self, store) -> list[_NodeInfo]:
        """Every node's facts in key order, rebuilt only when a node changed."""
        version = store.changes("nodes")
        if self._nodes_version != version:
            cache = {}
            for node in store.list("nodes"):
                name = node["metadata"]["name"]
                old = self._cache.get(name)
                cache[name] = (
                    old if old is not None and old.node is node else (_NodeInfo(node))
                )
            self._cache = cache
            self._infos = list(cache.values())
            self._nodes_version = version
        return self._infos

    def _filter(self, ctx, pod, infos):
        """Run the filter plugins on each node: (node, reasons) and the feasible.

        Like kube-scheduler, it stops once percentageOfNodesToScore of the nodes
        are feasible and starts the next pod where this one stopped. `reasons` is
        None for a node that passed.
        """
        spec = pod["spec"]
        want = pod_requests(pod)
        want_cpu, want_memory = want["cpu"], want["memory"]
        tolerations = spec.get("tolerations") or []
        may_unschedulable = tolerates(tolerations, UNSCHEDULABLE_TAINT)
        selective = bool(
            spec.get("nodeSelector")
            or ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
                "requiredDuringSchedulingIgnoredDuringExecution"
            )
        )
        usage = ctx.store.usage_map()
        zero = (0.0, 0.0, 0)
        count = len(infos)
        limit = _nodes_to_find(count)
        start = ctx.memory.get("scheduler_start", 0) % max(count, 1)
        results: list[tuple[str, tuple[str, ...] | None]] = []
        feasible: list[_NodeInfo] = []
        add_result, add_feasible = results.append, feasible.append
        found = 0
        for info in infos[start:] + infos[:start]:
            if found >= limit:
                break
            reasons = None
            if not info.plain:
                reasons = _node_reasons(info, tolerations, may_unschedulable)
            if reasons is None and selective and not node_affinity_ok(pod, info.node):
                reasons = ("node(s) didn't match Pod's node affinity/selector",)
            if reasons is None:
                cpu, memory, pods = usage.get(info.name, zero)
                if (
                    pods >= info.pods
                    or (want_cpu and cpu + want_cpu > info.cpu)
                    or (want_memory and memory + want_memory > info.memory)
                ):
                    reasons = tuple(
                        reason
                        for reason, short in (
                            ("Too many pods", pods >= info.pods),
                            ("Insufficient cpu", cpu + want_cpu > info.cpu),
                            (
                                "Insufficient memory",
                                memory + want_memory > info.memory,
                            ),
                        )
                        if short
                    )
            add_result((info.name, reasons))
            if reasons is None:
                add_feasible(info)
                found += 1
        ctx.memory["scheduler_start"] = (start + len(results)) % max(count, 1)
        return results, feasible

    def _score(self, ctx, pod, feasible, detailed: bool):
        """LeastAllocated, spreading of a workload's pods, and preferred affinity.

        Returns per-node scores (only when `detailed`), the best nodes in name
        order, and the best total.
        """
        want = pod_requests(pod)
        want_cpu, want_memory = want["cpu"], want["memory"]
        owner = _owner_key(pod)
        preferred = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
            "preferredDuringSchedulingIgnoredDuringExecution"
        )
        usage = ctx.store.usage_map()
        siblings_on = ctx.store.owned_on_node_map()
        zero = (0.0, 0.0, 0)
        scores: dict[str, dict] = {}
        best, winners = -1, []
        for info in feasible:
            used_cpu, used_memory, _ = usage.get(info.name, zero)
            cpu = (info.cpu - used_cpu - want_cpu) / (info.cpu or 1)
            memory = (info.memory - used_memory - want_memory) / (info.memory or 1)
            least = round(
                ((cpu if cpu > 0 else 0.0) + (memory if memory > 0 else 0.0)) * 50
            )
            siblings = siblings_on.get((info.name, owner), 0) if owner else 0
            spread = 100 - 25 * siblings if siblings < 4 else 0
            affinity = preferred_affinity_score(pod, info.node) if preferred else 0
            total = least + spread + affinity
            if detailed:
                scores[info.name] = {
                    "leastAllocated": least,
                    "spread": spread,
                    "affinity": affinity,
                    "total": total,
                }
            if total > best:
                best, winners = total, [info.name]
            elif total == best:
                winners.append(info.name)
        return scores, sorted(winners), best

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
        ctx.memory["decisions"][key] = {
            "pod": f"{ns}/{name}",
            "node": None,
            "time": ctx.now,
            "nodes": verdicts,
            "message": message,
        }
        ctx.memory["unschedulable"].add(key)
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


def _node_reasons(info, tolerations, may_unschedulable) -> tuple[str] | None:
    """The node-level filters: unschedulable (cordoned), then taints."""
    if info.unschedulable and not may_unschedulable:
        return ("node(s) were unschedulable",)
    for taint in info.taints:
        if not tolerates(tolerations, taint):
            value = taint.get("value", "")
            return ("node(s) had untolerated taint {" + f"{taint['key']}: {value}}}",)
    return None


def _verdicts(results) -> dict[str, dict]:
    """The inspector's per-node verdicts: `filter` is the first reason or passed."""
    verdicts = {}
    for name, reasons in results:
        verdict = {"filter": reasons[0] if reasons else "passed"}
        if reasons and len(reasons) > 1:
            verdict["reasons"] = list(reasons)
        verdicts[name] = verdict
    return verdicts


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


def decisions(state: State) -> dict[str, dict]:
    """The scheduler's last decision per pod key: where it went (or why it could
    not), with every node's verdict; the inspector shows them."""
    return state.memory[Scheduler.name]["decisions"]
