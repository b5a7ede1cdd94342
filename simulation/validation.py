"""What the API server checks before it writes, worded as kubectl prints it."""

from __future__ import annotations

import re

from .errors import Invalid
from .resources import Resource

_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
)
_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters,"
    " '-' or '.', and must start and end with an alphanumeric character (e.g."
    " 'example.com', regex used for validation is"
    " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or"
    " '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or"
    " '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
DNS1035_MSG = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start"
    " with an alphabetic character, and end with an alphanumeric character (e.g."
    " 'my-name',  or 'abc-123', regex used for validation is"
    " '[a-z]([-a-z0-9]*[a-z0-9])?')"
)


def _quote(value: object) -> str:
    text = str(value)
    return '"' + (text[:80] + "..." if len(text) > 80 else text) + '"'


def check_name(field: str, value: object, style: str = "subdomain") -> list[str]:
    """Errors for a name field in the style Kubernetes applies to that kind."""
    if not isinstance(value, str) or not value:
        return [f"{field}: Required value: name or generateName is required"]
    rule, msg, limit = {
        "subdomain": (_SUBDOMAIN, SUBDOMAIN_MSG, 253),
        "label": (_LABEL, LABEL_MSG, 63),
        "dns1035": (_DNS1035, DNS1035_MSG, 63),
    }[style]
    errors = []
    if len(value) > limit:
        errors.append(
            f"{field}: Invalid value: {_quote(value)}: must be no more than {limit}"
            " characters"
        )
    if not rule.match(value):
        errors.append(f"{field}: Invalid value: {_quote(value)}: {msg}")
    return errors


def check_labels(field: str, labels: object) -> list[str]:
    if labels is None:
        return []
    if not isinstance(labels, dict):
        return [f"{field}: Invalid value: must be a map of strings"]
    errors = []
    for key, value in labels.items():
        name = str(key).rpartition("/")[2]
        if not isinstance(key, str) or not _QUALIFIED.match(name) or len(name) > 63:
            errors.append(
                f"{field}: Invalid value: {_quote(key)}: name part must"
                " consist of alphanumeric characters, '-', '_' or '.'"
            )
        if (
            not isinstance(value, str)
            or len(value) > 63
            or not _LABEL_VALUE.match(value)
        ):
            errors.append(
                f"{field}: Invalid value: {_quote(value)}: a valid label must"
                " be an empty string or consist of alphanumeric characters,"
                " '-', '_' or '.'"
            )
    return errors


def _port(field: str, value: object, allow_name: bool = False) -> list[str]:
    if allow_name and isinstance(value, str):
        return (
            check_name(field, value, "label")
            if len(value) <= 15
            else [
                f"{field}: Invalid value: {_quote(value)}: must be no more than 15"
                " characters"
            ]
        )
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
        return [
            f"{field}: Invalid value: {_quote(value)}: must be between 1 and 65535,"
            " inclusive"
        ]
    return []


def check_pod_spec(field: str, spec: object) -> list[str]:
    if not isinstance(spec, dict):
        return [f"{field}: Required value"]
    containers = spec.get("containers")
    if not isinstance(containers, list) or not containers:
        return [f"{field}.containers: Required value"]
    errors: list[str] = []
    seen: set[str] = set()
    for i, c in enumerate(containers):
        at = f"{field}.containers[{i}]"
        if not isinstance(c, dict):
            errors.append(f"{at}: Invalid value: must be an object")
            continue
        errors += check_name(f"{at}.name", c.get("name"), "label")
        if c.get("name") in seen:
            errors.append(f"{at}.name: Duplicate value: {_quote(c.get('name'))}")
        seen.add(c.get("name"))
        if not isinstance(c.get("image"), str) or not c.get("image"):
            errors.append(f"{at}.image: Required value")
        for j, p in enumerate(c.get("ports") or []):
            if not isinstance(p, dict):
                errors.append(f"{at}.ports[{j}]: Invalid value: must be an object")
                continue
            errors += _port(f"{at}.ports[{j}].containerPort", p.get("containerPort"))
    if spec.get("nodeSelector") is not None:
        errors += check_labels(f"{field}.nodeSelector", spec.get("nodeSelector"))
    return errors


def _selector_matches(selector: dict, labels: dict) -> bool:
    return all(
        labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items()
    )


def check_object(resource: Resource, obj: dict) -> None:
    """Raise Invalid with every cause found, as the API server reports them."""
    meta = obj.get("metadata")
    name = meta.get("name", "") if isinstance(meta, dict) else ""
    errors: list[str] = []
    if not isinstance(meta, dict):
        raise Invalid(resource.kind, "", ["metadata: Required value"])
    style = {"Service": "dns1035", "Namespace": "label"}.get(resource.kind, "subdomain")
    errors += check_name("metadata.name", name, style)
    errors += check_labels("metadata.labels", meta.get("labels"))
    spec = obj.get("spec") or {}
    if resource.kind == "Pod":
        errors += check_pod_spec("spec", spec)
    elif resource.kind in ("Deployment", "ReplicaSet"):
        errors += _check_workload(spec)
    elif resource.kind == "Service":
        errors += _check_service(spec)
    elif resource.kind == "Ingress":
        errors += _check_ingress(spec)
    elif resource.kind == "HorizontalPodAutoscaler":
        if not isinstance((spec.get("scaleTargetRef") or {}).get("name"), str):
            errors.append("spec.scaleTargetRef.name: Required value")
        top = spec.get("maxReplicas")
        if not isinstance(top, int) or top < 1:
            errors.append(
                f"spec.maxReplicas: Invalid value: {_quote(top)}: must be"
                " greater than or equal to 1"
            )
    if errors:
        raise Invalid(resource.kind, name, errors)


def _check_workload(spec: dict) -> list[str]:
    errors = []
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        errors.append(
            f"spec.replicas: Invalid value: {_quote(replicas)}: must be"
            " greater than or equal to 0"
        )
    selector = spec.get("selector")
    if not isinstance(selector, dict) or not (
        selector.get("matchLabels") or selector.get("matchExpressions")
    ):
        errors.append("spec.selector: Required value")
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    errors += check_labels("spec.template.metadata.labels", labels)
    if isinstance(selector, dict) and not _selector_matches(selector, labels):
        errors.append(
            "spec.template.metadata.labels: Invalid value: "
            f"{_quote(labels)}: `selector` does not match template `labels`"
        )
    errors += check_pod_spec("spec.template.spec", template.get("spec"))
    return errors


def _check_service(spec: dict) -> list[str]:
    errors = []
    kind = spec.get("type", "ClusterIP")
    if kind not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        errors.append(
            f'spec.type: Unsupported value: "{kind}": supported values:'
            ' "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'
        )
    ports = spec.get("ports") or []
    if kind != "ExternalName" and not ports:
        errors.append("spec.ports: Required value")
    for i, p in enumerate(ports):
        if not isinstance(p, dict):
            errors.append(f"spec.ports[{i}]: Invalid value: must be an object")
            continue
        errors += _port(f"spec.ports[{i}].port", p.get("port"))
        if "targetPort" in p:
            errors += _port(f"spec.ports[{i}].targetPort", p["targetPort"], True)
        if len(ports) > 1 and not p.get("name"):
            errors.append(f"spec.ports[{i}].name: Required value")
        if p.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
            errors.append(
                f"spec.ports[{i}].protocol: Unsupported value:"
                f" {_quote(p.get('protocol'))}"
            )
    policy = spec.get("externalTrafficPolicy")
    if policy is not None and policy not in ("Cluster", "Local"):
        errors.append(
            f"spec.externalTrafficPolicy: Unsupported value: {_quote(policy)}"
        )
    errors += check_labels("spec.selector", spec.get("selector"))
    return errors


def _check_ingress(spec: dict) -> list[str]:
    errors = []
    for i, rule in enumerate(spec.get("rules") or []):
        for j, path in enumerate(((rule or {}).get("http") or {}).get("paths") or []):
            at = f"spec.rules[{i}].http.paths[{j}]"
            if path.get("pathType") not in (
                "Exact",
                "Prefix",
                "ImplementationSpecific",
            ):
                errors.append(
                    f"{at}.pathType: Unsupported value:"
                    f" {_quote(path.get('pathType'))}: supported values:"
                    ' "Exact", "ImplementationSpecific", "Prefix"'
                )
            if not ((path.get("backend") or {}).get("service") or {}).get("name"):
                errors.append(f"{at}.backend: Required value")
    return errors
