"""A small, safe vocabulary for questions the model answers (never `eval`).

An expression is a dict with one kind, e.g. `{node_of: {pod: {app: web}}}` or
`{trace_find: {where: {nat: DNAT}, field: node}}`; a string or number is itself. The
answers to predictions, the conditions of checks and the claims a step makes about
the model are all expressions, evaluated against the cluster at a given moment.
"""

from __future__ import annotations

from . import kinds, tracekinds  # noqa: F401 - each registers its kinds on import
from .errors import StepError
from .scope import (
    KINDS,
    NESTED,
    POD_KINDS,
    Kind,
    Scope,
    check,
    dig,
    evaluate,
    key_of,
    kind,
    maybe,
    prepare,
)

__all__ = [
    "KINDS",
    "NESTED",
    "POD_KINDS",
    "Kind",
    "Scope",
    "check",
    "dig",
    "evaluate",
    "key_of",
    "kind",
    "maybe",
    "prepare",
]


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
