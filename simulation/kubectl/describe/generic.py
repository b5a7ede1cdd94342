"""`kubectl describe` for ReplicaSets, and kubectl's generic describer for the rest
(Name, Labels, then every field with its camelCase name spelled out, Events)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..printers.columns import selector_text
from .parts import annotations, events, labels, multi, template

if TYPE_CHECKING:
    from ...context import Model

_HIDDEN_META = {"name", "namespace", "labels", "annotations", "creationRevision"}


def describe_replicaset(cluster: Model, rs: dict) -> list[str]:
    meta, spec, st = rs["metadata"], rs["spec"], rs.get("status", {})
    pods = [
        p
        for p in cluster.store.list("pods", meta["namespace"])
        if any(
            r.get("uid") == meta.get("uid")
            for r in p["metadata"].get("ownerReferences") or []
        )
    ]
    phases = [p.get("status", {}).get("phase", "Pending") for p in pods]
    out = [
        f"Name:\t{meta['name']}",
        f"Namespace:\t{meta['namespace']}",
        f"Selector:\t{selector_text(spec.get('selector'))}",
        *multi("Labels:", labels(rs)),
        *multi("Annotations:", annotations(rs)),
    ]
    for ref in meta.get("ownerReferences") or []:
        if ref.get("controller"):
            out.append(f"Controlled By:\t{ref['kind']}/{ref['name']}")
    out += [
        f"Replicas:\t{st.get('replicas', 0)} current / {spec.get('replicas', 1)}"
        " desired",
        f"Pods Status:\t{phases.count('Running')} Running /"
        f" {phases.count('Pending')} Waiting / {phases.count('Succeeded')} Succeeded"
        f" / {phases.count('Failed')} Failed",
    ]
    out += template(spec.get("template") or {})
    out += events(cluster, rs)
    return out


def describe_generic(cluster: Model, obj: dict) -> list[str]:
    meta = obj.get("metadata") or {}
    out = [f"Name:\t{meta.get('name', '')}"]
    if meta.get("namespace"):
        out.append(f"Namespace:\t{meta['namespace']}")
    out += [
        *multi("Labels:", labels(obj)),
        *multi("Annotations:", annotations(obj)),
        f"API Version:\t{obj.get('apiVersion', '')}",
        f"Kind:\t{obj.get('kind', '')}",
    ]
    rest = {k: v for k, v in meta.items() if k not in _HIDDEN_META}
    if rest:
        out += _field("metadata", rest, 0)
    for key in sorted(obj):
        if key not in ("apiVersion", "kind", "metadata") and obj[key] not in ({}, []):
            out += _field(key, obj[key], 0)
    out += events(cluster, obj)
    return out


def title(key: str) -> str:
    """`creationTimestamp` → `Creation Timestamp`, as kubectl's describer spells it."""
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(key))
    return words[:1].upper() + words[1:]


def _field(key: str, value: object, level: int) -> list[str]:
    pad = "  " * level
    if isinstance(value, dict):
        out = [f"{pad}{title(key)}:"]
        for k in sorted(value):
            out += _field(k, value[k], level + 1)
        return out
    if isinstance(value, list):
        out = [f"{pad}{title(key)}:"]
        for item in value:
            if isinstance(item, dict):
                lines: list[str] = []
                for k in sorted(item):
                    lines += _field(k, item[k], level + 1)
                out += lines
            else:
                out.append(f"{pad}  {item}")
        return out
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return [f"{pad}{title(key)}:\t{text}"]
