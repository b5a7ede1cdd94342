"""Read Kubernetes YAML safely: no aliases, bounded size and count, clear errors."""

from __future__ import annotations

import yaml

from .errors import LimitExceeded, ManifestError


class _NoAliasLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (the billion-laughs expansion)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ManifestError(
                f"error: error parsing manifest: line {event.start_mark.line + 1}: YAML"
                " aliases (*name) are not accepted"
            )
        return super().compose_node(parent, index)


def load(text: str, max_bytes: int = 256 * 1024, max_objects: int = 500) -> list[dict]:
    """Every object in a (multi-document) manifest, `List` kinds flattened."""
    if not isinstance(text, str):
        raise ManifestError("error: a manifest must be text")
    if len(text.encode("utf-8", "replace")) > max_bytes:
        raise LimitExceeded(
            f"error: the manifest is {len(text.encode())} bytes; the limit"
            f" is {max_bytes} bytes"
        )
    try:
        docs = list(yaml.load_all(text, Loader=_NoAliasLoader))
    except ManifestError:
        raise
    except RecursionError:
        raise LimitExceeded("error: the manifest is nested too deeply") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ManifestError(
            f"error: error parsing manifest: error converting YAML to"
            f" JSON: yaml: {where}{problem}"
        ) from None
    objects: list[dict] = []
    for doc in docs:
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise ManifestError(
                "error: error validating data: the document is not an"
                " object (expected apiVersion, kind, metadata)"
            )
        if not isinstance(doc.get("kind", ""), str):
            raise ManifestError("error: error validating data: kind must be a string")
        items = doc.get("items") if doc.get("kind") == "List" else [doc]
        if not isinstance(items or [], list):
            raise ManifestError(
                "error: error validating data: a List's items must be a list"
            )
        for item in items or []:
            if not isinstance(item, dict):
                raise ManifestError(
                    "error: error validating data: a List item is not an object"
                )
            missing = [f for f in ("apiVersion", "kind") if not item.get(f)]
            if missing:
                raise ManifestError(
                    "error: error validating data: ["
                    + ", ".join(f + " not set" for f in missing)
                    + "]"
                )
            if not isinstance(item["kind"], str) or not isinstance(
                item["apiVersion"], str
            ):
                raise ManifestError(
                    "error: error validating data: apiVersion and kind must be strings"
                )
            objects.append(item)
            if len(objects) > max_objects:
                raise LimitExceeded(
                    f"error: the manifest holds more than {max_objects}"
                    " objects, this session's limit"
                )
    if not objects:
        raise ManifestError("error: no objects passed to apply")
    return objects
