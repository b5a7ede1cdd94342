"""NetworkModel: the network view of a cluster, cached by store revision.

It derives, from the API objects only, the graph (graph.py), each node's routes
(routes.py) and kube-proxy rules (iptables.py, assembled by ruleset.py), and runs
traces (trace.py). kube-proxy's rules are cached per Service by the resourceVersions
of the Service and its EndpointSlices (and per node for Local traffic policies), so
an endpoint change rebuilds that Service's rules only. If the store's revision goes
backwards (step back restored an older state) everything is rebuilt.
"""

from __future__ import annotations

import random
import weakref

from simulation.errors import NotFound
from simulation.state import World

from . import routes as rt
from .conntrack import ConntrackTables
from .graph import NetworkGraph, shortest_path
from .index import Indexer
from .neighbours import NeighbourTables, fdb_text, neigh_text
from .pdu import annotate
from .policy import PolicySet
from .proxy.iptables import ServiceRules, depends_on_node, service_rules
from .proxy.ruleset import Ruleset, assemble
from .trace import TraceResult, run_lookup, run_trace


class NetworkModel:
    """Answers network questions about the objects in a store (read-only)."""

    def __init__(self, store, config=None, world: World | None = None) -> None:
        """NetworkModel(store, config, world) for tests, or NetworkModel(cluster).

        Given a cluster, store/config/world/random are read from it on every use:
        step back replaces the cluster's `state` and `config` objects.
        """
        if config is None:
            self._cluster, self._parts = store, None
        else:
            self._cluster = None
            self._parts = (store, config, world if world is not None else World())
            self._random = random.Random(0)
        self.conntrack = ConntrackTables()
        self.neighbours = NeighbourTables()
        self._reset()

    @property
    def store(self):
        return self._cluster.store if self._cluster else self._parts[0]

    @property
    def config(self):
        return self._cluster.config if self._cluster else self._parts[1]

    @property
    def world(self) -> World:
        return self._cluster.state.world if self._cluster else self._parts[2]

    @property
    def random(self) -> random.Random:
        return self._cluster.random if self._cluster else self._random

    def _reset(self) -> None:
        self._indexer = Indexer(self.config)
        self._graph = NetworkGraph(self.cni, self.platform)
        self._idx = None
        self._svc_cache: dict[tuple, tuple[tuple, ServiceRules]] = {}
        self._rulesets: dict[str, tuple[tuple, Ruleset]] = {}
        self._routes: dict[str, tuple[int, list[rt.Route]]] = {}
        self._rules_sig: tuple = ()
        self._svc_count = 0
        self._recent: dict[str, set] = {}
        self.conntrack.clear()
        self.neighbours.clear()

    # configuration ------------------------------------------------------------
    @property
    def cni(self) -> str:
        return getattr(self.config, "cni", "overlay")

    @property
    def enforces_network_policy(self) -> bool:
        """Whether the chosen CNI plugin enforces NetworkPolicy (Calico and Cilium
        do; flannel stores nothing of it, so policies have no effect)."""
        return bool(getattr(self.config, "enforces_network_policy", False))

    @property
    def policies(self) -> PolicySet:
        """The cluster's NetworkPolicies, compiled for checks (policy.py)."""
        return self.idx.policies

    @property
    def platform(self) -> str:
        return getattr(self.config, "platform", "bare-metal")

    @property
    def domain(self) -> str:
        return getattr(self.config, "cluster_domain", "cluster.local")

    @property
    def dns_ip(self) -> str:
        return getattr(self.config, "dns_ip", "10.96.0.10")

    @property
    def cluster_cidr(self) -> str:
        return getattr(self.config, "pod_cidr", "10.244.0.0/16")

    @property
    def service_cidr(self) -> str:
        return getattr(self.config, "service_cidr", "10.96.0.0/12")

    @property
    def node_port_addresses(self) -> tuple[str, ...]:
        """kube-proxy's nodePortAddresses (empty: NodePorts on every address)."""
        return tuple(getattr(self.config, "node_port_addresses", ()))

    @property
    def failed(self) -> set[str]:
        return set(self.world.failed_nodes)

    # caches -------------------------------------------------------------------
    def refresh(self) -> None:
        """Bring derived state up to the store's revision."""
        rev = self.store.revision
        idx = self._idx
        if idx is not None and rev == idx.revision and self._mode == self._mode_now():
            return
        if idx is not None and (rev < idx.revision or self._mode != self._mode_now()):
            self._reset()
        self._mode = self._mode_now()
        fresh = None
        if self._idx is not None:
            fresh = self._indexer.update(self._idx, self.store)
        self._idx = fresh or self._indexer.build(self.store)
        self._graph.update(self._idx)
        self._rules_sig = tuple(
            (k, s.rv, self._idx.slice_rvs.get(k, ()))
            for k, s in self._idx.services.items()
        )
        live = self._idx.services
        if len(live) < self._svc_count:  # a Service went away: drop its rules
            self._svc_cache = {k: v for k, v in self._svc_cache.items() if k[0] in live}
        self._svc_count = len(live)

    def _mode_now(self) -> tuple:
        subnet = getattr(self.config, "node_subnet", None)
        return (
            self.cni,
            self.platform,
            self.cluster_cidr,
            self.service_cidr,
            subnet,
            self.node_port_addresses,
        )

    @property
    def idx(self):
        self.refresh()
        return self._idx

    @property
    def graph(self):
        self.refresh()
        return self._graph.g

    def mac_owners(self) -> dict[str, str]:
        """The vertex of each MAC address in the graph (kept up to date with it)."""
        return self._graph.macs

    def _node(self, name: str):
        node = self.idx.nodes.get(name)
        if node is None:
            raise NotFound("nodes", name)
        return node

    def service_rules(self, key: str, node: str | None = None) -> ServiceRules:
        """kube-proxy's rules for one Service (cached by resourceVersions)."""
        self.refresh()
        return self._service_rules(self._idx, key, node)

    def _service_rules(self, idx, key: str, node: str | None) -> ServiceRules:
        svc = idx.services[key]
        node = node if depends_on_node(svc) else None
        ckey = (key, node)
        stamp = (svc.rv, idx.slice_rvs.get(key, ()), svc)
        hit = self._svc_cache.get(ckey)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        rules = service_rules(svc, idx, node, self.cluster_cidr)
        self._svc_cache[ckey] = (stamp, rules)
        return rules

    def ruleset(self, node_name: str) -> Ruleset:
        """The node's filter and nat tables as kube-proxy and flannel program them."""
        node = self._node(node_name)
        stamp = (self._rules_sig, node)
        hit = self._rulesets.get(node_name)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        idx = self._idx
        per = [self._service_rules(idx, k, node_name) for k in idx.services]
        rs = assemble(
            node_name,
            rt.local_addresses(node),
            self.cluster_cidr,
            node.pod_cidr,
            per,
            self.node_port_addresses,
        )
        self._rulesets[node_name] = (stamp, rs)
        return rs

    def routes(self, node_name: str) -> list[rt.Route]:
        """The node's main routing table."""
        idx = self.idx
        hit = self._routes.get(node_name)
        if hit is not None and hit[0] == idx.revision:
            return hit[1]
        table = rt.node_routes(idx, self._node(node_name), self.cni)
        self._routes[node_name] = (idx.revision, table)
        return table

    # public questions ---------------------------------------------------------
    def iptables_save(self, node_name: str, table: str | None = None) -> str:
        """`iptables-save` text for node (`table` "nat" or "filter"; None: both)."""
        return self.ruleset(node_name).save(table)

    def routes_text(self, node_name: str) -> str:
        """`ip route` output on node."""
        return rt.routes_text(self.routes(node_name))

    def recent(self, node_name: str) -> set:
        """The node's `-m recent` memory: (KUBE-SEP list, client IP) pairs that
        sessionAffinity ClientIP sends back to the same endpoint (no expiry here:
        the model has no clock between traces)."""
        return self._recent.setdefault(node_name, set())

    def conntrack_text(self, node_name: str) -> str:
        """`conntrack -L` of the entries traces created on node."""
        self._node(node_name)
        return self.conntrack.text(node_name)

    def neigh_text(self, node_name: str) -> str:
        """`ip neigh show` on node: flannel's PERMANENT entries, learned ones."""
        return neigh_text(self, node_name)

    def fdb_text(self, node_name: str) -> str:
        """`bridge fdb show` on node (unicast entries)."""
        return fdb_text(self, node_name)

    def path(self, a: str, b: str) -> list[str]:
        """A shortest path between two graph vertices (ties broken by name)."""
        return shortest_path(self.graph, a, b)

    def trace(
        self,
        source: str,
        destination: str,
        rng: random.Random | None = None,
        proto: str = "tcp",
    ) -> TraceResult:
        """Trace a connection from source to destination; see trace.py."""
        self.refresh()
        result = run_trace(self, source, destination, rng or self.random, proto)
        annotate(self, result)
        return result

    def lookup(
        self, source: str, name: str, rng: random.Random | None = None
    ) -> TraceResult:
        """Resolve name as source would (pods ask CoreDNS; nodes and the internet
        use public DNS); the result's `dns` holds the queries and answer."""
        self.refresh()
        result = run_lookup(self, source, name, rng or self.random)
        annotate(self, result)
        return result


_MODELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def model_for(cluster) -> NetworkModel:
    """The NetworkModel attached to a Cluster (one per cluster, made on first use)."""
    own = getattr(cluster, "network", None)
    if isinstance(own, NetworkModel):
        return own
    model = _MODELS.get(cluster)
    if model is None:
        model = _MODELS[cluster] = NetworkModel(cluster)
    return model


def trace(cluster, source: str, destination: str, rng=None, proto: str = "tcp"):
    """Trace on a Cluster with its own seeded random source unless rng is given."""
    return model_for(cluster).trace(
        source, destination, rng if rng is not None else cluster.random, proto
    )
