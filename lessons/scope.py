"""The table of expression kinds and how an expression is evaluated against it.

`Scope` is what an expression may look at; `kind(name)` registers a kind's
function in `KINDS`. The kinds themselves live in `expressions.py` (values and
logic), `kinds.py` (the model's objects) and `tracekinds.py` (packet traces),
each registering on import; `expressions` imports all three, so importing it
gives the whole vocabulary.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import StepError

if TYPE_CHECKING:
    from simulation.cluster import Cluster


@dataclass
class Scope:
    """What an expression may look at: the cluster now, the lesson's remembered
    values, the latest packet trace, and values taken when a question was asked."""

    cluster: Cluster
    env: dict[str, Any] = field(default_factory=dict)
    trace: dict | None = None
    before: dict[str, Any] | None = None


Kind = Callable[[Scope, Any], Any]
KINDS: dict[str, Kind] = {}
# Kinds whose argument is itself an expression (checked recursively when loading).
NESTED = {"unchanged", "not", "equal", "all", "any", "len", "less", "minus"}
NESTED |= {"host_of", "without", "first", "number"}  # `split` checks its own text below
POD_KINDS = set()


def kind(name: str, pod_arg: bool = False):
    def register(fn: Kind) -> Kind:
        KINDS[name] = fn
        if pod_arg:
            POD_KINDS.add(name)
        return fn

    return register


def evaluate(expr: Any, scope: Scope) -> Any:
    if not isinstance(expr, dict):
        return expr
    if "pod" in expr:
        return KINDS["pod"](scope, expr)
    if len(expr) != 1:
        raise StepError(f"an expression has exactly one kind, not {sorted(expr)}")
    ((name, arg),) = expr.items()
    fn = KINDS.get(name)
    if fn is None:
        raise StepError(f"unknown expression kind {name!r}")
    return fn(scope, arg)


def check(expr: Any, at_now: bool = False) -> None:
    """Reject unknown kinds before anything runs (static half of validation)."""
    if isinstance(expr, list):
        for e in expr:
            check(e, at_now)
        return
    if not isinstance(expr, dict) or "pod" in expr:
        return
    if len(expr) != 1:
        raise StepError(f"an expression has exactly one kind, not {sorted(expr)}")
    ((name, arg),) = expr.items()
    if name not in KINDS:
        raise StepError(
            f"unknown expression kind {name!r} (known: {', '.join(sorted(KINDS))})"
        )
    if name in ("unchanged", "same_ip_after_restart") and at_now:
        raise StepError(f"{name} compares two moments; it cannot be used `at: now`")
    if name in NESTED or name in POD_KINDS:
        check(arg, at_now)


def key_of(expr: Any) -> str:
    return json.dumps(expr, sort_keys=True, default=str)


def prepare(expr: Any, scope: Scope) -> dict[str, Any]:
    """Values of every `unchanged` part, taken at the moment the question is asked."""
    found: dict[str, Any] = {}

    def walk(e):
        if isinstance(e, list):
            for x in e:
                walk(x)
        elif isinstance(e, dict) and len(e) == 1 and "pod" not in e:
            ((name, arg),) = e.items()
            if name == "same_ip_after_restart":
                found[key_of({"ip_of": arg})] = maybe(scope, {"ip_of": arg})
            elif name == "unchanged":
                found[key_of(arg)] = maybe(scope, arg)
            elif name in NESTED:
                walk(arg)

    walk(expr)
    return found


def maybe(scope: Scope, expr: Any) -> Any:
    try:
        return evaluate(expr, scope)
    except StepError:
        return None


_PATH = re.compile(r"^(?:[A-Za-z_][\w-]*|\[-?\d+\])(?:\.[A-Za-z_][\w-]*|\[-?\d+\])*$")
_PART = re.compile(r"([A-Za-z_][\w-]*)|\[(-?\d+)\]")


def dig(data: Any, path: str) -> Any:
    """`reply[0].node` into nested dicts and lists; a missing part is an error."""
    if not isinstance(path, str) or not _PATH.match(path):
        raise StepError(f"path {path!r} is not of the form a.b[0].c")
    value = data
    for m in _PART.finditer(path):
        name, index = m.groups()
        try:
            value = value[name] if name is not None else value[int(index)]
        except (KeyError, IndexError, TypeError):
            raise StepError(f"path {path!r}: nothing at {m.group(0)!r}") from None
    return value
