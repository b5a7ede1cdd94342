"""`label`, `annotate` and `patch`: small edits to live objects.

Relabelling a pod out of its ReplicaSet's selector is a classic lesson: the
ReplicaSet stops counting it and makes a replacement, while the pod lives on.
"""

from __future__ import annotations

import copy
import json
from typing import TYPE_CHECKING

from ...admission import WITHOUT_SPEC
from ...apiserver import drop_type_dependent_fields
from ...errors import SimulationError, UsageError
from ...validation import check_object
from ..objects import fetch, namespace_of, resource_type, server_error, view_id
from ..parser import Args, Flag
from ..result import KubectlResult
from .workloads import check_pods

if TYPE_CHECKING:
    from ...context import Model

LABEL_FLAGS = (Flag("overwrite"), Flag("selector", "l", "str"), Flag("all"))
PATCH_FLAGS = (
    Flag("patch", "p", "str"),
    Flag("type", kind="str"),
    Flag("subresource", kind="str"),
)


def _targets(words: list[str]) -> tuple:
    """`TYPE NAME k=v…` or `TYPE/NAME k=v…` → (resource, name, changes)."""
    if words and "/" in words[0]:
        kind, _, name = words[0].partition("/")
        rest = words[1:]
    elif len(words) >= 2:
        kind, name, rest = words[0], words[1], words[2:]
    else:
        raise UsageError(
            "error: one or more resources must be specified as <resource> <name> or"
            " <resource>/<name>"
        )
    return resource_type(kind), name, rest


def _changes(rest: list[str], what: str) -> tuple[dict, list[str]]:
    sets, removals = {}, []
    for word in rest:
        if word.endswith("-") and "=" not in word:
            removals.append(word[:-1])
        elif "=" in word:
            key, _, value = word.partition("=")
            sets[key] = value
        else:
            raise UsageError(f"error: invalid {what} format: {word}")
    if not sets and not removals:
        raise UsageError(f"error: at least one {what} update is required")
    return sets, removals


def label(cluster: Model, args: Args, field: str = "labels") -> KubectlResult:
    what = "label" if field == "labels" else "annotation"
    resource, name, rest = _targets(args.words)
    sets, removals = _changes(rest, what)
    ns = namespace_of(args)
    obj = fetch(cluster, resource, ns, name)
    current = obj["metadata"].get(field) or {}
    for key, value in sets.items():
        if key in current and current[key] != value and not args.flag("overwrite"):
            raise UsageError(
                f"error: '{key}' already has a value ({current[key]}), and"
                " --overwrite is false"
            )
    wanted = {k: v for k, v in current.items() if k not in removals} | sets
    verb = "labeled" if field == "labels" else "annotated"
    shown = f"{resource.display}/{name}"
    if wanted == current:
        return KubectlResult(output=f"{shown} not {verb}")

    def change(o: dict) -> None:
        if wanted:
            o["metadata"][field] = dict(wanted)
        else:
            o["metadata"].pop(field, None)

    _patch(cluster, resource, ns, name, change)
    text = ", ".join([*(f"{k}={v}" for k, v in sets.items()), *removals])
    return KubectlResult(
        output=f"{shown} {verb}",
        changed=True,
        summary=f"kubectl set the {what}s {text} on {resource.singular} {name};"
        " selectors that matched it are evaluated again.",
        type=f"kubectl.{what}",
        concept="labels",
        objects=[i for i in [view_id(resource, obj)] if i],
    )


def annotate(cluster: Model, args: Args) -> KubectlResult:
    return label(cluster, args, field="annotations")


def patch(cluster: Model, args: Args) -> KubectlResult:
    resource, name, rest = _targets(args.words)
    if rest:
        raise UsageError(f"error: unexpected arguments: {' '.join(rest)}")
    text = args.flag("patch")
    if text is None:
        raise UsageError(
            "error: must specify --patch or --patch-file containing the contents of"
            " the patch"
        )
    if args.flag("type") not in (None, "merge", "strategic"):
        raise UsageError("error: only merge and strategic patches are supported here")
    try:
        body = json.loads(str(text))
    except ValueError as exc:
        raise UsageError(f"error: unable to parse {text!r}: {exc}") from None
    if not isinstance(body, dict):
        raise UsageError("error: a patch must be a JSON object")
    subresource = args.flag("subresource")
    if subresource not in (None, "status", "scale"):
        raise UsageError(
            f'error: invalid subresource value: "{subresource}". Must be one of'
            " [status scale]"
        )
    if subresource == "scale":
        raise UsageError("error: --subresource=scale is not supported here")
    ns = namespace_of(args)
    obj = fetch(cluster, resource, ns, name)
    if subresource and resource.kind in WITHOUT_SPEC:
        raise UsageError(
            "Error from server (NotFound): the server could not find the requested"
            " resource"
        )
    merged = merge_patch(obj, body)
    if subresource == "status":
        # the status subresource writes status (and metadata), never the spec
        if "spec" in obj:
            merged["spec"] = copy.deepcopy(obj["spec"])
    else:
        # a PATCH of the object itself keeps the stored status
        merged.pop("status", None)
        if "status" in obj:
            merged["status"] = copy.deepcopy(obj["status"])
        if resource.kind == "Service":
            drop_type_dependent_fields(merged, obj)
        try:  # the server validates the patched object before anything reads it
            check_object(resource, merged)
        except SimulationError as exc:
            raise server_error(exc) from None
    replicas = (merged.get("spec") or {}).get("replicas")
    if isinstance(replicas, int) and resource.plural in ("deployments", "replicasets"):
        check_pods(cluster, replicas - (obj.get("spec") or {}).get("replicas", 1))
    shown = f"{resource.display}/{name}"
    if merged == obj:
        return KubectlResult(output=f"{shown} patched (no change)")
    _patch(cluster, resource, ns, name, lambda o: _replace(o, merged), subresource)
    what = (
        f"the status of {resource.singular} {name} (the status subresource); the API"
        " server merged it into the stored status."
        if subresource
        else f"{resource.singular} {name}; the API server merged it into the stored"
        " object."
    )
    return KubectlResult(
        output=f"{shown} patched",
        changed=True,
        summary=f"kubectl sent a PATCH for {what}",
        type="kubectl.patch",
        concept="api-server",
        objects=[i for i in [view_id(resource, obj)] if i],
    )


def merge_patch(target: object, patch: object) -> object:
    """RFC 7386 JSON merge patch (what strategic merge does for plain fields)."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    out = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def _replace(obj: dict, new: dict) -> None:
    obj.clear()
    obj.update(copy.deepcopy(new))


def _patch(cluster, resource, ns, name, fn, subresource=None) -> None:
    try:
        cluster.api.patch(
            resource.plural,
            ns if resource.namespaced else None,
            name,
            fn,
            "kubectl",
            subresource=subresource,
        )
    except SimulationError as exc:
        raise server_error(exc) from None
