"""kubeviz/protocol.py: what a client may send, and what is refused with which code."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kubeviz import protocol
from kubeviz.protocol import ProtocolError, parse


def refused(text: str | bytes) -> ProtocolError:
    with pytest.raises(ProtocolError) as info:
        if isinstance(text, bytes):
            parse(bytes_data=text)
        else:
            parse(text)
    return info.value


VALID = [
    {"type": "hello", "lastSeq": 41},
    {"type": "hello", "lastSeq": None},
    {"type": "hello", "lastSeq": 0, "step": 12},
    {"type": "hello"},
    {"type": "step"},
    {"type": "back"},
    {"type": "play", "speed": 0.25},
    {"type": "play", "speed": 20},
    {"type": "play", "speed": "max"},
    {"type": "pause"},
    {"type": "ready", "seq": 7},
    {"type": "seek", "step": 0},
    {"type": "reset"},
    {"type": "load_scenario", "scenario": "web"},
    {"type": "apply_manifest", "yaml": "kind: Namespace\nmetadata: {name: x}\n"},
    {"type": "kubectl", "command": "kubectl get pods", "id": 3},
    {"type": "fault", "action": "fail_node", "target": "node-1"},
    {"type": "fault", "action": "crash_container", "target": "default/web-x/nginx"},
    {"type": "trace", "from": "pod/default/web-x", "to": "svc/default/web:80"},
    {"type": "set", "cni": "routed"},
    {"type": "set", "nodes": 5, "platform": "cloud", "proxyMode": "iptables"},
    {"type": "save", "id": "save-1"},
]


@pytest.mark.parametrize("message", VALID, ids=lambda m: m["type"])
def test_every_documented_message_is_accepted_as_sent(message: dict) -> None:
    assert parse(json.dumps(message)) == message


def test_a_binary_frame_of_utf8_json_is_read_like_text() -> None:
    assert parse(bytes_data=b'{"type": "step"}') == {"type": "step"}


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("not json", "bad_json"),
        ("", "bad_json"),
        ('{"type": "step"', "bad_json"),
        ('{"type": "play", "speed": NaN}', "bad_json"),
        ("[1, 2]", "not_object"),
        ('"step"', "not_object"),
        ("null", "not_object"),
        ("{}", "missing_field"),
        ('{"type": 5}', "missing_field"),
        ('{"type": "teleport"}', "unknown_type"),
        ('{"type": "__init__"}', "unknown_type"),
        ('{"type": "step", "extra": 1}', "unknown_field"),
        ('{"type": "play"}', "missing_field"),
        ('{"type": "play", "speed": "fast"}', "bad_field"),
        ('{"type": "play", "speed": true}', "bad_field"),
        ('{"type": "play", "speed": 0.1}', "out_of_range"),
        ('{"type": "play", "speed": 21}', "out_of_range"),
        ('{"type": "play", "speed": 1e999}', "out_of_range"),
        ('{"type": "seek"}', "missing_field"),
        ('{"type": "seek", "step": -1}', "out_of_range"),
        ('{"type": "seek", "step": 1.5}', "bad_field"),
        ('{"type": "seek", "step": "3"}', "bad_field"),
        ('{"type": "seek", "step": 99999999}', "out_of_range"),
        ('{"type": "hello", "lastSeq": -3}', "out_of_range"),
        ('{"type": "load_scenario", "scenario": "../etc"}', "bad_field"),
        ('{"type": "load_scenario", "scenario": ""}', "bad_field"),
        ('{"type": "apply_manifest", "yaml": 7}', "bad_field"),
        ('{"type": "kubectl", "command": "kubectl get pods"}', "missing_field"),
        ('{"type": "kubectl", "command": "", "id": 1}', "bad_field"),
        ('{"type": "kubectl", "command": "x", "id": [1]}', "bad_field"),
        ('{"type": "fault", "action": "explode", "target": "node-1"}', "bad_field"),
        ('{"type": "fault", "action": "fail_node"}', "missing_field"),
        ('{"type": "trace", "from": "pod/a"}', "missing_field"),
        ('{"type": "set"}', "missing_field"),
        ('{"type": "set", "cni": "weave"}', "bad_field"),
        ('{"type": "set", "nodes": 0}', "out_of_range"),
        ('{"type": "set", "nodes": 201}', "out_of_range"),
        ('{"type": "ready", "seq": null}', "bad_field"),
    ],
)
def test_a_malformed_message_is_refused_with_a_code(text: str, code: str) -> None:
    assert refused(text).code == code


def test_the_error_names_the_field_and_the_limit() -> None:
    error = refused('{"type": "play", "speed": 50}')
    assert "play.speed" in error.message and "20" in error.message


def test_a_message_over_256_kb_is_refused_before_it_is_parsed() -> None:
    big = json.dumps({"type": "apply_manifest", "yaml": "x" * (256 * 1024)})
    assert refused(big).code == "too_large"
    assert refused(big.encode()).code == "too_large"


def test_a_message_just_under_the_limit_is_read() -> None:
    body = "x" * (256 * 1024 - 100)
    message = parse(json.dumps({"type": "apply_manifest", "yaml": body}))
    assert len(message["yaml"]) == len(body)


def test_a_binary_frame_that_is_not_utf8_is_refused() -> None:
    assert refused(b"\xff\xfe{").code == "bad_json"


def test_deep_nesting_is_refused_not_crashed() -> None:
    assert refused("[" * 100_000 + "]" * 100_000).code in ("bad_json", "not_object")


def test_the_request_id_comes_back_with_the_error() -> None:
    error = refused('{"type": "seek", "step": -1, "id": "abc"}')
    assert error.request_id == "abc"


def test_encode_is_compact_json_and_never_writes_nan() -> None:
    """JSON has no NaN or infinity (RFC 8259, 6): such a number goes out as null."""
    assert (
        protocol.encode({"type": "ack", "for": "save"}) == '{"type":"ack","for":"save"}'
    )
    text = protocol.encode({"x": float("nan"), "y": [float("-inf"), 1.5]})
    assert text == '{"x":null,"y":[null,1.5]}'


@pytest.mark.parametrize(
    ("frame", "where"),
    [
        (
            '{"type": "kubectl", "id": 1, "command": "get \\ud800 pods"}',
            "kubectl.command",
        ),
        ('{"type": "trace", "from": "pod/a", "to": "x\\udfff"}', "trace.to"),
        ('{"type": "apply_manifest", "yaml": "a: \\ud83d"}', "apply_manifest.yaml"),
        ('{"type": "kubectl", "id": "\\udc00", "command": "get"}', "kubectl.id"),
        (
            '{"type": "kubectl", "id": 1, "command": "get \ud800 pods"}',
            "kubectl.command",
        ),
    ],
    ids=["command", "trace", "low-half-of-a-pair", "request-id", "raw"],
)
def test_a_lone_surrogate_in_a_field_is_refused_as_bad_text(
    frame: str, where: str
) -> None:
    """JSON may escape a lone surrogate (RFC 8259, 8.2 leaves what it means open);
    it is no Unicode character and UTF-8 cannot carry it back to any tab."""
    error = refused(frame)
    assert error.code == "bad_text"
    assert error.message.startswith(f"{where} is not Unicode text: it holds a lone")
    assert error.request_id == (1 if '"id": 1' in frame else None)


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ('{"type": "step", "\\ud800": 1}', "unknown_field"),
        ('{"type": "\\ud800"}', "unknown_type"),
        ('{"type": "step", "x": {"y": ["\\ud800"]}}', "unknown_field"),
    ],
    ids=["field-name", "type", "nested"],
)
def test_a_lone_surrogate_outside_a_known_field_is_refused_in_text(
    frame: str, code: str
) -> None:
    """The name is quoted with its escape, so the error itself is text."""
    error = refused(frame)
    assert error.code == code
    protocol.encode(protocol.error(error.code, error.message)).encode("utf-8")
    assert "\ud800" not in error.message


def test_an_escaped_surrogate_pair_is_one_character_and_accepted() -> None:
    message = parse('{"type": "kubectl", "id": 1, "command": "get \\ud83d\\ude00"}')
    assert message["command"] == "get \U0001f600"


def test_a_request_id_holding_a_surrogate_is_not_echoed() -> None:
    assert (
        refused('{"type": "step", "id": "\\ud800", "x": "\\udc00"}').request_id is None
    )


@pytest.mark.parametrize(
    ("value", "seen"),
    [
        ("nginx\ud800", "nginx\ud800"),
        ("\udfff", "\udfff"),
        ("名前 \ud800 😀", "名前 \ud800 😀"),
        # Two halves kept apart in Python are one character to the browser.
        ("a\ud83d\ude00b", "a😀b"),
    ],
    ids=["high", "low", "mixed", "halves"],
)
def test_encode_writes_valid_utf8_whatever_the_text(value: str, seen: str) -> None:
    """A lone surrogate goes out escaped, so that the frame is UTF-8 and reads back
    as the same message; other text stays as it is."""
    text = protocol.encode({"type": "snapshot", "state": {"image": value, value: [1]}})
    text.encode("utf-8")  # what Daphne does with every frame
    assert json.loads(text) == {"type": "snapshot", "state": {"image": seen, seen: [1]}}


def test_encode_leaves_valid_text_unescaped() -> None:
    assert protocol.encode({"name": "名前 😀"}) == '{"name":"名前 😀"}'


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([*protocol.CLIENT_MESSAGES, "x", ""]),
    fields=st.dictionaries(
        st.sampled_from(
            [
                "lastSeq",
                "speed",
                "step",
                "seq",
                "scenario",
                "yaml",
                "command",
                "id",
                "action",
                "target",
                "from",
                "to",
                "cni",
                "nodes",
                "platform",
                "proxyMode",
                "junk",
            ]
        ),
        json_values,
        max_size=4,
    ),
)
def test_any_message_is_either_accepted_or_refused_with_a_code(
    kind: str, fields: dict
) -> None:
    text = json.dumps({"type": kind, **fields})
    try:
        message = parse(text)
    except ProtocolError as error:
        assert error.code in {
            "bad_json",
            "not_object",
            "missing_field",
            "bad_field",
            "unknown_type",
            "unknown_field",
            "out_of_range",
            "too_large",
        }
        assert error.message
    else:
        assert message["type"] == kind
        assert set(message) <= {"type", *fields}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200) | st.binary(max_size=200))
def test_arbitrary_frames_never_raise_anything_but_protocol_errors(frame) -> None:
    try:
        if isinstance(frame, bytes):
            parse(bytes_data=frame)
        else:
            parse(frame)
    except ProtocolError:
        pass


@pytest.mark.parametrize("junk", [[1, 2], {"a": 1}, "x" * 65, True, 1.5])
def test_a_malformed_id_is_never_echoed_back(junk) -> None:
    for text in (
        json.dumps({"type": "teleport", "id": junk}),
        json.dumps({"id": junk}),
        json.dumps({"type": "seek", "step": -1, "id": junk}),
        json.dumps({"type": "step", "id": junk}),
    ):
        assert refused(text).request_id is None
