"""The kinds the model knows, with the names the API server and etcd give them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Resource:
    """How one kind is addressed: REST path, etcd prefix, kubectl names."""

    kind: str
    plural: str
    api_version: str
    namespaced: bool
    etcd: str
    short_names: tuple[str, ...] = ()
    singular: str = ""
    view: str | None = None  # collection name in the browser's view model

    @property
    def group(self) -> str:
        return self.api_version.rpartition("/")[0] if "/" in self.api_version else ""

    @property
    def display(self) -> str:
        """Name kubectl prints, e.g. `deployment.apps` or `pod`."""
        return f"{self.singular}.{self.group}" if self.group else self.singular

    @property
    def qualified(self) -> str:
        """Plural with group, as kubectl names it in errors: `deployments.apps`."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    def path(self, namespace: str | None, name: str | None = None) -> str:
        """The REST path kubectl would use for this object or collection."""
        prefix = f"/apis/{self.api_version}" if self.group else "/api/v1"
        if self.namespaced and namespace:
            prefix += f"/namespaces/{namespace}"
        prefix += f"/{self.plural}"
        return f"{prefix}/{name}" if name else prefix

    def key(self, namespace: str | None, name: str) -> str:
        """The etcd key of one object."""
        if self.namespaced:
            return f"/registry/{self.etcd}/{namespace}/{name}"
        return f"/registry/{self.etcd}/{name}"


def _r(kind, plural, api_version, namespaced, etcd=None, short=(), view=None):
    return Resource(
        kind=kind,
        plural=plural,
        api_version=api_version,
        namespaced=namespaced,
        etcd=etcd or plural,
        short_names=tuple(short),
        singular=kind.lower(),
        view=view,
    )


RESOURCES: tuple[Resource, ...] = (
    _r("Namespace", "namespaces", "v1", False, short=["ns"]),
    _r("Node", "nodes", "v1", False, etcd="minions", short=["no"], view="nodes"),
    _r("Pod", "pods", "v1", True, short=["po"], view="pods"),
    _r(
        "Service",
        "services",
        "v1",
        True,
        etcd="services/specs",
        short=["svc"],
        view="services",
    ),
    _r("Endpoints", "endpoints", "v1", True, etcd="services/endpoints", short=["ep"]),
    _r("ServiceAccount", "serviceaccounts", "v1", True, short=["sa"]),
    _r("Secret", "secrets", "v1", True),
    _r("ConfigMap", "configmaps", "v1", True, short=["cm"]),
    _r("Event", "events", "v1", True, short=["ev"]),
    _r(
        "Deployment",
        "deployments",
        "apps/v1",
        True,
        short=["deploy"],
        view="deployments",
    ),
    _r("ReplicaSet", "replicasets", "apps/v1", True, short=["rs"], view="replicasets"),
    _r("EndpointSlice", "endpointslices", "discovery.k8s.io/v1", True),
    _r(
        "Ingress",
        "ingresses",
        "networking.k8s.io/v1",
        True,
        short=["ing"],
        view="ingresses",
    ),
    _r("IngressClass", "ingressclasses", "networking.k8s.io/v1", False),
    _r(
        "NetworkPolicy",
        "networkpolicies",
        "networking.k8s.io/v1",
        True,
        short=["netpol"],
    ),
    _r(
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        "autoscaling/v2",
        True,
        etcd="horizontalpodautoscalers",
        short=["hpa"],
        view="hpas",
    ),
    _r("Lease", "leases", "coordination.k8s.io/v1", True),
)

BY_KIND = {r.kind: r for r in RESOURCES}
BY_PLURAL = {r.plural: r for r in RESOURCES}
VIEW_COLLECTIONS = tuple(r.view for r in RESOURCES if r.view)


def lookup(name: str) -> Resource | None:
    """Find a resource by any name kubectl accepts: plural, singular, short, Kind."""
    low = name.lower()
    base, _, group = low.partition(".")
    for r in RESOURCES:
        names = {r.plural, r.singular, r.kind.lower(), *r.short_names}
        if base in names and (not group or r.group.startswith(group)):
            return r
    return None


def for_object(obj: dict) -> Resource | None:
    """The resource an object belongs to, by its kind (and apiVersion's group)."""
    return BY_KIND.get(obj.get("kind", ""))
