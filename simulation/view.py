"""The browser's view model: a compact, JSON-ready picture of the cluster.

A snapshot lists every viewable object; a delta lists only what one step changed, so
its size follows the change, not the cluster.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from .context import Model
from .events import Event
from .objects import CONTROL_PLANE_LABEL, SERVICE_NAME_LABEL, node_address, pod_status
from .resources import BY_PLURAL

if TYPE_CHECKING:
    from .history import History


class Viewed(Model, Protocol):
    """A model with its history: a snapshot and a delta say how far it reaches."""

    history: History


COLLECTIONS = (
    "nodes",
    "pods",
    "services",
    "deployments",
    "replicasets",
    "ingresses",
    "hpas",
)


def _ready_count(pod: dict) -> str:
    statuses = pod.get("status", {}).get("containerStatuses") or []
    ready = sum(1 for s in statuses if s.get("ready"))
    return f"{ready}/{len(pod['spec']['containers'])}"


def _owner(obj: dict) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        return f"{ref['kind']}/{ref['name']}"
    return None


def _id(collection: str, obj: dict) -> str:
    ns = obj["metadata"].get("namespace")
    return (
        f"{collection}/{ns}/{obj['metadata']['name']}"
        if ns
        else f"{collection}/{obj['metadata']['name']}"
    )


def node_view(cluster: Model, node: dict) -> dict:
    status = node.get("status", {})
    ready = next((c for c in status.get("conditions", []) if c["type"] == "Ready"), {})
    labels = node["metadata"].get("labels") or {}
    return {
        "id": _id("nodes", node),
        "name": node["metadata"]["name"],
        "role": "control-plane" if CONTROL_PLANE_LABEL in labels else "worker",
        "ip": node_address(node, "InternalIP"),
        "podCIDR": node["spec"].get("podCIDR"),
        "status": {"True": "Ready", "False": "NotReady"}.get(
            ready.get("status"), "NotReady"
        )
        + (",SchedulingDisabled" if node["spec"].get("unschedulable") else ""),
        "unschedulable": bool(node["spec"].get("unschedulable")),
        "taints": [
            f"{t['key']}:{t['effect']}" for t in node["spec"].get("taints") or []
        ],
        "failed": node["metadata"]["name"] in cluster.state.world.failed_nodes,
        "runtime": status.get("nodeInfo", {}).get("containerRuntimeVersion"),
        "allocatable": status.get("allocatable", {}),
        "zone": labels.get("topology.kubernetes.io/zone"),
    }


def pod_view(cluster: Model, pod: dict) -> dict:
    status = pod.get("status", {})
    statuses = {s["name"]: s for s in status.get("containerStatuses") or []}
    containers = []
    for c in pod["spec"]["containers"]:
        s = statuses.get(c["name"], {})
        state = next(iter(s.get("state") or {"waiting": {}}), "waiting")
        containers.append(
            {
                "name": c["name"],
                "image": c.get("image"),
                "state": state,
                "ready": bool(s.get("ready")),
                "restarts": s.get("restartCount", 0),
                "ports": [p.get("containerPort") for p in c.get("ports") or []],
            }
        )
    return {
        "id": _id("pods", pod),
        "namespace": pod["metadata"]["namespace"],
        "name": pod["metadata"]["name"],
        "node": pod["spec"].get("nodeName"),
        "ip": status.get("podIP"),
        "phase": status.get("phase", "Pending"),
        "status": pod_status(pod),
        "ready": _ready_count(pod),
        "restarts": sum(c["restarts"] for c in containers),
        "hostNetwork": bool(pod["spec"].get("hostNetwork")),
        "owner": _owner(pod),
        "labels": pod["metadata"].get("labels") or {},
        "containers": containers,
    }


def service_view(cluster: Model, svc: dict) -> dict:
    ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
    endpoints = []
    for slice_ in cluster.store.select(
        "endpointslices", ns, {SERVICE_NAME_LABEL: name}
    ):
        for e in slice_.get("endpoints") or []:
            endpoints.append(
                {
                    "ip": e["addresses"][0],
                    "node": e.get("nodeName"),
                    "pod": (e.get("targetRef") or {}).get("name"),
                    "ready": bool(e["conditions"].get("ready")),
                }
            )
    ingress = (svc.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    spec = svc["spec"]
    return {
        "id": _id("services", svc),
        "namespace": ns,
        "name": name,
        "type": spec.get("type", "ClusterIP"),
        "clusterIP": spec.get("clusterIP"),
        "externalIP": ingress[0].get("ip")
        if ingress
        else ("<pending>" if spec.get("type") == "LoadBalancer" else None),
        "ports": [
            {
                "name": p.get("name", ""),
                "port": p.get("port"),
                "targetPort": p.get("targetPort"),
                "nodePort": p.get("nodePort"),
                "protocol": p.get("protocol", "TCP"),
            }
            for p in spec.get("ports") or []
        ],
        "selector": spec.get("selector") or {},
        "externalTrafficPolicy": spec.get("externalTrafficPolicy"),
        "endpoints": endpoints,
    }


def workload_view(cluster: Model, obj: dict, collection: str) -> dict:
    status = obj.get("status", {})
    view = {
        "id": _id(collection, obj),
        "namespace": obj["metadata"]["namespace"],
        "name": obj["metadata"]["name"],
        "replicas": obj["spec"].get("replicas", 1),
        "ready": status.get("readyReplicas", 0),
        "available": status.get("availableReplicas", 0),
        "owner": _owner(obj),
    }
    if collection == "deployments":
        view["updated"] = status.get("updatedReplicas", 0)
    return view


def ingress_view(cluster: Model, ing: dict) -> dict:
    rules = []
    for rule in ing["spec"].get("rules") or []:
        for path in (rule.get("http") or {}).get("paths") or []:
            backend = (path.get("backend") or {}).get("service") or {}
            rules.append(
                {
                    "host": rule.get("host"),
                    "path": path.get("path", "/"),
                    "pathType": path.get("pathType"),
                    "service": backend.get("name"),
                    "port": (backend.get("port") or {}).get("number")
                    or (backend.get("port") or {}).get("name"),
                }
            )
    return {
        "id": _id("ingresses", ing),
        "namespace": ing["metadata"]["namespace"],
        "name": ing["metadata"]["name"],
        "class": ing["spec"].get("ingressClassName"),
        "rules": rules,
        "tls": [t.get("hosts", []) for t in ing["spec"].get("tls") or []],
    }


def hpa_view(cluster: Model, hpa: dict) -> dict:
    status = hpa.get("status", {})
    metrics = status.get("currentMetrics") or [{}]
    current = ((metrics[0].get("resource") or {}).get("current") or {}).get(
        "averageUtilization"
    )
    return {
        "id": _id("hpas", hpa),
        "namespace": hpa["metadata"]["namespace"],
        "name": hpa["metadata"]["name"],
        "target": hpa["spec"]["scaleTargetRef"]["name"],
        "min": hpa["spec"].get("minReplicas", 1),
        "max": hpa["spec"]["maxReplicas"],
        "current": status.get("currentReplicas"),
        "desired": status.get("desiredReplicas"),
        "cpu": current,
        "metric": "cpu",
        "targetCpu": _hpa_target(hpa["spec"]),
    }


def _hpa_target(spec: dict) -> int:
    """The CPU utilisation the HPA aims at (autoscaling/v2 metrics, or v1's field;
    80% when neither is set, as the HPA controller defaults it)."""
    for metric in spec.get("metrics") or []:
        target = (metric.get("resource") or {}).get("target") or {}
        if target.get("averageUtilization"):
            return int(target["averageUtilization"])
    return int(spec.get("targetCPUUtilizationPercentage", 80))


_VIEWS = {
    "nodes": ("nodes", node_view),
    "pods": ("pods", pod_view),
    "services": ("services", service_view),
    "deployments": ("deployments", lambda c, o: workload_view(c, o, "deployments")),
    "replicasets": ("replicasets", lambda c, o: workload_view(c, o, "replicasets")),
    "ingresses": ("ingresses", ingress_view),
    "horizontalpodautoscalers": ("hpas", hpa_view),
}


def snapshot(cluster: Viewed) -> dict:
    state = {
        "step": cluster.step_no,
        "time": round(cluster.time, 3),
        "horizon": cluster.history.horizon,
        "config": cluster.config.to_dict(),
    }
    for plural, (collection, fn) in _VIEWS.items():
        state[collection] = [fn(cluster, o) for o in cluster.store.list(plural)]
    return state


def _plural_and_ref(key: str) -> tuple[str, str | None, str]:
    parts = key.split("/")
    if parts[2] == "minions":
        return "nodes", None, parts[3]
    if parts[2] == "services":
        return ("services" if parts[3] == "specs" else "endpoints"), parts[4], parts[5]
    if len(parts) == 4:
        return parts[2], None, parts[3]
    return parts[2], parts[3], parts[4]


def delta_for_keys(cluster: Viewed, keys, event: Event | None) -> dict:
    """The current view of every object behind `keys` (upsert, or remove if gone)."""
    changes, seen = [], set()
    for key in keys:
        plural, ns, name = _plural_and_ref(key)
        if plural == "endpointslices":
            slice_ = cluster.store.get("endpointslices", ns, name)
            prev = None
            if slice_ is None:
                for e in reversed(event.writes if event else ()):
                    if e.key == key:
                        prev = e.previous
            svc_name = (
                (slice_ or prev or {}).get("metadata", {}).get("labels") or {}
            ).get(SERVICE_NAME_LABEL)
            if not svc_name:
                continue
            plural, name = "services", svc_name
        if plural not in _VIEWS:
            continue
        collection, fn = _VIEWS[plural]
        obj = cluster.store.get(plural, ns, name)
        ident = (
            f"{collection}/{ns}/{name}"
            if BY_PLURAL[plural].namespaced
            else f"{collection}/{name}"
        )
        if ident in seen:
            continue
        seen.add(ident)
        if obj is None:
            changes.append({"op": "remove", "id": ident})
        else:
            changes.append({"op": "upsert", "id": ident, "object": fn(cluster, obj)})
    return {
        "step": cluster.step_no,
        "time": round(cluster.time, 3),
        "horizon": cluster.history.horizon,
        "config": cluster.config.to_dict()
        if event is None or event.type == "cluster.configured"
        else None,
        "event": event_view(event) if event else None,
        "changes": changes,
    }


RUNNERS_UP = 3  # scored nodes shown beside the winner in a step's delta


def compact_decision(decision: dict) -> dict:
    """A scheduling decision small enough for any cluster: the winner, the best
    runners-up, and one node per distinct filter reason (with how many it stands for).

    The full per-node table stays in the scheduler's memory for the inspector;
    sending it in every step would make a one-pod delta grow with the node count.
    """
    nodes = decision.get("nodes") or {}
    chosen = decision.get("node")
    passed = sorted(
        (n for n, v in nodes.items() if v.get("filter") == "passed" and n != chosen),
        key=lambda n: (-nodes[n].get("total", 0), n),
    )
    keep = ([chosen] if chosen in nodes else []) + passed[:RUNNERS_UP]
    reasons: dict[str, list[str]] = {}
    for name in sorted(nodes):
        reason = nodes[name].get("filter")
        if reason != "passed":
            reasons.setdefault(reason, []).append(name)
    compact = {n: nodes[n] for n in keep}
    for names in reasons.values():
        compact[names[0]] = dict(nodes[names[0]], count=len(names))
    return {
        "node": chosen,
        "nodes": compact,
        "feasible": decision.get("feasible"),
        "evaluated": decision.get("evaluated", len(nodes)),
        "omitted": max(0, len(nodes) - len(compact)),
    }


def event_view(event: Event) -> dict:
    """An event as the browser gets it, with its scheduling decision compacted."""
    body = event.to_dict()
    decision = body["details"].get("decision")
    if decision:
        body["details"] = dict(body["details"], decision=compact_decision(decision))
    return body


def delta(cluster: Viewed, event: Event) -> dict:
    return delta_for_keys(cluster, [w.key for w in event.writes], event)
