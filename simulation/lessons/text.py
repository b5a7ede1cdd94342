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
        return ", ".join(map(str, value)) if isinstance(value, list) else str(value)

    return _PLACEHOLDER.sub(sub, text)
