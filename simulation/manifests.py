"""Read Kubernetes YAML safely: no aliases, bounded size and count, clear errors.

The C loader (libyaml, as `yaml.CSafeLoader`) is used where PyYAML was built with
it, else the pure-Python `SafeLoader`; both refuse the same things with the same
words. Documents are read one at a time and counted as they come, so a manifest
past a limit costs only the parsing up to that limit.
"""

from __future__ import annotations

import re

import yaml

from .errors import LimitExceeded, ManifestError

try:
    LOADER: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    LOADER = yaml.SafeLoader

# Code points a UTF-16 surrogate takes: no Unicode character, so no valid text.
SURROGATE = re.compile("[\ud800-\udfff]")
PARSE_ERROR = "error: error parsing manifest: error converting YAML to JSON: yaml: "
ALIASES = "YAML aliases (*name) are not accepted"


class _Checks:
    """Refusals both loaders share: aliases, and scalars that are not Unicode text.

    An alias is found where its node is constructed a second time; libyaml keeps
    no mark of the alias itself, so `load` finds its line from the tokens.
    """

    def construct_object(self, node, deep=False):
        if node in self.constructed_objects or node in self.recursive_objects:
            raise _AliasFound
        return super().construct_object(node, deep)

    def construct_scalar(self, node):
        value = super().construct_scalar(node)
        if isinstance(value, str) and not value.isascii() and SURROGATE.search(value):
            # libyaml's scanner (scanner.c) refuses a `\uD800` escape this way;
            # the pure-Python one decodes it into a lone surrogate.
            raise ManifestError(
                f"{PARSE_ERROR}line {node.start_mark.line + 1}: found invalid"
                " Unicode character escape code"
            )
        return value


class _AliasFound(Exception):
    """An alias was met while constructing (the C loader composed it already)."""


class _PythonLoader(_Checks, yaml.SafeLoader):
    """The pure-Python safe loader, with `_Checks`; it refuses an alias as it
    composes, before any node after it is built."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise ManifestError(
                f"error: error parsing manifest: line {event.start_mark.line + 1}:"
                f" {ALIASES}"
            )
        return super().compose_node(parent, index)


class _CLoader(_Checks, LOADER):
    """libyaml's safe loader, with `_Checks`."""


# The fastest safe loader available.
_Loader = _PythonLoader if LOADER is yaml.SafeLoader else _CLoader


def load(
    text: str,
    max_bytes: int = 256 * 1024,
    max_objects: int = 500,
    loader: type = _Loader,
) -> list[dict]:
    """Every object in a (multi-document) manifest, `List` kinds flattened.

    At most `max_objects` objects, and twice that many documents (empty ones
    included, which cost parsing too).
    """
    if not isinstance(text, str):
        raise ManifestError("error: a manifest must be text")
    ascii = text.isascii()  # O(1) in CPython
    size = len(text) if ascii else len(text.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise LimitExceeded(
            f"error: the manifest is {size} bytes; the limit is {max_bytes} bytes"
        )
    if not ascii:
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            # What libyaml's reader (reader.c) says of such bytes; Python's str
            # can hold them, UTF-8 cannot.
            line = text.count("\n", 0, exc.start) + 1
            raise ManifestError(
                f"{PARSE_ERROR}line {line}: invalid Unicode character"
            ) from None
    objects: list[dict] = []
    documents = 0
    reader = _read(lambda: loader(text), text)  # the Python reader checks here
    try:
        while _read(reader.check_data, text):
            documents += 1
            if documents > 2 * max_objects:
                raise LimitExceeded(
                    f"error: the manifest holds more than {2 * max_objects}"
                    " documents, this session's limit"
                )
            for item in _objects(_read(reader.get_data, text)):
                objects.append(item)
                if len(objects) > max_objects:
                    raise LimitExceeded(
                        f"error: the manifest holds more than {max_objects}"
                        " objects, this session's limit"
                    )
    finally:
        reader.dispose()
    if not objects:
        raise ManifestError("error: no objects passed to apply")
    return objects


def _read(step, text: str):
    """`step()` (the next document or whether there is one), with PyYAML's and
    libyaml's failures turned into kubectl-worded ManifestErrors."""
    try:
        return step()
    except ManifestError:
        raise
    except RecursionError:
        raise LimitExceeded("error: the manifest is nested too deeply") from None
    except _AliasFound:
        raise _alias_error(_first_alias_line(text)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if (
            isinstance(exc, yaml.composer.ComposerError)
            and "undefined alias" in problem
        ):
            raise _alias_error(mark.line + 1 if mark else None) from None
        where = f"line {mark.line + 1}: " if mark else ""
        raise ManifestError(f"{PARSE_ERROR}{where}{problem}") from None


def _alias_error(line: int | None) -> ManifestError:
    where = f"line {line}: " if line else ""
    return ManifestError(f"error: error parsing manifest: {where}{ALIASES}")


def _first_alias_line(text: str) -> int | None:
    """The line of the first alias token (only asked when an alias was met, so
    the scan stops there; libyaml scans fast)."""
    for token in yaml.scan(text, Loader=LOADER):
        if isinstance(token, yaml.AliasToken):
            return token.start_mark.line + 1
    return None


def _objects(doc) -> list[dict]:
    """The Kubernetes objects of one document (none for an empty one)."""
    if doc is None:
        return []
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
        if not isinstance(item["kind"], str) or not isinstance(item["apiVersion"], str):
            raise ManifestError(
                "error: error validating data: apiVersion and kind must be strings"
            )
    return items or []
