"""Narration text: `{name}` placeholders filled with values the lesson remembered."""

from __future__ import annotations

import re

from .errors import StepError

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]\w*)\}")


def fill(text: str, env: dict) -> str:
    """`{name}` in text replaced by a remembered value (a missing one is an error)."""

    def sub(m: re.Match) -> str:
        if m.group(1) not in env:
            raise StepError(f"{{{m.group(1)}}} was not remembered before this step")
        value = env[m.group(1)]
        if isinstance(value, list):
            return ", ".join(map(_text, value))
        return _text(value)

    return _PLACEHOLDER.sub(sub, text)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 315.0 seconds reads as 315 seconds
    return str(value)
