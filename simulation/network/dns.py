"""Name resolution as a pod sees it: CoreDNS, the search list and ndots:5.

A pod's /etc/resolv.conf names the kube-dns Service IP and the search list
`<ns>.svc.<domain> svc.<domain> <domain>` with `options ndots:5`, so a short name is
tried with each search suffix before it is tried as written. CoreDNS answers
`<svc>.<ns>.svc.<domain>` with the ClusterIP (or the pod IPs of a headless Service)
and forwards everything outside the cluster domain upstream.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from . import addresses as ad
from .index import ClusterIndex

KUBE_DNS = "kube-system/kube-dns"
INGRESS_SERVICE = "ingress-nginx/ingress-nginx-controller"
NDOTS = 5


@dataclass
class Resolution:
    """The queries a resolver sent and what finally answered."""

    name: str
    queries: list[tuple[str, str]] = field(default_factory=list)
    ips: list[str] = field(default_factory=list)
    service: str | None = None
    external: bool = False
    ingress_host: bool = False

    @property
    def ip(self) -> str | None:
        return self.ips[0] if self.ips else None


def search_list(namespace: str, domain: str) -> list[str]:
    """The search suffixes in a pod's resolv.conf."""
    return [f"{namespace}.svc.{domain}", f"svc.{domain}", domain]


def resolv_conf(namespace: str, dns_ip: str, domain: str) -> str:
    """A pod's /etc/resolv.conf (dnsPolicy ClusterFirst)."""
    return (
        f"search {' '.join(search_list(namespace, domain))}\n"
        f"nameserver {dns_ip}\noptions ndots:{NDOTS}\n"
    )


def ingress_hosts(idx: ClusterIndex) -> set[str]:
    """Hosts named in Ingress rules (public DNS points them at the controller)."""
    hosts = set()
    for ing in idx.ingresses:
        for r in (ing.get("spec") or {}).get("rules") or []:
            if r.get("host"):
                hosts.add(r["host"])
    return hosts


def public_answer(idx: ClusterIndex, name: str) -> tuple[str, bool]:
    """What the internet's DNS says for name: (ip, is an Ingress host)."""
    if name in ingress_hosts(idx):
        svc = idx.services.get(INGRESS_SERVICE)
        if svc and svc.lb_ips:
            return svc.lb_ips[0], True
        ready = sorted(n.ip for n in idx.nodes.values() if n.ready and n.ip)
        if ready:
            return ready[0], True
    digest = hashlib.sha256(name.encode()).digest()
    return ad.cidr_host(ad.EXTERNAL_NET, 10 + digest[0] % 200), False


def cluster_answer(idx: ClusterIndex, qname: str, domain: str) -> list[str] | None:
    """CoreDNS's answer for a name inside the cluster domain (None: NXDOMAIN)."""
    suffix = f".svc.{domain}"
    if not qname.endswith(suffix):
        return None
    parts = qname[: -len(suffix)].split(".")
    if len(parts) != 2:
        return None
    svc = idx.services.get(f"{parts[1]}/{parts[0]}")
    if svc is None:
        return None
    if svc.cluster_ip:
        return [svc.cluster_ip]
    ips = sorted(
        {e.ip for p in svc.ports for e in idx.endpoints(svc, p)}, key=ad.ip_int
    )
    return ips or None


def resolve(
    idx: ClusterIndex, name: str, namespace: str | None, domain: str
) -> Resolution:
    """Resolve name; namespace None means the host resolver (no cluster DNS)."""
    name = name.rstrip(".") if name.endswith(".") else name
    res = Resolution(name)
    if name == "localhost":
        res.ips = [ad.LOOPBACK]
        return res
    if namespace is None:
        ip, ing = public_answer(idx, name)
        if name.endswith(f".{domain}") or "." not in name:
            res.queries.append((name, "NXDOMAIN"))
            return res
        res.queries.append((name, ip))
        res.ips, res.external, res.ingress_host = [ip], True, ing
        return res
    candidates = [f"{name}.{s}" for s in search_list(namespace, domain)]
    candidates = candidates + [name] if name.count(".") < NDOTS else [name] + candidates
    for qname in candidates:
        if qname == domain or qname.endswith(f".{domain}"):
            ips = cluster_answer(idx, qname, domain)
            res.queries.append((qname, ", ".join(ips) if ips else "NXDOMAIN"))
            if ips:
                res.ips = ips
                svc, ns = qname.split(".")[:2]
                res.service = f"{ns}/{svc}"
                return res
            continue
        if "." not in qname:
            res.queries.append((qname, "NXDOMAIN"))
            continue
        ip, ing = public_answer(idx, qname)
        res.queries.append((qname, ip))
        res.ips, res.external, res.ingress_host = [ip], True, ing
        return res
    return res
