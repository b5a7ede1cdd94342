"""cloud-controller-manager: a LoadBalancer gets an external IP only on a cloud."""

from __future__ import annotations

from simulation import Cluster


def _lb(k8s):
    return k8s.service("web", type_="LoadBalancer")


def test_bare_metal_load_balancer_stays_pending(k8s):
    """Nobody provisions a load balancer: EXTERNAL-IP <pending>, a nodePort exists."""
    cluster = Cluster(seed=1, nodes=2, platform="bare-metal")
    k8s.apply(cluster, k8s.deployment("web", replicas=1), _lb(k8s))
    svc = cluster.store.get("services", "default", "web")
    assert not svc["status"]["loadBalancer"].get("ingress")
    assert 30000 <= svc["spec"]["ports"][0]["nodePort"] <= 32767
    view = next(s for s in cluster.snapshot()["services"] if s["name"] == "web")
    assert view["externalIP"] == "<pending>"


def test_cloud_load_balancer_gets_an_ip_from_the_pool(k8s):
    """On a cloud the CCM sets status.loadBalancer.ingress after provisioning."""
    cluster = Cluster(seed=1, nodes=2, platform="cloud")
    k8s.apply(cluster, k8s.deployment("web", replicas=1), _lb(k8s))
    ingress = cluster.store.get("services", "default", "web")["status"]["loadBalancer"][
        "ingress"
    ]
    assert ingress[0]["ip"].startswith("203.0.113.")
    view = next(s for s in cluster.snapshot()["services"] if s["name"] == "web")
    assert view["externalIP"] == ingress[0]["ip"]


def test_provisioning_takes_a_few_seconds_and_is_a_step(k8s):
    """The CCM acts 3 s after the Service appears, in its own step."""
    cluster = Cluster(seed=1, nodes=2, platform="cloud")
    result = cluster.act({"op": "apply", "objects": [_lb(k8s)]})
    events = cluster.settle()
    (lb,) = [e for e in events if e.type == "service.load_balancer"]
    assert lb.actor == "cloud-controller-manager"
    assert abs(lb.time - (result.event.time + 3.0)) < 1e-6


def test_two_load_balancers_get_different_ips(k8s):
    """Each LoadBalancer Service gets its own address."""
    cluster = Cluster(seed=1, nodes=2, platform="cloud")
    other = k8s.service("api", type_="LoadBalancer")
    k8s.apply(cluster, _lb(k8s), other)
    ips = {
        s["status"]["loadBalancer"]["ingress"][0]["ip"]
        for s in cluster.store.list("services", "default")
        if s["spec"]["type"] == "LoadBalancer"
    }
    assert len(ips) == 2


def test_switching_to_cloud_provisions_pending_load_balancers(k8s):
    """A bare-metal <pending> Service gets its IP once the platform is cloud."""
    cluster = Cluster(seed=1, nodes=2)
    k8s.apply(cluster, _lb(k8s))
    assert cluster.act({"op": "set", "platform": "cloud"}).ok
    cluster.settle()
    svc = cluster.store.get("services", "default", "web")
    assert svc["status"]["loadBalancer"]["ingress"][0]["ip"]


def test_cluster_ip_services_are_left_alone(k8s):
    """Only type LoadBalancer concerns the cloud controller."""
    cluster = Cluster(seed=1, nodes=2, platform="cloud")
    k8s.apply(cluster, k8s.service("web"))
    assert not any(e.actor == "cloud-controller-manager" for e in cluster.events)
