"""Expression kinds about the latest packet trace: its fields and its hops.

A trace (simulation/network) has `hops` and `reply`, lists of hop dicts with `node`,
`netns`, `device`, `hook`, `src`, `dst`, `nat` ({type, from, to, rule}), `outer`
(the VXLAN header, if any) and `explain`. `where` matches hops by path:
`{nat.type: DNAT}` is equality, `{outer: true}` is presence, `{dst: {contains: X}}`
is a substring.
"""

from __future__ import annotations

from typing import Any

from .errors import StepError
from .scope import Scope, dig, evaluate, kind
from .text import fill


def _trace(scope: Scope) -> dict:
    if scope.trace is None:
        raise StepError("no packet trace has run in this lesson yet")
    return scope.trace


def _get(hop: dict, path: str) -> Any:
    try:
        return dig(hop, path)
    except StepError:
        return None


def _has(value: Any, want: Any) -> bool:
    if want is True:
        return bool(value)
    if want is False or want is None:
        return not value
    if isinstance(want, dict) and set(want) == {"contains"}:
        return value is not None and str(want["contains"]) in str(value)
    return value == want


def hop_list(trace: dict, where: str) -> list[dict]:
    if where not in ("hops", "reply"):
        raise StepError(f"`in` is hops or reply, not {where!r}")
    return trace.get(where) or []


def resolve_where(scope: Scope, arg: Any) -> Any:
    """`where` values may use remembered values: `{route: {contains: "{cidr}"}}`."""
    if not isinstance(arg, dict) or not isinstance(arg.get("where"), dict):
        return arg

    def value(v):
        if isinstance(v, str):
            return fill(v, scope.env)
        if isinstance(v, dict) and set(v) == {"contains"}:
            return {"contains": value(v["contains"])}
        return evaluate(v, scope) if isinstance(v, dict) else v

    return {**arg, "where": {k: value(v) for k, v in arg["where"].items()}}


def find_hops(trace: dict, arg: dict) -> list[int]:
    """Indices of the hops (or reply hops) whose fields match `where`."""
    where = arg.get("where") or {}
    if not isinstance(where, dict):
        raise StepError("`where` maps hop fields to the values they must have")
    hops = hop_list(trace, arg.get("in", "hops"))
    return [
        i
        for i, hop in enumerate(hops)
        if all(_has(_get(hop, k), v) for k, v in where.items())
    ]


@kind("trace_field")
def _trace_field(scope, path):
    """Any field of the trace: `verdict`, `dns.answer`, `reply[0].node`, …"""
    if isinstance(path, str) and path.startswith("reply.hops"):
        path = "reply" + path[len("reply.hops") :]  # the reply is a list of hops
    return dig(_trace(scope), path)


@kind("trace_find")
def _trace_find(scope, arg):
    """A field of the nth matching hop: `{where: {nat.type: DNAT}, field: node}`."""
    if not isinstance(arg, dict) or "field" not in arg:
        raise StepError("trace_find takes {where: {...}, field: NAME, nth?, in?}")
    trace = _trace(scope)
    arg = resolve_where(scope, arg)
    found = find_hops(trace, arg)
    nth = arg.get("nth", 0)
    if not -len(found) <= nth < len(found):
        raise StepError(f"no hop of the trace matches {arg.get('where')}")
    hop = hop_list(trace, arg.get("in", "hops"))[found[nth]]
    return _get(hop, arg["field"])


@kind("trace_count")
def _trace_count(scope, arg):
    """How many hops match `where` (0 proves that nothing did, e.g. no NAT)."""
    arg = resolve_where(scope, arg if isinstance(arg, dict) else {})
    return len(find_hops(_trace(scope), arg))


@kind("trace_values")
def _trace_values(scope, arg):
    """The distinct values of one field over the matching hops, in order."""
    if not isinstance(arg, dict) or "field" not in arg:
        raise StepError("trace_values takes {field: NAME, where?, in?}")
    trace = _trace(scope)
    arg = resolve_where(scope, arg)
    hops = hop_list(trace, arg.get("in", "hops"))
    values: list = []
    for i in find_hops(trace, arg):
        value = _get(hops[i], arg["field"])
        if value not in values:
            values.append(value)
    return values


@kind("host_of")
def _host_of(scope, expr):
    """The address part of `IP:PORT` (hops carry ports; the NAT lessons compare IPs)."""
    text = str(evaluate(expr, scope))
    host, sep, port = text.rpartition(":")
    return host if sep and port.isdigit() else text
