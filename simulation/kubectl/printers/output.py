"""`-o yaml`, `-o json` and `-o name`, shaped as kubectl prints them."""

from __future__ import annotations

import json

from ...resources import for_object
from . import yamlout

# Kinds with no spec in the real API; the model may store an empty one.
_NO_SPEC = {"Event", "EndpointSlice", "ServiceAccount", "ConfigMap", "Secret"}
_INTERNAL_META = ("creationRevision",)


def clean(obj: dict) -> dict:
    """The object as the API server would return it (no model-only fields).

    A shallow copy: the printers only read, and stored objects are never mutated.
    """
    out = dict(obj)
    if isinstance(out.get("metadata"), dict):
        out["metadata"] = {
            k: v for k, v in out["metadata"].items() if k not in _INTERNAL_META
        }
    if out.get("kind") in _NO_SPEC and out.get("spec") == {}:
        out.pop("spec")
    return out


def as_list(objects: list[dict]) -> dict:
    return {
        "apiVersion": "v1",
        "items": [clean(o) for o in objects],
        "kind": "List",
        "metadata": {"resourceVersion": ""},
    }


def to_yaml(data: dict) -> str:
    return yamlout.dump(data)


def to_json(data: dict) -> str:
    return json.dumps(data, indent=4, sort_keys=True, ensure_ascii=False)


def name_of(obj: dict) -> str:
    """`-o name`: `pod/web-x`, `deployment.apps/web`, `service/web`."""
    resource = for_object(obj)
    kind = resource.display if resource else obj.get("kind", "").lower()
    return f"{kind}/{obj['metadata']['name']}"


def render(objects: list[dict], fmt: str, single: bool) -> str:
    """Objects in a machine format; `single` prints one object rather than a List."""
    if fmt == "name":
        return "\n".join(name_of(o) for o in objects)
    data = clean(objects[0]) if single and len(objects) == 1 else as_list(objects)
    return to_yaml(data) if fmt == "yaml" else to_json(data)
