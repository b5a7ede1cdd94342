"""`kubectl wait --for=…`: checks a condition now, as kubectl with `--timeout=0s`.

The model only moves when it is stepped, so waiting would never end: `wait` reports
`condition met` or kubectl's timeout error at once. In a script, `sim settle` or
`sim advance` first, then `kubectl wait` as an assertion (a failure sets the exit
status).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import NotFound, UsageError
from .. import selectors
from ..objects import fetch, listing, namespace_of, resource_type
from ..parser import Args, Flag
from ..printers import jsonpath
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (
    Flag("for", kind="str"),
    Flag("selector", "l", "str"),
    Flag("all"),
    Flag("timeout", kind="str"),
    Flag("all-namespaces", "A"),
)


def _targets(cluster: Model, args: Args) -> list[tuple]:
    words, ns = list(args.words), namespace_of(args)
    if not words:
        raise UsageError("error: resource(s) were provided, but no name was specified")
    if "/" in words[0]:
        out = []
        for word in words:
            kind, _, name = word.partition("/")
            out.append((resource_type(kind), name))
        return [(r, n, _get(cluster, r, ns, n)) for r, n in out]
    resource = resource_type(words[0])
    if words[1:]:
        return [(resource, n, _get(cluster, resource, ns, n)) for n in words[1:]]
    if not args.flag("selector") and not args.flag("all"):
        raise UsageError("error: resource(s) were provided, but no name was specified")
    wanted = args.flag("selector")
    test = selectors.parse(str(wanted)) if wanted else (lambda labels: True)
    scope = None if args.flag("all-namespaces") else ns
    return [
        (resource, o["metadata"]["name"], o)
        for o in listing(cluster, resource, scope)
        if test(o["metadata"].get("labels") or {})
    ]


def _get(cluster: Model, resource, ns: str, name: str) -> dict | None:
    try:
        return fetch(cluster, resource, ns, name)
    except NotFound:  # a missing object fails the wait (or meets --for=delete)
        return None


def _met(obj: dict | None, goal: str) -> bool:
    kind, _, rest = goal.partition("=")
    if kind == "delete":
        return obj is None
    if obj is None:
        return False
    if kind == "condition":
        name, _, value = rest.partition("=")
        value = value or "True"
        for c in (obj.get("status") or {}).get("conditions") or []:
            if c.get("type", "").lower() == name.lower():
                return str(c.get("status")).lower() == value.lower()
        return False
    if kind == "jsonpath":
        path, _, value = rest.rpartition("=")
        found = jsonpath.render(path, obj) if path else ""
        return found == value.strip("'\"")
    raise UsageError(f"error: unrecognized condition: {goal!r}")


def run(cluster: Model, args: Args) -> KubectlResult:
    goal = args.flag("for")
    if not goal:
        raise UsageError("error: --for must be set")
    targets = _targets(cluster, args)
    if not targets:
        raise UsageError("error: no matching resources found")
    lines, missed = [], []
    for resource, name, obj in targets:
        label = f"{resource.display}/{name}"
        if _met(obj, str(goal)):
            lines.append(f"{label} condition met")
        else:
            missed.append(f"{resource.qualified}/{name}")
    if missed:
        raise UsageError(
            "\n".join(
                [*lines]
                + [f"error: timed out waiting for the condition on {m}" for m in missed]
            )
        )
    return KubectlResult(output="\n".join(lines))
