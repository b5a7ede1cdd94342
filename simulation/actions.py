"""User actions (apply, kubectl, faults, traces, settings), each one model step."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, NamedTuple

from . import admission, manifests, validation
from . import limits as session_limits
from .component import Outcome
from .control_plane.controllers.node_lifecycle import detection_time
from .errors import LimitExceeded, NotFound, SimulationError, UsageError
from .objects import is_control_plane
from .resources import for_object

if TYPE_CHECKING:
    from .cluster import ActionResult, Cluster


class Acted(NamedTuple):
    actor: str
    outcome: Outcome


def perform(cluster: Cluster, action: dict) -> tuple[ActionResult, Acted | None]:
    """Carry out one action. Handlers replace `cluster.sim` values, never change
    them in place: the checkpoint taken before an action shares them."""
    handler = _HANDLERS.get(action["op"])
    if handler is None:
        raise UsageError(
            f"error: unknown action {action['op']!r} (known:"
            f" {', '.join(sorted(_HANDLERS))})"
        )
    return handler(cluster, action)


def _result(**kw):
    from .cluster import ActionResult

    return ActionResult(ok=True, **kw)


# --- apply -------------------------------------------------------------------------
def apply_objects(
    cluster: Cluster, objects: list[dict], actor: str = "kubectl"
) -> list[str]:
    """kubectl apply: create what is missing, update what differs; all or nothing."""
    limits = cluster.config.limits
    if len(objects) > limits.objects_per_apply:
        raise LimitExceeded(
            f"error: {len(objects)} objects is over this session's limit"
            f" of {limits.objects_per_apply} per apply"
        )
    for obj in objects:  # all or nothing: check every object before writing any
        resource = for_object(obj) if isinstance(obj, dict) else None
        if resource is None:
            cluster.api.create(obj, actor=actor)  # raises the kubectl-style error
        if not isinstance(obj.get("metadata") or {}, dict):
            raise SimulationError(
                "error: error validating data: metadata must be an object"
            )
        validation.check_object(resource, obj)
    addon = _ingress_controller(cluster, objects)
    session_limits.check_apply(cluster, objects + addon)
    lines = []
    for obj in objects:
        resource = for_object(obj)
        meta = obj.get("metadata") or {}
        ns = (meta.get("namespace") or "default") if resource.namespaced else None
        existing = (
            cluster.store.get(resource.plural, ns, meta.get("name", ""))
            if isinstance(meta.get("name"), str)
            else None
        )
        label = f"{resource.display}/{meta.get('name', '')}"
        if existing is None:
            # status is the components' to write (the status subresource): the
            # API server drops what a client sends with a new object
            cluster.api.create(_without_status(obj), actor=actor, verb="POST")
            lines.append(f"{label} created")
            continue
        merged = _merge(existing, obj)
        # compare with the defaults filled in, as the API server would store it
        admission.apply_defaults(resource.kind, merged)
        if merged == existing:
            lines.append(f"{label} unchanged")
            continue
        cluster.api.update(merged, actor=actor, verb="PATCH")
        lines.append(f"{label} configured")
    for obj in addon:
        cluster.api.create(obj, actor=actor, verb="POST")
    if addon:
        lines.append("(ingress-nginx controller installed)")
    return lines


def _ingress_controller(cluster: Cluster, objects: list[dict]) -> list[dict]:
    """ingress-nginx's objects, when this apply brings an Ingress to a cluster that
    has no controller to route it: an Ingress does nothing on its own."""
    from .network import addons

    def names_the_namespace(obj: dict) -> bool:
        meta = obj.get("metadata") or {}
        return obj.get("kind") == "Namespace" and meta.get("name") == addons.NAMESPACE

    if (
        not any(o.get("kind") == "Ingress" for o in objects)
        or cluster.store.get("namespaces", None, addons.NAMESPACE) is not None
        or any(names_the_namespace(o) for o in objects)
    ):
        return []
    return addons.ingress_nginx(cluster.config)


def _without_status(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k != "status"}


def _merge(existing: dict, applied: dict) -> dict:
    merged = copy.deepcopy(existing)
    meta = applied.get("metadata") or {}
    for field in ("labels", "annotations"):
        if field in meta:
            merged["metadata"][field] = copy.deepcopy(meta[field])
    for field, value in applied.items():
        if field in ("apiVersion", "kind", "metadata", "status") or value is None:
            continue
        if field == "spec" and existing["kind"] == "Service":
            spec = copy.deepcopy(value)
            for keep in ("clusterIP", "clusterIPs"):
                spec.setdefault(keep, existing["spec"].get(keep))
            old_ports = {p.get("port"): p for p in existing["spec"].get("ports", [])}
            for port in spec.get("ports") or []:
                if "nodePort" in old_ports.get(port.get("port"), {}):
                    port.setdefault("nodePort", old_ports[port["port"]]["nodePort"])
            merged["spec"] = {**existing["spec"], **spec}
        elif field == "spec" and existing["kind"] == "Pod":
            continue  # a pod's spec is (mostly) immutable
        elif field == "spec":
            merged["spec"] = {**existing["spec"], **copy.deepcopy(value)}
        else:
            merged[field] = copy.deepcopy(value)
    return merged


def _apply(cluster, action):
    if "objects" in action:
        objects = action["objects"]
        if not isinstance(objects, list):
            raise UsageError("error: 'objects' must be a list")
    else:
        limits = cluster.config.limits
        objects = manifests.load(
            action.get("yaml"), limits.manifest_bytes, limits.objects_per_apply
        )
    lines = apply_objects(cluster, objects)
    output = "\n".join(lines)
    changed = [ln for ln in lines if not ln.endswith("unchanged")]
    if not changed:
        return _result(output=output), None
    return _result(output=output), Acted(
        "kubectl",
        Outcome(
            "kubectl.apply",
            f"kubectl sent {len(changed)} request{'s' if len(changed) > 1 else ''}"
            " to the API"
            " server, which validated, defaulted and stored each object in etcd: "
            + "; ".join(changed)
            + ".",
            concept="api-server",
            objects=(),
        ),
    )


# --- kubectl -----------------------------------------------------------------------
def _kubectl(cluster, action):
    from . import kubectl

    line = action.get("command")
    if not isinstance(line, str):
        raise UsageError("error: 'command' must be a string")
    if line.split(None, 1)[:1] == ["sim"]:
        return _sim_read(cluster, line), None
    done = kubectl.run(cluster, line)
    result = _result(output=done.output, trace=done.trace)
    if not done.changed:
        return result, None
    return result, Acted(
        "kubectl",
        Outcome(
            done.type or "kubectl.command",
            done.summary or f"kubectl: {line.strip()}",
            concept=done.concept or "api-server",
            objects=tuple(done.objects),
        ),
    )


def _sim_read(cluster, line: str):
    """A console's `sim VERB …`: only the verbs that read a node's tables; the
    others step or change the cluster, which the page's own buttons do."""
    from .kubectl.lexer import lex
    from .network import tables

    words = lex(line).words[1:]
    if not words or words[0] not in tables.VERBS:
        verb = words[0] if words else ""
        known = ", ".join(tables.VERBS)
        raise UsageError(
            f"error: the console runs the read-only sim verbs ({known})"
            f"; {'sim ' + verb if verb else 'that'} changes or steps the cluster: use"
            " the Step and Play buttons, or a node's or pod's buttons in the Inspector"
        )
    return _result(output=tables.read(cluster.network, words))


# --- faults ------------------------------------------------------------------------
def _node(cluster, action) -> dict:
    name = action.get("node") or action.get("target")
    node = cluster.store.get("nodes", None, name) if isinstance(name, str) else None
    if node is None:
        raise NotFound("nodes", str(name))
    return node


def _fail_node(cluster, action):
    node = _node(cluster, action)
    name = node["metadata"]["name"]
    if name in cluster.sim["failed_nodes"]:
        raise UsageError(f"error: node {name} has already failed")
    cluster.sim["failed_nodes"] = cluster.sim["failed_nodes"] | {name}
    cluster.sim["failed_at"] = dict(
        cluster.sim.get("failed_at", {}), **{name: cluster.time}
    )
    when = detection_time(cluster.time)
    cluster.queue.push(
        when, "node-lifecycle-controller", f"monitor|{name}", dedupe=False
    )
    return _result(output=f"node/{name} failed"), Acted(
        "sim",
        Outcome(
            "node.failed",
            f"{name} lost power: its kubelet stops renewing its Lease and its pods"
            " stop. Nothing in the API changes yet — the control plane only notices"
            " the silence.",
            concept="node-failure",
            objects=(f"nodes/{name}",),
            details={"detectAt": when},
        ),
    )


def _restore_node(cluster, action):
    node = _node(cluster, action)
    name = node["metadata"]["name"]
    if name not in cluster.sim["failed_nodes"]:
        raise UsageError(f"error: node {name} is not failed")
    cluster.sim["failed_nodes"] = cluster.sim["failed_nodes"] - {name}
    cluster.queue.push(
        cluster.time + 1.0, "node-lifecycle-controller", f"recover|{name}", dedupe=False
    )
    for pod in cluster.store.pods_on_node(name):
        cluster.queue.push(
            cluster.time + 1.5,
            "kubelet",
            "resync|"
            + cluster.store.key(
                "pods", pod["metadata"]["namespace"], pod["metadata"]["name"]
            ),
            dedupe=False,
        )
    return _result(output=f"node/{name} restored"), Acted(
        "sim",
        Outcome(
            "node.restored",
            f"{name} is back: its kubelet starts renewing its Lease again.",
            concept="node-failure",
            objects=(f"nodes/{name}",),
        ),
    )


def _pod(cluster, action) -> dict:
    ref = action.get("pod") or action.get("target")
    if not isinstance(ref, str):
        raise UsageError("error: name a pod as NAMESPACE/NAME or NAME")
    ns, _, name = ref.rpartition("/")
    pod = cluster.store.get("pods", ns or "default", name)
    if pod is None:
        raise NotFound("pods", name)
    return pod


def _kill_pod(cluster, action):
    pod = _pod(cluster, action)
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    cluster.api.delete("pods", ns, name, actor="kubectl")
    return _result(output=f'pod "{name}" deleted'), Acted(
        "kubectl",
        Outcome(
            "pod.killed",
            f"The pod {name} was deleted. Its ReplicaSet will notice one pod"
            " missing and create a replacement with a new name (and usually a new IP).",
            concept="self-healing",
            objects=(f"pods/{ns}/{name}",),
        ),
    )


def _crash_container(cluster, action):
    from .node.kubelet import CRASH_BACKOFF, crash

    pod = _pod(cluster, action)
    ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
    container = action.get("container") or pod["spec"]["containers"][0]["name"]
    if container not in [c["name"] for c in pod["spec"]["containers"]]:
        raise NotFound("container", container)
    if pod.get("status", {}).get("phase") != "Running":
        raise UsageError(f"error: pod {name} is not Running")
    crash(cluster.api, pod, container, cluster.time)
    key = cluster.store.key("pods", ns, name)
    cluster.queue.push(
        cluster.time + CRASH_BACKOFF, "kubelet", f"restart|{key}", dedupe=False
    )
    return _result(output=f"container {container} in pod/{name} crashed"), Acted(
        "kubelet",
        Outcome(
            "container.crashed",
            f"Container {container} in {name} exited with code 1. The kubelet reports"
            " it"
            " (not Ready, so endpoints drop the pod) and restarts it in place after a"
            " 10s back-off: same pod, same IP.",
            concept="self-healing",
            node=pod["spec"]["nodeName"],
            objects=(f"pods/{ns}/{name}",),
        ),
    )


# --- settings, time, traces ----------------------------------------------------------
def _set(cluster, action):
    from .config import CNI_MODES, PLATFORMS, PROXY_MODES

    changes = []
    for key, attr, allowed in (
        ("cni", "cni", CNI_MODES),
        ("proxyMode", "proxy_mode", PROXY_MODES),
        ("platform", "platform", PLATFORMS),
    ):
        if key in action:
            if action[key] not in allowed:
                raise UsageError(f"error: {key} must be one of {', '.join(allowed)}")
            if getattr(cluster.config, attr) != action[key]:
                setattr(cluster.config, attr, action[key])
                changes.append(f"{key} = {action[key]}")
    if "nodes" in action:
        changes += _set_nodes(cluster, action["nodes"])
    if not changes:
        return _result(output="nothing to change"), None
    if "platform = cloud" in changes:
        for svc in cluster.store.list("services"):
            if svc["spec"].get("type") == "LoadBalancer":
                key = cluster.store.key(
                    "services", svc["metadata"]["namespace"], svc["metadata"]["name"]
                )
                cluster.queue.push(cluster.time + 3.0, "cloud-controller-manager", key)
    return _result(output="\n".join(changes)), Acted(
        "sim",
        Outcome(
            "cluster.configured",
            "The cluster's settings changed: " + ", ".join(changes) + ".",
            concept="settings",
        ),
    )


def _set_nodes(cluster, count) -> list[str]:
    from .bootstrap import register_node

    workers = [n for n in cluster.store.list("nodes") if not is_control_plane(n)]
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise UsageError("error: nodes must be a whole number >= 1")
    if count > cluster.config.limits.nodes:
        raise LimitExceeded(
            f"error: {count} nodes is over this session's limit of"
            f" {cluster.config.limits.nodes}"
        )
    if count < len(workers):
        raise UsageError(
            "error: removing nodes is done with `kubectl drain` and"
            " `kubectl delete node`"
        )
    numbers = [
        int(n["metadata"]["name"].rsplit("-", 1)[1])
        for n in workers
        if n["metadata"]["name"].rsplit("-", 1)[-1].isdigit()
    ]
    start = max(numbers, default=0)
    for i in range(start + 1, start + 1 + count - len(workers)):
        register_node(cluster, f"node-{i}", i)
    return [f"nodes = {count}"] if count != len(workers) else []


def _trace(cluster, action):
    source, target = action.get("from"), action.get("to")
    if not isinstance(source, str) or not isinstance(target, str):
        raise UsageError("error: a trace needs 'from' and 'to'")
    trace = cluster.network.trace(source, target)
    data = trace if isinstance(trace, dict) else trace.to_dict()
    return _result(output=data.get("summary", ""), trace=data), Acted(
        "client",
        Outcome(
            "packet.trace",
            data.get("summary")
            or f"A packet from {source} to {target}: {data.get('verdict')}.",
            concept="networking",
            details={"verdict": data.get("verdict"), "hops": len(data.get("hops", []))},
        ),
    )


def _load(cluster, action):
    """Set the CPU load (cores) a Deployment's pods are under, for the HPA lessons."""
    target, cores = action.get("deployment"), action.get("cores")
    if not isinstance(target, str) or not isinstance(cores, (int, float)) or cores < 0:
        raise UsageError(
            "error: load needs 'deployment' (NAMESPACE/NAME) and 'cores' >= 0"
        )
    ns, _, name = target.rpartition("/")
    if cluster.store.get("deployments", ns or "default", name) is None:
        raise NotFound("deployments.apps", name)
    cluster.sim["load"] = dict(
        cluster.sim["load"], **{f"{ns or 'default'}/{name}": cores}
    )
    return _result(
        output=f"deployment.apps/{name} now under {cores} CPU cores of load"
    ), Acted(
        "sim",
        Outcome(
            "load.changed",
            f"Users now send {name} enough requests to keep {cores} CPU cores busy.",
            concept="autoscaling",
        ),
    )


_HANDLERS = {
    "apply": _apply,
    "kubectl": _kubectl,
    "fail_node": _fail_node,
    "restore_node": _restore_node,
    "kill_pod": _kill_pod,
    "crash_container": _crash_container,
    "set": _set,
    "trace": _trace,
    "load": _load,
}
