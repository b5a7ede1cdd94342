"""A real SessionConsumer under bad frames: an error each, socket open, state intact.

Each example sends one bad frame to a tab that has said hello, and expects exactly one
`error` naming the problem; then a fresh `hello` returns a snapshot equal to the one
from before (same sequence number, same state), and a `step` still works.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from kubeviz.protocol import CLIENT_MESSAGES, MAX_MESSAGE_BYTES
from tests.hardening.fuzzing import any_bytes, any_text, fuzz_settings
from tests.hardening.test_protocol_fuzz import json_value, messages

pytestmark = pytest.mark.django_db(transaction=True)

PROTOCOL_CODES = {
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
# Model messages the validator passes but a small cluster refuses.
DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n"
POD = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
INGRESS = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\n"
HPA = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\n"
SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
# Model messages the validator passes but a small cluster refuses.
REFUSED_BY_THE_MODEL = {
    "fail-missing-node": {"type": "fault", "action": "fail_node", "target": "node-99"},
    "restore-healthy-node": {
        "type": "fault",
        "action": "restore_node",
        "target": "node-1",
    },
    "kill-missing-pod": {
        "type": "fault",
        "action": "kill_pod",
        "target": "default/nothing-here",
    },
    "crash-missing-container": {
        "type": "fault",
        "action": "crash_container",
        "target": "default/none/c",
    },
    "fail-markup-node": {
        "type": "fault",
        "action": "fail_node",
        "target": "<img src=x onerror=alert(1)>",
    },
    "trace-missing-pod": {
        "type": "trace",
        "from": "pod/default/nope",
        "to": "svc/default/nope:80",
    },
    "trace-junk": {"type": "trace", "from": "<script>", "to": "'; DROP TABLE x; --"},
    "yaml-unclosed": {"type": "apply_manifest", "yaml": "kind: [unclosed"},
    "yaml-alias": {"type": "apply_manifest", "yaml": "a: &a [1]\nb: *a\n"},
    "yaml-scalar": {"type": "apply_manifest", "yaml": "just a string"},
    "markup-name": {
        "type": "apply_manifest",
        "yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: '<script>x</script>'}\n"
        "spec: {containers: [{name: c, image: i}]}\n",
    },
    "unknown-kind": {
        "type": "apply_manifest",
        "yaml": "apiVersion: v9\nkind: Gadget\nmetadata: {name: g}\n",
    },
    # Shapes that raise AttributeError or TypeError inside the model today.
    "deployment-spec-list": {"type": "apply_manifest", "yaml": DEPLOY + "spec: [1]\n"},
    "pod-nodename-list": {
        "type": "apply_manifest",
        "yaml": POD + "spec: {containers: [{name: c, image: i}], nodeName: [1]}\n",
    },
    "list-items-number": {
        "type": "apply_manifest",
        "yaml": "apiVersion: v1\nkind: List\nitems: 5\n",
    },
    "kind-list": {"type": "apply_manifest", "yaml": "apiVersion: v1\nkind: [1]\n"},
    "ingress-path-number": {
        "type": "apply_manifest",
        "yaml": INGRESS + "spec: {rules: [{http: {paths: [5]}}]}\n",
    },
    "hpa-target-number": {
        "type": "apply_manifest",
        "yaml": HPA + "spec: {scaleTargetRef: 5, maxReplicas: 3}\n",
    },
    "service-nodeport-text": {
        "type": "apply_manifest",
        "yaml": SERVICE + "spec: {type: NodePort, ports: [{port: 80, nodePort: x}]}\n",
    },
    "set-fewer-nodes": {"type": "set", "nodes": 1},
    "unknown-scenario": {"type": "load_scenario", "scenario": "no-such-scenario"},
}
FUZZ = fuzz_settings(60, HealthCheck.function_scoped_fixture)
CONTROL_TYPES = {"hello", "step", "back", "play", "pause", "ready", "seek", "reset"}


def invalid(message: dict) -> bool:
    """Whether the validator refuses this message (checked again in the test)."""
    from kubeviz.protocol import ProtocolError, validate

    try:
        validate(message)
    except ProtocolError:
        return True
    return False


bad_frames = st.one_of(
    any_text(200).filter(lambda t: not _is_valid_text(t)),
    any_bytes(200).map(lambda b: b"\xff" + b),
    # A message the server would carry out, but for a lone surrogate in a string.
    st.sampled_from(
        [
            {"type": "kubectl", "id": 1, "command": "kubectl run x --image=nginx"},
            {"type": "apply_manifest", "yaml": DEPLOY},
            {"type": "trace", "from": "pod/default/a", "to": "svc/default/b:80"},
            {"type": "fault", "action": "kill_pod", "target": "default/web"},
        ]
    ).flatmap(
        lambda message: st.tuples(
            st.sampled_from([k for k in message if k not in ("type", "id")]),
            st.sampled_from(["\ud800", "\udfff", "\ud83d"]),
            st.booleans(),
        ).map(
            lambda choice: json.dumps(
                {**message, choice[0]: message[choice[0]] + choice[1]},
                ensure_ascii=choice[2],
            )
        )
    ),
    json_value.filter(lambda v: not isinstance(v, dict)).map(json.dumps),
    messages.filter(invalid).map(json.dumps),
    st.sampled_from(
        [
            '{"type": "__init__"}',
            '{"type": "_private"}',
            '{"type": "receive"}',
            '{"type": "on_step"}',
            '{"type": "step", "speed": 2}',
            '{"type": "seek", "step": -1}',
            '{"type": "seek", "step": 1e400}',
            '{"type": "seek", "step": 20001}',
            '{"type": "play", "speed": 0}',
            '{"type": "play", "speed": NaN}',
            '{"type": "set", "nodes": 100000}',
            '{"type": "set"}',
            '{"type": "kubectl", "command": "get pods"}',
            '{"type": "kubectl", "id": 1, "command": ""}',
            '{"type": "kubectl", "id": 1, "command": "' + "x" * 1001 + '"}',
            '{"type": "ready", "seq": -5}',
            "[" * 100_000,
        ]
    ),
)


def _is_valid_text(text: str) -> bool:
    from kubeviz.protocol import ProtocolError, parse

    try:
        parse(text)
    except ProtocolError:
        return False
    return True


async def send_frame(tab, frame: str | bytes) -> None:
    """One raw websocket frame, empty ones included (send_to refuses those)."""
    key = "bytes" if isinstance(frame, bytes) else "text"
    await tab.send_input({"type": "websocket.receive", key: frame})


async def snapshot_of(tab) -> dict:
    """What a fresh hello shows: the sequence number and the whole state."""
    await tab.send({"type": "hello", "lastSeq": None})
    snapshot = await tab.receive_until("snapshot")
    await tab.receive_until("status")
    return {"seq": snapshot["seq"], "state": snapshot["state"]}


async def error_reply(tab) -> dict:
    """The error a bad frame causes; nothing else may come with it."""
    reply = await tab.receive(timeout=10)
    assert reply["type"] == "error", reply
    assert isinstance(reply["message"], str) and reply["message"].strip()
    assert await tab.receive_nothing(timeout=0.05)
    return reply


@pytest.fixture
async def tab(make_session, open_tab, settings):
    # Every example of a hypothesis test shares this one tab, and sends a few
    # frames each, faster than any person: the rate limit (tested on its own in
    # test_flood.py) must not answer in the place of the error under test.
    settings.KUBEVIZ = {
        **settings.KUBEVIZ,
        "MESSAGES_PER_SECOND": 100_000.0,
        "MESSAGE_BURST": 100_000.0,
    }
    return await open_tab(await make_session("deploy"))


@FUZZ
@given(frame=bad_frames)
async def test_a_bad_frame_gets_one_error_and_changes_nothing(tab, frame) -> None:
    before = await snapshot_of(tab)
    await send_frame(tab, frame)
    reply = await error_reply(tab)
    assert reply["code"] in PROTOCOL_CODES, reply
    assert await snapshot_of(tab) == before


@pytest.mark.parametrize(
    "message", REFUSED_BY_THE_MODEL.values(), ids=REFUSED_BY_THE_MODEL.keys()
)
async def test_a_message_the_model_refuses_gets_one_error_and_changes_nothing(
    tab, message: dict
) -> None:
    before = await snapshot_of(tab)
    await tab.send({**message, "id": "req-1"})
    reply = await error_reply(tab)
    assert reply["id"] == "req-1"
    # Nothing half-applied: what a fresh viewer would see has not moved.
    assert await snapshot_of(tab) == before
    # The model's own message, worded like kubectl's, not "failed inside the server".
    assert reply["code"] in ("rejected", "unknown_scenario"), reply


async def test_after_a_burst_of_bad_frames_a_step_still_works(tab) -> None:
    before = await snapshot_of(tab)
    for frame in [
        "not json",
        b"\x00\x01",
        "[]",
        '{"type": "nope"}',
        json.dumps({"type": "apply_manifest", "yaml": "x" * (MAX_MESSAGE_BYTES + 1)}),
        '{"type": "seek", "step": "ten"}',
    ]:
        await send_frame(tab, frame)
        await error_reply(tab)
    await tab.send({"type": "step", "id": 9})
    reply = await tab.receive_until("delta")
    assert reply["seq"] == before["seq"] + 1
    assert reply["step"] == before["state"]["step"] + 1


async def test_a_frame_over_256_kb_is_refused_by_size_and_the_socket_stays_open(
    tab,
) -> None:
    before = await snapshot_of(tab)
    await tab.send_to(bytes_data=b"{" + b" " * (MAX_MESSAGE_BYTES + 10) + b"}")
    reply = await error_reply(tab)
    assert reply["code"] == "too_large" and "256 KB" in reply["message"]
    assert await snapshot_of(tab) == before


async def test_every_known_type_has_a_handler() -> None:
    """A type the validator accepts but the consumer cannot dispatch is a crash."""
    from kubeviz.consumers import SessionConsumer

    missing = [t for t in CLIENT_MESSAGES if not hasattr(SessionConsumer, "on_" + t)]
    assert missing == []
    assert CONTROL_TYPES <= set(CLIENT_MESSAGES)
