"""`cordon`, `uncordon` and `drain`: taking a node out of service the polite way.

drain cordons the node, then asks the API server to evict each pod (POST
…/pods/NAME/eviction); the API server deletes the pod, its controller makes a
replacement, and the scheduler places it on another node. Mirror (static) pods are
skipped; unmanaged pods, DaemonSet pods and emptyDir pods need kubectl's flags.
Unlike kubectl, a drain that would fail changes nothing (not even the cordon), so a
refused drain is not a step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import SimulationError, UsageError
from ...events import APICall
from ...resources import BY_PLURAL
from ..objects import fetch, resource_type, server_error
from ..parser import Args, Flag
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model

DRAIN_FLAGS = (
    Flag("ignore-daemonsets"),
    Flag("delete-emptydir-data"),
    Flag("force"),
    Flag("grace-period", kind="int"),
    Flag("timeout", kind="str"),
)
MIRROR = ("kubernetes.io/config.mirror", "kubernetes.io/config.source")


def _node_name(args, verb: str) -> str:
    words = list(args.words)
    if len(words) == 2 and resource_type(words[0]).plural == "nodes":
        words = words[1:]
    if len(words) != 1:
        raise UsageError(
            f"error: USAGE: {verb} NODE [flags]\nSee 'kubectl {verb} -h' for help"
            " and examples"
        )
    name = words[0].removeprefix("node/").removeprefix("nodes/")
    return name


def cordon(cluster: Model, args: Args, on: bool = True) -> KubectlResult:
    verb = "cordon" if on else "uncordon"
    name = _node_name(args, verb)
    node = fetch(cluster, BY_PLURAL["nodes"], None, name)
    if bool(node["spec"].get("unschedulable")) == on:
        return KubectlResult(output=f"node/{name} already {verb}ed")
    _set_unschedulable(cluster, name, on)
    return KubectlResult(
        output=f"node/{name} {verb}ed",
        changed=True,
        summary=(
            f"kubectl marked {name} unschedulable: the scheduler places no new pods"
            " there, and the pods already on it keep running."
            if on
            else f"kubectl marked {name} schedulable again: new pods may land on it."
        ),
        type=f"kubectl.{verb}",
        concept="scheduling",
        objects=[f"nodes/{name}"],
    )


def _set_unschedulable(cluster, name: str, on: bool) -> None:
    def change(node: dict) -> None:
        if on:
            node["spec"]["unschedulable"] = True
        else:
            node["spec"].pop("unschedulable", None)

    cluster.api.patch("nodes", None, name, change, actor="kubectl")


def _kind_of_owner(pod: dict) -> str | None:
    for ref in pod["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("kind")
    return None


def drain(cluster: Model, args: Args) -> KubectlResult:
    name = _node_name(args, "drain")
    node = fetch(cluster, BY_PLURAL["nodes"], None, name)
    pods = [p for p in cluster.store.pods_on_node(name)]
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    evict, ignored, problems = [], [], {}
    for pod in pods:
        meta = pod["metadata"]
        ref = f"{meta['namespace']}/{meta['name']}"
        annotations = meta.get("annotations") or {}
        if any(a in annotations for a in MIRROR):
            continue  # the kubelet owns static pods; the API cannot remove them
        owner = _kind_of_owner(pod)
        if owner == "DaemonSet":
            if not args.flag("ignore-daemonsets"):
                problems.setdefault("daemonset", []).append(ref)
            ignored.append(ref)
            continue
        if owner is None and not args.flag("force"):
            problems.setdefault("unmanaged", []).append(ref)
        volumes = pod["spec"].get("volumes") or []
        if any("emptyDir" in v for v in volumes) and not args.flag(
            "delete-emptydir-data"
        ):
            problems.setdefault("emptydir", []).append(ref)
        evict.append(pod)
    if problems:
        raise UsageError(_drain_error(name, problems))
    lines = []
    if not node["spec"].get("unschedulable"):
        _set_unschedulable(cluster, name, True)
        lines.append(f"node/{name} cordoned")
    else:
        lines.append(f"node/{name} already cordoned")
    unmanaged = [p for p in evict if _kind_of_owner(p) is None]
    if unmanaged:
        refs = ", ".join(
            f"{p['metadata']['namespace']}/{p['metadata']['name']}" for p in unmanaged
        )
        lines.append(f"Warning: deleting Pods that declare no controller: {refs}")
    if ignored:
        lines.append(f"Warning: ignoring DaemonSet-managed Pods: {', '.join(ignored)}")
    for pod in evict:
        meta = pod["metadata"]
        lines.append(f"evicting pod {meta['namespace']}/{meta['name']}")
    for pod in evict:
        _evict(cluster, pod, args.flag("grace-period"))
        lines.append(f"pod/{pod['metadata']['name']} evicted")
    lines.append(f"node/{name} drained")
    return KubectlResult(
        output="\n".join(lines),
        changed=True,
        summary=f"kubectl cordoned {name} and evicted {len(evict)} pod"
        f"{'s' if len(evict) != 1 else ''}; their controllers will create"
        " replacements, which the scheduler places on other nodes.",
        type="kubectl.drain",
        concept="node-maintenance",
        objects=[f"nodes/{name}"]
        + [f"pods/{p['metadata']['namespace']}/{p['metadata']['name']}" for p in evict],
    )


def _evict(cluster, pod: dict, grace) -> None:
    meta = pod["metadata"]
    path = BY_PLURAL["pods"].path(meta["namespace"], meta["name"]) + "/eviction"
    cluster.api.calls.append(APICall("kubectl", "POST", path))
    try:
        # The eviction handler inside the API server performs the delete.
        cluster.api.delete(
            "pods", meta["namespace"], meta["name"], actor="kube-apiserver", grace=grace
        )
    except SimulationError as exc:
        raise server_error(exc) from None


def _drain_error(name: str, problems: dict) -> str:
    texts = {
        "unmanaged": "cannot delete Pods that declare no controller (use --force to"
        " override)",
        "daemonset": "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to"
        " ignore)",
        "emptydir": "cannot delete Pods with local storage (use --delete-emptydir-data"
        " to override)",
    }
    parts = [f"{texts[k]}: {', '.join(v)}" for k, v in problems.items()]
    detail = ", ".join(parts)
    return (
        f'error: unable to drain node "{name}" due to error: {detail}, continuing'
        f" command...\nThere are pending nodes to be drained:\n {name}\n"
        + "\n".join(parts)
    )
