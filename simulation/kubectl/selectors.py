"""Label selectors as `-l` takes them: `a=b,c!=d,e,!f,g in (x,y),h notin (z)`."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import UsageError

_SET = re.compile(r"^([A-Za-z0-9./_-]+)\s+(in|notin)\s+\(([^)]*)\)$")
_EQ = re.compile(r"^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$")
_KEY = re.compile(r"^(!?)\s*([A-Za-z0-9./_-]+)$")

Test = Callable[[dict], bool]


def parse(text: str) -> Test:
    """A function telling whether a labels dict matches the selector `text`."""
    tests = [_requirement(part.strip()) for part in _split(text) if part.strip()]
    if not tests:
        raise UsageError(f'error: unable to parse requirement: found "{text}"')
    return lambda labels: all(t(labels) for t in tests)


def _split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    return [*parts, current]


def _requirement(part: str) -> Test:
    if m := _SET.match(part):
        key, op = m.group(1), m.group(2)
        values = {v.strip() for v in m.group(3).split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if m := _EQ.match(part):
        key, op, value = m.groups()
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if m := _KEY.match(part):
        negate, key = m.group(1) == "!", m.group(2)
        return lambda labels: (key in labels) != negate
    raise UsageError(
        f'error: unable to parse requirement: <nil>: Invalid value: "{part}": a'
        " valid label must be an empty string or consist of alphanumeric"
        " characters, '-', '_' or '.'"
    )
