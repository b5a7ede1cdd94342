"""The table each kind prints in `kubectl get`: headers, `-o wide` headers, rows."""

from __future__ import annotations

from collections.abc import Callable

from . import columns as c
from . import columns_more as more

Printer = tuple[list[str], list[str], Callable]
# `-o wide` tables whose extra columns are not all at the end (the row function
# gives its cells in this order)
WIDE_ORDER: dict[str, list[str]] = {
    "events": [
        "LAST SEEN",
        "TYPE",
        "REASON",
        "OBJECT",
        "SUBOBJECT",
        "SOURCE",
        "MESSAGE",
        "FIRST SEEN",
        "COUNT",
        "NAME",
    ],
}
PRINTERS: dict[str, Printer] = {
    "pods": (
        ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"],
        c.pod_row,
    ),
    "nodes": (
        ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
        [
            "INTERNAL-IP",
            "EXTERNAL-IP",
            "OS-IMAGE",
            "KERNEL-VERSION",
            "CONTAINER-RUNTIME",
        ],
        c.node_row,
    ),
    "services": (
        ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
        ["SELECTOR"],
        c.service_row,
    ),
    "endpoints": (["NAME", "ENDPOINTS", "AGE"], [], c.endpoints_row),
    "endpointslices": (
        ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
        [],
        c.slice_row,
    ),
    "deployments": (
        ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        more.deployment_row,
    ),
    "replicasets": (
        ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
        ["CONTAINERS", "IMAGES", "SELECTOR"],
        more.replicaset_row,
    ),
    "ingresses": (
        ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"],
        [],
        more.ingress_row,
    ),
    "networkpolicies": (
        ["NAME", "POD-SELECTOR", "AGE"],
        [],
        more.simple_row(
            lambda o: c.selector_text((o.get("spec") or {}).get("podSelector"))
        ),
    ),
    "events": (
        ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
        ["SUBOBJECT", "SOURCE", "FIRST SEEN", "COUNT", "NAME"],
        more.event_row,
    ),
    "horizontalpodautoscalers": (
        ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
        [],
        more.hpa_row,
    ),
    "namespaces": (
        ["NAME", "STATUS", "AGE"],
        [],
        more.simple_row(lambda o: o.get("status", {}).get("phase", "Active")),
    ),
    "serviceaccounts": (
        ["NAME", "SECRETS", "AGE"],
        [],
        more.simple_row(lambda o: str(len(o.get("secrets") or []))),
    ),
    "configmaps": (
        ["NAME", "DATA", "AGE"],
        [],
        more.simple_row(
            lambda o: str(len(o.get("data") or {}) + len(o.get("binaryData") or {}))
        ),
    ),
    "secrets": (
        ["NAME", "TYPE", "DATA", "AGE"],
        [],
        more.simple_row(
            lambda o: o.get("type", "Opaque"), lambda o: str(len(o.get("data") or {}))
        ),
    ),
    "leases": (
        ["NAME", "HOLDER", "AGE"],
        [],
        more.simple_row(lambda o: (o.get("spec") or {}).get("holderIdentity", "")),
    ),
    "ingressclasses": (
        ["NAME", "CONTROLLER", "PARAMETERS", "AGE"],
        [],
        more.simple_row(
            lambda o: (o.get("spec") or {}).get("controller", ""), lambda o: more.NONE
        ),
    ),
}
