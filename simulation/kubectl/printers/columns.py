"""The columns `kubectl get` prints for each kind, filled the way kubectl fills them.

Each printer returns (headers, wide headers, row function); the row function gets the
cluster, the object and whether `-o wide` was asked for. Cells follow kubectl's own
printers (pkg/printers/internalversion): `<none>`, `<pending>`, `80:31234/TCP`, AGE.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from ... import clock
from ...objects import ROLE_LABEL_PREFIX, node_address, node_status, pod_status

if TYPE_CHECKING:
    from ...context import Model

NONE = "<none>"


# Timestamps repeat across thousands of rows; strptime is the slow part of a table.
_parse = lru_cache(maxsize=4096)(clock.parse)


def age(cluster: Model, stamp: str | None) -> str:
    """kubectl's AGE: how long ago `stamp` was, on the simulated clock."""
    seconds = _parse(stamp)
    return "<unknown>" if seconds is None else clock.age(cluster.time - seconds)


def created(cluster: Model, obj: dict) -> str:
    return age(cluster, obj["metadata"].get("creationTimestamp"))


def labels_text(labels: dict | None) -> str:
    """labels.FormatLabels: `k=v` sorted by key, comma-joined, or `<none>`."""
    if not labels:
        return NONE
    return ",".join(f"{k}={v}" for k, v in sorted(labels.items()))


def selector_text(selector: dict | None) -> str:
    """metav1.FormatLabelSelector: the requirements sorted by key (as
    LabelSelectorAsSelector builds them), `<none>` for an empty selector."""
    if not selector:
        return NONE
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        return labels_text(selector)
    parts = [(k, f"{k}={v}") for k, v in (selector.get("matchLabels") or {}).items()]
    for e in selector.get("matchExpressions") or []:
        op, key, values = e.get("operator"), e.get("key"), e.get("values") or []
        if op in ("In", "NotIn"):
            text = f"{key} {op.lower()} ({','.join(sorted(values))})"
        else:
            text = key if op == "Exists" else f"!{key}"
        parts.append((key, text))
    parts.sort(key=lambda p: p[0])
    return ",".join(text for _, text in parts) or NONE


def pod_row(cluster: Model, pod: dict, wide: bool) -> list[str]:
    status = pod.get("status", {})
    statuses = status.get("containerStatuses") or []
    ready = sum(1 for s in statuses if s.get("ready"))
    restarts = sum(s.get("restartCount", 0) for s in statuses)
    restart_text = str(restarts)
    last = [
        (s.get("lastState") or {}).get("terminated", {}).get("finishedAt")
        for s in statuses
    ]
    last = [t for t in last if t]
    if restarts and last:
        restart_text += f" ({age(cluster, max(last))} ago)"
    row = [
        pod["metadata"]["name"],
        f"{ready}/{len(pod['spec']['containers'])}",
        pod_status(pod),
        restart_text,
        created(cluster, pod),
    ]
    if wide:
        gates = pod["spec"].get("readinessGates") or []
        row += [
            status.get("podIP") or NONE,
            pod["spec"].get("nodeName") or NONE,
            status.get("nominatedNodeName") or NONE,
            ",".join(g.get("conditionType", "") for g in gates) or NONE,
        ]
    return row


def node_roles(node: dict) -> str:
    labels = node["metadata"].get("labels") or {}
    roles = {
        k.split("/", 1)[1]
        for k in labels
        if k.startswith(ROLE_LABEL_PREFIX) and k.split("/", 1)[1]
    }
    if labels.get("kubernetes.io/role"):
        roles.add(labels["kubernetes.io/role"])
    return ",".join(sorted(roles)) or NONE


def node_row(cluster: Model, node: dict, wide: bool) -> list[str]:
    info = node.get("status", {}).get("nodeInfo", {})
    row = [
        node["metadata"]["name"],
        node_status(node),
        node_roles(node),
        created(cluster, node),
        info.get("kubeletVersion", ""),
    ]
    if wide:
        row += [
            node_address(node, "InternalIP") or NONE,
            node_address(node, "ExternalIP") or NONE,
            info.get("osImage") or "<unknown>",
            info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>",
        ]
    return row


def external_ip(svc: dict, wide: bool = False) -> str:
    spec = svc["spec"]
    kind = spec.get("type", "ClusterIP")
    extra = list(spec.get("externalIPs") or [])
    if kind == "ExternalName":
        return spec.get("externalName", "")
    if kind != "LoadBalancer":
        return ",".join(extra) or NONE
    ingress = (svc.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    lb = ",".join(i.get("ip") or i.get("hostname", "") for i in ingress)
    if lb and not wide and len(lb) > 16:
        lb = lb[:13] + "..."
    return ",".join([x for x in [lb] if x] + extra) or "<pending>"


def ports_text(svc: dict) -> str:
    pieces = []
    for p in svc["spec"].get("ports") or []:
        proto = p.get("protocol", "TCP")
        if p.get("nodePort"):
            pieces.append(f"{p['port']}:{p['nodePort']}/{proto}")
        else:
            pieces.append(f"{p['port']}/{proto}")
    return ",".join(pieces) or NONE


def service_row(cluster: Model, svc: dict, wide: bool) -> list[str]:
    spec = svc["spec"]
    row = [
        svc["metadata"]["name"],
        spec.get("type", "ClusterIP"),
        spec.get("clusterIP") or NONE,
        external_ip(svc, wide),
        ports_text(svc),
        created(cluster, svc),
    ]
    if wide:
        row.append(labels_text(spec.get("selector")))
    return row


def endpoints_text(subsets: list[dict], limit: int = 3) -> str:
    """formatEndpoints: ready `ip:port`s port by port, three, then `+ N more...`."""
    shown: list[str] = []
    count = 0
    for subset in subsets:
        ports = subset.get("ports") or [None]
        for port in ports:
            for a in subset.get("addresses") or []:
                if len(shown) < limit:
                    shown.append(
                        a["ip"] if port is None else f"{a['ip']}:{port['port']}"
                    )
                count += 1
    if not count:
        return NONE
    more = f" + {count - limit} more..." if count > limit else ""
    return ",".join(shown) + more


def endpoints_row(cluster: Model, ep: dict, wide: bool) -> list[str]:
    return [
        ep["metadata"]["name"],
        endpoints_text(ep.get("subsets") or []),
        created(cluster, ep),
    ]


def slice_row(cluster: Model, s: dict, wide: bool) -> list[str]:
    ports = [str(p.get("port", p.get("name", "*"))) for p in s.get("ports") or []]
    addresses = [a for e in s.get("endpoints") or [] for a in e.get("addresses") or []]
    shown = ",".join(addresses[:3]) + (
        f" + {len(addresses) - 3} more..." if len(addresses) > 3 else ""
    )
    return [
        s["metadata"]["name"],
        s.get("addressType", "IPv4"),
        ",".join(ports[:3]) + (" + more..." if len(ports) > 3 else "") or "<unset>",
        shown or "<unset>",
        created(cluster, s),
    ]
