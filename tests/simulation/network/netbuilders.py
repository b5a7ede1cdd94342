"""Builders for Kubernetes-shaped objects in a tiny fake store (no core needed).

A plain module (not conftest) so its name cannot clash with other conftest files.
"""

from __future__ import annotations

from typing import NamedTuple

from simulation.config import ClusterConfig
from simulation.network import NetworkModel
from simulation.state import World


class Write(NamedTuple):
    """One write-log entry, shaped like the core's events.Write."""

    revision: int
    op: str
    key: str
    object: dict | None
    previous: dict | None


class FakeStore:
    """The part of the core's Store the network model reads (with a write log)."""

    def __init__(self) -> None:
        self.revision = 0
        self.objects: dict[str, dict[str, dict]] = {}
        self.log: list[Write] = []

    def put(self, plural: str, obj: dict) -> dict:
        self.revision += 1
        meta = obj["metadata"]
        meta["resourceVersion"] = str(self.revision)
        key = f"{meta.get('namespace', '')}/{meta['name']}"
        previous = self.objects.setdefault(plural, {}).get(key)
        self.objects[plural][key] = obj
        op = "MODIFIED" if previous else "ADDED"
        self.log.append(Write(self.revision, op, f"/{plural}/{key}", obj, previous))
        return obj

    def delete(self, plural: str, namespace: str, name: str) -> None:
        self.revision += 1
        key = f"{namespace}/{name}"
        previous = self.objects[plural].pop(key)
        self.log.append(
            Write(self.revision, "DELETED", f"/{plural}/{key}", None, previous)
        )

    def get(self, plural: str, namespace: str | None, name: str) -> dict | None:
        return self.objects.get(plural, {}).get(f"{namespace or ''}/{name}")

    def list(self, plural: str, namespace: str | None = None) -> list[dict]:
        items = self.objects.get(plural, {})
        return [
            items[k]
            for k in sorted(items)
            if namespace is None or items[k]["metadata"].get("namespace") == namespace
        ]


class ClusterBuilder:
    """Makes nodes, pods, Services and EndpointSlices the way the core would."""

    def __init__(self, nodes: int = 3, cni: str = "overlay", platform="bare-metal"):
        self.store = FakeStore()
        self.config = ClusterConfig(cni=cni, platform=platform)
        self.world = World()
        self._next_ip: dict[str, int] = {}
        self._next_vip = 20
        self._next_np = 30080
        self._next_lb = 10
        for i in range(nodes):
            self.node(f"node-{i + 1}")

    # objects ------------------------------------------------------------------
    def node(self, name: str) -> dict:
        i = int(name.rsplit("-", 1)[1])
        obj = {
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {"name": name},
            "spec": {"podCIDR": f"10.244.{i}.0/24"},
            "status": {
                "addresses": [
                    {"type": "InternalIP", "address": f"192.168.10.{10 + i}"}
                ],
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
        self._next_ip[name] = 2
        return self.store.put("nodes", obj)

    def pod(
        self,
        name: str,
        node: str,
        labels: dict | None = None,
        ports: list[int] | None = None,
        ns: str = "default",
        containers: dict[str, list] | None = None,
        host_network: bool = False,
    ) -> dict:
        if containers is None:
            containers = {"app": ports if ports is not None else [80]}
        i = int(node.rsplit("-", 1)[1])
        if host_network:
            ip = f"192.168.10.{10 + i}"
        else:
            ip = f"10.244.{i}.{self._next_ip[node]}"
            self._next_ip[node] += 1
        obj = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": name, "namespace": ns, "labels": labels or {}},
            "spec": {
                "nodeName": node,
                "hostNetwork": host_network,
                "containers": [
                    {
                        "name": c,
                        "image": "nginx:1.27",
                        "ports": [
                            p if isinstance(p, dict) else {"containerPort": p}
                            for p in ps
                        ],
                    }
                    for c, ps in containers.items()
                ],
            },
            "status": {
                "phase": "Running",
                "podIP": ip,
                "hostIP": f"192.168.10.{10 + i}",
                "conditions": [{"type": "Ready", "status": "True"}],
            },
        }
        return self.store.put("pods", obj)

    def service(
        self,
        name: str,
        selector: dict,
        ports: list[dict] | None = None,
        type: str = "ClusterIP",
        ns: str = "default",
        etp: str = "Cluster",
        cluster_ip: str | None = None,
    ) -> dict:
        ports = [dict(p) for p in ports or [{"name": "http", "port": 80}]]
        for p in ports:
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p["port"])
            if type in ("NodePort", "LoadBalancer") and "nodePort" not in p:
                p["nodePort"] = self._next_np
                self._next_np += 1
        if cluster_ip is None:
            cluster_ip = f"10.96.0.{self._next_vip}"
            self._next_vip += 1
        spec = {"type": type, "clusterIP": cluster_ip, "ports": ports}
        spec["selector"] = selector
        if type != "ClusterIP":
            spec["externalTrafficPolicy"] = etp
        status = {}
        if type == "LoadBalancer" and self.config.platform == "cloud":
            status = {
                "loadBalancer": {"ingress": [{"ip": f"203.0.113.{self._next_lb}"}]}
            }
            self._next_lb += 1
        obj = {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name, "namespace": ns},
            "spec": spec,
            "status": status,
        }
        self.store.put("services", obj)
        self.endpoints(name, ns)
        return obj

    def endpoints(self, name: str, ns: str = "default") -> dict:
        """(Re)write the Service's EndpointSlice from the pods it selects."""
        svc = self.store.get("services", ns, name)
        sel = svc["spec"]["selector"]
        pods = [
            p
            for p in self.store.list("pods", ns)
            if sel and all(p["metadata"]["labels"].get(k) == v for k, v in sel.items())
        ]
        eps = [
            {
                "addresses": [p["status"]["podIP"]],
                "conditions": {"ready": True, "serving": True, "terminating": False},
                "nodeName": p["spec"]["nodeName"],
                "targetRef": {
                    "kind": "Pod",
                    "namespace": ns,
                    "name": p["metadata"]["name"],
                },
            }
            for p in pods
        ]
        ports = [
            {
                "name": p.get("name", ""),
                "port": p["targetPort"],
                "protocol": p["protocol"],
            }
            for p in svc["spec"]["ports"]
        ]
        obj = {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": f"{name}-abcde",
                "namespace": ns,
                "labels": {"kubernetes.io/service-name": name},
            },
            "addressType": "IPv4",
            "endpoints": eps,
            "ports": ports,
        }
        return self.store.put("endpointslices", obj)

    def coredns(self, nodes=("node-1", "node-2")) -> None:
        for i, node in enumerate(nodes):
            self.pod(
                f"coredns-5d78c9869d-{'abcdefgh'[i]}x",
                node,
                labels={"k8s-app": "kube-dns"},
                ns="kube-system",
                containers={
                    "coredns": [
                        {"containerPort": 53, "protocol": "UDP", "name": "dns"},
                        {"containerPort": 53, "protocol": "TCP", "name": "dns-tcp"},
                        {"containerPort": 9153, "protocol": "TCP", "name": "metrics"},
                    ]
                },
            )
        self.service(
            "kube-dns",
            {"k8s-app": "kube-dns"},
            ports=[
                {"name": "dns", "port": 53, "protocol": "UDP"},
                {"name": "dns-tcp", "port": 53, "protocol": "TCP"},
                {"name": "metrics", "port": 9153, "protocol": "TCP"},
            ],
            ns="kube-system",
            cluster_ip="10.96.0.10",
        )

    def ingress_controller(self, node: str = "node-3") -> None:
        self.pod(
            "ingress-nginx-controller-7c5f-x",
            node,
            labels={"app.kubernetes.io/name": "ingress-nginx"},
            ns="ingress-nginx",
            containers={"controller": [80, 443]},
        )
        svc_type = "LoadBalancer" if self.config.platform == "cloud" else "NodePort"
        self.service(
            "ingress-nginx-controller",
            {"app.kubernetes.io/name": "ingress-nginx"},
            ports=[
                {"name": "http", "port": 80, "nodePort": 31080},
                {"name": "https", "port": 443, "nodePort": 31443},
            ],
            type=svc_type,
            ns="ingress-nginx",
        )

    def ingress(self, name: str, host: str, paths: dict[str, tuple[str, int]]):
        obj = {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "metadata": {"name": name, "namespace": "default"},
            "spec": {
                "ingressClassName": "nginx",
                "rules": [
                    {
                        "host": host,
                        "http": {
                            "paths": [
                                {
                                    "path": path,
                                    "pathType": "Prefix",
                                    "backend": {
                                        "service": {
                                            "name": svc,
                                            "port": {"number": port},
                                        }
                                    },
                                }
                                for path, (svc, port) in paths.items()
                            ]
                        },
                    }
                ],
            },
        }
        return self.store.put("ingresses", obj)

    def model(self) -> NetworkModel:
        return NetworkModel(self.store, self.config, self.world)


def _backend(svc: str, port: int) -> dict:
    return {"service": {"name": svc, "port": {"number": port}}}


def web_cluster(cni: str = "overlay", platform: str = "bare-metal") -> ClusterBuilder:
    """Three nodes, CoreDNS, a client pod on node-1 and web pods on node-2/3."""
    b = ClusterBuilder(cni=cni, platform=platform)
    b.coredns()
    b.pod("client", "node-1", labels={"app": "client"}, ports=[])
    b.pod("web-1", "node-2", labels={"app": "web"}, ports=[80])
    b.pod("web-2", "node-3", labels={"app": "web"}, ports=[80])
    b.service("web", {"app": "web"})
    return b
