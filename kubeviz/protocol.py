"""The KubeViz websocket protocol: every message type and its validation.

`docs/protocol.md` describes the same messages with an example of each; the two must
agree. `parse()` turns a client's frame into a checked dict or raises `ProtocolError`
naming the problem; the builders below make the server's messages, and `encode()`
serialises one once so that the same text can go to every viewer.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

VERSION = 1
MAX_MESSAGE_BYTES = 256 * 1024
MIN_SPEED, MAX_SPEED = 0.25, 20.0
MAX_SEEK = 20_000
MAX_NODES = 200
# A console line is at most MAX_COMMAND characters; a here-document after it
# (`kubectl apply -f - <<EOF`, the YAML, `EOF`) may fill the rest of the frame.
MAX_COMMAND = 1_000
MAX_OUTPUT = 1024 * 1024  # bytes of kubectl output in one kubectl_output frame
MAX_TARGET = 253 + 64  # a namespace, a DNS-1123 name and a container name
MAX_ID = 64

FAULT_ACTIONS = ("fail_node", "restore_node", "kill_pod", "crash_container")
COMPARE_VARIANTS = ("cni", "etp", "step")  # simulation/network/compare.py
CNI_MODES = ("overlay", "routed")
PROXY_MODES = ("iptables",)  # simulation.config.PROXY_MODES: only modelled modes
PLATFORMS = ("bare-metal", "cloud")
SCENARIO_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
# A UTF-16 surrogate on its own (JSON lets `\ud800` escape one) is no Unicode
# character: UTF-8 cannot carry it, so no frame holding it could be sent.
SURROGATE = re.compile("[\ud800-\udfff]")


class ProtocolError(ValueError):
    """A client message that cannot be carried out as sent; `code` is for programs."""

    def __init__(self, code: str, message: str, request_id: Any = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.request_id = request_id


# --- field checks --------------------------------------------------------------
# Each takes the message type, the field name and the value, and returns the value
# (normalised) or raises ProtocolError.
Check = Callable[[str, str, Any], Any]


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def whole(low: int, high: int, nullable: bool = False) -> Check:
    def check(kind: str, name: str, value: Any) -> Any:
        if value is None and nullable:
            return None
        if not is_int(value):
            raise ProtocolError(
                "bad_field", f"{kind}.{name} must be a whole number, not {shape(value)}"
            )
        if not low <= value <= high:
            raise ProtocolError(
                "out_of_range",
                f"{kind}.{name} must be between {low} and {high}, not {value}",
            )
        return value

    return check


def text(max_length: int, pattern: re.Pattern[str] | None = None) -> Check:
    def check(kind: str, name: str, value: Any) -> Any:
        if not isinstance(value, str):
            raise ProtocolError(
                "bad_field", f"{kind}.{name} must be a string, not {shape(value)}"
            )
        if not value.strip():
            raise ProtocolError("bad_field", f"{kind}.{name} must not be empty")
        if len(value) > max_length:
            raise ProtocolError(
                "out_of_range",
                f"{kind}.{name} is {len(value)} characters long; the limit is "
                f"{max_length}",
            )
        if pattern is not None and not pattern.fullmatch(value):
            raise ProtocolError("bad_field", f"{kind}.{name} {value!r} is not a name")
        return value

    return check


def command(kind: str, name: str, value: Any) -> Any:
    """A console command: its first line within MAX_COMMAND, then any here-document
    (whose size only the frame's limit bounds, as for apply_manifest)."""
    value = text(MAX_MESSAGE_BYTES)(kind, name, value)
    line = value.partition("\n")[0]
    if len(line) > MAX_COMMAND:
        raise ProtocolError(
            "out_of_range",
            f"{kind}.{name} is a line of {len(line)} characters; the limit is "
            f"{MAX_COMMAND}",
        )
    return value


def choice(options: tuple[str, ...]) -> Check:
    def check(kind: str, name: str, value: Any) -> Any:
        if value not in options or not isinstance(value, str):
            raise ProtocolError(
                "bad_field",
                f"{kind}.{name} must be one of {', '.join(options)}, "
                f"not {shape(value)}",
            )
        return value

    return check


def speed(kind: str, name: str, value: Any) -> Any:
    if value == "max" and isinstance(value, str):
        return "max"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProtocolError(
            "bad_field", f'{kind}.{name} must be a number or "max", not {shape(value)}'
        )
    if not math.isfinite(value) or not MIN_SPEED <= value <= MAX_SPEED:
        raise ProtocolError(
            "out_of_range",
            f"{kind}.{name} must be between {MIN_SPEED:g} and {MAX_SPEED:g}, "
            f"not {value}",
        )
    return float(value)


def request_id(kind: str, name: str, value: Any) -> Any:
    if is_int(value) or (isinstance(value, str) and len(value) <= MAX_ID):
        return value
    raise ProtocolError(
        "bad_field", f"{kind}.{name} must be a number or a string of at most {MAX_ID}"
    )


def shape(value: Any) -> str:
    """How a wrong value is named in an error: its JSON type, not its content."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"


# --- client messages -------------------------------------------------------------
# type -> (required fields, optional fields). Every message may also carry `id`,
# which the server echoes in the ack, error or output it causes.
CLIENT_MESSAGES: dict[str, tuple[dict[str, Check], dict[str, Check]]] = {
    "hello": (
        {},
        {
            "lastSeq": whole(0, 2**53, nullable=True),
            "step": whole(0, MAX_SEEK, nullable=True),
        },
    ),
    "step": ({}, {}),
    "back": ({}, {}),
    "play": ({"speed": speed}, {}),
    "pause": ({}, {}),
    "ready": ({"seq": whole(0, 2**53)}, {}),
    "seek": ({"step": whole(0, MAX_SEEK)}, {}),
    "reset": ({}, {}),
    "load_scenario": ({"scenario": text(64, SCENARIO_NAME)}, {}),
    "apply_manifest": ({"yaml": text(MAX_MESSAGE_BYTES)}, {}),
    "kubectl": ({"command": command, "id": request_id}, {}),
    "fault": ({"action": choice(FAULT_ACTIONS), "target": text(MAX_TARGET)}, {}),
    "trace": ({"from": text(MAX_TARGET), "to": text(MAX_TARGET)}, {}),
    "compare": (
        {
            "from": text(MAX_TARGET),
            "to": text(MAX_TARGET),
            "variant": choice(COMPARE_VARIANTS),
        },
        {"service": text(MAX_TARGET), "step": whole(0, MAX_SEEK)},
    ),
    "set": (
        {},
        {
            "cni": choice(CNI_MODES),
            "proxyMode": choice(PROXY_MODES),
            "platform": choice(PLATFORMS),
            "nodes": whole(1, MAX_NODES),
        },
    ),
    "save": ({}, {}),
}


def parse(text_data: str | None = None, bytes_data: bytes | None = None) -> dict:
    """A client frame as a validated message dict, or ProtocolError saying why not."""
    if text_data is None:
        if bytes_data is None:
            raise ProtocolError("bad_json", "empty frame")
        if len(bytes_data) > MAX_MESSAGE_BYTES:
            raise too_large(len(bytes_data))
        try:
            text_data = bytes_data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProtocolError(
                "bad_json", "a binary frame must be UTF-8 JSON"
            ) from exc
    # A character is at most 4 bytes, so most frames are judged without encoding.
    if len(text_data) * 4 > MAX_MESSAGE_BYTES:
        size = len(text_data.encode("utf-8", "surrogatepass"))
        if size > MAX_MESSAGE_BYTES:
            raise too_large(size)
    try:
        message = json.loads(text_data, parse_constant=reject_constant)
    except (ValueError, RecursionError) as exc:
        raise ProtocolError("bad_json", f"not JSON: {str(exc)[:120]}") from exc
    if not isinstance(message, dict):
        raise ProtocolError(
            "not_object", f"a message must be an object, not {shape(message)}"
        )
    return validate(message)


def is_text(value: str) -> bool:
    """Whether `value` is Unicode text, which UTF-8 can carry: no lone surrogate."""
    if value.isascii():  # O(1) in CPython: most strings end here
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def check_text(kind: str, clean: dict) -> None:
    """Refuse a checked message any of whose strings is not Unicode text.

    Run on the clean copy, whose field names are all known ones: a message that
    is refused for another reason is not walked at all, and the field named is one
    the documentation names.
    """
    stack: list[tuple[str, Any]] = [
        (name, value) for name, value in reversed(clean.items()) if name != "type"
    ]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str) and not is_text(value):
            surrogate = SURROGATE.search(value).group()
            raise ProtocolError(
                "bad_text",
                f"{kind}.{path[:80]} is not Unicode text: it holds a lone UTF-16"
                f" surrogate (U+{ord(surrogate):04X}), which is no character",
            )
        if isinstance(value, dict):
            stack.extend((f"{path}.{k}", v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(
                (f"{path}[{n}]", v) for n, v in reversed(list(enumerate(value)))
            )


def validate(message: dict) -> dict:
    """Check one decoded message against CLIENT_MESSAGES; returns a clean copy."""
    # Only a well-formed id is ever echoed back, so an error never repeats junk.
    rid = message.get("id") if request_id_ok(message.get("id")) else None
    kind = message.get("type")
    if not isinstance(kind, str):
        raise ProtocolError("missing_field", 'a message needs a string "type"', rid)
    if kind not in CLIENT_MESSAGES:
        raise ProtocolError("unknown_type", f"unknown message type {kind[:40]!r}", rid)
    clean = check_fields(kind, message, CLIENT_MESSAGES[kind])
    if kind == "set" and len(clean) == 1 + ("id" in clean):
        raise ProtocolError(
            "missing_field", "set needs one of cni, proxyMode, platform, nodes", rid
        )
    return clean


def check_fields(kind: str, message: dict, schema: tuple[dict, dict]) -> dict:
    """A clean copy of `message` checked against its (required, optional) checks.

    One code path for the session, lesson and classroom sockets' message tables;
    an error carries the request id only when that id is well formed.
    """
    rid = message.get("id") if request_id_ok(message.get("id")) else None
    required, optional = schema
    clean: dict[str, Any] = {"type": kind}
    try:
        if "id" in message and "id" not in required:
            clean["id"] = request_id(kind, "id", message["id"])
        for name, check in required.items():
            if name not in message:
                raise ProtocolError("missing_field", f'{kind} needs "{name}"')
            clean[name] = check(kind, name, message[name])
        for name, check in optional.items():
            if name in message:
                clean[name] = check(kind, name, message[name])
        unknown = sorted(set(message) - set(clean) - {"type"})
        if unknown:
            raise ProtocolError(
                "unknown_field", f"{kind} has no field {unknown[0][:40]!r}"
            )
        check_text(kind, clean)
    except ProtocolError as exc:
        exc.request_id = rid
        raise
    return clean


def request_id_ok(value: Any) -> bool:
    return is_int(value) or (
        isinstance(value, str) and len(value) <= MAX_ID and is_text(value)
    )


def reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def too_large(size: int) -> ProtocolError:
    return ProtocolError(
        "too_large",
        f"a message is limited to {MAX_MESSAGE_BYTES // 1024} KB; this one has "
        f"{size} bytes",
    )


# --- server messages ---------------------------------------------------------------
def encode(message: dict) -> str:
    """Compact JSON text; a frame is encoded once and sent to every viewer as is.

    The text is always valid UTF-8, whatever the message holds: a lone surrogate
    (from a session saved before such text was refused) is written as a `\\ud800`
    escape, and a number JSON cannot hold (NaN, infinity) as null. Daphne could
    send neither, and would close every tab of the session with 1011.
    """
    try:
        text = json.dumps(
            message, separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except ValueError:
        return encode(finite(message))
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return json.dumps(message, separators=(",", ":"), allow_nan=False)
    return text


def finite(value: Any) -> Any:
    """`value` with every float JSON cannot hold (NaN, infinity) made None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    return value


def snapshot(seq: int, state: dict, session: dict) -> dict:
    return {
        "type": "snapshot",
        "version": VERSION,
        "seq": seq,
        "session": session,
        "state": state,
    }


def delta(seq: int, body: dict) -> dict:
    return {"type": "delta", "seq": seq, **body}


def delta_text(seq: int, body_text: str) -> str:
    """`encode(delta(seq, body))` from `encode(body)`: a body encoded before its
    frame had a number (a step prepared ahead)."""
    head = f'{{"type":"delta","seq":{seq}'
    return head + ("}" if body_text == "{}" else "," + body_text[1:])


def event(body: dict) -> dict:
    return {"type": "event", "event": body}


def note(kind: str, reason: str) -> dict:
    """An `event` body about the session rather than the model (no `step`): the
    page shows its reason in the narration line."""
    return {"type": kind, "reason": reason}


def trace(body: dict, request: dict | None = None, rid: Any = None) -> dict:
    """A `trace` message; `body` is the network model's TraceResult.to_dict()
    (hops with `pdu`, `events` and, where NetworkPolicy was checked, `policy`;
    `notes` for what a CNI that enforces NetworkPolicy would have done)."""
    message = {"type": "trace", "request": request or {}, "trace": body}
    if rid is not None:
        message["id"] = rid
    return message


def compare(body: dict, rid: Any = None) -> dict:
    """Two traces of one request and their hops paired (to the asker only)."""
    message = {"type": "compare", "compare": body}
    if rid is not None:
        message["id"] = rid
    return message


def kubectl_output(rid: Any, command: str, output: str, ok: bool) -> dict:
    """The answer to a console line; output past MAX_OUTPUT bytes is cut."""
    return {
        "type": "kubectl_output",
        "id": rid,
        "command": command,
        "ok": ok,
        "output": cut_output(output),
    }


def cut_output(output: str, limit: int = MAX_OUTPUT) -> str:
    """`output`, or as many of its whole lines as fit in `limit` bytes as JSON text
    (quotes and newlines take two bytes there), with a note on how to narrow it."""
    note = (
        f"\n… output cut at {limit // (1024 * 1024) or 1} MB: narrow it with -n "
        "NAMESPACE, -l LABEL=VALUE or a name\n"
    )
    if len(output) * 6 <= limit or len(encode(output)) <= limit:
        return output
    budget = limit - len(encode(note))
    keep = len(output)
    while keep > 0:
        keep = min(keep - 1, int(keep * budget / len(encode(output[:keep]))))
        if len(encode(output[:keep])) <= budget:
            break
    head = output[:keep]
    return head[: head.rfind("\n") + 1 or len(head)] + note


def status(session: dict) -> dict:
    return {"type": "status", "session": session}


def error(code: str, message: str, rid: Any = None, about: str | None = None) -> dict:
    body: dict[str, Any] = {"type": "error", "code": code, "message": message}
    if about is not None:
        body["for"] = about
    if rid is not None:
        body["id"] = rid
    return body


def ack(about: str, rid: Any = None, **details: Any) -> dict:
    body: dict[str, Any] = {"type": "ack", "for": about, **details}
    if rid is not None:
        body["id"] = rid
    return body
