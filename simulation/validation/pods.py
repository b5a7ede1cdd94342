"""Checks for a pod spec (a Pod's, or a workload's template), field by field."""

from __future__ import annotations

from .fields import (
    boolean,
    check_labels,
    check_name,
    mapping,
    one_of,
    port,
    quantity,
    quote,
    sequence,
    string,
    whole,
)

PROTOCOLS = ("SCTP", "TCP", "UDP")
EFFECTS = ("NoExecute", "NoSchedule", "PreferNoSchedule")
OPERATORS = ("DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn")


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
        name = c.get("name")
        errors += check_name(f"{at}.name", name, "label")
        if isinstance(name, str) and name in seen:
            errors.append(f"{at}.name: Duplicate value: {quote(name)}")
        if isinstance(name, str):
            seen.add(name)
        if not isinstance(c.get("image"), str) or not c.get("image"):
            errors.append(f"{at}.image: Required value")
        errors += _container(at, c)
    errors += string(f"{field}.nodeName", spec.get("nodeName"))
    errors += check_labels(f"{field}.nodeSelector", spec.get("nodeSelector"))
    errors += _tolerations(f"{field}.tolerations", spec.get("tolerations"))
    errors += _affinity(f"{field}.affinity", spec.get("affinity"))
    for key in ("hostNetwork", "automountServiceAccountToken"):
        errors += boolean(f"{field}.{key}", spec.get(key))
    for key in (
        "restartPolicy",
        "schedulerName",
        "serviceAccountName",
        "serviceAccount",
        "priorityClassName",
        "dnsPolicy",
    ):
        errors += string(f"{field}.{key}", spec.get(key))
    errors += whole(
        f"{field}.terminationGracePeriodSeconds",
        spec.get("terminationGracePeriodSeconds"),
        0,
    )
    errors += _volumes(f"{field}.volumes", spec.get("volumes"))
    return errors


def _container(at: str, c: dict) -> list[str]:
    errors = []
    ports = c.get("ports")
    errors += sequence(f"{at}.ports", ports)
    for j, p in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(p, dict):
            errors.append(f"{at}.ports[{j}]: Invalid value: must be an object")
            continue
        errors += port(f"{at}.ports[{j}].containerPort", p.get("containerPort"))
        if p.get("name") is not None:
            errors += port(f"{at}.ports[{j}].name", p["name"], allow_name=True)
        errors += one_of(f"{at}.ports[{j}].protocol", p.get("protocol"), PROTOCOLS)
    errors += _resources(f"{at}.resources", c.get("resources"))
    env = c.get("env")
    errors += sequence(f"{at}.env", env)
    for j, var in enumerate(env if isinstance(env, list) else []):
        if not isinstance(var, dict):
            errors.append(f"{at}.env[{j}]: Invalid value: must be an object")
            continue
        if not isinstance(var.get("name"), str) or not var.get("name"):
            errors.append(f"{at}.env[{j}].name: Required value")
        errors += string(f"{at}.env[{j}].value", var.get("value"))
    for key in ("command", "args"):
        value = c.get(key)
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(v, str) for v in value)
        ):
            errors.append(
                f"{at}.{key}: Invalid value: {quote(value)}: must be a list of strings"
            )
    for key in ("readinessProbe", "livenessProbe", "startupProbe"):
        probe = c.get(key)
        errors += mapping(f"{at}.{key}", probe)
        if isinstance(probe, dict):
            for number in ("initialDelaySeconds", "periodSeconds"):
                errors += whole(f"{at}.{key}.{number}", probe.get(number), 0)
    errors += sequence(f"{at}.volumeMounts", c.get("volumeMounts"))
    return errors


def _resources(at: str, resources: object) -> list[str]:
    if resources is None:
        return []
    if not isinstance(resources, dict):
        return [f"{at}: Invalid value: {quote(resources)}: must be an object"]
    errors: list[str] = []
    amounts: dict[str, dict[str, float]] = {}
    for part in ("requests", "limits"):
        values = resources.get(part)
        if values is None:
            continue
        if not isinstance(values, dict):
            errors.append(f"{at}.{part}: Invalid value: {quote(values)}: must be a map")
            continue
        for name, value in values.items():
            found, amount = quantity(f"{at}.{part}[{name}]", value)
            errors += found
            if not found:
                amounts.setdefault(part, {})[str(name)] = amount
    for name, request in amounts.get("requests", {}).items():
        limit = amounts.get("limits", {}).get(name)
        if limit is not None and request > limit:
            shown = resources["requests"][name]
            errors.append(
                f"{at}.requests: Invalid value: {quote(shown)}: must be less than"
                f" or equal to {name} limit of {resources['limits'][name]}"
            )
    return errors


def _tolerations(at: str, tolerations: object) -> list[str]:
    if tolerations is None:
        return []
    if not isinstance(tolerations, list):
        return [f"{at}: Invalid value: {quote(tolerations)}: must be a list"]
    errors = []
    for i, t in enumerate(tolerations):
        here = f"{at}[{i}]"
        if not isinstance(t, dict):
            errors.append(f"{here}: Invalid value: must be an object")
            continue
        for key in ("key", "value"):
            errors += string(f"{here}.{key}", t.get(key))
        errors += one_of(f"{here}.operator", t.get("operator"), ("Equal", "Exists"))
        if t.get("effect") != "":
            errors += one_of(f"{here}.effect", t.get("effect"), EFFECTS)
        errors += whole(f"{here}.tolerationSeconds", t.get("tolerationSeconds"))
    return errors


def _affinity(at: str, affinity: object) -> list[str]:
    if affinity is None:
        return []
    if not isinstance(affinity, dict):
        return [f"{at}: Invalid value: {quote(affinity)}: must be an object"]
    node = affinity.get("nodeAffinity")
    errors = mapping(f"{at}.nodeAffinity", node)
    if not isinstance(node, dict):
        return errors
    at = f"{at}.nodeAffinity"
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution")
    here = f"{at}.requiredDuringSchedulingIgnoredDuringExecution"
    errors += mapping(here, required)
    if isinstance(required, dict):
        terms = required.get("nodeSelectorTerms")
        errors += sequence(f"{here}.nodeSelectorTerms", terms)
        for i, term in enumerate(terms if isinstance(terms, list) else []):
            errors += _term(f"{here}.nodeSelectorTerms[{i}]", term)
    preferred = node.get("preferredDuringSchedulingIgnoredDuringExecution")
    here = f"{at}.preferredDuringSchedulingIgnoredDuringExecution"
    errors += sequence(here, preferred)
    for i, item in enumerate(preferred if isinstance(preferred, list) else []):
        if not isinstance(item, dict):
            errors.append(f"{here}[{i}]: Invalid value: must be an object")
            continue
        weight = item.get("weight")
        if not isinstance(weight, int) or isinstance(weight, bool):
            errors.append(f"{here}[{i}].weight: Required value")
        elif not 1 <= weight <= 100:
            errors.append(
                f"{here}[{i}].weight: Invalid value: {weight}: must be in the range"
                " 1-100"
            )
        errors += _term(f"{here}[{i}].preference", item.get("preference") or {})
    return errors


def _term(at: str, term: object) -> list[str]:
    if not isinstance(term, dict):
        return [f"{at}: Invalid value: must be an object"]
    expressions = term.get("matchExpressions")
    errors = sequence(f"{at}.matchExpressions", expressions)
    for i, e in enumerate(expressions if isinstance(expressions, list) else []):
        here = f"{at}.matchExpressions[{i}]"
        if not isinstance(e, dict):
            errors.append(f"{here}: Invalid value: must be an object")
            continue
        if not isinstance(e.get("key"), str) or not e.get("key"):
            errors.append(f"{here}.key: Required value")
        errors += one_of(f"{here}.operator", e.get("operator"), OPERATORS)
        values = e.get("values")
        if values is not None and (
            not isinstance(values, list) or not all(isinstance(v, str) for v in values)
        ):
            errors.append(
                f"{here}.values: Invalid value: {quote(values)}: must be a list of"
                " strings"
            )
    return errors


def _volumes(at: str, volumes: object) -> list[str]:
    if volumes is None:
        return []
    if not isinstance(volumes, list):
        return [f"{at}: Invalid value: {quote(volumes)}: must be a list"]
    errors = []
    for i, v in enumerate(volumes):
        if not isinstance(v, dict) or not isinstance(v.get("name"), str):
            errors.append(f"{at}[{i}].name: Required value")
    return errors
