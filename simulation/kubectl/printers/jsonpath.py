"""`-o jsonpath=TEMPLATE` and `-o custom-columns=SPEC`, the subset tutorials use.

Paths: `.a.b`, `[n]`, `[*]`, `..` is not supported; filters `[?(@.type=="Ready")]`
with `==`/`!=`; templates: literal text, `{PATH}`, `{"\\n"}`, `{range PATH}…{end}`.
Several results of one path are joined with spaces, maps and lists print as JSON,
as kubectl prints them.
"""

from __future__ import annotations

import json
import re

from ...errors import UsageError

_STEP = re.compile(
    r"\.([A-Za-z0-9_\-/]+)|\[(\*|-?\d+)\]|\[\?\(@\.([^=!]+)(==|!=)(.+?)\)\]"
)


def evaluate(path: str, root: object) -> list:
    """Every value `path` selects from `root` (an empty list when nothing matches)."""
    path = path.strip()
    if path in ("", "@", "."):
        return [root]
    path = path.removeprefix("@")
    values, pos = [root], 0
    while pos < len(path):
        m = _STEP.match(path, pos)
        if m is None:
            raise UsageError(
                f"error: error parsing jsonpath {path!r}: unrecognized at"
                f" {path[pos:]!r}"
            )
        key, index, fkey, op, fvalue = m.groups()
        values = [
            v for value in values for v in _step(value, key, index, fkey, op, fvalue)
        ]
        pos = m.end()
    return values


def _step(value, key, index, fkey, op, fvalue) -> list:
    if key is not None:
        return [value[key]] if isinstance(value, dict) and key in value else []
    if index == "*":
        if isinstance(value, list):
            return list(value)
        return list(value.values()) if isinstance(value, dict) else []
    if index is not None:
        i = int(index)
        return (
            [value[i]]
            if isinstance(value, list) and -len(value) <= i < len(value)
            else []
        )
    wanted = fvalue.strip().strip("'\"")
    out = []
    for item in value if isinstance(value, list) else []:
        got = evaluate("." + fkey, item)
        text = _text(got[0]) if got else None
        if (text == wanted) == (op == "=="):
            out.append(item)
    return out


def _text(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _tokens(template: str) -> list[tuple[str, str]]:
    """('text', …) and ('expr', …) pieces of a template."""
    out, pos = [], 0
    while pos < len(template):
        start = template.find("{", pos)
        if start < 0:
            out.append(("text", template[pos:]))
            break
        if start > pos:
            out.append(("text", template[pos:start]))
        end = template.find("}", start)
        if end < 0:
            raise UsageError(f"error: error parsing jsonpath {template!r}: unclosed {{")
        out.append(("expr", template[start + 1 : end].strip()))
        pos = end + 1
    return out


def render(template: str, root: object) -> str:
    """A jsonpath template applied to `root`."""
    template = template.strip()
    if len(template) > 1 and template[0] == template[-1] and template[0] in "'\"":
        template = template[1:-1]
    out, rest = _render(_tokens(template), root)
    if rest:
        raise UsageError("error: error parsing jsonpath: {end} without {range}")
    return out


def _render(tokens: list, root: object) -> tuple[str, list]:
    out = []
    while tokens:
        kind, text = tokens[0]
        tokens = tokens[1:]
        if kind == "text":
            out.append(text)
        elif text == "end":
            return "".join(out), [("end", "")]
        elif text.startswith("range "):
            items = evaluate(text[6:], root)
            body, after = _block(tokens)
            for item in items:
                out.append(_render(body, item)[0])
            tokens = after
        elif len(text) > 1 and text[0] == text[-1] == '"':
            out.append(_literal(text))
        else:
            out.append(" ".join(_text(v) for v in evaluate(text, root)))
    return "".join(out), []


def _literal(text: str) -> str:
    try:
        return json.loads(text)
    except ValueError:
        raise UsageError(
            f"error: error parsing jsonpath: invalid string literal {text}"
        ) from None


def _block(tokens: list) -> tuple[list, list]:
    depth = 0
    for i, (kind, text) in enumerate(tokens):
        if kind == "expr" and text.startswith("range "):
            depth += 1
        elif kind == "expr" and text == "end":
            if depth == 0:
                return tokens[:i], tokens[i + 1 :]
            depth -= 1
    raise UsageError("error: error parsing jsonpath: {range} without {end}")


def columns(spec: str, objects: list[dict]) -> list[list[str]]:
    """Rows of `-o custom-columns=NAME:.path,…` (header first)."""
    pairs = []
    for part in spec.split(","):
        name, sep, path = part.partition(":")
        if not sep or not name:
            raise UsageError(
                "error: custom-columns format specified but no custom columns given"
                if not spec
                else f'error: expected <header>:<json-path-expr>, got "{part}"'
            )
        pairs.append((name, path.strip().strip("{}")))
    rows = [[name for name, _ in pairs]]
    for obj in objects:
        rows.append(
            [",".join(_text(v) for v in evaluate(p, obj)) or "<none>" for _, p in pairs]
        )
    return rows
