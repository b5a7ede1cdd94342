"""YAML as kubectl prints it (sigs.k8s.io/yaml over go-yaml): keys sorted, sequences
flush with their key, strings double-quoted only when they would read as something
else, no line folding.

A small emitter for JSON-shaped data: PyYAML's pure-Python dumper takes seconds for a
thousand pods, and its C dumper cannot be told to quote the way Go does.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache

import yaml

_STR = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
_INDICATORS = set("?:,[]{}#&*!|>'\"%@`")
# What YAML may not hold unescaped (its printable set is narrower than JSON's).
_NONPRINTABLE = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")
_UNSAFE = re.compile(r"[\x00-\x1f\x85\u2028\u2029]|: |:$| #")


def dump(data: object) -> str:
    """`data` (dicts, lists, str, int, float, bool, None) as kubectl's YAML."""
    lines: list[str] = []
    if isinstance(data, dict) and data:
        _mapping(data, 0, lines)
    elif isinstance(data, list) and data:
        _sequence(data, 0, lines)
    else:
        lines.append(_inline(data))
    return "\n".join(lines)


def scalar(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = json.dumps(value)
        mantissa, e, exponent = text.partition("e")
        # YAML 1.1 readers want a dot in a float's mantissa: 1e-05 -> 1.0e-05
        return f"{mantissa}.0e{exponent}" if e and "." not in mantissa else text
    return _string(str(value))


@lru_cache(maxsize=65536)
def _string(text: str) -> str:
    # Keys and many values repeat across objects; deciding how to quote is the cost.
    if _plain(text):
        return text
    return _NONPRINTABLE.sub(_escape, json.dumps(text, ensure_ascii=False))


def _escape(match: re.Match) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def _plain(text: str) -> bool:
    if not text or text != text.strip() or _UNSAFE.search(text):
        return False
    if _NONPRINTABLE.search(text):
        return False
    first = text[0]
    if first in _INDICATORS or (first == "-" and (len(text) == 1 or text[1] == " ")):
        return False
    return _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR


def _inline(value: object) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return scalar(value)


def _mapping(data: dict, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for key in sorted(data, key=str):
        value = data[key]
        head = f"{pad}{scalar(key)}:"
        if isinstance(value, dict) and value:
            lines.append(head)
            _mapping(value, indent + 2, lines)
        elif isinstance(value, list) and value:
            lines.append(head)
            _sequence(value, indent, lines)
        else:
            lines.append(f"{head} {_inline(value)}")


def _sequence(items: list, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    for item in items:
        if isinstance(item, (dict, list)) and item:
            sub: list[str] = []
            if isinstance(item, dict):
                _mapping(item, indent + 2, sub)
            else:
                _sequence(item, indent + 2, sub)
            lines.append(f"{pad}- {sub[0][indent + 2 :]}")
            lines.extend(sub[1:])
        else:
            lines.append(f"{pad}- {_inline(item)}")
