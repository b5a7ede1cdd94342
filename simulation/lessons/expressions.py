"""A small, safe vocabulary for questions the model answers (never `eval`).

An expression is a dict with one kind, e.g. `{node_of: {pod: {app: web}}}` or
`{trace_find: {where: {nat: DNAT}, field: node}}`; a string or number is itself. The
answers to predictions, the conditions of checks and the claims a step makes about
the model are all expressions, evaluated against the cluster at a given moment.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .errors import StepError

if TYPE_CHECKING:
    from ..cluster import Cluster


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


# --- values and logic ---------------------------------------------------------------
@kind("var")
def _var(scope, name):
    if name not in scope.env:
        raise StepError(f"nothing was remembered as {name!r} before this step")
    return scope.env[name]


@kind("literal")
def _literal(scope, value):
    return value


@kind("equal")
def _equal(scope, args):
    if not isinstance(args, list) or len(args) < 2:
        raise StepError("equal takes a list of two or more expressions")
    values = [evaluate(a, scope) for a in args]
    return all(v == values[0] for v in values[1:])


@kind("not")
def _not(scope, expr):
    return not evaluate(expr, scope)


@kind("all")
def _all(scope, exprs):
    return all(evaluate(e, scope) for e in exprs)


@kind("any")
def _any(scope, exprs):
    return any(evaluate(e, scope) for e in exprs)


@kind("less")
def _less(scope, args):
    if not isinstance(args, list) or len(args) != 2:
        raise StepError("less takes [A, B]")
    a, b = (evaluate(x, scope) for x in args)
    return a < b


@kind("minus")
def _minus(scope, args):
    if not isinstance(args, list) or len(args) != 2:
        raise StepError("minus takes [A, B]")
    a, b = (evaluate(x, scope) for x in args)
    return round(a - b, 3)


@kind("time")
def _time(scope, _arg):
    """The model's clock, in seconds since the cluster was created."""
    return round(scope.cluster.time, 3)


@kind("etcd_revision")
def _revision(scope, _arg):
    return scope.cluster.store.revision


@kind("split")
def _split(scope, arg):
    """A part of a text: `{split: {text: EXPR, sep: "://", index: 0}}`."""
    if not isinstance(arg, dict) or set(arg) - {"text", "sep", "index"}:
        raise StepError("split takes {text: EXPR, sep: TEXT, index?: N}")
    parts = str(evaluate(arg["text"], scope)).split(str(arg.get("sep", " ")))
    index = arg.get("index", 0)
    if not -len(parts) <= index < len(parts):
        raise StepError(f"split: there is no part {index}")
    return parts[index]


@kind("without")
def _without(scope, args):
    """A list without some value: `{without: [{untainted_nodes: null}, node-1]}`."""
    if not isinstance(args, list) or len(args) != 2:
        raise StepError("without takes [LIST, VALUE]")
    items, drop = (evaluate(x, scope) for x in args)
    drop = drop if isinstance(drop, list) else [drop]
    return [i for i in items if i not in drop]


@kind("first")
def _first(scope, expr):
    items = evaluate(expr, scope)
    if not items:
        raise StepError(f"{expr} is empty, so it has no first item")
    return items[0]


@kind("largest")
def _largest(scope, table):
    """The label whose value is largest: `{largest: {ClusterIP: {var: a}, …}}`."""
    if not isinstance(table, dict) or not table:
        raise StepError("largest takes {LABEL: EXPR, ...}")
    values = {label: evaluate(e, scope) for label, e in table.items()}
    best = max(values.values())
    winners = [label for label, v in values.items() if v == best]
    if len(winners) != 1:
        raise StepError(f"largest: {', '.join(winners)} tie at {best}")
    return winners[0]


@kind("number")
def _number(scope, expr):
    """A number from text, such as the port in `10.0.0.1:30080`."""
    value = evaluate(expr, scope)
    try:
        return float(value) if "." in str(value) else int(value)
    except (TypeError, ValueError):
        raise StepError(f"{value!r} is not a number") from None


@kind("len")
def _len(scope, expr):
    return len(evaluate(expr, scope))


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


# The vocabulary lives in two modules that register their kinds on import.
from . import kinds, tracekinds  # noqa: E402,F401
