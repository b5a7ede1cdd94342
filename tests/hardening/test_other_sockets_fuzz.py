"""The classroom and lesson sockets under bad frames: an error each, never a close.

They parse frames with their own message sets (`kubeviz/classroom/messages.py`,
`kubeviz/lessons/messages.py`) on top of the session protocol, so they get the same
treatment as the session socket: for every bad frame one `error`, the socket still
open, and a hello afterwards still answered with the picture.
"""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from kubeviz.classroom import services
from kubeviz.classroom.owners import owners
from kubeviz.registry import registry
from tests.hardening.conftest import ORIGIN, Tab
from tests.hardening.fuzzing import fuzz_settings
from tests.hardening.test_consumer_fuzz import send_frame
from tests.hardening.test_protocol_fuzz import json_value

pytestmark = pytest.mark.django_db(transaction=True)

FUZZ = fuzz_settings(40, HealthCheck.function_scoped_fixture)
BAD = [
    "not json",
    b"\xff\xfe",
    "[]",
    "null",
    '{"type": "nope"}',
    '{"type": "__init__"}',
    '{"type": "_private"}',
    '{"type": "hello", "lastSeq": "x"}',
    '{"type": "step", "extra": 1}',
    '{"type": "seek", "step": -1}',
    '{"type": "play", "speed": 1e400}',
    '{"type": "poll", "question": []}',
    '{"type": "vote", "choice": 99}',
    '{"type": "spotlight", "id": {"a": 1}}',
    '{"type": "lesson_goto", "position": 100000}',
    '{"type": "lesson_answer", "choice": -1}',
    '{"type": "break_away", "x": "<script>"}',
    "[" * 50_000,
    json.dumps({"type": "apply_manifest", "yaml": "x" * 300_000}),
    # Lone surrogates, as JSON escapes and as a YAML escape (issue 13).
    '{"type": "poll_open", "question": "q\\ud800", "options": ["a", "b"]}',
    '{"type": "kubectl", "id": 1, "command": "kubectl run x --image=nginx\\ud800"}',
    '{"type": "spotlight", "target": "pod/default/\\udfff"}',
    json.dumps({"type": "apply_manifest", "yaml": 'kind: Pod\nimage: "\\uD800"\n'}),
]


async def quiet(tab: Tab, timeout: float = 0.3) -> list[dict]:
    """Everything the socket says until it stays quiet for `timeout`."""
    frames = []
    while not await tab.receive_nothing(timeout):
        frames.append(json.loads(await tab.receive_from()))
    return frames


async def answered_with_an_error(tab: Tab, frame: str | bytes) -> None:
    await send_frame(tab, frame)
    frames = await quiet(tab)
    errors = [f for f in frames if f["type"] == "error"]
    assert len(errors) == 1, (frame[:80], frames[:3])
    assert errors[0]["message"].strip()
    await tab.send({"type": "hello", "lastSeq": None})
    try:
        await tab.receive_until("snapshot", timeout=10)
    except TimeoutError:
        pytest.fail(f"after {frame[:80]!r} hello got no snapshot in 10 s")
    await quiet(tab)


@pytest.fixture
async def sockets():
    """Open a classroom presenter, a follower and a lesson learner; close them after."""
    opened: list[Tab] = []

    async def open_(kind: str) -> Tab:
        headers = [ORIGIN]
        if kind == "lesson":
            path = "/ws/lesson/03-self-healing/"
        else:
            created = await database_sync_to_async(services.create)(None, "deploy")
            code = created.classroom.code
            path = f"/ws/classroom/{code}/"
            if kind == "presenter":
                cookie = f"{services.cookie_name(code)}={created.token}"
                headers.append((b"cookie", cookie.encode()))
        tab = Tab(_application(), path, headers=headers)
        connected, close_code = await tab.connect(timeout=30)
        assert connected, f"{kind} socket refused ({close_code})"
        opened.append(tab)
        await tab.send({"type": "hello", "lastSeq": None})
        await quiet(tab, 0.5)
        return tab

    yield open_
    for tab in opened:
        await tab.disconnect()
    await owners().shutdown()
    await registry().shutdown()


def _application():
    from kubeviz.asgi import application

    return application


@pytest.mark.parametrize("kind", ["presenter", "follower", "lesson"])
async def test_every_bad_frame_gets_one_error_and_the_socket_stays_open(
    sockets, kind: str
) -> None:
    tab = await sockets(kind)
    for frame in BAD:
        await answered_with_an_error(tab, frame)


@pytest.fixture
async def follower(sockets) -> Tab:
    return await sockets("follower")


@FUZZ
@given(
    frame=st.one_of(
        json_value.filter(lambda v: not isinstance(v, dict)).map(json.dumps),
        st.fixed_dictionaries(
            {"type": st.sampled_from(["poll", "vote", "spotlight", "lesson_answer"])},
            optional={"id": json_value, "choice": json_value, "question": json_value},
        ).map(json.dumps),
    )
)
async def test_random_classroom_frames_never_close_the_follower_socket(
    follower: Tab, frame: str
) -> None:
    """One fixture tab for every example: the same follower takes them all."""
    await send_frame(follower, frame)
    frames = await quiet(follower, 0.1)
    assert any(f["type"] == "error" for f in frames), (frame, frames)
