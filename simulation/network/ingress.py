"""Ingress rule matching as an ingress-nginx controller does it.

Host: exact, or a `*.` wildcard covering one label. Path: Exact, or Prefix matched
element by element on `/` (ImplementationSpecific treated as Prefix); the longest
match wins and Exact beats Prefix. With no match the defaultBackend serves.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IngressMatch:
    """Which Ingress rule matched and the backend Service port it names."""

    ingress: str
    host: str
    path: str
    path_type: str
    service: str
    port: int | str
    tls: bool


def _host_ok(rule_host: str | None, host: str) -> bool:
    if not rule_host:
        return True
    if rule_host.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == rule_host[2:]
    return rule_host == host


def _path_len(path_type: str, rule_path: str, path: str) -> int | None:
    if path_type == "Exact":
        return len(rule_path) if path == rule_path else None
    want = [p for p in rule_path.split("/") if p]
    have = [p for p in path.split("/") if p]
    return len(rule_path) if have[: len(want)] == want else None


def _backend(b: dict) -> tuple[str, int | str]:
    svc = b.get("service") or {}
    port = svc.get("port") or {}
    return svc.get("name", ""), port.get("number") or port.get("name", "")


def match(ingresses: list[dict], host: str, path: str) -> IngressMatch | None:
    """The rule an ingress-nginx controller would route host+path to."""
    best: tuple | None = None
    default: IngressMatch | None = None
    for ing in ingresses:
        meta, spec = ing["metadata"], ing.get("spec") or {}
        name = f"{meta.get('namespace', 'default')}/{meta['name']}"
        ns = meta.get("namespace", "default")
        tls_hosts = {h for t in spec.get("tls") or [] for h in t.get("hosts") or []}
        for r in spec.get("rules") or []:
            if not _host_ok(r.get("host"), host):
                continue
            for p in (r.get("http") or {}).get("paths") or []:
                ptype = p.get("pathType", "Prefix")
                rpath = p.get("path", "/")
                n = _path_len(ptype, rpath, path or "/")
                if n is None:
                    continue
                rank = (1 if r.get("host") else 0, n, ptype == "Exact")
                svc, port = _backend(p.get("backend") or {})
                found = IngressMatch(
                    name, host, rpath, ptype, f"{ns}/{svc}", port, host in tls_hosts
                )
                if best is None or rank > best[0]:
                    best = (rank, found)
        if spec.get("defaultBackend") and default is None:
            svc, port = _backend(spec["defaultBackend"])
            default = IngressMatch(
                name, host, "*", "default", f"{ns}/{svc}", port, host in tls_hosts
            )
    return best[1] if best else default
