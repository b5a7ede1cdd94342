"""A read-only index of the objects the network cares about, keyed for lookups.

A ClusterIndex holds the records (records.py) of one store revision and finds them
by IP, ClusterIP, load-balancer IP or name. The Indexer builds one from scratch, or,
when the store keeps a write log, from the previous index plus the writes since:
one pod's update then costs one record, not a pass over every object.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from ..objects import SERVICE_NAME_LABEL
from .policy import PolicySet
from .records import (
    Endpoint,
    NodeInfo,
    PodInfo,
    PortInfo,
    ServiceInfo,
    node_record,
    pod_record,
    service_record,
    split_endpoints,
)

MAX_INCREMENTAL = 1000


@dataclass
class ClusterIndex:
    """Records and lookup tables for one store revision."""

    revision: int
    nodes: dict[str, NodeInfo] = field(default_factory=dict)
    pods: dict[str, PodInfo] = field(default_factory=dict)
    services: dict[str, ServiceInfo] = field(default_factory=dict)
    slices: dict[str, dict[str, dict]] = field(default_factory=dict)
    slice_rvs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ingresses: list[dict] = field(default_factory=list)
    network_policies: list[dict] = field(default_factory=list)
    namespace_labels: dict[str, dict] = field(default_factory=dict)
    pod_by_ip: dict[str, PodInfo] = field(default_factory=dict)
    node_by_ip: dict[str, NodeInfo] = field(default_factory=dict)
    node_by_flannel_ip: dict[str, NodeInfo] = field(default_factory=dict)
    svc_by_ip: dict[str, ServiceInfo] = field(default_factory=dict)
    svc_by_lb_ip: dict[str, ServiceInfo] = field(default_factory=dict)
    svc_by_external_ip: dict[str, ServiceInfo] = field(default_factory=dict)
    pods_on_node: dict[str, list[PodInfo]] = field(default_factory=dict)
    last_write: object = None
    base_revision: int | None = None
    changed_pods: frozenset[str] = frozenset()
    _eps: dict[str, dict] = field(default_factory=dict)
    _policies: PolicySet | None = None
    _previous_policies: PolicySet | None = None

    @property
    def policies(self) -> PolicySet:
        """The NetworkPolicies compiled, with the Namespaces' labels (made on
        first use and kept until a policy or a namespace changes)."""
        if self._policies is None:
            self._policies = PolicySet(
                self.network_policies, self.namespace_labels, self._previous_policies
            )
            self._previous_policies = None
        return self._policies

    def endpoints(self, svc: ServiceInfo, port: PortInfo) -> tuple[Endpoint, ...]:
        """Ready endpoints for one Service port (empty when there are none)."""
        return self._tables(svc)[0].get((port.name, port.protocol), ())

    def local_endpoints(
        self, svc: ServiceInfo, port: PortInfo, node: str | None
    ) -> tuple[Endpoint, ...]:
        """A Local traffic policy's endpoints on node: the ready ones there, or if
        none is ready there, those there still serving while terminating (the
        fallback is per policy: kube-proxy's CategorizeEndpoints, topology.go)."""
        key = (port.name, port.protocol)
        usable, serving = self._tables(svc)
        ready = tuple(e for e in usable.get(key, ()) if e.node == node and e.ready)
        if ready:
            return ready
        return tuple(e for e in serving.get(key, ()) if e.node == node)

    def _tables(self, svc: ServiceInfo):
        tables = self._eps.get(svc.key)
        if tables is None:
            slices = list(self.slices.get(svc.key, {}).values())
            tables = self._eps[svc.key] = split_endpoints(slices)
        return tables

    # incremental edits (only on a fresh copy) --------------------------------
    def _drop_pod(self, key: str) -> str | None:
        old = self.pods.pop(key, None)
        if old is None:
            return None
        if self.pod_by_ip.get(old.ip) is old:
            del self.pod_by_ip[old.ip]
        return old.node if old.wired else None

    def _add_pod(self, pod: PodInfo) -> str | None:
        self.pods[pod.key] = pod
        if not pod.wired:
            return None
        if not pod.host_network:
            self.pod_by_ip[pod.ip] = pod
        return pod.node

    def _drop_service(self, key: str) -> bool:
        old = self.services.pop(key, None)
        if old is None:
            return False
        if old.cluster_ip and self.svc_by_ip.get(old.cluster_ip) is old:
            del self.svc_by_ip[old.cluster_ip]
        for ip in old.lb_ips:
            if self.svc_by_lb_ip.get(ip) is old:
                del self.svc_by_lb_ip[ip]
        for ip in old.external_ips:
            if self.svc_by_external_ip.get(ip) is old:
                del self.svc_by_external_ip[ip]
        return True

    def _add_service(self, svc: ServiceInfo) -> None:
        self.services[svc.key] = svc
        if svc.cluster_ip:
            self.svc_by_ip[svc.cluster_ip] = svc
        for ip in svc.lb_ips:
            self.svc_by_lb_ip[ip] = svc
        for ip in svc.external_ips:
            self.svc_by_external_ip[ip] = svc


def _slice_owner(obj: dict | None) -> str | None:
    if obj is None:
        return None
    meta = obj["metadata"]
    owner = (meta.get("labels") or {}).get(SERVICE_NAME_LABEL)
    return f"{meta.get('namespace', 'default')}/{owner}" if owner else None


def _rvs(slices: dict[str, dict]) -> tuple[str, ...]:
    return tuple(str(o["metadata"].get("resourceVersion", "")) for o in slices.values())


class Indexer:
    """Builds ClusterIndexes: from scratch, or from the last one plus the write log.

    Stored objects are replaced, never mutated, so an object that is the very same
    dict (and resourceVersion) as last time keeps its record.
    """

    def __init__(self, config) -> None:
        self.config = config
        self.subnet = getattr(config, "node_subnet", "192.168.10.0/24")
        self._cache: dict[int, tuple[dict, str | None, object]] = {}
        self._next: dict[int, tuple[dict, str | None, object]] = {}

    def _record(self, obj: dict, make):
        rv = obj["metadata"].get("resourceVersion")
        hit = self._cache.get(id(obj))
        if hit is not None and hit[0] is obj and hit[1] == rv:
            rec = hit[2]
        else:
            rec = make(obj)
        self._next[id(obj)] = (obj, rv, rec)
        return rec

    def build(self, store) -> ClusterIndex:
        """Index every object of the current revision."""
        idx = ClusterIndex(revision=store.revision)
        self._next = {}
        for obj in store.list("nodes"):
            node = self._record(obj, lambda o: node_record(o, self.subnet))
            idx.nodes[node.name] = node
            idx.node_by_ip[node.ip] = node
            if node.flannel_ip:
                idx.node_by_flannel_ip[node.flannel_ip] = node
        for obj in store.list("pods"):
            node = idx._add_pod(self._record(obj, pod_record))
            if node:
                idx.pods_on_node.setdefault(node, []).append(idx.pods[_key(obj)])
        for obj in store.list("services"):
            idx._add_service(self._record(obj, service_record))
        for obj in store.list("endpointslices"):
            owner = _slice_owner(obj)
            if owner:
                idx.slices.setdefault(owner, {})[obj["metadata"]["name"]] = obj
        idx.slice_rvs = {k: _rvs(v) for k, v in idx.slices.items()}
        idx.ingresses = list(store.list("ingresses"))
        _list_policies(idx, store)
        log = getattr(store, "log", None)
        idx.last_write = log[-1] if log else None
        self._cache = self._next
        return idx

    def update(self, prev: ClusterIndex, store) -> ClusterIndex | None:
        """prev plus the writes logged since, or None when a full build is needed."""
        log = getattr(store, "log", None)
        if not log or prev.last_write is None or store.revision < prev.revision:
            return None
        pos = bisect_right(log, prev.revision, key=lambda w: w.revision) - 1
        if pos < 0 or log[pos] is not prev.last_write:
            return None  # a different history (step back, then new writes)
        writes = log[pos + 1 :]
        if len(writes) > MAX_INCREMENTAL:
            return None
        if any((w.object or w.previous).get("kind") == "Node" for w in writes):
            return None
        idx = ClusterIndex(
            revision=store.revision,
            nodes=prev.nodes,
            pods=dict(prev.pods),
            services=dict(prev.services),
            slices=dict(prev.slices),
            slice_rvs=dict(prev.slice_rvs),
            ingresses=prev.ingresses,
            network_policies=prev.network_policies,
            namespace_labels=prev.namespace_labels,
            _policies=prev._policies,
            _previous_policies=prev._previous_policies,
            pod_by_ip=dict(prev.pod_by_ip),
            node_by_ip=prev.node_by_ip,
            node_by_flannel_ip=prev.node_by_flannel_ip,
            svc_by_ip=dict(prev.svc_by_ip),
            svc_by_lb_ip=dict(prev.svc_by_lb_ip),
            svc_by_external_ip=dict(prev.svc_by_external_ip),
            pods_on_node=dict(prev.pods_on_node),
            last_write=log[-1],
            base_revision=prev.revision,
            _eps=dict(prev._eps),
        )
        self._apply(idx, writes, store)
        return idx

    def _apply(self, idx: ClusterIndex, writes, store) -> None:
        pods_changed: set[str] = set()
        dirty_nodes: set[str] = set()
        owners: set[str] = set()
        reorder = False
        for w in writes:
            obj = w.object if w.object is not None else w.previous
            kind, key = obj.get("kind"), _key(obj)
            if kind == "Pod":
                pods_changed.add(key)
                dirty_nodes.add(idx._drop_pod(key))
                if w.object is not None:
                    dirty_nodes.add(idx._add_pod(pod_record(w.object)))
            elif kind == "Service":
                existed = idx._drop_service(key)
                if w.object is not None:
                    idx._add_service(service_record(w.object))
                reorder |= not existed or w.object is None
                idx._eps.pop(key, None)
            elif kind == "EndpointSlice":
                for owner in {_slice_owner(w.previous), _slice_owner(w.object)} - {
                    None
                }:
                    slices = dict(idx.slices.get(owner, {}))
                    slices.pop(obj["metadata"]["name"], None)
                    if w.object is not None and _slice_owner(w.object) == owner:
                        slices[obj["metadata"]["name"]] = w.object
                    idx.slices[owner] = dict(sorted(slices.items()))
                    owners.add(owner)
            elif kind == "Ingress":
                idx.ingresses = list(store.list("ingresses"))
            elif kind in ("NetworkPolicy", "Namespace"):
                _list_policies(idx, store)
        for owner in owners:
            idx._eps.pop(owner, None)
            if idx.slices[owner]:
                idx.slice_rvs[owner] = _rvs(idx.slices[owner])
            else:
                del idx.slices[owner]
                idx.slice_rvs.pop(owner, None)
        if reorder:
            idx.services = dict(sorted(idx.services.items()))
        for node in dirty_nodes - {None}:
            pods = [
                p for p in idx.pods_on_node.get(node, []) if p.key not in pods_changed
            ]
            pods += [
                idx.pods[k]
                for k in pods_changed
                if k in idx.pods and idx.pods[k].wired and idx.pods[k].node == node
            ]
            pods.sort(key=lambda p: p.key)
            if pods:
                idx.pods_on_node[node] = pods
            else:
                idx.pods_on_node.pop(node, None)
        idx.changed_pods = frozenset(pods_changed)


def _list_policies(idx: ClusterIndex, store) -> None:
    idx.network_policies = list(store.list("networkpolicies"))
    idx.namespace_labels = {
        ns["metadata"]["name"]: ns["metadata"].get("labels") or {}
        for ns in store.list("namespaces")
    }
    if idx._policies is not None:
        idx._previous_policies = idx._policies
    idx._policies = None


def _key(obj: dict) -> str:
    meta = obj["metadata"]
    return f"{meta.get('namespace', 'default')}/{meta['name']}"
