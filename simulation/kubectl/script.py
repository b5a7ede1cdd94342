"""Splitting a script into commands: one a line, a here-document spanning lines.

Blank lines and `#` comments are skipped; a line ending in a backslash continues on
the next, as in a shell; a `<<EOF` (or `<<'EOF'`, `<<-EOF`) line takes every line up
to its terminator with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from .lexer import here_document


@dataclass(frozen=True)
class Command:
    """One command of a script: its full text and the line it starts on."""

    text: str
    line: int

    @property
    def first_line(self) -> str:
        return self.text.split("\n", 1)[0]


def split(script: str) -> list[Command]:
    lines = script.splitlines()
    out: list[Command] = []
    i = 0
    while i < len(lines):
        start, text = i + 1, lines[i]
        i += 1
        while text.endswith("\\") and i < len(lines):
            text = text[:-1] + lines[i].lstrip()
            i += 1
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        try:
            doc = here_document(stripped)
        except UsageError:
            doc = None  # the command reports its own error when it runs
        if doc is not None:
            tag, strip_tabs = doc
            body = []
            while i < len(lines):
                line = lines[i]
                i += 1
                body.append(line)
                if (line.lstrip("\t") if strip_tabs else line).rstrip("\r") == tag:
                    break
            stripped = "\n".join([stripped, *body])
        out.append(Command(stripped, start))
    return out
