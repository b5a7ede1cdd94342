"""The messages classroom mode adds to the websocket protocol (docs/classroom.md).

`parse` accepts every message of `kubeviz.protocol` plus the ones below, with the
same error codes; the builders make the server's classroom messages.
"""

from __future__ import annotations

import json
import re
from typing import Any

from kubeviz import protocol
from kubeviz.protocol import ProtocolError, shape, text

MAX_OPTIONS = 6
MAX_HOP = 10_000  # far more hops than any trace has
MAX_OPTION = 80
MAX_QUESTION = 200
MAX_NAME = 40
# What the diagram can mark: view-model objects ("pods/default/web-x") and the
# drawn parts that are not API objects ("component:kubelet@node-1").
OBJECT_ID = re.compile(
    r"(nodes|pods|services|deployments|replicasets|ingresses|hpas|components)"
    r"/[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?"
    r"|component:[a-z][a-z0-9-]*(@[A-Za-z0-9][A-Za-z0-9._-]*)?"
)


SESSION_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")


def object_id(kind: str, name: str, value: Any) -> Any:
    if value is None:
        return None
    return text(400, OBJECT_ID)(kind, name, value)


def flag(kind: str, name: str, value: Any) -> Any:
    if not isinstance(value, bool):
        raise ProtocolError(
            "bad_field", f"{kind}.{name} must be true or false, not {shape(value)}"
        )
    return value


def options(kind: str, name: str, value: Any) -> Any:
    if not isinstance(value, list) or not 2 <= len(value) <= MAX_OPTIONS:
        raise ProtocolError(
            "bad_field", f"{kind}.{name} must be a list of 2 to {MAX_OPTIONS} answers"
        )
    check = text(MAX_OPTION)
    return [check(kind, f"{name}[{i}]", v).strip() for i, v in enumerate(value)]


def answer(kind: str, name: str, value: Any) -> Any:
    return protocol.whole(0, MAX_OPTIONS - 1)(kind, name, value)


# Who may send what. Every other protocol message is a control: the presenter's.
PRESENTER_ONLY = (
    "spotlight",
    "hop",
    "lock",
    "poll_open",
    "poll_reveal",
    "poll_close",
    "lesson_next",
    "lesson_back",
    "lesson_goto",
    "lesson_answer",
)
FOLLOWER_ONLY = ("break_away", "rejoin", "poll_answer")

CLASSROOM_MESSAGES: dict[str, tuple[dict, dict]] = {
    "spotlight": ({"target": object_id}, {}),
    # The hop of the shown packet trace the presenter is on (0-based), for followers.
    "hop": ({"index": protocol.whole(0, MAX_HOP)}, {}),
    "lock": ({"locked": flag}, {}),
    "poll_open": ({"question": text(MAX_QUESTION), "options": options}, {}),
    "poll_reveal": ({}, {}),
    "poll_close": ({}, {}),
    "lesson_next": ({}, {}),
    "lesson_back": ({}, {}),
    "lesson_goto": ({"position": protocol.whole(0, 500)}, {}),
    "lesson_answer": ({"choice": protocol.whole(0, 9)}, {}),
    "break_away": ({}, {"resume": text(32, SESSION_ID)}),
    "rejoin": ({}, {}),
    "poll_answer": (
        {"poll": protocol.whole(1, 2**31), "choice": answer},
        {},
    ),
}


def parse(text_data: str | None = None, bytes_data: bytes | None = None) -> dict:
    """A client frame as a checked message: a protocol message or a classroom one."""
    try:
        return protocol.parse(text_data, bytes_data)
    except ProtocolError as exc:
        if exc.code != "unknown_type":
            raise
        unknown = exc
    raw = text_data if text_data is not None else bytes_data.decode("utf-8")
    message = json.loads(raw)
    kind = message.get("type")
    if kind not in CLASSROOM_MESSAGES:
        raise unknown
    return protocol.check_fields(kind, message, CLASSROOM_MESSAGES[kind])


def display_name(value: str | None) -> str:
    """A follower's display name as kept: printable, one line, at most MAX_NAME."""
    if not value:
        return ""
    kept = "".join(ch for ch in value if ch.isprintable())
    return " ".join(kept.split())[:MAX_NAME]


# --- server messages ----------------------------------------------------------------
def refused(kind: str, rid: Any = None) -> dict:
    """The error a follower gets for a control message while following."""
    return protocol.error(
        "presenter_only",
        f"{kind} is for the presenter: followers watch the presenter's cluster. "
        "Break away to explore a copy of your own.",
        rid,
        kind,
    )


def no_voter(rid: Any = None) -> dict:
    """The error for a vote from a tab without a voter identity this server gave."""
    return protocol.error(
        "no_voter",
        "this tab has no voter identity from the server: reload the page to vote",
        rid,
        "poll_answer",
    )


def locked(rid: Any = None) -> dict:
    """The error for breaking away while the presenter has locked it."""
    return protocol.error(
        "locked",
        "the presenter has locked breaking away: follow along for now",
        rid,
        "break_away",
    )


def poll_view(poll: dict | None, for_presenter: bool, voter: str = "") -> dict | None:
    """What one member sees of the poll: counts only for the presenter, or revealed."""
    if poll is None:
        return None
    counts = [0] * len(poll["options"])
    for choice_ in poll["answers"].values():
        counts[choice_] += 1
    view: dict[str, Any] = {
        "id": poll["id"],
        "question": poll["question"],
        "options": poll["options"],
        "open": poll["open"],
        "revealed": poll["revealed"],
        "closed": poll.get("closed", False),
        "answered": sum(counts),
    }
    if for_presenter or poll["revealed"]:
        view["counts"] = counts
    if voter and voter in poll["answers"]:
        view["mine"] = poll["answers"][voter]
    return view


def poll(view: dict | None) -> dict:
    return {"type": "poll", "poll": view}


def hop(index: int) -> dict:
    return {"type": "hop", "index": index}


def spotlight(target: str | None) -> dict:
    return {"type": "spotlight", "target": target}


def followers(count: int, away: int, names: list[str]) -> dict:
    return {"type": "followers", "count": count, "away": away, "names": names}
