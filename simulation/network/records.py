"""The network's view of single API objects: small frozen records.

Nodes, pods, Services and EndpointSlice endpoints become records holding just what
the network needs (addresses, ports, policies), built once per object version.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

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
    lb_excluded: bool = False

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
    key: str = ""
    # (name, port, protocol) of every named containerPort, for NetworkPolicy's
    # named ports
    named_ports: tuple[tuple[str, int, str], ...] = ()

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
    sticky_seconds: int | None = None  # sessionAffinity ClientIP
    health_node_port: int | None = None
    external_ips: tuple[str, ...] = ()  # spec.externalIPs
    # the load balancer IPs kube-proxy captures: status ingress IPs whose ipMode
    # is VIP (or unset); an ipMode Proxy LB sends its own traffic to the nodes
    lb_vips: tuple[str, ...] = ()
    # spec.loadBalancerSourceRanges, as kube-proxy reads them (spaces trimmed)
    source_ranges: tuple[str, ...] = ()

    @property
    def externally_accessible(self) -> bool:
        """kube-proxy's ExternallyAccessible: a NodePort, LB IP or external IP."""
        return bool(self.lb_vips or self.external_ips) or any(
            p.node_port for p in self.ports
        )

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
    # False for a terminating endpoint still serving, used only while none is
    # ready; kube-proxy's health check (LocalReadyEndpoints) does not count it
    ready: bool = True

    @property
    def text(self) -> str:
        return f"{self.ip}:{self.port}"


LB_EXCLUDE = "node.kubernetes.io/exclude-from-external-load-balancers"


def node_record(obj: dict, subnet: str) -> NodeInfo:
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
        lb_excluded=LB_EXCLUDE in (obj["metadata"].get("labels") or {}),
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


def pod_record(obj: dict) -> PodInfo:
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
        key=f"{meta.get('namespace', 'default')}/{meta['name']}",
        named_ports=tuple(
            (p["name"], int(p["containerPort"]), p.get("protocol", "TCP"))
            for c in spec.get("containers") or []
            for p in c.get("ports") or []
            if p.get("name") and p.get("containerPort") is not None
        ),
    )


def service_record(obj: dict) -> ServiceInfo:
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
    # kube-proxy's IsVIPMode: an ingress without ipMode counts as VIP
    lb_vips = tuple(
        i["ip"]
        for i in ingress or []
        if i.get("ip") and i.get("ipMode", "VIP") == "VIP"
    )
    is_lb = spec.get("type") == "LoadBalancer"
    cluster_ip = spec.get("clusterIP")
    return ServiceInfo(
        namespace=meta.get("namespace", "default"),
        name=meta["name"],
        type=spec.get("type", "ClusterIP"),
        cluster_ip=None if cluster_ip in (None, "", "None") else cluster_ip,
        ports=ports,
        external_local=spec.get("externalTrafficPolicy") == "Local",
        internal_local=spec.get("internalTrafficPolicy") == "Local",
        lb_ips=lb_ips if is_lb else (),
        lb_vips=lb_vips if is_lb else (),
        rv=str(meta.get("resourceVersion", "")),
        labels=tuple(sorted((meta.get("labels") or {}).items())),
        sticky_seconds=_sticky(spec),
        health_node_port=spec.get("healthCheckNodePort"),
        external_ips=tuple(
            ip
            for ip in (str(x).strip() for x in spec.get("externalIPs") or [])
            if ad.is_ipv4(ip)
        ),
        source_ranges=_source_ranges(spec),
    )


def _source_ranges(spec: dict) -> tuple[str, ...]:
    """The IPv4 CIDRs of loadBalancerSourceRanges, trimmed as kube-proxy trims them
    (an entry that is not a CIDR is skipped), in the network form iptables shows."""
    out = []
    for text in spec.get("loadBalancerSourceRanges") or []:
        try:
            net = ipaddress.IPv4Network(str(text).strip(), strict=False)
        except ValueError:
            continue
        out.append(str(net))
    return tuple(out)


def _sticky(spec: dict) -> int | None:
    if spec.get("sessionAffinity") != "ClientIP":
        return None
    config = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
    return int(config.get("timeoutSeconds") or 10800)


EndpointTable = dict[tuple[str, str], tuple[Endpoint, ...]]


def slice_endpoints(slices: list[dict]) -> EndpointTable:
    """Usable endpoints per (port name, protocol); see split_endpoints."""
    return split_endpoints(slices)[0]


def split_endpoints(slices: list[dict]) -> tuple[EndpointTable, EndpointTable]:
    """Usable endpoints per (port name, protocol), in kube-proxy's order, and the
    serving-terminating ones per key (for Local policies' own fallback).

    kube-proxy uses the ready endpoints (a missing `ready` counts as ready); only
    when none is ready does it fall back to those still serving while terminating.
    It sorts them by their "ip:port" string (so 10.244.10.2 sorts before 10.244.2.3),
    which fixes the order of the KUBE-SEP rules and so which one a draw picks.
    """
    ready: dict[tuple[str, str], dict[str, Endpoint]] = {}
    draining: dict[tuple[str, str], dict[str, Endpoint]] = {}
    for sl in slices:
        if sl.get("addressType", "IPv4") != "IPv4":
            continue
        for port in sl.get("ports") or []:
            if port.get("port") is None:
                continue
            key = (port.get("name") or "", port.get("protocol", "TCP"))
            for ep in sl.get("endpoints") or []:
                cond = ep.get("conditions") or {}
                is_ready = cond.get("ready") is not False
                if is_ready:
                    bucket = ready.setdefault(key, {})
                elif cond.get("serving") and cond.get("terminating"):
                    bucket = draining.setdefault(key, {})
                else:
                    continue
                ref = ep.get("targetRef") or {}
                for ip in (ep.get("addresses") or [])[:1]:
                    e = Endpoint(
                        ip,
                        int(port["port"]),
                        ep.get("nodeName"),
                        ref.get("name"),
                        is_ready,
                    )
                    bucket[e.text] = e
    out = {}
    for key in ready.keys() | draining.keys():
        chosen = ready.get(key) or draining.get(key) or {}
        out[key] = tuple(chosen[t] for t in sorted(chosen))
    serving = {k: tuple(v[t] for t in sorted(v)) for k, v in draining.items()}
    return out, serving
