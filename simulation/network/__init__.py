"""The cluster network: graph, kube-proxy rules, routes, conntrack, DNS and traces.

Everything is derived from API objects in the store (nodes, pods, Services,
EndpointSlices, Ingresses) and cached by resourceVersion; nothing here writes.

    net = NetworkModel(cluster)               # or NetworkModel(store, config, world)
    net.trace(src, dst, rng=None, proto="tcp") -> TraceResult (.to_dict())
    net.lookup(src, name, rng=None)           -> TraceResult (DNS leg only)
    net.iptables_save(node, table=None)       -> str  (`iptables-save`)
    net.routes_text(node)                     -> str  (`ip route`)
    net.conntrack_text(node)                  -> str  (`conntrack -L`)
    net.graph                                 -> networkx.Graph
    net.path(a, b)                            -> list[str] (ties broken by name)

src: `internet`, `node/NAME`, `[pod/][NS/]POD[:CONTAINER]` or an IP.
dst: `IP[:PORT]`, `NAME[:PORT]`, `http[s]://HOST[:PORT]/PATH`,
`svc/[NS/]NAME[:PORT]`, `pod/[NS/]NAME[:PORT]`, `node/NAME:PORT`.
Verdicts: delivered, rejected, dropped, timeout, refused, unresolved.
text.py prints results as curl, nslookup and ping would; addons.py holds the
ingress-nginx objects for the core to create. `cni/` is the CNI (IPAM, how
packets leave a node per mode), `proxy/` kube-proxy's rules per mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .model import NetworkModel, model_for, trace
    from .trace import VERDICTS, TraceResult

__all__ = ["VERDICTS", "NetworkModel", "TraceResult", "model_for", "trace"]
_FROM = {
    "NetworkModel": "model",
    "model_for": "model",
    "trace": "model",
    "VERDICTS": "trace",
    "TraceResult": "trace",
}


def __getattr__(name: str) -> Any:
    """The package's names, imported on first use (PEP 562)."""
    if name not in _FROM:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Deferred: the model loads networkx (a quarter of a second); the kubelet
    # imports the CNI's IPAM from this package and needs none of it.
    from importlib import import_module

    return getattr(import_module(f".{_FROM[name]}", __name__), name)
