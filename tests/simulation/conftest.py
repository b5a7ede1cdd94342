"""Builders for model tests: clusters with fixed seeds and Kubernetes-shaped objects."""

from __future__ import annotations

import copy
from pathlib import Path
from types import SimpleNamespace

import pytest

from simulation import Cluster

GUESTBOOK = Path("/work/shared/manifests/guestbook")
if not GUESTBOOK.exists():  # a checkout with its own copy of the manifests
    GUESTBOOK = Path(__file__).resolve().parents[2] / "manifests" / "guestbook"


def guestbook_yaml() -> str:
    return (GUESTBOOK / "guestbook-all-in-one.yaml").read_text()


def deployment(
    name: str = "web",
    replicas: int = 3,
    image: str = "nginx:1.27",
    cpu: str = "100m",
    memory: str = "64Mi",
    namespace: str = "default",
    **pod_spec,
) -> dict:
    """A Deployment whose pods carry `app: <name>` and request cpu and memory."""
    labels = {"app": name}
    container = {
        "name": "web",
        "image": image,
        "ports": [{"containerPort": 80}],
        "resources": {"requests": {"cpu": cpu, "memory": memory}},
    }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": [container], **copy.deepcopy(pod_spec)},
            },
        },
    }


def service(
    name: str = "web", selector: dict | None = None, type_: str = "ClusterIP"
) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "namespace": "default"},
        "spec": {
            "type": type_,
            "selector": selector or {"app": name},
            "ports": [{"port": 80, "targetPort": 80}],
        },
    }


def pod(name: str = "solo", cpu: str = "100m", memory: str = "64Mi", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": "default", "labels": {"app": name}},
        "spec": {
            "containers": [
                {
                    "name": "main",
                    "image": "busybox:1.36",
                    "resources": {"requests": {"cpu": cpu, "memory": memory}},
                }
            ],
            **spec,
        },
    }


def apply(cluster: Cluster, *objects: dict):
    """Apply objects as kubectl would and settle; fails the test on an error."""
    result = cluster.act({"op": "apply", "objects": list(objects)})
    assert result.ok, result.error
    return result.event, cluster.settle()


def pods(cluster: Cluster, app: str | None = None, ns: str = "default") -> list:
    return [
        p
        for p in cluster.store.list("pods", ns)
        if app is None or p["metadata"].get("labels", {}).get("app") == app
    ]


def phase(p: dict) -> str:
    return p.get("status", {}).get("phase", "")


def is_ready(p: dict) -> bool:
    return any(
        c["type"] == "Ready" and c["status"] == "True"
        for c in p.get("status", {}).get("conditions") or []
    )


def endpoint_ips(cluster: Cluster, svc: str, ns: str = "default") -> list[str]:
    """Ready addresses in a Service's EndpointSlices, sorted."""
    return sorted(
        e["addresses"][0]
        for s in cluster.store.list("endpointslices", ns)
        if s["metadata"].get("labels", {}).get("kubernetes.io/service-name") == svc
        for e in s.get("endpoints") or []
        if e["conditions"].get("ready")
    )


def set_spec(cluster: Cluster, plural: str, name: str, fn, ns="default") -> None:
    """Change an object's spec through the API server, as `kubectl edit` would."""
    cluster.api.patch(plural, ns if plural != "nodes" else None, name, fn, "kubectl")


@pytest.fixture
def cluster() -> Cluster:
    """Three workers and a control-plane node, seed 1."""
    return Cluster(seed=1, nodes=3)


@pytest.fixture
def guestbook(cluster: Cluster) -> Cluster:
    """The guestbook from kubernetes/examples, applied and settled."""
    result = cluster.act({"op": "apply", "yaml": guestbook_yaml()})
    assert result.ok, result.error
    cluster.settle()
    return cluster


@pytest.fixture
def k8s() -> SimpleNamespace:
    """The builders and readers above, for tests to use by name."""
    return SimpleNamespace(
        deployment=deployment,
        service=service,
        pod=pod,
        apply=apply,
        pods=pods,
        phase=phase,
        is_ready=is_ready,
        endpoint_ips=endpoint_ips,
        set_spec=set_spec,
        guestbook_yaml=guestbook_yaml,
    )
