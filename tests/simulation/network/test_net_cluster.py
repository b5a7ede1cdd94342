"""The network model on a real Cluster (core objects, write log, step back)."""

from __future__ import annotations

import random

import pytest

cluster_mod = pytest.importorskip("simulation.cluster")

WEB = """
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports: [{containerPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 80}]
"""


@pytest.fixture(scope="module")
def cluster():
    c = cluster_mod.Cluster(seed=3, nodes=2)
    c.act({"op": "apply", "yaml": WEB})
    c.settle()
    return c


def test_kubernetes_service_reaches_the_apiserver(cluster):
    r = cluster.network.trace("node/node-1", "10.96.0.1:443", random.Random(1))
    assert r.verdict == "delivered"
    assert r.hops[-1]["dst"].endswith(":6443")


def test_pod_reaches_web_by_name_through_coredns(cluster):
    client = next(
        p["metadata"]["name"]
        for p in cluster.store.list("pods", "default")
        if p["metadata"]["labels"].get("app") == "web"
    )
    r = cluster.network.trace(f"default/{client}", "http://web/", random.Random(2))
    assert r.verdict == "delivered", r.reason
    assert (
        r.dns["answer"]
        == cluster.store.get("services", "default", "web")["spec"]["clusterIP"]
    )
    assert r.to_dict()["summary"].startswith("A packet from default/")


def test_kube_dns_chain_has_the_real_hash(cluster):
    nat = cluster.network.iptables_save("node-1", "nat")
    assert "-j KUBE-SVC-TCOU7JCQXEZGVUNU" in nat
    assert "-j KUBE-SVC-NPX46M4PTMTKRN6Y" in nat


def test_failed_node_times_out_and_restores(cluster):
    net = cluster.network
    world = cluster.state.world
    world.failed_nodes = set(world.failed_nodes) | {"node-2"}
    try:
        r = net.trace("node/node-1", "10.244.2.1:10250", random.Random(1))
        assert r.verdict == "timeout"
    finally:
        world.failed_nodes = set(world.failed_nodes) - {"node-2"}


SHOP = """
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: shop}
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example.com
    http:
      paths:
      - {path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}
"""


@pytest.mark.parametrize("platform", ["bare-metal", "cloud"])
def test_ingress_nginx_addon_serves_an_ingress(platform):
    from simulation.network.addons import ingress_nginx

    c = cluster_mod.Cluster(seed=5, nodes=2, platform=platform)
    c.act({"op": "apply", "yaml": WEB})
    c.act({"op": "apply", "objects": ingress_nginx(c.config)})
    c.act({"op": "apply", "yaml": SHOP})
    c.settle()
    r = c.network.trace("internet", "http://shop.example.com/", random.Random(4))
    assert r.verdict == "delivered", r.reason
    assert r.http["status"] == 200
    assert r.legs[0]["hops"][-1]["at"].startswith("pod/ingress-nginx/")
    if platform == "cloud":
        assert r.hops[2]["at"] == "lb"
        assert r.legs[0]["hops"][-1]["src"].startswith("198.51.100.7:")  # Local
