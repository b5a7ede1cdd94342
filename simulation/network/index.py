"""A read-only index of the objects the network cares about, keyed for lookups.

The index turns the API objects (nodes, pods, Services, EndpointSlices, Ingresses)
into small frozen records, and finds them by IP, ClusterIP, NodePort or name. It is
rebuilt per store revision; records are reused while an object's resourceVersion is
unchanged, so a revision that touches one pod costs one record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import addresses as ad


@dataclass(frozen=True, slots=True)
class NodeInfo:
    """A node as the network sees it: its addresses and pod range."""

    name: str
    ip: str
    pod_cidr: str | None
    subnet: str
    gateway: str
    unschedulable: bool
    ready: bool

    @property
    def cni0_ip(self) -> str | None:
        return ad.cidr_host(self.pod_cidr, 1) if self.pod_cidr else None

    @property
    def flannel_ip(self) -> str | None:
        return ad.cidr_host(self.pod_cidr, 0) if self.pod_cidr else None


@dataclass(frozen=True, slots=True)
class PodInfo:
    """A pod's network identity: where it runs, its IP, what it listens on."""

    namespace: str
    name: str
    node: str | None
    ip: str | None
    host_network: bool
    phase: str
    ready: bool
    containers: tuple[tuple[str, tuple[tuple[int, str], ...]], ...]
    labels: tuple[tuple[str, str], ...]

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def veth(self) -> str:
        return ad.veth_name(self.namespace, self.name)

    @property
    def wired(self) -> bool:
        """Whether the pod has a network namespace with its IP (sandbox is up)."""
        return bool(self.node and self.ip) and self.phase in ("Running", "Pending")

    def listener(self, port: int, proto: str) -> str | None:
        """The container that declares port/proto, if any."""
        for cname, ports in self.containers:
            if (port, proto) in ports:
                return cname
        return None


@dataclass(frozen=True, slots=True)
class PortInfo:
    """One Service port."""

    name: str
    port: int
    target_port: int | str
    node_port: int | None
    protocol: str


@dataclass(frozen=True, slots=True)
class ServiceInfo:
    """A Service's virtual addresses and policies."""

    namespace: str
    name: str
    type: str
    cluster_ip: str | None
    ports: tuple[PortInfo, ...]
    external_local: bool
    internal_local: bool
    lb_ips: tuple[str, ...]
    rv: str
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    def port_name(self, port: PortInfo) -> str:
        """kube-proxy's ServicePortName string: ns/name[:port]."""
        return f"{self.key}:{port.name}" if port.name else self.key


@dataclass(frozen=True, slots=True)
class Endpoint:
    """One ready address of a Service port, from an EndpointSlice."""

    ip: str
    port: int
    node: str | None
    pod: str | None

    @property
    def text(self) -> str:
        return f"{self.ip}:{self.port}"


def _node(obj: dict, subnet: str) -> NodeInfo:
    status = obj.get("status") or {}
    ip = next(
        (
            a["address"]
            for a in status.get("addresses") or []
            if a["type"] == "InternalIP"
        ),
        "",
    )
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    spec = obj.get("spec") or {}
    gateway = ad.cidr_host(subnet, 1)
    return NodeInfo(
        name=obj["metadata"]["name"],
        ip=ip,
        pod_cidr=spec.get("podCIDR"),
        subnet=subnet,
        gateway=gateway,
        unschedulable=bool(spec.get("unschedulable")),
        ready=ready or not status.get("conditions"),
    )


# Control-plane static pods declare no containerPort; these are the ports they serve.
DAEMON_PORTS = {
    "kube-apiserver": (6443,),
    "etcd": (2379, 2380),
    "kube-scheduler": (10259,),
    "kube-controller-manager": (10257,),
}
PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _listens(c: dict, extra: tuple[int, ...]) -> tuple[tuple[int, str], ...]:
    """What a container listens on: declared ports, probed ports, known daemons."""
    found = [
        (int(p["containerPort"]), p.get("protocol", "TCP"))
        for p in c.get("ports") or []
    ]
    for probe in PROBES:
        for kind in ("httpGet", "tcpSocket", "grpc"):
            port = ((c.get(probe) or {}).get(kind) or {}).get("port")
            if isinstance(port, int):
                found.append((port, "TCP"))
    found += [(p, "TCP") for p in extra]
    return tuple(dict.fromkeys(found))


def _pod(obj: dict) -> PodInfo:
    meta, spec, status = obj["metadata"], obj.get("spec") or {}, obj.get("status") or {}
    component = (meta.get("labels") or {}).get("component", "")
    extra = DAEMON_PORTS.get(component, ()) if spec.get("hostNetwork") else ()
    containers = tuple(
        (c["name"], _listens(c, extra if i == 0 else ()))
        for i, c in enumerate(spec.get("containers") or [])
    )
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    return PodInfo(
        namespace=meta.get("namespace", "default"),
        name=meta["name"],
        node=spec.get("nodeName"),
        ip=status.get("podIP"),
        host_network=bool(spec.get("hostNetwork")),
        phase=status.get("phase", "Pending"),
        ready=ready,
        containers=containers,
        labels=tuple(sorted((meta.get("labels") or {}).items())),
    )


def _service(obj: dict) -> ServiceInfo:
    meta, spec = obj["metadata"], obj.get("spec") or {}
    ports = tuple(
        PortInfo(
            name=p.get("name", ""),
            port=int(p["port"]),
            target_port=p.get("targetPort", p["port"]),
            node_port=p.get("nodePort"),
            protocol=p.get("protocol", "TCP"),
        )
        for p in spec.get("ports") or []
    )
    ingress = ((obj.get("status") or {}).get("loadBalancer") or {}).get("ingress")
    lb_ips = tuple(i["ip"] for i in ingress or [] if i.get("ip"))
    cluster_ip = spec.get("clusterIP")
    return ServiceInfo(
        namespace=meta.get("namespace", "default"),
        name=meta["name"],
        type=spec.get("type", "ClusterIP"),
        cluster_ip=None if cluster_ip in (None, "", "None") else cluster_ip,
        ports=ports,
        external_local=spec.get("externalTrafficPolicy") == "Local",
        internal_local=spec.get("internalTrafficPolicy") == "Local",
        lb_ips=lb_ips if spec.get("type") == "LoadBalancer" else (),
        rv=str(meta.get("resourceVersion", "")),
        labels=tuple(sorted((meta.get("labels") or {}).items())),
    )


def slice_endpoints(slices: list[dict]) -> dict[tuple[str, str], tuple[Endpoint, ...]]:
    """Ready endpoints per (port name, protocol), sorted by address."""
    found: dict[tuple[str, str], dict[str, Endpoint]] = {}
    for sl in slices:
        if sl.get("addressType", "IPv4") != "IPv4":
            continue
        for port in sl.get("ports") or []:
            if port.get("port") is None:
                continue
            key = (port.get("name") or "", port.get("protocol", "TCP"))
            bucket = found.setdefault(key, {})
            for ep in sl.get("endpoints") or []:
                if (ep.get("conditions") or {}).get("ready") is False:
                    continue
                ref = ep.get("targetRef") or {}
                for ip in ep.get("addresses") or []:
                    e = Endpoint(
                        ip, int(port["port"]), ep.get("nodeName"), ref.get("name")
                    )
                    bucket[e.text] = e
    return {
        k: tuple(v[t] for t in sorted(v, key=_ep_sort_key)) for k, v in found.items()
    }


def _ep_sort_key(text: str) -> tuple[int, int]:
    ip, port = ad.split_hostport(text)
    return ad.ip_int(ip), port or 0


@dataclass
class ClusterIndex:
    """Records and lookup tables for one store revision."""

    revision: int
    nodes: dict[str, NodeInfo] = field(default_factory=dict)
    pods: dict[str, PodInfo] = field(default_factory=dict)
    services: dict[str, ServiceInfo] = field(default_factory=dict)
    slices: dict[str, list[dict]] = field(default_factory=dict)
    slice_rvs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    ingresses: list[dict] = field(default_factory=list)
    pod_by_ip: dict[str, PodInfo] = field(default_factory=dict)
    node_by_ip: dict[str, NodeInfo] = field(default_factory=dict)
    node_by_flannel_ip: dict[str, NodeInfo] = field(default_factory=dict)
    svc_by_ip: dict[str, ServiceInfo] = field(default_factory=dict)
    svc_by_lb_ip: dict[str, ServiceInfo] = field(default_factory=dict)
    pods_on_node: dict[str, list[PodInfo]] = field(default_factory=dict)
    _eps: dict[str, dict] = field(default_factory=dict)

    def endpoints(self, svc: ServiceInfo, port: PortInfo) -> tuple[Endpoint, ...]:
        """Ready endpoints for one Service port (empty when there are none)."""
        table = self._eps.get(svc.key)
        if table is None:
            table = self._eps[svc.key] = slice_endpoints(self.slices.get(svc.key, []))
        return table.get((port.name, port.protocol), ())

    def node_of_ip(self, ip: str) -> NodeInfo | None:
        """The node whose podCIDR holds ip."""
        for node in self.nodes.values():
            if node.pod_cidr and ad.in_cidr(ip, node.pod_cidr):
                return node
        return None


class Indexer:
    """Builds a ClusterIndex per revision, reusing records of unchanged objects."""

    def __init__(self, config) -> None:
        self.config = config
        self._cache: dict[tuple[str, str, str], object] = {}

    def _record(self, plural: str, obj: dict, make):
        meta = obj["metadata"]
        ckey = (plural, f"{meta.get('namespace', '')}/{meta['name']}", "")
        rv = str(meta.get("resourceVersion", id(obj)))
        hit = self._cache.get(ckey)
        if hit is not None and hit[0] == rv:
            return hit[1]
        rec = make(obj)
        self._cache[ckey] = (rv, rec)
        return rec

    def build(self, store) -> ClusterIndex:
        """Index every object of the current revision."""
        idx = ClusterIndex(revision=store.revision)
        subnet = getattr(self.config, "node_subnet", "192.168.10.0/24")
        for obj in store.list("nodes"):
            node = self._record("nodes", obj, lambda o: _node(o, subnet))
            idx.nodes[node.name] = node
            idx.node_by_ip[node.ip] = node
            if node.flannel_ip:
                idx.node_by_flannel_ip[node.flannel_ip] = node
        for obj in store.list("pods"):
            pod = self._record("pods", obj, _pod)
            idx.pods[pod.key] = pod
            if pod.wired:
                idx.pods_on_node.setdefault(pod.node, []).append(pod)
                if not pod.host_network:
                    idx.pod_by_ip[pod.ip] = pod
        for obj in store.list("services"):
            svc = self._record("services", obj, _service)
            idx.services[svc.key] = svc
            if svc.cluster_ip:
                idx.svc_by_ip[svc.cluster_ip] = svc
            for ip in svc.lb_ips:
                idx.svc_by_lb_ip[ip] = svc
        for obj in store.list("endpointslices"):
            meta = obj["metadata"]
            owner = (meta.get("labels") or {}).get("kubernetes.io/service-name")
            if owner:
                key = f"{meta.get('namespace', 'default')}/{owner}"
                idx.slices.setdefault(key, []).append(obj)
        for key, objs in idx.slices.items():
            idx.slice_rvs[key] = tuple(
                str(o["metadata"].get("resourceVersion", "")) for o in objs
            )
        idx.ingresses = list(store.list("ingresses"))
        return idx
