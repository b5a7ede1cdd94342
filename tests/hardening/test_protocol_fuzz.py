"""kubeviz.protocol.parse under random frames: a clear ProtocolError, never a crash.

Whatever a student types into the browser's devtools reaches `parse` first. It must
answer every frame with either a clean message dict or a `ProtocolError` whose code is
one of the documented ones and whose message names the problem in a line, without
echoing the frame back at length.
"""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from kubeviz import protocol
from kubeviz.protocol import CLIENT_MESSAGES, MAX_MESSAGE_BYTES, ProtocolError, parse
from tests.hardening.fuzzing import INVALID_TEXT, any_bytes, any_text, fuzz_settings

CODES = {
    "bad_json",
    "not_object",
    "missing_field",
    "unknown_type",
    "unknown_field",
    "bad_field",
    "out_of_range",
    "too_large",
    "bad_text",
}
SURROGATES = [c for c in INVALID_TEXT if "\ud800" <= c <= "\udfff"]
# An error message is one readable line, however big the frame that caused it.
MAX_ERROR = 400
FUZZ = fuzz_settings(100)

json_leaf = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | any_text(80)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(any_text(12), inner, max_size=5)
    ),
    max_leaves=25,
)
field_names = st.sampled_from(
    sorted(
        {name for req, opt in CLIENT_MESSAGES.values() for name in (*req, *opt)}
        | {"id", "type", "__proto__", "constructor", ""}
    )
)
# Values a field check meets in the wild: wrong types, edges, huge and odd numbers.
edge_values = st.sampled_from(
    [
        None,
        True,
        False,
        0,
        -1,
        2**53,
        2**53 + 1,
        2**63,
        10**30,
        1e308,
        -1e308,
        0.1,
        0.24,
        20.01,
        "",
        " ",
        "max",
        "MAX",
        "<script>alert(1)</script>",
        "x" * 5000,
        [],
        {},
        [1, 2],
        {"a": 1},
    ]
)
messages = st.fixed_dictionaries(
    {"type": st.sampled_from(sorted(CLIENT_MESSAGES)) | any_text(20)},
    optional={"id": json_value},
).flatmap(
    lambda base: st.dictionaries(field_names, edge_values | json_value, max_size=4).map(
        lambda extra: {**extra, **base}
    )
)


def check(frame: str | bytes) -> dict | ProtocolError:
    """Parse a frame; assert the outcome is one of the two allowed ones."""
    try:
        if isinstance(frame, bytes):
            message = parse(bytes_data=frame)
        else:
            message = parse(frame)
    except ProtocolError as exc:
        assert exc.code in CODES, exc.code
        assert exc.message and exc.message == str(exc)
        assert len(exc.message) <= MAX_ERROR, exc.message[:200]
        assert "\n" not in exc.message
        assert exc.request_id is None or protocol.request_id_ok(exc.request_id)
        return exc
    assert message["type"] in CLIENT_MESSAGES
    required, optional = CLIENT_MESSAGES[message["type"]]
    assert set(message) <= {"type", "id", *required, *optional}
    assert set(required) <= set(message)
    # What was accepted goes through again unchanged: the cleaning is stable.
    assert parse(protocol.encode(message)) == message
    # and it is text: a real server could send it back to every tab as UTF-8.
    json.dumps(message, ensure_ascii=False).encode("utf-8")
    return message


@FUZZ
@given(any_text(300))
def test_any_text_is_a_message_or_a_protocol_error(frame: str) -> None:
    check(frame)


@FUZZ
@given(any_bytes(300))
def test_any_binary_frame_is_a_message_or_a_protocol_error(frame: bytes) -> None:
    check(frame)


@FUZZ
@given(json_value)
def test_any_json_value_is_a_message_or_a_protocol_error(value: object) -> None:
    result = check(json.dumps(value))
    if not isinstance(value, dict):
        assert isinstance(result, ProtocolError) and result.code == "not_object"


@FUZZ
@given(messages)
def test_any_message_shaped_object_is_accepted_or_refused_by_name(
    message: dict,
) -> None:
    result = check(json.dumps(message))
    if isinstance(result, ProtocolError) and result.code in (
        "bad_field",
        "out_of_range",
        "missing_field",
        "unknown_field",
    ):
        # A field problem names the message type it was found in.
        assert str(message["type"])[:40] in result.message


@FUZZ
@given(
    st.sampled_from(sorted(CLIENT_MESSAGES)),
    st.sampled_from(["[", "{", '{"a":']),
    st.integers(min_value=1_000, max_value=40_000),
)
def test_deep_nesting_is_refused_as_bad_json(
    kind: str, opener: str, depth: int
) -> None:
    result = check(f'{{"type": "{kind}", "x": ' + opener * depth)
    assert isinstance(result, ProtocolError) and result.code == "bad_json"


@FUZZ
@given(st.integers(min_value=1, max_value=8 * 1024), st.sampled_from(["a", "é", "😀"]))
def test_a_frame_over_the_limit_is_refused_by_size_before_it_is_read(
    extra: int, char: str
) -> None:
    padding = char * ((MAX_MESSAGE_BYTES // len(char.encode())) + extra)
    frame = json.dumps({"type": "apply_manifest", "yaml": padding}, ensure_ascii=False)
    result = check(frame)
    assert isinstance(result, ProtocolError) and result.code == "too_large"
    assert "256 KB" in result.message
    binary = check(frame.encode())
    assert isinstance(binary, ProtocolError) and binary.code == "too_large"


@FUZZ
@given(
    st.sampled_from(
        ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1" + "0" * 5000]
    )
)
def test_numbers_json_cannot_hold_are_refused(number: str) -> None:
    result = check('{"type": "play", "speed": ' + number + "}")
    assert isinstance(result, ProtocolError)
    assert result.code in ("bad_json", "out_of_range")


def test_a_lone_surrogate_is_refused_as_bad_text() -> None:
    result = check('{"type": "kubectl", "id": 1, "command": "get \\ud800 pods"}')
    assert isinstance(result, ProtocolError) and result.code == "bad_text"
    assert result.request_id == 1


def with_surrogate(value: object, surrogate: str) -> tuple[object, bool]:
    """`value` with `surrogate` added to its first string, and whether it had one."""
    if isinstance(value, str):
        return value + surrogate, True
    if isinstance(value, dict):
        for key, item in value.items():
            changed, done = with_surrogate(item, surrogate)
            if done:
                return {**value, key: changed}, True
    if isinstance(value, list):
        for n, item in enumerate(value):
            changed, done = with_surrogate(item, surrogate)
            if done:
                return [*value[:n], changed, *value[n + 1 :]], True
    return value, False


@FUZZ
@given(messages, st.sampled_from(SURROGATES), st.booleans())
def test_a_lone_surrogate_in_any_string_is_refused(
    message: dict, surrogate: str, escaped: bool
) -> None:
    """As a JSON escape (what a browser's JSON.stringify writes) or as the raw
    code point (what only a test can put in a text frame), in a field name or a
    value, a message holding one is never accepted; in the value of a field of a
    message that is otherwise accepted, it is refused as bad_text."""
    fields = {k: v for k, v in message.items() if k != "type"}
    tainted, done = with_surrogate(fields, surrogate)
    if not done:
        tainted = {**tainted, "x" + surrogate: 1}
    frame = json.dumps({"type": message["type"], **tainted}, ensure_ascii=escaped)
    result = check(frame)
    assert isinstance(result, ProtocolError), result
    if done and isinstance(check(json.dumps(message)), dict):
        assert result.code == "bad_text", result


def test_an_unknown_type_never_echoes_back_an_id_that_is_not_a_request_id() -> None:
    """A 200 KB list as `id` must not come back in the error (reflection)."""
    for frame in (
        {"type": "no-such-type", "id": ["x" * 1000] * 100},
        {"id": {"nested": "object"}},
        {"type": 7, "id": [1, 2, 3]},
    ):
        result = check(json.dumps(frame))
        assert isinstance(result, ProtocolError)
        assert result.request_id is None
