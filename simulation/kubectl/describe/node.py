"""`kubectl describe node`: conditions, addresses, capacity, its pods' requests."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...quantity import format_cpu, format_memory, parse
from ..printers.columns import age, node_roles
from . import parts
from .parts import annotations, labels, multi, when

if TYPE_CHECKING:
    from ...context import Model


def describe(cluster: Model, node: dict) -> list[str]:
    meta, spec, st = node["metadata"], node["spec"], node.get("status", {})
    taints = [
        f"{t['key']}{'=' + t['value'] if t.get('value') else ''}:{t['effect']}"
        for t in spec.get("taints") or []
    ]
    out = [
        f"Name:\t{meta['name']}",
        f"Roles:\t{node_roles(node)}",
        *multi("Labels:", labels(node)),
        *multi("Annotations:", annotations(node)),
        f"CreationTimestamp:\t{when(meta.get('creationTimestamp'))}",
        *multi("Taints:", taints),
        f"Unschedulable:\t{str(bool(spec.get('unschedulable'))).lower()}",
    ]
    out += node_conditions(st, when)
    out.append("Addresses:")
    out += [f"  {a['type']}:\t{a['address']}" for a in st.get("addresses", [])]
    for title in ("Capacity", "Allocatable"):
        out.append(f"{title}:")
        out += [f"  {k}:\t{v}" for k, v in sorted(st.get(title.lower(), {}).items())]
    info = st.get("nodeInfo", {})
    out += [
        "System Info:",
        "  Machine ID:\t",
        "  System UUID:\t",
        "  Boot ID:\t",
        f"  Kernel Version:\t{info.get('kernelVersion', '')}",
        f"  OS Image:\t{info.get('osImage', '')}",
        f"  Operating System:\t{info.get('operatingSystem', '')}",
        f"  Architecture:\t{info.get('architecture', '')}",
        f"  Container Runtime Version:\t{info.get('containerRuntimeVersion', '')}",
        f"  Kubelet Version:\t{info.get('kubeletVersion', '')}",
        f"  Kube-Proxy Version:\t{info.get('kubeProxyVersion', '')}",
    ]
    if spec.get("podCIDR"):
        out.append(f"PodCIDR:\t{spec['podCIDR']}")
        out.append(f"PodCIDRs:\t{','.join(spec.get('podCIDRs') or [spec['podCIDR']])}")
    if spec.get("providerID"):
        out.append(f"ProviderID:\t{spec['providerID']}")
    out += node_pods(cluster, node)
    out += parts.events(cluster, node)
    return out


def node_conditions(status: dict, when) -> list[str]:
    out = [
        "Conditions:",
        "  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage",
        "  ----\t------\t-----------------\t------------------\t------\t-------",
    ]
    for c in status.get("conditions") or []:
        out.append(
            f"  {c['type']}\t{c['status']}\t{when(c.get('lastHeartbeatTime'))}\t"
            f"{when(c.get('lastTransitionTime'))}\t{c.get('reason', '')}\t"
            f"{c.get('message', '')}"
        )
    return out


def _pct(value: float, total: float) -> str:
    return f"{int(value * 100 // total) if total else 0}%"


def node_pods(cluster: Model, node: dict) -> list[str]:
    pods = [
        p
        for p in cluster.store.pods_on_node(node["metadata"]["name"])
        if p.get("status", {}).get("phase") not in ("Succeeded", "Failed")
    ]
    pods.sort(key=lambda p: (p["metadata"]["namespace"], p["metadata"]["name"]))
    alloc = node.get("status", {}).get("allocatable", {})
    cpu_total, mem_total = parse(alloc.get("cpu", 0)), parse(alloc.get("memory", 0))
    out = [
        f"Non-terminated Pods:\t({len(pods)} in total)",
        "  Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits"
        "\tAge",
        "  ---------\t----\t------------\t----------\t---------------\t-------------"
        "\t---",
    ]
    sums = {"rc": 0.0, "lc": 0.0, "rm": 0.0, "lm": 0.0}
    for p in pods:
        vals = {"rc": 0.0, "lc": 0.0, "rm": 0.0, "lm": 0.0}
        for c in p["spec"]["containers"]:
            res = c.get("resources") or {}
            req, lim = res.get("requests") or {}, res.get("limits") or {}
            vals["rc"] += parse(req.get("cpu", 0))
            vals["lc"] += parse(lim.get("cpu", 0))
            vals["rm"] += parse(req.get("memory", 0))
            vals["lm"] += parse(lim.get("memory", 0))
        for k in sums:
            sums[k] += vals[k]
        out.append(
            f"  {p['metadata']['namespace']}\t{p['metadata']['name']}\t"
            + "\t".join(_amounts(vals, cpu_total, mem_total))
            + f"\t{age(cluster, p['metadata'].get('creationTimestamp'))}"
        )
    rc, lc, rm, lm = _amounts(sums, cpu_total, mem_total)
    out += [
        "Allocated resources:",
        "  (Total limits may be over 100 percent, i.e., overcommitted.)",
        "  Resource\tRequests\tLimits",
        "  --------\t--------\t------",
        f"  cpu\t{rc}\t{lc}",
        f"  memory\t{rm}\t{lm}",
        "  ephemeral-storage\t0 (0%)\t0 (0%)",
    ]
    return out


def _amounts(v: dict, cpu_total: float, mem_total: float) -> list[str]:
    def cpu(x):
        return f"{format_cpu(x) if x else '0'} ({_pct(x, cpu_total)})"

    def mem(x):
        return f"{format_memory(x) if x else '0'} ({_pct(x, mem_total)})"

    return [cpu(v["rc"]), cpu(v["lc"]), mem(v["rm"]), mem(v["lm"])]
