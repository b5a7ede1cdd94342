"""`create deployment`, `expose` and `scale`, and the helpers other verbs share."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import LimitExceeded, SimulationError, UsageError
from ...names import SAFE_ALPHABET
from ..objects import fetch, namespace_of, resource_type, server_error, view_id
from ..parser import Args, Flag
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model

CREATE_FLAGS = (
    Flag("image", kind="str"),
    Flag("replicas", "r", "int"),
    Flag("port", kind="int"),
    Flag("filename", "f", "str"),
)
EXPOSE_FLAGS = (
    Flag("port", kind="str"),
    Flag("target-port", kind="str"),
    Flag("type", kind="str"),
    Flag("name", kind="str"),
    Flag("protocol", kind="str"),
)
SCALE_FLAGS = (Flag("replicas", kind="int"),)
SERVICE_TYPES = ("ClusterIP", "NodePort", "LoadBalancer")


def target(words: list[str], verb: str, kinds: tuple[str, ...]) -> tuple:
    """`deployment/web` or `deployment web` → (resource, name)."""
    if len(words) == 1 and "/" in words[0]:
        kind, _, name = words[0].partition("/")
    elif len(words) == 2:
        kind, name = words
    else:
        raise UsageError(
            f"error: exactly one resource is required, e.g. `kubectl {verb}"
            f" deployment/web` (got {' '.join(words) or 'none'})"
        )
    resource = resource_type(kind)
    if resource.plural not in kinds:
        raise UsageError(f'error: cannot {verb} a {resource.singular}: "{name}"')
    return resource, name


def check_pods(cluster: Model, more: int) -> None:
    """Refuse a change that would take the session past its pod limit."""
    limit = cluster.config.limits.pods
    if more > 0 and cluster.store.count("pods") + more > limit:
        raise LimitExceeded(
            f"error: this would run more than {limit} pods, this session's limit"
        )


def image_name(image: str, rng) -> str:
    """The container name kubectl derives from an image: `nginx:1.27` → `nginx`.

    As kubectl's sanitizeAndUniquify does, a name that needed `_` replaced gets a
    random 5-letter suffix.
    """
    name = image.rsplit("/", 1)[-1].split("@")[0].split(":")[0] or "container"
    if "_" in name:
        suffix = "".join(rng.choice(SAFE_ALPHABET) for _ in range(5))
        name = f"{name.replace('_', '-')}-{suffix}"
    return name


def create_deployment(cluster: Model, args: Args) -> KubectlResult:
    if len(args.words) != 1:
        raise UsageError(f"error: exactly one NAME is required, got {len(args.words)}")
    name, image = args.words[0], args.flag("image")
    if not image:
        raise UsageError('error: required flag(s) "image" not set')
    ns = namespace_of(args)
    replicas = args.flag("replicas", 1)
    if replicas < 0:
        raise UsageError("error: --replicas must be greater than or equal to 0")
    check_pods(cluster, replicas)
    container: dict = {
        "name": image_name(str(image), cluster.random),
        "image": image,
        "resources": {},
    }
    if args.flag("port") is not None:
        container["ports"] = [{"containerPort": args.flag("port")}]
    labels = {"app": name}
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": dict(labels)},
            "strategy": {},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {"containers": [container]},
            },
        },
    }
    _create(cluster, obj)
    return KubectlResult(
        output=f"deployment.apps/{name} created",
        changed=True,
        summary=f"kubectl created Deployment {name} ({image}); the Deployment"
        " controller will make a ReplicaSet for it.",
        type="kubectl.create",
        concept="deployment",
        objects=[f"deployments/{ns}/{name}"],
    )


def expose(cluster: Model, args: Args) -> KubectlResult:
    kinds = ("deployments", "replicasets", "pods", "services")
    resource, name = target(args.words, "expose", kinds)
    ns = namespace_of(args)
    source = fetch(cluster, resource, ns, name)
    spec = source.get("spec") or {}
    if resource.plural in ("deployments", "replicasets"):
        selector = dict((spec.get("selector") or {}).get("matchLabels") or {})
        pod_spec = (spec.get("template") or {}).get("spec") or {}
    elif resource.plural == "pods":
        selector, pod_spec = dict(source["metadata"].get("labels") or {}), spec
    else:
        selector, pod_spec = dict(spec.get("selector") or {}), {}
    if not selector:
        raise UsageError(
            f"error: couldn't retrieve selectors via --selector flag or introspection:"
            f" the {resource.singular} {name} has no labels to select its pods by"
        )
    port = args.flag("port") or _first_port(pod_spec, spec)
    if port is None:
        raise UsageError("error: couldn't find port via --port flag or introspection")
    kind = str(args.flag("type") or "ClusterIP")
    if kind not in SERVICE_TYPES:
        raise UsageError(
            f'The Service "{args.flag("name") or name}" is invalid: spec.type:'
            f' Unsupported value: "{kind}": supported values: "ClusterIP",'
            ' "ExternalName", "LoadBalancer", "NodePort"'
        )
    service_port = {
        "port": _int(port, "--port"),
        "protocol": str(args.flag("protocol") or "TCP"),
        "targetPort": _int_or_name(args.flag("target-port") or port),
    }
    svc_name = str(args.flag("name") or name)
    svc = {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": svc_name, "namespace": ns},
        "spec": {"ports": [service_port], "selector": selector, "type": kind},
    }
    if source["metadata"].get("labels"):
        svc["metadata"]["labels"] = dict(source["metadata"]["labels"])
    _create(cluster, svc)
    return KubectlResult(
        output=f"service/{svc_name} exposed",
        changed=True,
        summary=f"kubectl created Service {svc_name} ({kind}) selecting the pods of"
        f" {resource.singular} {name}; the EndpointSlice controller will list them.",
        type="kubectl.expose",
        concept="service",
        objects=[f"services/{ns}/{svc_name}"],
    )


def scale(cluster: Model, args: Args) -> KubectlResult:
    resource, name = target(args.words, "scale", ("deployments", "replicasets"))
    replicas = args.flag("replicas")
    if replicas is None:
        raise UsageError('error: required flag(s) "replicas" not set')
    if replicas < 0:
        raise UsageError(
            "error: The --replicas=COUNT flag is required, and COUNT must be"
            " greater than or equal to 0"
        )
    ns = namespace_of(args)
    obj = fetch(cluster, resource, ns, name)
    before = obj["spec"].get("replicas", 1)
    check_pods(cluster, replicas - before)

    def change(o: dict) -> None:
        o["spec"]["replicas"] = replicas

    patch(cluster, resource.plural, ns, name, change, subresource="scale")
    owner = "Deployment" if resource.plural == "deployments" else "ReplicaSet"
    then = (
        "the Deployment controller will resize its ReplicaSet"
        if owner == "Deployment"
        else "the ReplicaSet controller will create or delete pods to match"
    )
    return KubectlResult(
        output=f"{resource.display}/{name} scaled",
        changed=True,
        summary=f"kubectl set {owner} {name}'s replicas from {before} to {replicas};"
        f" {then}.",
        type="kubectl.scale",
        concept="scaling",
        objects=[view_id(resource, obj)],
    )


def _first_port(pod_spec: dict, spec: dict):
    for c in pod_spec.get("containers") or []:
        for p in c.get("ports") or []:
            return p.get("containerPort")
    for p in spec.get("ports") or []:
        return p.get("port")
    return None


def _int(value, flag: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise UsageError(
            f'error: invalid argument "{value}" for "{flag}" flag'
        ) from None


def _int_or_name(value):
    text = str(value)
    return int(text) if text.isdigit() else text


def _create(cluster, obj: dict) -> None:
    try:
        cluster.api.create(obj, actor="kubectl")
    except SimulationError as exc:
        raise server_error(exc) from None


def patch(cluster, plural, ns, name, fn, subresource: str | None = None) -> None:
    try:
        cluster.api.patch(
            plural, ns, name, fn, actor="kubectl", subresource=subresource
        )
    except SimulationError as exc:
        raise server_error(exc) from None
