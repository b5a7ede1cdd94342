"""What a trace starts from and goes to, parsed from what a learner types.

Sources: `internet`, `node/NAME` (or a node's name or IP), a pod as
`[pod/][NAMESPACE/]NAME[:CONTAINER]` or its IP. Destinations: `IP[:PORT]`,
`NAME[:PORT]` (resolved by DNS first) or an `http[s]://HOST[:PORT]/PATH` URL.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulation.errors import NotFound, UsageError

from . import addresses as ad


@dataclass
class Source:
    """Where a trace starts."""

    kind: str  # "pod" | "node" | "client"
    pod: object = None
    container: str | None = None
    node: object = None


@dataclass
class Destination:
    """What a trace was asked to reach."""

    host: str
    port: int | None
    path: str = "/"
    scheme: str | None = None
    explicit_port: bool = False


def parse_source(idx, text: str) -> Source:
    """'internet' | 'node/NAME' | NAME of a node | [pod/][NS/]POD[:CONTAINER] | IP."""
    text = text.strip()
    if text == "internet":
        return Source("client")
    if text.startswith("node/") or text in idx.nodes:
        name = text.removeprefix("node/")
        if name not in idx.nodes:
            raise NotFound("nodes", name)
        return Source("node", node=idx.nodes[name])
    if ad.is_ipv4(text):
        if text in idx.pod_by_ip:
            pod = idx.pod_by_ip[text]
            return Source("pod", pod=pod, container=pod.containers[0][0])
        if text in idx.node_by_ip:
            return Source("node", node=idx.node_by_ip[text])
        raise NotFound("pods", text)
    body = text.removeprefix("pod/").removeprefix("pods/")
    body, _, container = body.partition(":")
    ns, _, name = body.rpartition("/")
    pod = idx.pods.get(f"{ns or 'default'}/{name}")
    if pod is None:
        raise NotFound("pods", name)
    if not pod.wired:
        raise UsageError(f"pod {pod.key} has no IP yet (phase {pod.phase})")
    if pod.node not in idx.nodes or not (
        pod.host_network or idx.nodes[pod.node].pod_cidr
    ):
        raise UsageError(f"pod {pod.key} has no network: its node has no podCIDR")
    names = [c for c, _ in pod.containers]
    if container and container not in names:
        raise UsageError(f"container {container} is not valid for pod {pod.name}")
    return Source("pod", pod=pod, container=container or names[0])


def parse_destination(text: str, proto: str) -> Destination:
    """'ip[:port]' | 'name[:port]' | 'http[s]://host[:port]/path'."""
    text = text.strip()
    scheme = None
    if "://" in text:
        scheme, _, text = text.partition("://")
        if scheme not in ("http", "https"):
            raise UsageError(f"unsupported URL scheme {scheme!r}")
    hostport, slash, path = text.partition("/")
    try:
        host, port = ad.split_hostport(hostport)
    except ValueError as err:
        raise UsageError(str(err)) from None
    explicit = port is not None
    if port is None and proto != "icmp":
        port = 443 if scheme == "https" else 80 if scheme == "http" else None
    if not host:
        raise UsageError("a destination is required")
    return Destination(host, port, slash + path if slash else "/", scheme, explicit)


KIND_PREFIXES = {
    "svc": "svc",
    "service": "svc",
    "services": "svc",
    "pod": "pod",
    "pods": "pod",
    "po": "pod",
    "node": "node",
    "nodes": "node",
    "no": "node",
}


def object_target(idx, text: str, proto: str) -> tuple[str, int | None] | None:
    """`svc/[NS/]NAME[:PORT]`, `pod/[NS/]NAME[:PORT]`, `node/NAME[:PORT]` as an
    address (a Service means its ClusterIP: no DNS); None for anything else."""
    kind, slash, rest = text.strip().partition("/")
    kind = KIND_PREFIXES.get(kind)
    if not slash or kind is None:
        return None
    name, _, port_text = rest.partition(":")
    if port_text and not port_text.isdigit():
        raise UsageError(f"bad port in {text!r}")
    port = int(port_text) if port_text else None
    ns, _, name = name.rpartition("/")
    ns = ns or "default"
    if kind == "svc":
        svc = idx.services.get(f"{ns}/{name}")
        if svc is None:
            raise NotFound("services", name)
        if not svc.cluster_ip:
            raise UsageError(f"service {svc.key} is headless: it has no ClusterIP")
        if port is None and proto != "icmp":
            port = svc.ports[0].port if svc.ports else None
        return svc.cluster_ip, port
    if kind == "pod":
        pod = idx.pods.get(f"{ns}/{name}")
        if pod is None or not pod.ip:
            raise NotFound("pods", name)
        if port is None and proto != "icmp":
            declared = [p for _, ports in pod.containers for p, _ in ports]
            port = declared[0] if declared else 80
        return pod.ip, port
    node = idx.nodes.get(name)
    if node is None:
        raise NotFound("nodes", name)
    if port is None and proto != "icmp":
        raise UsageError(f"a port is required to reach node {node.name}")
    return node.ip, port
