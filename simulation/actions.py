"""User actions (apply, kubectl, faults, traces, settings), each one model step."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from . import kubectl, manifests
from .apply import apply_objects, policy_note
from .bootstrap import register_node
from .component import Outcome
from .config import CNI_MODES, PLATFORMS, PROXY_MODES
from .control_plane.controllers.node_lifecycle import detection_time
from .errors import LimitExceeded, NotFound, SimulationError, UsageError
from .kubectl.lexer import lex
from .network import tables
from .node.kubelet import CRASH_BACKOFF, crash
from .objects import is_control_plane

if TYPE_CHECKING:
    from .context import Model
    from .events import Event


class Acted(NamedTuple):
    actor: str
    outcome: Outcome


def perform(cluster: Model, action: dict) -> tuple[ActionResult, Acted | None]:
    """Carry out one action. Handlers replace the world's values, never change
    them in place: the checkpoint taken before an action shares them."""
    handler = _HANDLERS.get(action["op"])
    if handler is None:
        raise UsageError(
            f"error: unknown action {action['op']!r} (known:"
            f" {', '.join(sorted(_HANDLERS))})"
        )
    return handler(cluster, action)


@dataclass
class ActionResult:
    """What a user action produced: kubectl-style output, the step, any trace."""

    ok: bool
    output: str = ""
    error: str | None = None
    event: Event | None = None
    trace: dict | None = None
    data: Any = field(default=None, repr=False)


def _result(**kw):
    return ActionResult(ok=True, **kw)


# --- apply -------------------------------------------------------------------------
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
    applied = apply_objects(cluster, objects)
    output = "\n".join(applied.lines)
    changed = applied.changed
    if applied.error and not changed:
        raise SimulationError(
            "\n".join([*applied.lines, applied.error])
            if applied.lines
            else applied.error
        )
    # kubectl sends each object on its own: what was accepted stays, and the
    # refusals are reported beside it (the result is then not ok, but a step)
    result = ActionResult(ok=not applied.error, output=output, error=applied.error)
    if not changed:
        return result, None
    return result, Acted(
        "kubectl",
        Outcome(
            "kubectl.apply",
            f"kubectl sent {len(changed)} request{'s' if len(changed) > 1 else ''}"
            " to the API"
            " server, which validated, defaulted and stored each object in etcd: "
            + "; ".join(changed)
            + "."
            + policy_note(cluster, changed),
            concept="api-server",
            objects=(),
        ),
    )


# --- kubectl -----------------------------------------------------------------------
def _kubectl(cluster, action):
    line = action.get("command")
    if not isinstance(line, str):
        raise UsageError("error: 'command' must be a string")
    if line.split(None, 1)[:1] == ["sim"]:
        return _sim_read(cluster, line), None
    done = kubectl.run(cluster, line)
    result = ActionResult(
        ok=done.error is None, output=done.output, error=done.error, trace=done.trace
    )
    if done.error and not done.changed:
        raise SimulationError(done.error)
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
    world = cluster.state.world
    if name in world.failed_nodes:
        raise UsageError(f"error: node {name} has already failed")
    world.failed_nodes = world.failed_nodes | {name}
    world.failed_at = dict(world.failed_at, **{name: cluster.time})
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
    world = cluster.state.world
    if name not in world.failed_nodes:
        raise UsageError(f"error: node {name} is not failed")
    world.failed_nodes = world.failed_nodes - {name}
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
    changes = []
    for key, attr, allowed in (
        ("cni", "cni", CNI_MODES),
        ("proxyMode", "proxy_mode", PROXY_MODES),
        ("platform", "platform", PLATFORMS),
    ):
        if key in action:
            if action[key] not in allowed:
                raise UsageError(
                    f"error: {key} {action[key]!r} is not one KubeViz models"
                    f" (choose from {', '.join(allowed)})"
                )
            if getattr(cluster.config, attr) != action[key]:
                setattr(cluster.config, attr, action[key])
                changes.append(f"{key} = {action[key]}")
    if "nodePortAddresses" in action:
        changes += _set_node_port_addresses(cluster, action["nodePortAddresses"])
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


def _set_node_port_addresses(cluster, cidrs) -> list[str]:
    """kube-proxy's nodePortAddresses (KubeProxyConfiguration): IPv4 CIDRs, or none
    for every local address."""
    if not isinstance(cidrs, list) or not all(isinstance(c, str) for c in cidrs):
        raise UsageError("error: nodePortAddresses must be a list of CIDRs")
    found = []
    for text in cidrs:
        try:
            found.append(str(ipaddress.IPv4Network(text.strip(), strict=False)))
        except ValueError:
            raise UsageError(
                f"error: nodePortAddresses: {text!r} is not an IPv4 CIDR"
            ) from None
    value = tuple(dict.fromkeys(found))
    if value == cluster.config.node_port_addresses:
        return []
    cluster.config.node_port_addresses = value
    return [f"nodePortAddresses = {','.join(value) or 'all local addresses'}"]


def _set_nodes(cluster, count) -> list[str]:
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
    world = cluster.state.world
    world.load = dict(world.load, **{f"{ns or 'default'}/{name}": cores})
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
