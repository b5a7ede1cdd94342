"""Label selectors as `-l` takes them: `a=b,c!=d,e,!f,g in (x,y),h notin (z)`."""

from __future__ import annotations

import re
from collections.abc import Callable

from ..errors import UsageError

_SET = re.compile(r"^([A-Za-z0-9./_-]+)\s+(in|notin)\s+\(([^)]*)\)$")
_EQ = re.compile(r"^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$")
_KEY = re.compile(r"^(!?)\s*([A-Za-z0-9./_-]+)$")
_FIELD = re.compile(r"^([^=!]+)(==|=|!=)(.*)$")

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


def field(obj: dict, path: str):
    """The value at a kubectl field path: `.status.phase`, `{.a.b[0].c}`, `spec.x`."""
    path = path.strip().removeprefix("{").removesuffix("}").removeprefix(".")
    value = obj
    for part in path.split(".") if path else []:
        name, _, index = part.partition("[")
        if name:
            value = value.get(name) if isinstance(value, dict) else None
        if index:
            position = index.rstrip("]")
            if not position.isdigit():
                raise UsageError(f"error: unsupported index {part!r} in {path!r}")
            items = value if isinstance(value, list) else []
            value = items[int(position)] if int(position) < len(items) else None
    return value


def parse_fields(text: str) -> Test:
    """`--field-selector`: `path=value`, `path==value`, `path!=value`, comma-joined."""
    tests = []
    for part in (p.strip() for p in text.split(",") if p.strip()):
        match = _FIELD.match(part)
        if match is None:
            raise UsageError(f'error: invalid selector: "{part}"; can\'t understand')
        path, op, value = match.groups()
        tests.append((path.strip(), op, value.strip()))

    def test(obj: dict) -> bool:
        for path, op, value in tests:
            got = field(obj, path)
            text = str(got).lower() if isinstance(got, bool) else str(got or "")
            if (text == value) != (op != "!="):
                return False
        return True

    return test


def sort_key(path: str):
    """kubectl's `--sort-by`: numbers by value, the rest as text, missing first."""

    def key(obj: dict):
        value = field(obj, path)
        if value is None:
            return (0, 0, "")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return (1, value, "")
        return (2, 0, str(value))

    return key
