"""The cluster network: graph, kube-proxy rules, routes, conntrack, DNS and traces.

Entry points: `NetworkModel(store, config, sim)` with `.trace()`, `.iptables_save()`,
`.routes_text()`, `.conntrack_text()`, `.graph`; or `trace(cluster, src, dst, rng)`.
"""

from __future__ import annotations

from .model import NetworkModel, model_for, trace
from .trace import VERDICTS, TraceResult

__all__ = ["VERDICTS", "NetworkModel", "TraceResult", "model_for", "trace"]
