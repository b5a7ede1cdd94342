"""kubectl's flag grammar (cobra and pflag): verbs, `--flag=value`, `-n ns`, `--`.

Flags may come before or after the words, as in kubectl; global flags (`-n`) may
come before the verb. Errors are worded as kubectl words them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import UsageError
from .lexer import Line


@dataclass(frozen=True)
class Flag:
    """One flag a command accepts: long name, one-letter shorthand, value kind."""

    name: str
    short: str | None = None
    kind: str = "bool"  # bool | str | int

    @property
    def label(self) -> str:
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


GLOBAL = (Flag("namespace", "n", "str"), Flag("help", "h"))


@dataclass
class Args:
    """A parsed command: the verb, its words, its flags, `--` words and stdin."""

    verb: str
    words: list[str]
    flags: dict[str, object] = field(default_factory=dict)
    command: list[str] = field(default_factory=list)
    stdin: str | None = None
    dashdash: bool = False

    def flag(self, name: str, default: object = None) -> object:
        return self.flags.get(name, default)


def parse(line: Line, verbs: dict[str, tuple[Flag, ...]]) -> Args:
    """Split a lexed line into an `Args`, checking every flag against `verbs`."""
    words = list(line.words)
    if words and words[0] in ("kubectl", "k"):  # `k` is the usual alias
        words.pop(0)
    if not words:
        raise UsageError(
            "error: no command given: try `kubectl get pods` (or `kubectl --help`)"
        )
    flags: dict[str, object] = {}
    i = 0
    while i < len(words) and words[i].startswith("-") and words[i] != "--":
        i = _take(words, i, GLOBAL, flags, "kubectl")
    if i >= len(words) or words[i] == "--":
        if flags.get("help"):
            return Args("help", [], flags)
        raise UsageError("error: no command given: try `kubectl get pods`")
    verb = words[i]
    if verb not in verbs:
        raise UsageError(_unknown(verb, sorted(verbs)))
    spec = GLOBAL + verbs[verb]
    args = Args(verb, [], flags, stdin=line.stdin)
    i += 1
    while i < len(words):
        word = words[i]
        if word == "--":
            args.command, args.dashdash = words[i + 1 :], True
            break
        if word.startswith("-") and word != "-":
            i = _take(words, i, spec, flags, f"kubectl {verb}")
            continue
        args.words.append(word)
        i += 1
    return args


class _FlagError(Exception):
    """A flag error before kubectl adds its `See '… --help'` line."""


def _take(words, i, spec, flags, where) -> int:
    try:
        return _take_one(words, i, spec, flags)
    except _FlagError as exc:
        raise UsageError(f"Error: {exc}\nSee '{where} --help' for usage.") from None


def _unknown(verb: str, verbs: list[str]) -> str:
    """cobra's message, with its suggestions (edit distance <= 2, or a prefix)."""
    near = [v for v in verbs if _distance(verb, v) <= 2 or v.startswith(verb)]
    text = f'Error: unknown command "{verb}" for "kubectl"'
    if near:
        text += "\n\nDid you mean this?\n" + "\n".join(f"\t{v}" for v in near)
    return text


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


def _take_one(words, i, spec, flags) -> int:
    """Consume the flag at words[i] (and its value); return the next index."""
    word = words[i]
    if word.startswith("--"):
        name, eq, value = word[2:].partition("=")
        flag = next((f for f in spec if f.name == name), None)
        if flag is None:
            raise _FlagError(f"unknown flag: --{name}")
        if flag.kind == "bool":
            flags[flag.name] = _bool(flag, value) if eq else True
            return i + 1
        if not eq:
            if i + 1 >= len(words):
                raise _FlagError(f"flag needs an argument: --{name}")
            value, i = words[i + 1], i + 1
        flags[flag.name] = _value(flag, value)
        return i + 1
    cluster = word[1:]
    for pos, letter in enumerate(cluster):
        flag = next((f for f in spec if f.short == letter), None)
        if flag is None:
            raise _FlagError(f"unknown shorthand flag: '{letter}' in {word}")
        if flag.kind == "bool":
            flags[flag.name] = True
            continue
        value = cluster[pos + 1 :].removeprefix("=")
        if not value:
            if i + 1 >= len(words):
                raise _FlagError(f"flag needs an argument: '{letter}' in -{letter}")
            value, i = words[i + 1], i + 1
        flags[flag.name] = _value(flag, value)
        break
    return i + 1


def _bool(flag: Flag, value: str) -> bool:
    if value.lower() in ("true", "1", "t"):
        return True
    if value.lower() in ("false", "0", "f"):
        return False
    raise _FlagError(
        f'invalid argument "{value}" for "{flag.label}" flag:'
        f' strconv.ParseBool: parsing "{value}": invalid syntax'
    )


def _value(flag: Flag, value: str) -> object:
    if flag.kind != "int":
        return value
    try:
        return int(value)
    except ValueError:
        raise _FlagError(
            f'invalid argument "{value}" for "{flag.label}" flag:'
            f' strconv.ParseInt: parsing "{value}": invalid syntax'
        ) from None
