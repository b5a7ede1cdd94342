"""Finding what a command names: resource types, namespaces, objects, Endpoints.

Endpoints are derived from EndpointSlices (the model stores slices, as the control
plane does since 1.21; the Endpoints mirror is what `kubectl get ep` shows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import recorder
from ..errors import AlreadyExists, Conflict, NotFound, SimulationError, UsageError
from ..objects import SERVICE_NAME_LABEL
from ..resources import Resource, lookup

if TYPE_CHECKING:
    from ..context import Model


def resource_type(name: str) -> Resource:
    resource = lookup(name)
    if resource is None:
        raise UsageError(f'error: the server doesn\'t have a resource type "{name}"')
    return resource


def namespace_of(args) -> str:
    return str(args.flag("namespace") or "default")


def server_error(exc: SimulationError) -> SimulationError:
    """Prefix an API error as kubectl prints it: `Error from server (NotFound): …`."""
    reason = {
        NotFound: "NotFound",
        AlreadyExists: "AlreadyExists",
        Conflict: "Conflict",
    }
    text = str(exc)
    for cls, word in reason.items():
        if isinstance(exc, cls) and not text.startswith("Error from server"):
            exc.args = (f"Error from server ({word}): {text}",)
    return exc


def fetch(cluster: Model, resource: Resource, ns: str | None, name: str) -> dict:
    """One object, or kubectl's NotFound error."""
    ns = ns if resource.namespaced else None
    if resource.plural == "endpoints":
        found = [e for e in endpoints(cluster, ns) if e["metadata"]["name"] == name]
        obj = found[0] if found else None
    else:
        obj = cluster.store.get(resource.plural, ns, name)
        if obj is not None and resource.plural == "events":
            obj = next(iter(recorder.live([obj], cluster.time)), None)
    if obj is None:
        raise server_error(NotFound(resource.qualified, name))
    return obj


def listing(cluster: Model, resource: Resource, ns: str | None) -> list[dict]:
    """Every object of a type in `ns` (None: all namespaces), in kubectl's order."""
    ns = ns if resource.namespaced else None
    if resource.plural == "endpoints":
        return endpoints(cluster, ns)
    items = cluster.store.list(resource.plural, ns)
    if resource.plural == "events":
        items = sorted(
            recorder.live(items, cluster.time),
            key=lambda e: (
                e["metadata"].get("namespace", ""),
                e.get("lastTimestamp") or "",
                e["metadata"]["name"],
            ),
        )
    return items


def endpoints(cluster: Model, ns: str | None) -> list[dict]:
    """The core/v1 Endpoints each Service has, mirrored from its EndpointSlices."""
    slices: dict[tuple[str, str], list[dict]] = {}
    for s in cluster.store.list("endpointslices", ns):
        owner = (s["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
        if owner:
            slices.setdefault((s["metadata"]["namespace"], owner), []).append(s)
    out = {}
    for svc in cluster.store.list("services", ns):
        key = (svc["metadata"]["namespace"], svc["metadata"]["name"])
        if svc["spec"].get("selector") or key in slices:
            out[key] = _mirror(svc, slices.get(key, []))
    for ep in cluster.store.list("endpoints", ns):
        out.setdefault((ep["metadata"]["namespace"], ep["metadata"]["name"]), ep)
    return [out[k] for k in sorted(out)]


def _mirror(svc: dict, slices: list[dict]) -> dict:
    subsets = []
    for s in slices:
        ready, not_ready = [], []
        for e in s.get("endpoints") or []:
            for ip in e.get("addresses") or []:
                entry = {"ip": ip}
                if e.get("nodeName"):
                    entry["nodeName"] = e["nodeName"]
                if e.get("targetRef"):
                    entry["targetRef"] = dict(e["targetRef"])
                ok = (e.get("conditions") or {}).get("ready", True)
                (ready if ok else not_ready).append(entry)
        if not (ready or not_ready):
            continue
        subset: dict = {}
        key = _ip_key
        if ready:
            subset["addresses"] = sorted(ready, key=lambda a: key(a["ip"]))
        if not_ready:
            subset["notReadyAddresses"] = sorted(not_ready, key=lambda a: key(a["ip"]))
        subset["ports"] = [
            {k: p[k] for k in ("name", "port", "protocol") if k in p}
            for p in s.get("ports") or []
        ]
        subsets.append(subset)
    meta = svc["metadata"]
    stamps = [s["metadata"].get("creationTimestamp") for s in slices]
    stamp = min([t for t in stamps if t] or [meta.get("creationTimestamp")])
    obj = {
        "apiVersion": "v1",
        "kind": "Endpoints",
        "metadata": {
            "name": meta["name"],
            "namespace": meta["namespace"],
            "creationTimestamp": stamp,
        },
    }
    if meta.get("labels"):
        obj["metadata"]["labels"] = dict(meta["labels"])
    if subsets:
        obj["subsets"] = subsets
    return obj


def _ip_key(ip: str) -> tuple:
    return tuple(int(x) if x.isdigit() else 0 for x in ip.split("."))


def view_id(resource: Resource, obj: dict) -> str | None:
    """The browser's id for an object, e.g. `deployments/default/web`."""
    if resource.view is None:
        return None
    meta = obj["metadata"]
    if resource.namespaced:
        return f"{resource.view}/{meta.get('namespace', 'default')}/{meta['name']}"
    return f"{resource.view}/{meta['name']}"
