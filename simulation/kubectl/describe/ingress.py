"""`kubectl describe ingress`, line for line as kubectl 1.32 prints a
networking.k8s.io/v1 Ingress.

Follows kubectl pkg/describe/describe.go: IngressDescriber.describeIngressV1,
describeBackendV1 (`service:port (endpoints)`), describeIngressTLSV1 and
formatEndpointSlices (three addresses, then `+ N more...`). Labels come before
Namespace and Annotations after Rules, as upstream writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..objects import endpoints
from ..printers.columns import endpoints_text
from .parts import annotations, events, labels, multi

if TYPE_CHECKING:
    from ...context import Model


def describe(cluster: Model, ing: dict) -> list[str]:
    meta, spec = ing["metadata"], ing.get("spec") or {}
    ns = meta.get("namespace", "")
    lb = ((ing.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
    default = spec.get("defaultBackend")
    shown_default = "<default>" if default is None else backend(cluster, ns, default)
    out = [
        f"Name:\t{meta['name']}",
        *multi("Labels:", labels(ing)),
        f"Namespace:\t{ns}",
        f"Address:\t{','.join(i.get('ip') or i.get('hostname', '') for i in lb)}",
        f"Ingress Class:\t{spec.get('ingressClassName') or '<none>'}",
        f"Default backend:\t{shown_default}",
    ]
    if spec.get("tls"):
        out.append("TLS:")
        for t in spec["tls"]:
            hosts = ",".join(t.get("hosts") or [])
            if t.get("secretName"):
                out.append(f"  {t['secretName']} terminates {hosts}")
            else:
                out.append(f"  SNI routes {hosts}")
    out += ["Rules:", "  Host\tPath\tBackends", "  ----\t----\t--------"]
    count = 0
    for rule in spec.get("rules") or []:
        if not rule.get("http"):
            continue
        count += 1
        out.append(f"  {rule.get('host') or '*'}\t")
        for path in rule["http"].get("paths") or []:
            shown = backend(cluster, ns, path.get("backend") or {})
            out.append(f"    \t{path.get('path', '')} \t{shown}")
    if not count:
        out.append(f"  *\t*\t{shown_default}")
    out += multi("Annotations:", annotations(ing))
    out += events(cluster, ing)
    return out


def backend(cluster: Model, ns: str, spec: dict) -> str:
    """`web:80 (10.244.1.5:80,…)`, or the error kubectl got fetching the Service."""
    service = spec.get("service")
    if service is not None:
        port = service.get("port") or {}
        text = f"{service.get('name', '')}:{port.get('number') or port.get('name', '')}"
        svc = cluster.store.get("services", ns, service.get("name", ""))
        if svc is None:
            return f'{text} (<error: services "{service.get("name", "")}" not found>)'
        name = ""
        for p in svc["spec"].get("ports") or []:
            if port.get("number") and port["number"] == p.get("port"):
                name = p.get("name", "")
            elif port.get("name") and port["name"] == p.get("name"):
                name = p.get("name", "")
        ep = next(
            (
                e
                for e in endpoints(cluster, ns)
                if e["metadata"]["name"] == svc["metadata"]["name"]
            ),
            None,
        )
        subsets = []
        for s in (ep or {}).get("subsets") or []:
            ports = [q for q in s.get("ports") or [] if q.get("name", "") == name]
            if ports or not s.get("ports"):  # a slice without ports lists bare IPs
                subsets.append({"addresses": s.get("addresses") or [], "ports": ports})
        return f"{text} ({endpoints_text(subsets)})"
    resource = spec.get("resource")
    if resource is not None:
        group = resource.get("apiGroup") or "<none>"
        return (
            f"APIGroup: {group}, Kind: {resource.get('kind', '')},"
            f" Name: {resource.get('name', '')}"
        )
    return ""
