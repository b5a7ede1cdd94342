"""The ingress-nginx controller as API objects, for the core to create.

An Ingress does nothing without a controller. In a real cluster someone installs
ingress-nginx: a Deployment of controller pods behind a Service that is a
LoadBalancer on a cloud (with externalTrafficPolicy Local, so the client address
survives) or a NodePort on bare metal. `ingress_nginx(config)` returns those objects
shaped like the project's own manifests (trimmed to what the model uses), so the core
can create them when the first Ingress is applied and the network finds them like
any other pods and Service (see dns.INGRESS_SERVICE).
"""

from __future__ import annotations

NAMESPACE = "ingress-nginx"
NAME = "ingress-nginx-controller"
IMAGE = "registry.k8s.io/ingress-nginx/controller:v1.12.0"
LABELS = {
    "app.kubernetes.io/name": "ingress-nginx",
    "app.kubernetes.io/instance": "ingress-nginx",
    "app.kubernetes.io/component": "controller",
}
HTTP_NODE_PORT, HTTPS_NODE_PORT = 30080, 30443


def ingress_nginx(config, replicas: int = 1) -> list[dict]:
    """Namespace, IngressClass, Deployment and Service of an ingress-nginx install."""
    cloud = getattr(config, "platform", "bare-metal") == "cloud"
    ports = [
        {
            "name": "http",
            "port": 80,
            "targetPort": "http",
            "protocol": "TCP",
            "appProtocol": "http",
        },
        {
            "name": "https",
            "port": 443,
            "targetPort": "https",
            "protocol": "TCP",
            "appProtocol": "https",
        },
    ]
    if not cloud:
        ports[0]["nodePort"], ports[1]["nodePort"] = HTTP_NODE_PORT, HTTPS_NODE_PORT
    service_spec = {
        "type": "LoadBalancer" if cloud else "NodePort",
        "selector": dict(LABELS),
        "ports": ports,
    }
    if cloud:
        service_spec["externalTrafficPolicy"] = "Local"
    container = {
        "name": "controller",
        "image": IMAGE,
        "args": [
            "/nginx-ingress-controller",
            f"--publish-service=$(POD_NAMESPACE)/{NAME}",
            "--election-id=ingress-nginx-leader",
            "--controller-class=k8s.io/ingress-nginx",
            "--ingress-class=nginx",
        ],
        "ports": [
            {"name": "http", "containerPort": 80, "protocol": "TCP"},
            {"name": "https", "containerPort": 443, "protocol": "TCP"},
            {"name": "webhook", "containerPort": 8443, "protocol": "TCP"},
        ],
        "readinessProbe": {"httpGet": {"path": "/healthz", "port": 10254}},
        "livenessProbe": {"httpGet": {"path": "/healthz", "port": 10254}},
        "resources": {"requests": {"cpu": "100m", "memory": "90Mi"}},
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {
                "name": NAMESPACE,
                "labels": {"app.kubernetes.io/name": "ingress-nginx"},
            },
        },
        {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "IngressClass",
            "metadata": {"name": "nginx", "labels": dict(LABELS)},
            "spec": {"controller": "k8s.io/ingress-nginx"},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": dict(LABELS)},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": dict(LABELS)},
                "template": {
                    "metadata": {"labels": dict(LABELS)},
                    "spec": {"containers": [container]},
                },
            },
        },
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": NAME, "namespace": NAMESPACE, "labels": dict(LABELS)},
            "spec": service_spec,
        },
    ]
