"""The EndpointSlice controller lists, for each Service, the pods that back it."""

from __future__ import annotations

from ...component import Component, Outcome
from ...events import Write
from ...objects import SERVICE_NAME_LABEL, is_ready, key_parts, matches, owner_ref

MAX_PER_SLICE = 100  # --max-endpoints-per-slice default
MANAGED_BY = "endpointslice.kubernetes.io/managed-by"


def _resolve_port(port: dict, pod: dict) -> int | None:
    target = port.get("targetPort", port.get("port"))
    if isinstance(target, int):
        return target
    for c in pod["spec"]["containers"]:
        for p in c.get("ports") or []:
            if p.get("name") == target:
                return p.get("containerPort")
    return None


def desired_endpoints(store, svc: dict) -> tuple[list[dict], list[dict]]:
    """(endpoints, ports) the slice should hold, in a stable order."""
    ns = svc["metadata"]["namespace"]
    selector = svc["spec"].get("selector")
    pods = [
        p
        for p in (store.select("pods", ns, selector) if selector else ())
        if p.get("status", {}).get("podIP")
        and p["status"].get("phase") not in ("Succeeded", "Failed")
    ]
    endpoints, ports = [], []
    for pod in pods:
        terminating = bool(pod["metadata"].get("deletionTimestamp"))
        ready = is_ready(pod)
        endpoints.append(
            {
                "addresses": [pod["status"]["podIP"]],
                "conditions": {
                    "ready": ready and not terminating,
                    "serving": ready,
                    "terminating": terminating,
                },
                "nodeName": pod["spec"]["nodeName"],
                "targetRef": {
                    "kind": "Pod",
                    "namespace": ns,
                    "name": pod["metadata"]["name"],
                    "uid": pod["metadata"]["uid"],
                },
            }
        )
    first = pods[0] if pods else None
    for port in svc["spec"].get("ports") or []:
        number = _resolve_port(port, first) if first else port.get("targetPort")
        entry = {
            "name": port.get("name", ""),
            "port": number if isinstance(number, int) else None,
            "protocol": port.get("protocol", "TCP"),
        }
        ports.append(entry)
    return endpoints, ports


class EndpointSliceController(Component):
    """Is responsible for keeping each Service's EndpointSlices equal to its pods."""

    name = "endpointslice-controller"
    watches = ("services", "pods")
    delay = 0.05

    def __init__(self) -> None:
        self._reverse: dict[str, tuple[dict, dict]] = {}

    def initial_memory(self) -> dict:
        return {"selectors": {}}  # namespace → Service key → its selector

    def keys_for(self, write: Write, memory: dict):
        if "/services/specs/" in write.key:
            return (write.key,)
        keys: list[str] = []
        for pod in (write.previous, write.object):
            if pod is None:
                continue
            ns = pod["metadata"]["namespace"]
            by_ns = memory.get("selectors", {}).get(ns)
            if not by_ns:
                continue
            index = self._reverse_index(ns, by_ns)
            labels = pod["metadata"].get("labels") or {}
            candidates = set(index.get(None, ()))
            for pair in labels.items():
                candidates.update(index.get(pair, ()))
            for key in sorted(candidates):
                if key not in keys and matches(by_ns[key], labels):
                    keys.append(key)
        return keys

    def _reverse_index(self, ns: str, by_ns: dict) -> dict:
        """(label, value) → Services whose selector requires it; None: the rest.

        memory["selectors"] is replaced, never changed in place, so the cache is valid
        while it holds the very same dict.
        """
        cached = self._reverse.get(ns)
        if cached is not None and cached[0] is by_ns:
            return cached[1]
        index: dict = {}
        for key, selector in by_ns.items():
            if not selector:
                continue
            pairs = (
                (selector.get("matchLabels") or {})
                if "matchLabels" in selector or "matchExpressions" in selector
                else selector
            )
            for pair in pairs.items():
                index.setdefault(pair, set()).add(key)
            if not pairs:
                index.setdefault(None, set()).add(key)
        self._reverse[ns] = (by_ns, index)
        return index

    def reconcile(self, ctx, key):
        ns, name = key_parts(key)
        svc = ctx.store.get("services", ns, name)
        selectors = dict(ctx.memory.get("selectors", {}))
        by_ns = dict(selectors.get(ns, {}))
        if svc is None:
            by_ns.pop(key, None)
            selectors[ns] = by_ns
            ctx.memory["selectors"] = selectors
            return None
        if by_ns.get(key) != svc["spec"].get("selector"):
            by_ns[key] = svc["spec"].get("selector")
            selectors[ns] = by_ns
            ctx.memory["selectors"] = selectors
        if not svc["spec"].get("selector"):
            return None
        endpoints, ports = desired_endpoints(ctx.store, svc)
        current = sorted(
            ctx.store.select("endpointslices", ns, {SERVICE_NAME_LABEL: name}),
            key=lambda s: s["metadata"]["name"],
        )
        chunks = [
            endpoints[i : i + MAX_PER_SLICE]
            for i in range(0, len(endpoints), MAX_PER_SLICE)
        ] or [[]]
        changed = []
        for index, chunk in enumerate(chunks):
            if index < len(current):
                slice_ = current[index]
                if slice_.get("endpoints") == chunk and slice_.get("ports") == ports:
                    continue

                def change(obj, chunk=chunk):
                    obj["endpoints"], obj["ports"] = chunk, ports

                ctx.api.patch(
                    "endpointslices",
                    ns,
                    slice_["metadata"]["name"],
                    change,
                    actor=self.name,
                )
                changed.append(slice_["metadata"]["name"])
            else:
                created = ctx.api.create(
                    self._new_slice(svc, chunk, ports), actor=self.name
                )
                changed.append(created["metadata"]["name"])
        for extra in current[len(chunks) :]:
            ctx.api.delete(
                "endpointslices", ns, extra["metadata"]["name"], actor=self.name
            )
            changed.append(extra["metadata"]["name"])
        if not changed:
            return None
        ready = [e["addresses"][0] for e in endpoints if e["conditions"]["ready"]]
        return Outcome(
            "endpoints.updated",
            f"Service {ns}/{name} now has {len(ready)} ready endpoint"
            f"{'' if len(ready) == 1 else 's'}"
            + (
                f" ({', '.join(ready[:4])}{' …' if len(ready) > 4 else ''})"
                if ready
                else ""
            )
            + ": the pods whose labels match its selector and that are Ready.",
            concept="endpoints",
            objects=(f"services/{ns}/{name}",),
            details={"ready": ready},
        )

    @staticmethod
    def _new_slice(svc, endpoints, ports) -> dict:
        name = svc["metadata"]["name"]
        return {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "generateName": f"{name}-",
                "namespace": svc["metadata"]["namespace"],
                "labels": {
                    SERVICE_NAME_LABEL: name,
                    MANAGED_BY: "endpointslice-controller.k8s.io",
                },
                "ownerReferences": [owner_ref(svc)],
            },
            "addressType": "IPv4",
            "endpoints": endpoints,
            "ports": ports,
        }
