"""What `kubectl apply` asks of the API server: create what is missing, update
what differs, all or nothing. The `apply` action and the kubectl command share it."""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from . import admission, validation
from . import limits as session_limits
from .errors import LimitExceeded, SimulationError
from .network import addons
from .resources import for_object

if TYPE_CHECKING:
    from .context import Model


def apply_objects(
    cluster: Model, objects: list[dict], actor: str = "kubectl"
) -> list[str]:
    """kubectl apply: create what is missing, update what differs; all or nothing."""
    limits = cluster.config.limits
    if len(objects) > limits.objects_per_apply:
        raise LimitExceeded(
            f"error: {len(objects)} objects is over this session's limit"
            f" of {limits.objects_per_apply} per apply"
        )
    for obj in objects:  # all or nothing: check every object before writing any
        resource = for_object(obj) if isinstance(obj, dict) else None
        if resource is None:
            cluster.api.create(obj, actor=actor)  # raises the kubectl-style error
        if not isinstance(obj.get("metadata") or {}, dict):
            raise SimulationError(
                "error: error validating data: metadata must be an object"
            )
        validation.check_object(resource, obj)
    addon = _ingress_controller(cluster, objects)
    session_limits.check_apply(cluster, objects + addon)
    lines = []
    for obj in objects:
        resource = for_object(obj)
        meta = obj.get("metadata") or {}
        ns = (meta.get("namespace") or "default") if resource.namespaced else None
        existing = (
            cluster.store.get(resource.plural, ns, meta.get("name", ""))
            if isinstance(meta.get("name"), str)
            else None
        )
        label = f"{resource.display}/{meta.get('name', '')}"
        if existing is None:
            # status is the components' to write (the status subresource): the
            # API server drops what a client sends with a new object
            cluster.api.create(_without_status(obj), actor=actor, verb="POST")
            lines.append(f"{label} created")
            continue
        merged = _merge(existing, obj)
        # compare with the defaults filled in, as the API server would store it
        admission.apply_defaults(resource.kind, merged)
        if merged == existing:
            lines.append(f"{label} unchanged")
            continue
        cluster.api.update(merged, actor=actor, verb="PATCH")
        lines.append(f"{label} configured")
    for obj in addon:
        cluster.api.create(obj, actor=actor, verb="POST")
    if addon:
        lines.append("(ingress-nginx controller installed)")
    return lines


def policy_note(cluster: Model, lines: list[str]) -> str:
    """A sentence for the step's narration when NetworkPolicies were written to a
    cluster whose CNI does not enforce them (empty otherwise)."""
    written = [
        ln
        for ln in lines
        if ln.startswith("networkpolicy.networking.k8s.io/")
        and not ln.endswith(" unchanged")
    ]
    config = cluster.config
    if not written or config.enforces_network_policy:
        return ""
    return (
        f" {config.cni_name} does not enforce NetworkPolicy: the API server stores"
        " the policy, and no traffic changes; only a CNI with a policy engine"
        " (Calico, Cilium) would enforce it."
    )


def _ingress_controller(cluster: Model, objects: list[dict]) -> list[dict]:
    """ingress-nginx's objects, when this apply brings an Ingress to a cluster that
    has no controller to route it: an Ingress does nothing on its own."""

    def names_the_namespace(obj: dict) -> bool:
        meta = obj.get("metadata") or {}
        return obj.get("kind") == "Namespace" and meta.get("name") == addons.NAMESPACE

    if (
        not any(o.get("kind") == "Ingress" for o in objects)
        or cluster.store.get("namespaces", None, addons.NAMESPACE) is not None
        or any(names_the_namespace(o) for o in objects)
    ):
        return []
    return addons.ingress_nginx(cluster.config)


def _without_status(obj: dict) -> dict:
    return {k: v for k, v in obj.items() if k != "status"}


def _merge(existing: dict, applied: dict) -> dict:
    merged = copy.deepcopy(existing)
    meta = applied.get("metadata") or {}
    for field in ("labels", "annotations"):
        if field in meta:
            merged["metadata"][field] = copy.deepcopy(meta[field])
    for field, value in applied.items():
        if field in ("apiVersion", "kind", "metadata", "status") or value is None:
            continue
        if field == "spec" and existing["kind"] == "Service":
            spec = copy.deepcopy(value)
            for keep in ("clusterIP", "clusterIPs"):
                spec.setdefault(keep, existing["spec"].get(keep))
            old_ports = {p.get("port"): p for p in existing["spec"].get("ports", [])}
            for port in spec.get("ports") or []:
                if "nodePort" in old_ports.get(port.get("port"), {}):
                    port.setdefault("nodePort", old_ports[port["port"]]["nodePort"])
            merged["spec"] = {**existing["spec"], **spec}
        elif field == "spec" and existing["kind"] == "Pod":
            continue  # a pod's spec is (mostly) immutable
        elif field == "spec":
            merged["spec"] = {**existing["spec"], **copy.deepcopy(value)}
        else:
            merged[field] = copy.deepcopy(value)
    return merged
