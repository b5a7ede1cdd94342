"""`kubectl taint nodes NODE key[=value]:Effect …` and `key[:Effect]-` to remove.

A taint repels pods that do not tolerate it: NoSchedule keeps new pods off,
NoExecute also evicts the running ones (after any tolerationSeconds).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import SimulationError, UsageError
from ...resources import BY_PLURAL
from ..objects import fetch, resource_type, server_error
from ..parser import Args, Flag
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (Flag("overwrite"),)
EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


def _parse(spec: str) -> tuple[str, str | None, str | None, bool]:
    """(key, value, effect, remove) of one taint argument."""
    remove = spec.endswith("-")
    body = spec[:-1] if remove else spec
    head, colon, effect = body.partition(":")
    key, _, value = head.partition("=")
    if not key or (not remove and not colon):
        raise UsageError(
            f'error: invalid taint spec: {spec}, the taint "{spec}" is'
            " not in key=value:effect form"
        )
    if effect and effect not in EFFECTS:
        raise UsageError(
            f"error: invalid taint effect: {effect}, unsupported taint effect"
        )
    return key, (value or None), (effect or None), remove


def taint(cluster: Model, args: Args) -> KubectlResult:
    words = list(args.words)
    if words and "/" in words[0]:
        kind, _, name = words[0].partition("/")
        words = [kind, name, *words[1:]]
    if len(words) < 3 or resource_type(words[0]).plural != "nodes":
        raise UsageError(
            "error: one or more resources must be specified as <resource> <name>"
            if len(words) < 2
            else "error: at least one taint update is required"
            if len(words) == 2
            else "error: only nodes can be tainted"
        )
    name, specs = words[1], [_parse(s) for s in words[2:]]
    node = fetch(cluster, BY_PLURAL["nodes"], None, name)
    taints = [dict(t) for t in node["spec"].get("taints") or []]
    added = removed = 0
    for key, value, effect, remove in specs:
        same = [
            t
            for t in taints
            if t["key"] == key and (effect is None or t.get("effect") == effect)
        ]
        if remove:
            if not same:
                shown = f"{key}:{effect}" if effect else key
                raise UsageError(f'error: taint "{shown}" not found')
            taints = [t for t in taints if t not in same]
            removed += 1
            continue
        if same and not args.flag("overwrite"):
            raise UsageError(
                f"error: node {name} already has {key} taint(s) with same effect(s)"
                " and --overwrite is false"
            )
        taints = [t for t in taints if t not in same]
        taints.append(
            {"key": key, "effect": effect, **({"value": value} if value else {})}
        )
        added += 1

    def change(obj: dict) -> None:
        if taints:
            obj["spec"]["taints"] = taints
        else:
            obj["spec"].pop("taints", None)

    try:
        cluster.api.patch("nodes", None, name, change, actor="kubectl")
    except SimulationError as exc:
        raise server_error(exc) from None
    verb = "tainted" if added else "untainted"
    return KubectlResult(
        output=f"node/{name} {verb}",
        changed=True,
        summary=f"kubectl {verb} {name}: the scheduler places only pods that tolerate"
        " its taints there, and NoExecute taints evict the pods that do not.",
        type="kubectl.taint",
        concept="scheduling",
        objects=[f"nodes/{name}"],
    )
