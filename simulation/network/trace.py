"""Packet traces: from a pod, container, node or the internet client to an address,
a Service name or a URL, with DNS first and an Ingress controller's second hop.

`run_trace` returns a TraceResult whose `hops` and `reply` a learner can step
through; `legs` keeps each connection separately (DNS query, request, and the
controller's new connection to the backend when an Ingress is involved).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulation.errors import UsageError

from . import addresses as ad
from . import dns, ingress
from .netfilter import Packet
from .reply import build_reply
from .targets import (
    Destination,
    Source,
    object_target,
    parse_destination,
    parse_source,
)
from .walk import Walker

VERDICTS = ("delivered", "rejected", "dropped", "timeout", "refused", "unresolved")


@dataclass
class TraceResult:
    """Outcome of a trace: verdict, forward hops, reply hops and the legs."""

    source: str
    destination: str
    verdict: str = "delivered"
    reason: str = ""
    hops: list[dict] = field(default_factory=list)
    reply: list[dict] = field(default_factory=list)
    legs: list[dict] = field(default_factory=list)
    dns: dict | None = None
    http: dict | None = None
    conntrack: dict[str, list[str]] = field(default_factory=dict)
    # what a CNI that enforces NetworkPolicy would have done differently
    notes: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One sentence for the event log."""
        return (
            f"A packet from {self.source} to {self.destination}: {self.verdict}. "
            f"{self.reason}"
        ).strip()

    def to_dict(self) -> dict:
        return {
            "summary": self.summary,
            "source": self.source,
            "destination": self.destination,
            "verdict": self.verdict,
            "reason": self.reason,
            "hops": self.hops,
            "reply": self.reply,
            "legs": self.legs,
            "dns": self.dns,
            "http": self.http,
            "conntrack": self.conntrack,
            "notes": self.notes,
        }


def run_trace(net, source: str, destination: str, rng, proto: str = "tcp"):
    """Trace a connection; see the module docstring."""
    if proto not in ("tcp", "udp", "icmp"):
        raise UsageError(f"unknown protocol {proto!r}")
    src = parse_source(net.idx, source)
    direct = object_target(net.idx, destination, proto)
    if direct is not None:
        destination_text = destination
        destination = direct[0] if direct[1] is None else f"{direct[0]}:{direct[1]}"
    dest = parse_destination(destination, proto)
    res = TraceResult(source=source, destination=destination)
    if direct is not None:
        res.destination = destination_text
    if src.kind == "pod" and src.pod.node in net.failed:
        return _finish(
            res, "timeout", f"{src.pod.node} is down, so nothing runs there."
        )
    if src.kind == "node" and src.node.name in net.failed:
        return _finish(res, "timeout", f"{src.node.name} is down.")
    ip, port = dest.host, dest.port
    if not ad.is_ipv4(dest.host):
        ip, port = _resolve(net, src, dest, rng, res)
        if ip is None:
            return res
    if port is None and proto != "icmp":
        raise UsageError(f"a port is required to reach {destination}")
    first = _leg(net, src, ip, port, proto, rng, "request")
    res.legs.append(first)
    res.hops, res.reply = list(first["hops"]), list(first["reply"])
    verdict, reason = first["verdict"], first["reason"]
    pod = first.pop("_delivered")
    if verdict == "delivered" and pod is not None and _is_controller(net, pod):
        verdict, reason = _ingress_leg(net, pod, dest, rng, res)
    _finish(res, verdict, reason)
    return res


def run_lookup(net, source: str, name: str, rng) -> TraceResult:
    """Resolve name from source as `nslookup` would (the DNS leg only)."""
    src = parse_source(net.idx, source)
    res = TraceResult(source=source, destination=name)
    if ad.is_ipv4(name):
        res.dns = {"name": name, "queries": [], "answer": name, "server": None}
        return _finish(res, "delivered", f"{name} is already an address.")
    dest = Destination(name.strip(), None)
    ip, _ = _resolve(net, src, dest, rng, res)
    if ip is None:
        return res
    res.hops = list(res.dns.get("hops", []))
    res.reply = list(res.dns.get("reply", []))
    return _finish(res, "delivered", f"{name} resolved to {ip}.")


def _finish(res: TraceResult, verdict: str, reason: str) -> TraceResult:
    res.verdict, res.reason = verdict, reason
    res.notes = [n for leg in res.legs for n in leg.get("notes", ())]
    for leg in res.legs:
        for h in leg["hops"]:
            ct = h.get("conntrack")
            if ct and h["node"]:
                res.conntrack.setdefault(h["node"], []).append(ct["entry"])
    return res


def _start(net, src: Source, ip, port, proto, rng) -> Walker:
    sport = None if proto == "icmp" else rng.randint(32768, 60999)
    if src.kind == "pod" and not src.pod.host_network:
        own = ad.LOOPBACK if ip == ad.LOOPBACK else src.pod.ip
        return Walker(net, rng, Packet(own, sport, ip, port, proto))
    if src.kind == "client":
        return Walker(net, rng, Packet(ad.INTERNET_CLIENT_IP, sport, ip, port, proto))
    return Walker(net, rng, Packet("", sport, ip, port, proto))


def _leg(net, src: Source, ip, port, proto, rng, kind: str) -> dict:
    w = _start(net, src, ip, port, proto, rng)
    if src.kind == "pod" and not src.pod.host_network:
        w.from_container(src.pod, src.container)
    elif src.kind == "pod":
        w.from_node(net.idx.nodes[src.pod.node], src.pod, src.container)
    elif src.kind == "node":
        w.from_node(src.node)
    else:
        w.from_client()
    w.verdict = w.verdict or "dropped"
    return {
        "kind": kind,
        "from": w.hops[0]["src"] if w.hops else None,
        "to": f"{ip}" if port is None else f"{ip}:{port}",
        "verdict": w.verdict,
        "reason": w.reason,
        "hops": w.hops,
        "reply": build_reply(w),
        "notes": w.notes,
        "_delivered": w.delivered_to,
    }


def _resolve(net, src: Source, dest: Destination, rng, res: TraceResult):
    namespace = (
        src.pod.namespace if src.kind == "pod" and not src.pod.host_network else None
    )
    answer = dns.resolve(net.idx, dest.host, namespace, net.domain)
    info = {
        "name": dest.host,
        "queries": [list(q) for q in answer.queries],
        "answer": answer.ip,
        "server": net.dns_ip if namespace else "host resolver",
    }
    res.dns = info
    if answer.external and namespace is not None:
        info["note"] = (
            f"CoreDNS is not authoritative for {dest.host}: it forwards the query "
            f"upstream (forward . /etc/resolv.conf, here {ad.UPSTREAM_DNS_IP})."
        )
    if namespace is not None and answer.queries:
        leg = _leg(net, src, net.dns_ip, 53, "udp", rng, "dns")
        leg.pop("_delivered")
        res.legs.append(leg)
        info.update(hops=leg["hops"], reply=leg["reply"], verdict=leg["verdict"])
        if leg["verdict"] != "delivered":
            why = {"rejected": "kube-dns has no endpoints"}.get(
                leg["verdict"], leg["reason"]
            )
            why = why.rstrip(".")
            _finish(res, leg["verdict"], f"DNS query for {dest.host} failed: {why}.")
            return None, None
    if answer.ip is None:
        _finish(res, "unresolved", f"Could not resolve host: {dest.host}.")
        return None, None
    port = dest.port
    if answer.service and not dest.scheme and not dest.explicit_port:
        svc = net.idx.services.get(answer.service)
        port = svc.ports[0].port if svc and svc.ports else port
    if answer.ingress_host and not dest.explicit_port and net.platform != "cloud":
        svc = net.idx.services.get(dns.INGRESS_SERVICE)
        want = "https" if dest.scheme == "https" else "http"
        np = (
            next((p.node_port for p in svc.ports if p.name == want), None)
            if svc
            else None
        )
        port = np or port
    return answer.ip, port


def _is_controller(net, pod) -> bool:
    svc = net.idx.services.get(dns.INGRESS_SERVICE)
    if svc is None:
        return False
    return any(
        e.pod == pod.name and e.ip == pod.ip
        for p in svc.ports
        for e in net.idx.endpoints(svc, p)
    )


def _ingress_leg(net, pod, dest: Destination, rng, res: TraceResult):
    m = ingress.match(net.idx.ingresses, dest.host, dest.path)
    http = {
        "host": dest.host,
        "path": dest.path,
        "controller": pod.key,
        "tls": dest.scheme == "https",
    }
    res.http = http
    if m is None:
        http["status"] = 404
        return "delivered", "The Ingress controller answered 404: no rule matches."
    http.update(
        ingress=m.ingress,
        rule=f"{m.host}{m.path} ({m.path_type})",
        backend=f"{m.service}:{m.port}",
    )
    svc = net.idx.services.get(m.service)
    port = svc and next(
        (p for p in svc.ports if p.port == m.port or p.name == m.port), None
    )
    eps = net.idx.endpoints(svc, port) if port else ()
    if not eps:
        http["status"] = 503
        return (
            "delivered",
            f"The controller answered 503: {m.service} has no ready endpoints.",
        )
    ep = rng.choice(eps)
    container = res.hops[-1]["at"].rpartition("/c/")[2] or pod.containers[0][0]
    src = Source("pod", pod=pod, container=container)
    leg = _leg(net, src, ep.ip, ep.port, "tcp", rng, "upstream")
    leg.pop("_delivered")
    res.legs.append(leg)
    res.hops += leg["hops"]
    res.reply = leg["reply"] + res.reply
    http["status"] = 200 if leg["verdict"] == "delivered" else 502
    tls = "TLS ends at the controller; " if http["tls"] else ""
    return leg["verdict"], (
        f"{tls}The Ingress controller matched {http['rule']} and opened a new "
        f"connection to {ep.text} (an endpoint of {m.service}): {leg['reason']}"
    )
