"""What the API server checks before it writes, worded as kubectl prints it.

`check_object` checks the metadata every object has, then the spec of the kinds the
model reads, field by field: a value of the wrong type is refused here rather than
break a controller, the scheduler or the view later.
"""

from __future__ import annotations

from ..errors import Invalid, SimulationError
from ..resources import Resource
from . import data
from .fields import (
    DNS1035_MSG,
    LABEL_MSG,
    SUBDOMAIN_MSG,
    check_annotations,
    check_labels,
    check_name,
    quote,
    string,
)
from .kinds import (
    check_hpa,
    check_ingress,
    check_ingress_class,
    check_lease,
    check_node,
    check_service,
    check_workload,
    externally_accessible,
    needs_health_check,
)
from .networkpolicy import check_network_policy
from .pods import check_pod_spec

# kinds whose objects have no spec in the API (data, or fields at the top level)
WITHOUT_SPEC = frozenset(
    {"ConfigMap", "Secret", "Event", "EndpointSlice", "Endpoints", "ServiceAccount"}
)

__all__ = [
    "DNS1035_MSG",
    "LABEL_MSG",
    "SUBDOMAIN_MSG",
    "check_labels",
    "check_name",
    "check_object",
    "check_pod_spec",
    "externally_accessible",
    "needs_health_check",
]


def check_object(resource: Resource, obj: dict) -> None:
    """Raise Invalid with every cause found, as the API server reports them."""
    meta = obj.get("metadata")
    name = meta.get("name", "") if isinstance(meta, dict) else ""
    if not isinstance(meta, dict):
        raise Invalid(resource.kind, "", ["metadata: Required value"])
    shown = name if isinstance(name, str) else ""
    spec = obj.get("spec")
    if spec is not None and resource.kind in WITHOUT_SPEC:
        raise SimulationError(
            f'Error from server (BadRequest): {resource.kind} in version "v1"'
            f" cannot be handled as a {resource.kind}: strict decoding error:"
            ' unknown field "spec"'
        )
    if spec is not None and not isinstance(spec, dict):
        raise Invalid(
            resource.kind,
            shown,
            [f"spec: Invalid value: {quote(spec)}: must be an object"],
        )
    style = {"Service": "dns1035", "Namespace": "label"}.get(resource.kind, "subdomain")
    errors = check_name("metadata.name", name, style)
    errors += string("metadata.namespace", meta.get("namespace"))
    errors += string("metadata.generateName", meta.get("generateName"))
    errors += check_labels("metadata.labels", meta.get("labels"))
    errors += check_annotations("metadata.annotations", meta.get("annotations"))
    errors += _check_spec(resource.kind, spec or {})
    if resource.kind in data.CHECKS:
        errors += data.CHECKS[resource.kind](obj)
    if errors:
        raise Invalid(resource.kind, shown, errors)


def _check_spec(kind: str, spec: dict) -> list[str]:
    if kind == "Pod":
        return check_pod_spec("spec", spec)
    if kind in ("Deployment", "ReplicaSet"):
        return check_workload(kind, spec)
    checks = {
        "Service": check_service,
        "Ingress": check_ingress,
        "HorizontalPodAutoscaler": check_hpa,
        "Node": check_node,
        "Lease": check_lease,
        "IngressClass": check_ingress_class,
        "NetworkPolicy": check_network_policy,
    }
    check = checks.get(kind)
    return check(spec) if check else []
