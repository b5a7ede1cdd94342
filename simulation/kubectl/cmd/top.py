"""`kubectl top pods|nodes`: resource usage as metrics-server would report it.

The model runs no processes, so usage is derived: a Deployment's CPU load (set with
`sim load`, what the HPA reads) is shared by its ready pods, on top of a small idle
baseline per container; memory is a plausible idle figure for the image. The same
cluster state always gives the same numbers.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from ...errors import UsageError
from ...objects import is_ready
from ...quantity import parse
from ..objects import namespace_of
from ..parser import Args, Flag
from ..printers.tabwriter import table
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (Flag("all-namespaces", "A"), Flag("selector", "l", "str"))
NODE_BASE = (0.08, 600 * 2**20)  # kubelet, containerd, kube-proxy, the OS
IDLE_MEMORY = {
    "kube-apiserver": 250,
    "etcd": 45,
    "kube-controller-manager": 50,
    "kube-scheduler": 20,
    "coredns": 14,
    "redis": 3,
    "nginx": 3,
}


def _jitter(name: str, spread: int) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest()[:6], 16) % spread


def _deployment(cluster, pod: dict) -> str | None:
    ns = pod["metadata"]["namespace"]
    for ref in pod["metadata"].get("ownerReferences") or []:
        rs = cluster.store.get("replicasets", ns, ref.get("name", ""))
        for owner in (rs or {}).get("metadata", {}).get("ownerReferences") or []:
            if owner.get("kind") == "Deployment":
                return f"{ns}/{owner['name']}"
    return None


def usage(cluster: Model) -> dict[str, tuple[float, float]]:
    """(cores, bytes) for every running pod on a live node, keyed `ns/name`."""
    failed = cluster.state.world.failed_nodes
    running = [
        p
        for p in cluster.store.list("pods")
        if p.get("status", {}).get("phase") == "Running"
        and p["spec"].get("nodeName") not in failed
    ]
    sharers: dict[str, int] = {}
    for pod in running:
        owner = _deployment(cluster, pod)
        if owner and is_ready(pod):
            sharers[owner] = sharers.get(owner, 0) + 1
    out = {}
    for pod in running:
        key = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
        cpu = memory = 0.0
        for c in pod["spec"]["containers"]:
            image = c.get("image", "").rsplit("/", 1)[-1].split(":")[0]
            cpu += (1 + _jitter(key + c["name"], 3)) / 1000
            idle = next((v for k, v in IDLE_MEMORY.items() if k in image), 8)
            memory += (idle + _jitter(key, 4)) * 2**20
        owner = _deployment(cluster, pod)
        load = float(cluster.state.world.load.get(owner or "", 0.0))
        if owner and is_ready(pod) and load:
            cpu += load / sharers[owner]
        out[key] = (cpu, memory)
    return out


def _cpu(cores: float) -> str:
    return f"{max(round(cores * 1000), 1)}m"


def _mem(value: float) -> str:
    return f"{round(value / 2**20)}Mi"


def run(cluster: Model, args: Args) -> KubectlResult:
    what = args.words[0] if args.words else ""
    if what in ("pod", "pods", "po"):
        return KubectlResult(output=_pods(cluster, args))
    if what in ("node", "nodes", "no"):
        return KubectlResult(output=_nodes(cluster, args.words[1:]))
    raise UsageError(
        "error: Usage: kubectl top (node | pod) [NAME] [flags]\nSee 'kubectl top -h'"
        " for help and examples"
    )


def _pods(cluster, args) -> str:
    every = bool(args.flag("all-namespaces"))
    ns = namespace_of(args)
    names = set(args.words[1:])
    rows = []
    for key, (cpu, memory) in sorted(usage(cluster).items()):
        pod_ns, _, name = key.partition("/")
        if (not every and pod_ns != ns) or (names and name not in names):
            continue
        rows.append(([pod_ns] if every else []) + [name, _cpu(cpu), _mem(memory)])
    if not rows:
        return "No resources found" + ("" if every else f" in {ns} namespace.")
    head = (["NAMESPACE"] if every else []) + ["NAME", "CPU(cores)", "MEMORY(bytes)"]
    return table([head, *rows])


def _nodes(cluster, names: list[str]) -> str:
    pods = usage(cluster)
    failed = cluster.state.world.failed_nodes
    rows = [["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]]
    for node in cluster.store.list("nodes"):
        name = node["metadata"]["name"]
        if names and name not in names:
            continue
        if name in failed:
            rows.append([name] + ["<unknown>"] * 4)
            continue
        cpu, memory = NODE_BASE
        for p in cluster.store.pods_on_node(name):
            used = pods.get(f"{p['metadata']['namespace']}/{p['metadata']['name']}")
            if used:
                cpu, memory = cpu + used[0], memory + used[1]
        alloc = node.get("status", {}).get("allocatable", {})
        cpu_total = parse(alloc.get("cpu", 1)) or 1
        mem_total = parse(alloc.get("memory", 1)) or 1
        rows.append(
            [
                name,
                _cpu(cpu),
                f"{int(100 * cpu / cpu_total)}%",
                _mem(memory),
                f"{int(100 * memory / mem_total)}%",
            ]
        )
    if len(rows) == 1:
        raise UsageError(f'Error from server (NotFound): nodes "{names[0]}" not found')
    return table(rows)
