"""The lesson socket's messages: the session protocol plus the lesson's own.

`parse` accepts every message of `kubeviz.protocol` and the ones in
LESSON_MESSAGES, with the same error codes; the builders make the server's
lesson messages. docs/protocol.md ("Lesson messages") shows one of each.
"""

from __future__ import annotations

import json
from typing import Any

from kubeviz import protocol
from kubeviz.protocol import ProtocolError
from simulation.errors import SimulationError
from simulation.kubectl import VERBS
from simulation.kubectl.lexer import lex
from simulation.kubectl.parser import parse as parse_kubectl

MAX_POSITION = 499
MAX_CHOICE = 9

# type -> (required fields, optional fields), as protocol.CLIENT_MESSAGES.
LESSON_MESSAGES: dict[str, tuple[dict, dict]] = {
    "lesson_next": ({}, {}),
    "lesson_back": ({}, {}),
    "lesson_goto": ({"position": protocol.whole(0, MAX_POSITION)}, {}),
    "lesson_answer": ({"choice": protocol.whole(0, MAX_CHOICE)}, {}),
    "lesson_sandbox": ({}, {}),
    "lesson_guide": ({}, {}),
    "lesson_check": ({}, {}),
}

# Session messages that change the cluster: refused while the lesson is guiding,
# because the lesson's cluster follows its script (the sandbox is for trying).
CHANGES = (
    "step",
    "back",
    "play",
    "seek",
    "reset",
    "apply_manifest",
    "fault",
    "trace",
    "set",
)
# A lesson brings its own cluster: a scenario would replace it, in either mode.
NEVER = ("load_scenario",)
# kubectl verbs that only read, so they may look at the lesson's own cluster.
READ_VERBS = ("get", "describe", "logs", "top", "version", "cluster-info")
READ_ROLLOUT = ("status", "history")


def parse(text_data: str | None = None, bytes_data: bytes | None = None) -> dict:
    """A client frame as a checked message: a session message or a lesson one."""
    try:
        return protocol.parse(text_data, bytes_data)
    except ProtocolError as exc:
        if exc.code != "unknown_type":
            raise
        unknown = exc
    # protocol.parse has already proven the frame to be a JSON object of a size
    # it accepts, with a string type.
    raw = text_data if text_data is not None else bytes_data.decode("utf-8")
    message = json.loads(raw)
    kind = message["type"]
    if kind not in LESSON_MESSAGES:
        raise unknown
    return protocol.check_fields(kind, message, LESSON_MESSAGES[kind])


def only_reads(command: str) -> bool:
    """Does this kubectl line only read? (A line kubectl refuses reads nothing.)"""
    try:
        args = parse_kubectl(lex(command), VERBS)
    except SimulationError:
        return True  # kubectl's own error message is the answer; nothing changes
    if args.verb == "rollout":
        return bool(args.words) and args.words[0] in READ_ROLLOUT
    return args.verb in READ_VERBS


# --- server messages ---------------------------------------------------------------
def lesson(frame: dict, mode: str) -> dict:
    """Where the lesson is: its frame (never an answer not yet given) and the mode."""
    return {"type": "lesson", "mode": mode, "frame": frame}


def answer(position: int, result: dict) -> dict:
    return {"type": "lesson_answer", "position": position, "result": result}


def check(position: int, result: dict) -> dict:
    return {
        "type": "lesson_check",
        "position": position,
        "passed": bool(result["passed"]),
        "message": result["message"],
        # The cluster still has work queued: the verdict may change on its own.
        "settling": bool(result.get("settling", False)),
    }


def refused(kind: str, rid: Any = None) -> dict:
    """The error for a change to the cluster while the lesson is guiding."""
    return protocol.error(
        "lesson_mode",
        "The lesson's cluster follows the lesson. Press “Try it yourself” for a "
        "copy of this moment that you can change.",
        rid,
        kind,
    )
