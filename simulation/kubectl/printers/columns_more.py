"""Columns for workloads, Ingresses, events, HPAs and the kinds with few columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from .columns import NONE, age, created, selector_text

if TYPE_CHECKING:
    from ...context import Model


def _containers(template_spec: dict) -> list[str]:
    cs = template_spec.get("containers") or []
    return [",".join(c["name"] for c in cs), ",".join(c.get("image", "") for c in cs)]


def deployment_row(cluster: Model, d: dict, wide: bool) -> list[str]:
    st, want = d.get("status", {}), d["spec"].get("replicas", 1)
    row = [
        d["metadata"]["name"],
        f"{st.get('readyReplicas', 0)}/{want}",
        str(st.get("updatedReplicas", 0)),
        str(st.get("availableReplicas", 0)),
        created(cluster, d),
    ]
    if wide:
        row += _containers(d["spec"]["template"].get("spec") or {})
        row.append(selector_text(d["spec"].get("selector")))
    return row


def replicaset_row(cluster: Model, rs: dict, wide: bool) -> list[str]:
    st = rs.get("status", {})
    row = [
        rs["metadata"]["name"],
        str(rs["spec"].get("replicas", 1)),
        str(st.get("replicas", 0)),
        str(st.get("readyReplicas", 0)),
        created(cluster, rs),
    ]
    if wide:
        row += _containers(rs["spec"]["template"].get("spec") or {})
        row.append(selector_text(rs["spec"].get("selector")))
    return row


def ingress_row(cluster: Model, ing: dict, wide: bool) -> list[str]:
    spec = ing["spec"]
    hosts = [r.get("host") or "*" for r in spec.get("rules") or []]
    lb = (ing.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    return [
        ing["metadata"]["name"],
        spec.get("ingressClassName") or NONE,
        ",".join(hosts) or "*",
        ",".join(i.get("ip") or i.get("hostname", "") for i in lb),
        "80, 443" if spec.get("tls") else "80",
        created(cluster, ing),
    ]


def event_row(cluster: Model, ev: dict, wide: bool) -> list[str]:
    """printEvent (kubernetes pkg/printers/internalversion): LAST SEEN is the age
    of lastTimestamp alone (`(x4 over 2m)` is describe's); wide adds SUBOBJECT,
    SOURCE, FIRST SEEN, COUNT and NAME, in the order of eventColumnDefinitions."""
    obj = ev.get("involvedObject") or {}
    first = ev.get("firstTimestamp") or ev.get("eventTime")
    first_seen = age(cluster, first) if first else "<unknown>"
    last = ev.get("lastTimestamp")
    last_seen = age(cluster, last) if last else first_seen
    kind = str(obj.get("kind") or "").lower()
    target = f"{kind}/{obj['name']}" if obj.get("name") else kind
    message = str(ev.get("message") or "").strip()
    if not wide:
        return [last_seen, ev.get("type", ""), ev.get("reason", ""), target, message]
    source = ev.get("source") or {}
    origin = source.get("component") or ev.get("reportingComponent") or ""
    host = source.get("host") or ev.get("reportingInstance") or ""
    return [
        last_seen,
        ev.get("type", ""),
        ev.get("reason", ""),
        target,
        obj.get("fieldPath") or "",
        f"{origin}, {host}" if host else origin,
        message,
        first_seen,
        str(ev.get("count") or 1),
        ev["metadata"]["name"],
    ]


def hpa_targets(hpa: dict) -> str:
    goal = "<unset>"
    for m in hpa["spec"].get("metrics") or []:
        target = (m.get("resource") or {}).get("target") or {}
        if "averageUtilization" in target:
            goal = f"{target['averageUtilization']}%"
    if "targetCPUUtilizationPercentage" in hpa["spec"]:
        goal = f"{hpa['spec']['targetCPUUtilizationPercentage']}%"
    current = "<unknown>"
    for m in hpa.get("status", {}).get("currentMetrics") or []:
        value = ((m.get("resource") or {}).get("current") or {}).get(
            "averageUtilization"
        )
        if value is not None:
            current = f"{value}%"
    return f"cpu: {current}/{goal}"


def hpa_row(cluster: Model, hpa: dict, wide: bool) -> list[str]:
    ref = hpa["spec"].get("scaleTargetRef") or {}
    return [
        hpa["metadata"]["name"],
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        hpa_targets(hpa),
        str(hpa["spec"].get("minReplicas", 1)),
        str(hpa["spec"].get("maxReplicas", "")),
        str(hpa.get("status", {}).get("currentReplicas", 0)),
        created(cluster, hpa),
    ]


def simple_row(*cells: Callable[[dict], str]):
    def row(cluster, obj: dict, wide: bool) -> list[str]:
        return [
            obj["metadata"]["name"],
            *(f(obj) for f in cells),
            created(cluster, obj),
        ]

    return row
