"""Turns one console line into words, refusing everything a shell would interpret.

Nothing is ever executed: `;`, `|`, `&&`, `$(...)`, backticks and redirections are
refused with a message that says so. The one shell form accepted is a here-document
(`kubectl apply -f - <<EOF` … `EOF`), which is how scripts and the web console send
YAML: its body becomes the command's standard input.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from ..errors import UsageError

MAX_LINE = 4096
_TAG = re.compile(r"^<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_]*)\2\s*$")
_REFUSED = {
    ";": "';' (command lists)",
    "|": "'|' (pipes)",
    "&": "'&' (background jobs and &&)",
    ">": "'>' (redirection)",
    "<": "'<' (redirection)",
    "`": "backticks (command substitution)",
    "$": "'$' (variables and command substitution)",
    "(": "'(' (subshells)",
    ")": "')' (subshells)",
}


@dataclass(frozen=True)
class Line:
    """A command line split into words, with a here-document's body as stdin."""

    words: list[str]
    stdin: str | None = None


def lex(text: str) -> Line:
    """Split `text` (one command, or one command with a here-document) into words."""
    if not isinstance(text, str):
        raise UsageError("error: a command must be text")
    if not text.isascii():  # O(1) in CPython; most lines end the check here
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _not_text(text, exc.start) from None
    first, newline, rest = text.partition("\n")
    first = first.rstrip("\r")
    if len(first) > MAX_LINE:
        raise UsageError(
            f"error: the command is {len(first)} characters long; the limit is"
            f" {MAX_LINE}"
        )
    command, heredoc = _scan(first)
    stdin = None
    if heredoc is not None:
        stdin = _body(heredoc, rest if newline else "")
    elif rest.strip():
        raise UsageError(
            "error: one command at a time: this command spans several lines"
            " (only a here-document, `<<EOF` … `EOF`, may continue a line)"
        )
    try:
        words = shlex.split(command)
    except ValueError as exc:  # shlex only fails on quotes and trailing escapes
        raise UsageError(f"error: cannot parse the command: {exc}") from None
    return Line(words, stdin)


def _not_text(text: str, at: int) -> UsageError:
    """A lone UTF-16 surrogate (what a JSON `\\ud800` escape decodes to) is no
    Unicode character: no frame could carry a name or an image holding one."""
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    where = f"column {column}" if line == 1 else f"line {line}, column {column}"
    return UsageError(
        f"error: the command is not valid Unicode text: {where} holds a lone"
        f" UTF-16 surrogate (U+{ord(text[at]):04X}), which is no character"
    )


def _scan(line: str) -> tuple[str, str | None]:
    """The command part of `line` and its here-document operator, if any."""
    quote, i = None, 0
    at_word_start = True
    while i < len(line):
        ch = line[i]
        if quote == "'":
            quote = None if ch == "'" else quote
        elif quote == '"':
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = None
            elif ch == "`" or (ch == "$" and line[i + 1 : i + 2] in ("(", "{")):
                _refuse(ch, line, i)
        elif ch == "\\":
            i += 1
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and at_word_start:
            return line[:i], None  # a shell comment: the rest is not a word
        elif line.startswith("<<", i) and not line.startswith("<<<", i):
            match = _TAG.match(line[i:])
            if not match:
                raise UsageError(
                    "error: a here-document needs a terminator word, e.g."
                    " `kubectl apply -f - <<EOF`, with nothing after it"
                )
            return line[:i], match.group(0)
        elif ch in _REFUSED and (ch != "$" or _expands(line, i)):
            _refuse(ch, line, i)
        at_word_start = ch in " \t" and quote is None
        i += 1
    if quote:
        raise UsageError(
            f"error: unbalanced quotes: the {quote} opened in this command is"
            " never closed"
        )
    return line, None


def here_document(first_line: str) -> tuple[str, bool] | None:
    """The terminator (and whether `<<-` strips tabs) if the line opens one."""
    _command, operator = _scan(first_line)
    if operator is None:
        return None
    match = _TAG.match(operator)
    return match.group(3), match.group(1) == "-"


def _expands(line: str, i: int) -> bool:
    nxt = line[i + 1 : i + 2]
    return nxt in ("(", "{") or nxt.isalpha() or nxt == "_"


def _refuse(ch: str, line: str, i: int) -> None:
    what = _REFUSED.get(ch, repr(ch))
    raise UsageError(
        f"error: shell syntax is not supported: {what} at column {i + 1}. This"
        " console runs one kubectl command and never a shell; quote the character"
        " if it is part of a value."
    )


def _body(operator: str, rest: str) -> str:
    match = _TAG.match(operator)
    strip_tabs, tag = match.group(1) == "-", match.group(3)
    lines = rest.split("\n")
    for n, raw in enumerate(lines):
        line = raw.rstrip("\r")
        if (line.lstrip("\t") if strip_tabs else line) == tag:
            if any(x.strip() for x in lines[n + 1 :]):
                raise UsageError(
                    f"error: one command at a time: text follows the here-document's"
                    f" terminator {tag!r}"
                )
            body = lines[:n]
            if strip_tabs:
                body = [x.lstrip("\t") for x in body]
            return "\n".join(x.rstrip("\r") for x in body) + ("\n" if body else "")
    raise UsageError(
        f"error: the here-document is never closed: end it with a line holding"
        f" only {tag!r}"
    )
