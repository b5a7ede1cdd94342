"""What `kubectl apply` asks of the API server: create what is missing, update
what differs, one object at a time. The `apply` action and the kubectl command
share it.

Like kubectl, a manifest that parses is sent object by object: an object the API
server refuses does not stop the others, and each refusal is reported (kubectl's
apply.go collects them and exits non-zero once every object was tried).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import admission, validation
from . import limits as session_limits
from .errors import (
    AlreadyExists,
    Conflict,
    Invalid,
    LimitExceeded,
    NotFound,
    SimulationError,
)
from .network import addons
from .resources import for_object

if TYPE_CHECKING:
    from .context import Model


@dataclass
class Applied:
    """What an apply did: kubectl's result lines, and the errors it would print."""

    lines: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)

    @property
    def error(self) -> str | None:
        """The errors as kubectl prints them after the result lines, or None."""
        return "\n".join(self.errors) if self.errors else None

    @property
    def changed(self) -> list[str]:
        return [ln for ln in self.lines if not ln.endswith(" unchanged")]


def apply_objects(
    cluster: Model, objects: list[dict], actor: str = "kubectl", source: str = "STDIN"
) -> Applied:
    """kubectl apply: each object created if missing, patched if it differs.

    Raises only for what refuses the whole request before anything is sent (the
    session's limits); an object the API server refuses is an error in the result.
    """
    limits = cluster.config.limits
    if len(objects) > limits.objects_per_apply:
        raise LimitExceeded(
            f"error: {len(objects)} objects is over this session's limit"
            f" of {limits.objects_per_apply} per apply"
        )
    refused: dict[int, tuple[SimulationError, bool]] = {}
    for i, obj in enumerate(objects):
        try:
            _check(cluster, obj, actor)
        except SimulationError as exc:
            refused[i] = (exc, not _exists(cluster, obj))
    sendable = [o for i, o in enumerate(objects) if i not in refused]
    addon = _ingress_controller(cluster, sendable)
    session_limits.check_apply(cluster, sendable + addon)
    lines = []
    for i, obj in enumerate(objects):
        if i in refused:
            continue
        creating = not _exists(cluster, obj)
        try:
            lines.append(_apply_one(cluster, obj, actor))
        except SimulationError as exc:
            refused[i] = (exc, creating)
    for obj in addon:
        cluster.api.create(obj, actor=actor, verb="POST")
    if addon:
        lines.append("(ingress-nginx controller installed)")
    errors = [refused[i] for i in sorted(refused)]
    return Applied(lines, [_printed(e, c, source, len(errors)) for e, c in errors])


def _exists(cluster: Model, obj: object) -> bool:
    resource = for_object(obj) if isinstance(obj, dict) else None
    meta = obj.get("metadata") if resource else None
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        return False
    ns = (meta.get("namespace") or "default") if resource.namespaced else None
    return cluster.store.get(resource.plural, ns, meta["name"]) is not None


def _check(cluster: Model, obj: object, actor: str) -> None:
    resource = for_object(obj) if isinstance(obj, dict) else None
    if resource is None:
        cluster.api.create(obj, actor=actor)  # raises the kubectl-style error
    if not isinstance(obj.get("metadata") or {}, dict):
        raise SimulationError(
            "error: error validating data: metadata must be an object"
        )
    validation.check_object(resource, obj)


def _apply_one(cluster: Model, obj: dict, actor: str) -> str:
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
        return f"{label} created"
    merged = _merge(existing, obj)
    # compare with the defaults filled in, as the API server would store it
    admission.apply_defaults(resource.kind, merged)
    if merged == existing:
        return f"{label} unchanged"
    cluster.api.update(merged, actor=actor, verb="PATCH")
    return f"{label} configured"


REASONS = (
    (Invalid, "Invalid"),
    (NotFound, "NotFound"),
    (AlreadyExists, "AlreadyExists"),
    (Conflict, "Conflict"),
)


def _printed(exc: SimulationError, creating: bool, source: str, count: int) -> str:
    """An error as kubectl prints it. One Invalid error alone is `The Service "x"
    is invalid: …` (kubectl reads the status details); among several, or for
    another reason, each is `Error from server (Reason): error when creating
    "STDIN": …`, the source added by cmdutil.AddSourceToErr. (A refused patch
    keeps the short form: kubectl's quotes the whole patch, too long to print.)"""
    text = str(exc)
    if not creating or text.startswith(("error", "Error from server")):
        return text
    reason = next((word for cls, word in REASONS if isinstance(exc, cls)), None)
    if reason is None or (reason == "Invalid" and count == 1):
        return text
    if isinstance(exc, Invalid):
        resource = for_object({"kind": exc.kind}) if exc.kind else None
        kind = (
            f"{exc.kind}.{resource.group}" if resource and resource.group else exc.kind
        )
        text = f'{kind} "{exc.name}" is invalid: ' + text.split(" is invalid: ", 1)[1]
    return f'Error from server ({reason}): error when creating "{source}": {text}'


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
