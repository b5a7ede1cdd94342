"""Checks for the spec of each kind the model reads: workloads, Services, Ingresses,
HorizontalPodAutoscalers, Nodes and Leases."""

from __future__ import annotations

import ipaddress

from .fields import (
    boolean,
    check_labels,
    is_int,
    mapping,
    one_of,
    port,
    quote,
    sequence,
    string,
    whole,
)
from .pods import EFFECTS, check_pod_spec

SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")


def _selector_matches(selector: dict, labels: dict) -> bool:
    return all(
        labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items()
    )


def check_selector(at: str, selector: object) -> list[str]:
    """A LabelSelector: matchLabels and matchExpressions, one of them required."""
    if not isinstance(selector, dict) or not (
        selector.get("matchLabels") or selector.get("matchExpressions")
    ):
        return [f"{at}: Required value"]
    errors = check_labels(f"{at}.matchLabels", selector.get("matchLabels"))
    expressions = selector.get("matchExpressions")
    errors += sequence(f"{at}.matchExpressions", expressions)
    for i, e in enumerate(expressions if isinstance(expressions, list) else []):
        here = f"{at}.matchExpressions[{i}]"
        if not isinstance(e, dict) or not isinstance(e.get("key"), str):
            errors.append(f"{here}.key: Required value")
            continue
        errors += one_of(
            f"{here}.operator",
            e.get("operator"),
            ("DoesNotExist", "Exists", "In", "NotIn"),
        )
        values = e.get("values")
        if values is not None and not isinstance(values, list):
            errors.append(f"{here}.values: Invalid value: {quote(values)}")
    return errors


def check_workload(kind: str, spec: dict) -> list[str]:
    errors = whole("spec.replicas", spec.get("replicas", 1), 0)
    errors += whole("spec.minReadySeconds", spec.get("minReadySeconds"), 0)
    errors += whole("spec.revisionHistoryLimit", spec.get("revisionHistoryLimit"), 0)
    errors += whole(
        "spec.progressDeadlineSeconds", spec.get("progressDeadlineSeconds"), 0
    )
    selector = spec.get("selector")
    errors += check_selector("spec.selector", selector)
    template = spec.get("template")
    if not isinstance(template, dict):
        return errors + [f"spec.template: Invalid value: {quote(template)}: Required"]
    meta = template.get("metadata")
    errors += mapping("spec.template.metadata", meta)
    labels = (meta if isinstance(meta, dict) else {}).get("labels") or {}
    label_errors = check_labels("spec.template.metadata.labels", labels)
    errors += label_errors
    if (
        not label_errors
        and isinstance(selector, dict)
        and isinstance(selector.get("matchLabels") or {}, dict)
        and not _selector_matches(selector, labels)
    ):
        errors.append(
            "spec.template.metadata.labels: Invalid value: "
            f"{quote(labels)}: `selector` does not match template `labels`"
        )
    errors += check_pod_spec("spec.template.spec", template.get("spec"))
    if kind == "Deployment":
        errors += _strategy(spec.get("strategy"))
    return errors


def _strategy(strategy: object) -> list[str]:
    if strategy is None:
        return []
    if not isinstance(strategy, dict):
        return [f"spec.strategy: Invalid value: {quote(strategy)}: must be an object"]
    errors = one_of(
        "spec.strategy.type", strategy.get("type"), ("Recreate", "RollingUpdate")
    )
    rolling = strategy.get("rollingUpdate")
    errors += mapping("spec.strategy.rollingUpdate", rolling)
    for key in ("maxSurge", "maxUnavailable"):
        value = (rolling if isinstance(rolling, dict) else {}).get(key)
        if value is None or (is_int(value) and value >= 0):
            continue
        text = value[:-1] if isinstance(value, str) and value.endswith("%") else None
        if text is None or not text.isdigit():
            errors.append(
                f"spec.strategy.rollingUpdate.{key}: Invalid value: {quote(value)}:"
                " must be an integer or percentage (e.g. '5%')"
            )
    return errors


def check_service(spec: dict) -> list[str]:
    errors = []
    kind = spec.get("type", "ClusterIP")
    if kind not in SERVICE_TYPES:
        errors.append(
            f"spec.type: Unsupported value: {quote(kind)}: supported values:"
            ' "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'
        )
    ports = spec.get("ports") or []
    if not isinstance(ports, list):
        return errors + [f"spec.ports: Invalid value: {quote(ports)}: must be a list"]
    if kind != "ExternalName" and not ports:
        errors.append("spec.ports: Required value")
    for i, p in enumerate(ports):
        if not isinstance(p, dict):
            errors.append(f"spec.ports[{i}]: Invalid value: must be an object")
            continue
        errors += port(f"spec.ports[{i}].port", p.get("port"))
        if "targetPort" in p:
            errors += port(f"spec.ports[{i}].targetPort", p["targetPort"], True)
        if p.get("nodePort") is not None:
            if kind in ("ClusterIP", "ExternalName"):
                errors.append(
                    f"spec.ports[{i}].nodePort: Forbidden: may not be used when"
                    f" `type` is '{kind}'"
                )
            else:
                errors += port(f"spec.ports[{i}].nodePort", p["nodePort"])
        errors += string(f"spec.ports[{i}].name", p.get("name"))
        if len(ports) > 1 and not p.get("name"):
            errors.append(f"spec.ports[{i}].name: Required value")
        if p.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
            errors.append(
                f"spec.ports[{i}].protocol: Unsupported value:"
                f" {quote(p.get('protocol'))}"
            )
    errors += _duplicate_node_ports(ports)
    errors += _cluster_ip(spec.get("clusterIP"))
    errors += one_of(
        "spec.internalTrafficPolicy",
        spec.get("internalTrafficPolicy"),
        ("Cluster", "Local"),
    )
    errors += _external_traffic(kind, spec)
    errors += _external_ips(spec.get("externalIPs"))
    errors += _source_ranges(kind, spec.get("loadBalancerSourceRanges"))
    errors += one_of(
        "spec.sessionAffinity", spec.get("sessionAffinity"), ("ClientIP", "None")
    )
    config = spec.get("sessionAffinityConfig")
    errors += mapping("spec.sessionAffinityConfig", config)
    client = (config if isinstance(config, dict) else {}).get("clientIP")
    errors += mapping("spec.sessionAffinityConfig.clientIP", client)
    if isinstance(client, dict):
        errors += whole(
            "spec.sessionAffinityConfig.clientIP.timeoutSeconds",
            client.get("timeoutSeconds"),
            1,
        )
    errors += string("spec.externalName", spec.get("externalName"))
    errors += check_labels("spec.selector", spec.get("selector"))
    return errors


def externally_accessible(spec: dict) -> bool:
    """apiservice.ExternallyAccessible: reachable from outside the cluster."""
    kind = spec.get("type", "ClusterIP")
    return kind in ("LoadBalancer", "NodePort") or (
        kind == "ClusterIP" and bool(spec.get("externalIPs"))
    )


def needs_health_check(spec: dict) -> bool:
    """apiservice.NeedsHealthCheck: a LoadBalancer that keeps client addresses."""
    return (
        spec.get("type") == "LoadBalancer"
        and spec.get("externalTrafficPolicy") == "Local"
    )


def _external_traffic(kind: str, spec: dict) -> list[str]:
    """validateServiceExternalTrafficPolicy: the policy only where traffic comes
    from outside, a health check port only where the policy is Local on an LB."""
    policy = spec.get("externalTrafficPolicy")
    if not externally_accessible(spec):
        errors = (
            [
                f"spec.externalTrafficPolicy: Invalid value: {quote(policy)}: may"
                " only be set for externally-accessible services"
            ]
            if policy not in (None, "")
            else []
        )
    else:
        errors = one_of("spec.externalTrafficPolicy", policy, ("Cluster", "Local"))
    health = spec.get("healthCheckNodePort")
    if health in (None, 0):
        return errors
    errors += port("spec.healthCheckNodePort", health)
    if kind in SERVICE_TYPES and not needs_health_check(spec):
        errors.append(
            f"spec.healthCheckNodePort: Invalid value: {health}: may only be"
            " set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is"
            " 'Local'"
        )
    return errors


def _duplicate_node_ports(ports: list) -> list[str]:
    """ValidateService keys nodePorts by (protocol, nodePort)."""
    seen, errors = set(), []
    for i, p in enumerate(ports):
        if not isinstance(p, dict) or not is_int(p.get("nodePort")):
            continue
        key = (p.get("protocol", "TCP"), p["nodePort"])
        if key in seen and p["nodePort"] != 0:
            errors.append(f"spec.ports[{i}].nodePort: Duplicate value: {key[1]}")
        seen.add(key)
    return errors


IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _external_ips(external: object) -> list[str]:
    """ValidateService: each entry is an IP, and not one no packet can be for
    (ValidateNonSpecialIP)."""
    if external is None:
        return []
    if not isinstance(external, list):
        return [f"spec.externalIPs: Invalid value: {quote(external)}: must be a list"]
    errors = []
    for i, value in enumerate(external):
        at = f"spec.externalIPs[{i}]: Invalid value: {quote(value)}:"
        try:
            ip = ipaddress.ip_address(value if isinstance(value, str) else "x")
        except ValueError:
            errors.append(f"{at} {IP_MSG}")
            continue
        if ip.is_unspecified:
            errors.append(f"{at} may not be unspecified (0.0.0.0, ::)")
        elif ip.is_loopback:
            errors.append(
                f"{at} may not be in the loopback range (127.0.0.0/8, ::1/128)"
            )
        elif ip.is_link_local:
            errors.append(
                f"{at} may not be in the link-local range (169.254.0.0/16, fe80::/10)"
            )
        elif ip in ipaddress.ip_network("224.0.0.0/24") or (
            ip.version == 6 and ip in ipaddress.ip_network("ff02::/16")
        ):
            errors.append(
                f"{at} may not be in the link-local multicast range"
                " (224.0.0.0/24, ff02::/10)"
            )
    return errors


def _source_ranges(kind: str, ranges: object) -> list[str]:
    """ValidateService: source ranges only on a LoadBalancer, each one a CIDR
    (space padding allowed, a historical accident upstream keeps). The path is
    upstream's own, capital L included."""
    if not ranges:
        return []
    at = "spec.LoadBalancerSourceRanges"
    if not isinstance(ranges, list):
        return [f"{at}: Invalid value: {quote(ranges)}: must be a list"]
    errors = []
    if kind != "LoadBalancer":
        errors.append(
            f"{at}: Forbidden: may only be used when `type` is 'LoadBalancer'"
        )
    for i, value in enumerate(ranges):
        text = value.strip() if isinstance(value, str) else ""
        try:
            if "/" not in text:
                raise ValueError(text)
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            errors.append(f"{at}[{i}]: Invalid value: {quote(value)}: {CIDR_MSG}")
    return errors


def _cluster_ip(value: object) -> list[str]:
    if value is None or value in ("", "None"):
        return []
    try:
        ipaddress.IPv4Address(value if isinstance(value, str) else "x")
    except ValueError:
        return [f"spec.clusterIPs[0]: Invalid value: {quote(value)}: {IP_MSG}"]
    return []


def check_ingress(spec: dict) -> list[str]:
    errors = string("spec.ingressClassName", spec.get("ingressClassName"))
    rules = spec.get("rules")
    if rules is not None and not isinstance(rules, list):
        return errors + [f"spec.rules: Invalid value: {quote(rules)}: must be a list"]
    if not rules and spec.get("defaultBackend") is None:
        errors.append(
            "spec: Invalid value: {}: either `defaultBackend` or `rules` must be"
            " specified"
        )
    if spec.get("defaultBackend") is not None:
        errors += _backend("spec.defaultBackend", spec["defaultBackend"])
    for i, rule in enumerate(rules or []):
        at = f"spec.rules[{i}]"
        if not isinstance(rule, dict):
            errors.append(f"{at}: Invalid value: must be an object")
            continue
        errors += string(f"{at}.host", rule.get("host"))
        http = rule.get("http")
        if http is None:
            continue
        paths = http.get("paths") if isinstance(http, dict) else None
        if not isinstance(paths, list) or not paths:
            errors.append(f"{at}.http.paths: Required value")
            continue
        for j, path in enumerate(paths):
            here = f"{at}.http.paths[{j}]"
            if not isinstance(path, dict):
                errors.append(f"{here}: Invalid value: must be an object")
                continue
            errors += string(f"{here}.path", path.get("path"))
            if path.get("pathType") not in PATH_TYPES:
                errors.append(
                    f"{here}.pathType: Unsupported value:"
                    f" {quote(path.get('pathType'))}: supported values:"
                    ' "Exact", "ImplementationSpecific", "Prefix"'
                )
            errors += _backend(f"{here}.backend", path.get("backend"))
    tls = spec.get("tls")
    errors += sequence("spec.tls", tls)
    for i, entry in enumerate(tls if isinstance(tls, list) else []):
        hosts = entry.get("hosts") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or (
            hosts is not None
            and (
                not isinstance(hosts, list)
                or not all(isinstance(h, str) for h in hosts)
            )
        ):
            errors.append(f"spec.tls[{i}].hosts: Invalid value: {quote(hosts)}")
    return errors


def _backend(at: str, backend: object) -> list[str]:
    service = backend.get("service") if isinstance(backend, dict) else None
    if not isinstance(service, dict) or not service.get("name"):
        return [f"{at}: Required value"]
    errors = string(f"{at}.service.name", service.get("name"))
    number = service.get("port")
    if not isinstance(number, dict) or (
        number.get("number") is None and number.get("name") is None
    ):
        return errors + [f"{at}.service.port: Required value"]
    if number.get("number") is not None:
        errors += port(f"{at}.service.port.number", number["number"])
    if number.get("name") is not None:
        errors += port(f"{at}.service.port.name", number["name"], allow_name=True)
    return errors


def check_hpa(spec: dict) -> list[str]:
    errors = []
    ref = spec.get("scaleTargetRef")
    if not isinstance(ref, dict) or not isinstance(ref.get("name"), str):
        errors.append("spec.scaleTargetRef.name: Required value")
    else:
        errors += string("spec.scaleTargetRef.kind", ref.get("kind"))
    low, top = spec.get("minReplicas", 1), spec.get("maxReplicas")
    errors += whole("spec.minReplicas", low, 1)
    if not is_int(top) or top < 1:
        errors.append(
            f"spec.maxReplicas: Invalid value: {quote(top)}: must be"
            " greater than or equal to 1"
        )
    elif is_int(low) and top < low:
        errors.append(
            f"spec.maxReplicas: Invalid value: {top}: must be greater than or"
            " equal to `minReplicas`"
        )
    errors += whole(
        "spec.targetCPUUtilizationPercentage",
        spec.get("targetCPUUtilizationPercentage"),
        1,
    )
    metrics = spec.get("metrics")
    errors += sequence("spec.metrics", metrics)
    for i, metric in enumerate(metrics if isinstance(metrics, list) else []):
        at = f"spec.metrics[{i}]"
        resource = metric.get("resource") if isinstance(metric, dict) else None
        if not isinstance(metric, dict) or not isinstance(resource or {}, dict):
            errors.append(f"{at}.resource: Invalid value: must be an object")
            continue
        target = (resource or {}).get("target")
        errors += mapping(f"{at}.resource.target", target)
        if isinstance(target, dict):
            errors += whole(
                f"{at}.resource.target.averageUtilization",
                target.get("averageUtilization"),
                1,
            )
    return errors


def check_node(spec: dict) -> list[str]:
    errors = boolean("spec.unschedulable", spec.get("unschedulable"))
    cidr = spec.get("podCIDR")
    if cidr is not None:
        try:
            ipaddress.IPv4Network(cidr if isinstance(cidr, str) else "x")
        except ValueError:
            errors.append(
                f"spec.podCIDR: Invalid value: {quote(cidr)}: must be a valid CIDR"
            )
    errors += string("spec.providerID", spec.get("providerID"))
    taints = spec.get("taints")
    if taints is not None and not isinstance(taints, list):
        return errors + [f"spec.taints: Invalid value: {quote(taints)}: must be a list"]
    for i, taint in enumerate(taints or []):
        at = f"spec.taints[{i}]"
        if not isinstance(taint, dict):
            errors.append(f"{at}: Invalid value: must be an object")
            continue
        if not isinstance(taint.get("key"), str) or not taint.get("key"):
            errors.append(f"{at}.key: Required value")
        errors += string(f"{at}.value", taint.get("value"))
        if taint.get("effect") is None:
            errors.append(f"{at}.effect: Required value")
        else:
            errors += one_of(f"{at}.effect", taint.get("effect"), EFFECTS)
    return errors


def check_lease(spec: dict) -> list[str]:
    errors = string("spec.holderIdentity", spec.get("holderIdentity"))
    errors += whole("spec.leaseDurationSeconds", spec.get("leaseDurationSeconds"), 1)
    for key in ("acquireTime", "renewTime"):
        errors += string(f"spec.{key}", spec.get(key))
    return errors


def check_ingress_class(spec: dict) -> list[str]:
    return string("spec.controller", spec.get("controller"))
