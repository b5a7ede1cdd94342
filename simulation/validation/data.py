"""Checks for the kinds without a spec, whose fields sit at the top level:
EndpointSlices, Endpoints, ConfigMaps, Secrets, Events and ServiceAccounts."""

from __future__ import annotations

from .fields import boolean, mapping, one_of, port, quote, sequence, string, whole
from .pods import PROTOCOLS


def _strings(field: str, value: object) -> list[str]:
    """Errors unless `value` is absent or a map of strings to strings."""
    if value is None:
        return []
    if not isinstance(value, dict):
        return [f"{field}: Invalid value: must be a map of strings"]
    return [
        f"{field}[{key}]: Invalid value: {quote(item)}: must be a string"
        for key, item in value.items()
        if not isinstance(key, str) or not isinstance(item, str)
    ]


def _ports(field: str, ports: object) -> list[str]:
    errors = sequence(field, ports)
    for i, p in enumerate(ports if isinstance(ports, list) else []):
        if not isinstance(p, dict):
            errors.append(f"{field}[{i}]: Invalid value: must be an object")
            continue
        if p.get("port") is not None:
            errors += port(f"{field}[{i}].port", p["port"])
        errors += string(f"{field}[{i}].name", p.get("name"))
        errors += one_of(f"{field}[{i}].protocol", p.get("protocol"), PROTOCOLS)
    return errors


def check_endpoint_slice(obj: dict) -> list[str]:
    errors = []
    if obj.get("addressType") not in ("FQDN", "IPv4", "IPv6"):
        errors += [
            f"addressType: Unsupported value: {quote(obj.get('addressType'))}:"
            ' supported values: "FQDN", "IPv4", "IPv6"'
        ]
    endpoints = obj.get("endpoints")
    errors += sequence("endpoints", endpoints)
    for i, ep in enumerate(endpoints if isinstance(endpoints, list) else []):
        at = f"endpoints[{i}]"
        if not isinstance(ep, dict):
            errors.append(f"{at}: Invalid value: must be an object")
            continue
        addresses = ep.get("addresses")
        if (
            not isinstance(addresses, list)
            or not addresses
            or not all(isinstance(a, str) for a in addresses)
        ):
            errors.append(f"{at}.addresses: Required value")
        conditions = ep.get("conditions")
        errors += mapping(f"{at}.conditions", conditions)
        for key in ("ready", "serving", "terminating"):
            errors += boolean(
                f"{at}.conditions.{key}",
                (conditions if isinstance(conditions, dict) else {}).get(key),
            )
        errors += string(f"{at}.nodeName", ep.get("nodeName"))
        errors += mapping(f"{at}.targetRef", ep.get("targetRef"))
    return errors + _ports("ports", obj.get("ports"))


def check_endpoints(obj: dict) -> list[str]:
    subsets = obj.get("subsets")
    errors = sequence("subsets", subsets)
    for i, subset in enumerate(subsets if isinstance(subsets, list) else []):
        if not isinstance(subset, dict):
            errors.append(f"subsets[{i}]: Invalid value: must be an object")
            continue
        for key in ("addresses", "notReadyAddresses"):
            found = subset.get(key)
            errors += sequence(f"subsets[{i}].{key}", found)
            for j, address in enumerate(found if isinstance(found, list) else []):
                if not isinstance(address, dict) or not isinstance(
                    address.get("ip"), str
                ):
                    errors.append(f"subsets[{i}].{key}[{j}].ip: Required value")
        errors += _ports(f"subsets[{i}].ports", subset.get("ports"))
    return errors


def check_config(obj: dict) -> list[str]:
    return _strings("data", obj.get("data")) + _strings(
        "stringData", obj.get("stringData")
    )


def check_event(obj: dict) -> list[str]:
    involved = obj.get("involvedObject")
    errors = mapping("involvedObject", involved)
    for key in ("kind", "name", "namespace", "uid"):
        errors += string(
            f"involvedObject.{key}",
            (involved if isinstance(involved, dict) else {}).get(key),
        )
    for key in ("reason", "message", "type", "firstTimestamp", "lastTimestamp"):
        errors += string(key, obj.get(key))
    errors += whole("count", obj.get("count"), 0)
    source = obj.get("source")
    errors += mapping("source", source)
    component = source.get("component") if isinstance(source, dict) else None
    return errors + string("source.component", component)


def check_service_account(obj: dict) -> list[str]:
    return sequence("secrets", obj.get("secrets")) + boolean(
        "automountServiceAccountToken", obj.get("automountServiceAccountToken")
    )


CHECKS = {
    "EndpointSlice": check_endpoint_slice,
    "Endpoints": check_endpoints,
    "ConfigMap": check_config,
    "Secret": check_config,
    "Event": check_event,
    "ServiceAccount": check_service_account,
}
