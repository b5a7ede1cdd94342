"""kube-proxy: keeps every node's packet rules in step with Services and endpoints."""

from __future__ import annotations

from ..component import Component, Outcome
from ..objects import SERVICE_NAME_LABEL, key_parts


class KubeProxy(Component):
    """Is responsible, on every node, for the rules turning a Service IP into a pod IP.

    One step stands for the kube-proxy of every node syncing the same Service; the
    rules themselves are derived per node, on demand, by `simulation.network`.
    """

    name = "kube-proxy"
    where = "node"
    watches = ("services", "endpointslices")
    delay = 0.3
    priority = 7

    def initial_memory(self) -> dict:
        return {"proxy_synced": {}}  # Service key → the rules last synced

    def keys_for(self, write, memory):
        if "/services/specs/" in write.key:
            return (write.key,)
        obj = write.object or write.previous
        svc = obj["metadata"].get("labels", {}).get(SERVICE_NAME_LABEL)
        return (
            (f"/registry/services/specs/{obj['metadata']['namespace']}/{svc}",)
            if svc
            else ()
        )

    def reconcile(self, ctx, key):
        ns, name = key_parts(key)
        svc = ctx.store.get("services", ns, name)
        slices = ctx.store.select("endpointslices", ns, {SERVICE_NAME_LABEL: name})
        signature = (
            svc["metadata"]["resourceVersion"] if svc else None,
            tuple(s["metadata"]["resourceVersion"] for s in slices),
        )
        synced = ctx.memory.get("proxy_synced", {})
        if synced.get(key) == signature:
            return None
        ctx.memory["proxy_synced"] = dict(synced, **{key: signature})
        nodes = ctx.store.count("nodes")
        if svc is None:
            return Outcome(
                "proxy.synced",
                f"kube-proxy on all {nodes} nodes removed the rules of deleted"
                f" Service {ns}/{name}.",
                concept="kube-proxy",
                objects=(f"services/{ns}/{name}",),
            )
        if svc["spec"].get("clusterIP") in (None, "None"):
            return None  # headless: DNS returns pod IPs, kube-proxy has nothing to do
        ready = sum(
            1
            for s in slices
            for e in s.get("endpoints") or []
            if (e.get("conditions") or {}).get("ready")
        )
        mode = ctx.config.proxy_mode
        what = (
            f"DNAT {svc['spec']['clusterIP']} to one of {ready} endpoint"
            f"{'' if ready == 1 else 's'}"
            if ready
            else f"REJECT traffic to {svc['spec']['clusterIP']} (no endpoints)"
        )
        return Outcome(
            "proxy.synced",
            f"kube-proxy on all {nodes} nodes rewrote its {mode} rules for"
            f" Service {ns}/{name}: {what}. It watches Services and"
            " EndpointSlices and only programs rules; it forwards nothing"
            " itself.",
            concept="kube-proxy",
            objects=(f"services/{ns}/{name}",),
            details={"ready": ready},
        )
