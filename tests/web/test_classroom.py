"""Classroom transcripts: a presenter and followers on one classroom's websockets."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from channels.db import database_sync_to_async
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient

from kubeviz import live as live_module
from kubeviz import persistence
from kubeviz.asgi import application
from kubeviz.classroom import host as host_module
from kubeviz.classroom import services, voters
from kubeviz.classroom.consumers import VOTER_COOKIE
from kubeviz.classroom.models import Classroom
from kubeviz.classroom.owners import owners
from kubeviz.models import SavedSession
from kubeviz.registry import registry
from tests.web.conftest import ORIGIN, Tab

pytestmark = pytest.mark.django_db(transaction=True)


class Member(Tab):
    """A classroom tab; `hello()` returns its snapshot and keeps its classroom state."""

    classroom: dict
    first: dict

    async def join(self, last_seq: int | None = None) -> dict:
        await self.send({"type": "hello", "lastSeq": last_seq})
        first = await self.receive_until_any(("snapshot", "delta", "ack"))
        self.classroom = await self.receive_until("classroom")
        return first

    async def receive_until_any(self, kinds: tuple[str, ...], timeout: float = 5):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            message = await self.receive(max(deadline - loop.time(), 0.01))
            if message["type"] in kinds:
                return message

    async def frames(self, timeout: float = 0.3) -> list[dict]:
        """Every message that arrives until `timeout` seconds of silence."""
        found = []
        while not await self.receive_nothing(timeout):
            found.append(await self.receive())
        return found


@pytest.fixture
def make_classroom(db) -> Callable[..., Awaitable[tuple[str, str]]]:
    """A classroom of a new session of `scenario`; returns (code, presenter token)."""

    async def make(scenario: str = "deploy") -> tuple[str, str]:
        created = await database_sync_to_async(services.create)(None, scenario)
        return created.classroom.code, created.token

    return make


@pytest.fixture
async def enter() -> AsyncIterator[Callable[..., Awaitable[Member]]]:
    """Open classroom tabs; all are closed and every classroom saved afterwards."""
    tabs: list[Member] = []

    async def enter_(
        code: str,
        token: str | None = None,
        name: str = "",
        voter: str = "",
        hello: bool = True,
        voter_cookie: str = "",
    ) -> Member:
        """`voter` is signed as the follower's page signs it; `voter_cookie` is
        sent as it is."""
        cookies = []
        if token:
            cookies.append(f"{services.cookie_name(code)}={token}")
        if voter:
            voter_cookie = voters.signed(voter)
        if voter_cookie:
            cookies.append(f"{VOTER_COOKIE}={voter_cookie}")
        headers = [ORIGIN]
        if cookies:
            headers.append((b"cookie", "; ".join(cookies).encode()))
        path = f"/ws/classroom/{code}/" + (f"?name={name}" if name else "")
        tab = Member(application, path, headers=headers)
        connected, close_code = await tab.connect(timeout=30)
        assert connected, f"the socket was refused ({close_code})"
        tabs.append(tab)
        if hello:
            tab.first = await tab.join()
        return tab

    yield enter_
    for tab in tabs:
        # A tab whose consumer ended (a receive that timed out) is closed already.
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await tab.disconnect()
    await owners().shutdown()
    await registry().shutdown()


async def presenter_and_follower(make_classroom, enter) -> tuple[Member, Member]:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    follower = await enter(code, name="Ada")
    await presenter.frames()  # the follower count and status notes
    return presenter, follower


# --- roles ---------------------------------------------------------------------------
async def test_a_classroom_that_does_not_exist_refuses_the_socket(enter) -> None:
    tab = Member(application, "/ws/classroom/ZZZZZZ/", headers=[ORIGIN])
    connected, _ = await tab.connect()
    assert not connected


async def test_the_presenter_token_decides_the_role(make_classroom, enter) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    follower = await enter(code)
    impostor = await enter(code, "not-the-token")
    assert presenter.classroom["role"] == "presenter"
    assert follower.classroom["role"] == "follower"
    assert impostor.classroom["role"] == "follower"
    assert "followers" not in follower.classroom


async def test_followers_never_learn_the_session_id(make_classroom, enter) -> None:
    code, token = await make_classroom()
    row = await Classroom.objects.aget(pk=code)
    follower = await enter(code)
    assert follower.first["session"]["id"] == code
    presenter = await enter(code, token)
    await presenter.send({"type": "step"})
    for message in [follower.first, follower.classroom, *await follower.frames()]:
        assert row.session_id not in str(message)


@pytest.mark.parametrize(
    "message",
    [
        {"type": "step"},
        {"type": "back"},
        {"type": "play", "speed": 1},
        {"type": "seek", "step": 0},
        {"type": "reset"},
        {"type": "fault", "action": "fail_node", "target": "node-1"},
        {"type": "kubectl", "id": 7, "command": "get pods"},
        {"type": "save"},
    ],
)
async def test_every_control_from_a_follower_is_refused(
    make_classroom, enter, message
) -> None:
    presenter, follower = await presenter_and_follower(make_classroom, enter)
    await follower.send({**message, "id": 7})
    error = await follower.receive()
    assert error["type"] == "error" and error["code"] == "presenter_only"
    assert error["for"] == message["type"] and error["id"] == 7
    assert "presenter" in error["message"]
    assert await presenter.receive_nothing(0.3)
    assert await follower.receive_nothing(0.1)


async def test_a_flooding_follower_is_told_to_slow_down(make_classroom, enter) -> None:
    presenter, follower = await presenter_and_follower(make_classroom, enter)
    for _ in range(100):
        await follower.send({"type": "step"})
    replies = await follower.frames(0.5)
    codes = {m.get("code") for m in replies}
    assert "rate_limited" in codes
    assert len(replies) < 100, "messages over the rate are not even answered"
    await presenter.send({"type": "step"})
    assert (await presenter.receive_until("delta"))["type"] == "delta"


async def test_presenter_commands_from_a_follower_are_refused(
    make_classroom, enter
) -> None:
    _, follower = await presenter_and_follower(make_classroom, enter)
    for message in (
        {"type": "spotlight", "target": "nodes/node-1"},
        {"type": "lock", "locked": True},
        {"type": "poll_open", "question": "Where?", "options": ["a", "b"]},
        {"type": "poll_reveal"},
    ):
        await follower.send(message)
        error = await follower.receive()
        assert (error["code"], error["for"]) == ("presenter_only", message["type"])


# --- following -----------------------------------------------------------------------
async def test_followers_receive_the_presenters_step(make_classroom, enter) -> None:
    presenter, follower = await presenter_and_follower(make_classroom, enter)
    await presenter.send({"type": "step"})
    mine = await presenter.receive_until("delta")
    theirs = await follower.receive_until("delta")
    assert mine == theirs
    assert theirs["seq"] == follower.first["seq"] + 1
    assert theirs["step"] == follower.first["state"]["step"] + 1


async def test_the_presenter_sees_the_follower_count(make_classroom, enter) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    assert presenter.classroom["followers"]["count"] == 0
    first = await enter(code, name="Ada")
    await enter(code, name="<b>Grace</b>")
    counts = [m for m in await presenter.frames() if m["type"] == "followers"]
    assert counts[-1]["count"] == 2
    assert counts[-1]["names"] == ["<b>Grace</b>", "Ada"]
    await first.disconnect()
    counts = [m for m in await presenter.frames() if m["type"] == "followers"]
    assert counts[-1]["count"] == 1


async def test_a_late_joiner_gets_the_current_step_at_once(
    make_classroom, enter
) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    for _ in range(3):
        await presenter.send({"type": "step"})
        last = await presenter.receive_until("delta")
    late = await enter(code)
    assert late.first["type"] == "snapshot"
    assert late.first["state"]["step"] == last["step"]
    assert late.first["seq"] == last["seq"]
    await presenter.send({"type": "step"})
    assert (await late.receive_until("delta"))["seq"] == last["seq"] + 1
    assert await late.receive_nothing(0.3)


async def test_a_reconnecting_follower_gets_only_what_it_missed(
    make_classroom, enter
) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    follower = await enter(code)
    seen = follower.first["seq"]
    await follower.disconnect()
    for _ in range(2):
        await presenter.send({"type": "step"})
        await presenter.receive_until("delta")
    back = await enter(code, hello=False)
    await back.send({"type": "hello", "lastSeq": seen})
    got = [m for m in await back.frames() if m["type"] in ("delta", "snapshot")]
    assert [(m["type"], m["seq"]) for m in got] == [
        ("delta", seen + 1),
        ("delta", seen + 2),
    ]


async def test_a_follower_up_to_date_gets_nothing_twice(make_classroom, enter) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    await presenter.send({"type": "step"})
    delta = await presenter.receive_until("delta")
    follower = await enter(code, hello=False)
    first = await follower.join(last_seq=delta["seq"])
    assert first == {"type": "ack", "for": "hello", "seq": delta["seq"]}


# --- breaking away -------------------------------------------------------------------
async def test_break_away_gives_a_private_copy_and_rejoin_returns(
    make_classroom, enter
) -> None:
    presenter, follower = await presenter_and_follower(make_classroom, enter)
    step = follower.first["state"]["step"]
    await follower.send({"type": "break_away"})
    private = await follower.receive_until("snapshot")
    assert private["state"]["step"] == step
    assert private["session"]["id"] != follower.first["session"]["id"]
    mode = await follower.receive_until("classroom")
    assert mode["mode"] == "away"
    assert await SavedSession.objects.filter(pk=private["session"]["id"]).aexists()

    await follower.send({"type": "step"})
    mine = await follower.receive_until("delta")
    assert mine["step"] == step + 1
    told = await presenter.frames()
    assert [m["type"] for m in told] == ["followers"], "the copy is the follower's own"
    assert told[0]["away"] == 1

    for _ in range(2):
        await presenter.send({"type": "step"})
        now = await presenter.receive_until("delta")
    await follower.send({"type": "rejoin"})
    assert (await follower.receive_until("classroom"))["mode"] == "following"
    back = await follower.receive_until("snapshot")
    assert back["state"]["step"] == now["step"] == step + 2
    assert back["seq"] == now["seq"]


async def test_a_reconnecting_tab_resumes_its_own_copy(make_classroom, enter) -> None:
    code, token = await make_classroom()
    await enter(code, token)
    follower = await enter(code)
    await follower.send({"type": "break_away"})
    away = await follower.receive_until("classroom")
    await follower.send({"type": "step"})
    mine = await follower.receive_until("delta")
    await follower.disconnect()
    back = await enter(code, hello=False)
    await back.send({"type": "break_away", "resume": away["session"]})
    snapshot = await back.receive_until("snapshot")
    assert snapshot["session"]["id"] == away["session"]
    assert snapshot["state"]["step"] == mine["step"]
    assert (await back.receive_until("classroom"))["mode"] == "away"


async def test_the_classrooms_own_session_cannot_be_resumed(
    make_classroom, enter
) -> None:
    code, token = await make_classroom()
    row = await Classroom.objects.aget(pk=code)
    follower = await enter(code)
    await follower.send({"type": "break_away", "resume": row.session_id})
    error = await follower.receive_until("error")
    assert (error["code"], error["for"]) == ("gone", "break_away")
    await follower.send({"type": "step"})
    assert (await follower.receive_until("error"))["code"] == "presenter_only"


async def test_breaking_away_again_at_once_is_refused(make_classroom, enter) -> None:
    _, follower = await presenter_and_follower(make_classroom, enter)
    await follower.send({"type": "break_away"})
    assert (await follower.receive_until("classroom"))["mode"] == "away"
    await follower.send({"type": "rejoin"})
    await follower.receive_until("snapshot")
    await follower.send({"type": "break_away", "id": 2})
    error = await follower.receive_until("error")
    assert (error["code"], error["id"]) == ("too_soon", 2)


async def test_tabs_no_roster_names_stop_being_counted(
    make_classroom, enter, monkeypatch
) -> None:
    """A process that died sends no roster: its tabs leave the count."""
    code, token = await make_classroom()
    presenter = await enter(code, token)
    await enter(code, name="Ada")
    counts = [m for m in await presenter.frames() if m["type"] == "followers"]
    assert counts[-1]["count"] == 1
    monkeypatch.setattr(host_module, "STALE", 0.0)
    host = owners().hosts[code]
    only_presenter = [
        {"channel": ch, "role": m.role, "name": m.name, "voter": m.voter, "away": False}
        for ch, m in host.members.items()
        if m.role == "presenter"
    ]
    await host.on_roster({"members": only_presenter})
    counts = [m for m in await presenter.frames() if m["type"] == "followers"]
    assert counts[-1]["count"] == 0


async def test_lock_refuses_break_away_and_brings_everyone_back(
    make_classroom, enter
) -> None:
    presenter, follower = await presenter_and_follower(make_classroom, enter)
    await follower.send({"type": "break_away"})
    assert (await follower.receive_until("classroom"))["mode"] == "away"
    await presenter.send({"type": "lock", "locked": True})
    assert (await presenter.receive_until("ack"))["for"] == "lock"
    assert (await follower.receive_until("classroom"))["mode"] == "following"
    assert (await follower.receive_until("classroom"))["locked"] is True
    assert (await follower.receive_until("snapshot"))["session"]["id"] == (
        presenter.first["session"]["id"]
    )
    await follower.send({"type": "break_away", "id": 3})
    error = await follower.receive_until("error")
    assert (error["code"], error["for"], error["id"]) == ("locked", "break_away", 3)
    row = await Classroom.objects.aget(pk=presenter.classroom["code"])
    assert row.locked


# --- spotlight and polls ----------------------------------------------------------
async def test_spotlight_reaches_every_follower(make_classroom, enter) -> None:
    presenter, follower = await presenter_and_follower(make_classroom, enter)
    await presenter.send({"type": "spotlight", "target": "nodes/node-1"})
    assert await follower.receive_until("spotlight") == {
        "type": "spotlight",
        "target": "nodes/node-1",
    }
    late = await enter(presenter.classroom["code"])
    assert late.classroom["spotlight"] == "nodes/node-1"
    await presenter.send({"type": "spotlight", "target": "component:kubelet@node-1"})
    assert (await follower.receive_until("spotlight"))["target"] == (
        "component:kubelet@node-1"
    )
    await presenter.send({"type": "spotlight", "target": "<script>"})
    assert (await presenter.receive_until("error"))["code"] == "bad_field"


async def test_only_the_presenter_sees_poll_answers_until_revealed(
    make_classroom, enter
) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    ada = await enter(code, voter="ada")
    bob = await enter(code, voter="bob")
    await presenter.send(
        {"type": "poll_open", "question": "Which node?", "options": ["n1", "n2"]}
    )
    opened = (await ada.receive_until("poll"))["poll"]
    assert opened["open"] and "counts" not in opened
    poll_id = opened["id"]
    await ada.send({"type": "poll_answer", "poll": poll_id, "choice": 1})
    mine = (await ada.receive_until("poll"))["poll"]
    assert mine["mine"] == 1 and "counts" not in mine
    tally = [m for m in await presenter.frames() if m["type"] == "poll"]
    assert tally[-1]["poll"]["counts"] == [0, 1]
    assert all("counts" not in m["poll"] for m in await bob.frames() if "poll" in m)

    await presenter.send({"type": "poll_reveal"})
    revealed = (await bob.receive_until("poll"))["poll"]
    assert revealed["revealed"] and revealed["counts"] == [0, 1]
    await ada.send({"type": "poll_answer", "poll": poll_id, "choice": 0})
    assert (await ada.receive_until("error"))["code"] == "poll_closed"


async def test_a_poll_answer_counts_once_per_voter(make_classroom, enter) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    ada = await enter(code, voter="ada")
    await presenter.send(
        {"type": "poll_open", "question": "Q", "options": ["a", "b", "c"]}
    )
    poll_id = (await ada.receive_until("poll"))["poll"]["id"]
    for choice in (0, 2, 2):
        await ada.send({"type": "poll_answer", "poll": poll_id, "choice": choice})
    await ada.disconnect()
    again = await enter(code, voter="ada")
    assert again.classroom["poll"]["mine"] == 2
    tally = [m for m in await presenter.frames() if m["type"] == "poll"]
    assert tally[-1]["poll"]["counts"] == [0, 0, 1]


# --- poll voters: issued and signed by the server ------------------------------------
# The follower's page sets `kv_voter` to an id signed by the server (TimestampSigner);
# the classroom socket accepts a vote only under an identity it can verify.
async def open_poll(presenter: Member, follower: Member) -> int:
    await presenter.send(
        {"type": "poll_open", "question": "Which node?", "options": ["n1", "n2"]}
    )
    return (await follower.receive_until("poll"))["poll"]["id"]


async def counts(presenter: Member) -> list[int]:
    polls = [m for m in await presenter.frames() if m["type"] == "poll"]
    return polls[-1]["poll"]["counts"]


async def test_twenty_five_scripted_sockets_with_made_up_voters_add_no_vote(
    make_classroom, enter
) -> None:
    """The issue's stuffing: each socket a cookie value of its own choosing."""
    code, token = await make_classroom()
    presenter = await enter(code, token)
    stuffers = [await enter(code, voter_cookie=f"bot-{i}") for i in range(25)]
    poll_id = await open_poll(presenter, stuffers[0])
    for bot in stuffers:
        await bot.send({"type": "poll_answer", "poll": poll_id, "choice": 1})
    for bot in stuffers:
        assert (await bot.receive_until("error"))["code"] == "no_voter"
    assert await counts(presenter) == [0, 0]


async def test_an_altered_signed_voter_is_refused(make_classroom, enter) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    value = voters.signed("ada")
    forged = "eve" + value[len("ada") :]  # ada's signature on another name
    eve = await enter(code, voter_cookie=forged)
    poll_id = await open_poll(presenter, eve)
    await eve.send({"type": "poll_answer", "poll": poll_id, "choice": 0})
    assert (await eve.receive_until("error"))["code"] == "no_voter"
    assert await counts(presenter) == [0, 0]


async def test_a_tab_without_a_voter_cookie_cannot_vote(make_classroom, enter) -> None:
    """Before, such a tab voted under its channel name: a new vote per reconnect."""
    code, token = await make_classroom()
    presenter = await enter(code, token)
    anonymous = await enter(code)
    poll_id = await open_poll(presenter, anonymous)
    await anonymous.send({"type": "poll_answer", "poll": poll_id, "choice": 0})
    assert (await anonymous.receive_until("error"))["code"] == "no_voter"
    assert await counts(presenter) == [0, 0]


async def test_the_follow_page_issues_a_signed_identity_that_votes_once(
    make_classroom, enter
) -> None:
    code, token = await make_classroom()
    page = await AsyncClient().get(f"/c/{code}")
    assert page.status_code == 200
    cookie = page.cookies[VOTER_COOKIE]
    assert cookie["httponly"] and voters.verify(cookie.value)
    presenter = await enter(code, token)
    tabs = [await enter(code, voter_cookie=cookie.value) for _ in range(3)]
    poll_id = await open_poll(presenter, tabs[0])
    for tab in tabs[1:]:
        await tab.receive_until("poll")  # the poll opening
    for tab in tabs:  # three tabs of one browser: one vote, the last answer
        await tab.send({"type": "poll_answer", "poll": poll_id, "choice": 1})
        assert (await tab.receive_until("poll"))["poll"]["mine"] == 1
    assert await counts(presenter) == [0, 1]


def test_a_browser_with_a_valid_identity_keeps_it_and_a_made_up_one_is_replaced():
    value = voters.signed("ada")
    assert voters.verify(value) == "ada"
    request, response = HttpRequest(), HttpResponse()
    request.COOKIES[VOTER_COOKIE] = value
    voters.give(request, response)
    assert VOTER_COOKIE not in response.cookies
    request.COOKIES[VOTER_COOKIE] = "made-up"
    voters.give(request, response)
    assert voters.verify(response.cookies[VOTER_COOKIE].value)


# --- surviving a restart -------------------------------------------------------------
async def test_a_classroom_reopens_at_the_same_step(make_classroom, enter) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    for _ in range(3):
        await presenter.send({"type": "step"})
        last = await presenter.receive_until("delta")
    await presenter.send({"type": "lock", "locked": True})
    await presenter.receive_until("ack")
    await presenter.disconnect()
    await owners().shutdown()  # what stopping the server does to the model
    follower = await enter(code)
    assert follower.first["state"]["step"] == last["step"]
    assert follower.classroom["locked"] is True


async def test_the_classroom_drives_a_copy_of_the_session(make_classroom, db) -> None:
    original = await database_sync_to_async(persistence.create)("web")
    record = await persistence.aload(original.id)
    created = await database_sync_to_async(services.create)(record)
    copy_id = created.classroom.session_id
    assert copy_id != original.id
    assert await SavedSession.objects.filter(pk=copy_id).aexists()


# --- lessons -------------------------------------------------------------------------
@pytest.fixture
def make_lesson_classroom(db) -> Callable[..., Awaitable[tuple[str, str]]]:
    async def make(lesson: str = "01-tour") -> tuple[str, str]:
        created = await database_sync_to_async(services.create)(None, lesson=lesson)
        return created.classroom.code, created.token

    return make


async def test_followers_see_the_lesson_step_and_its_narration(
    make_lesson_classroom, enter
) -> None:
    code, token = await make_lesson_classroom()
    presenter = await enter(code, token)
    follower = await enter(code)
    lesson = follower.classroom["lesson"]
    assert (lesson["lesson"], lesson["position"]) == ("01-tour", 0)
    assert lesson["narration"] and "answer" not in str(lesson["prediction"])
    await presenter.send({"type": "lesson_next"})
    snapshot = await follower.receive_until("snapshot")
    step = (await follower.receive_until("lesson"))["frame"]
    assert step["position"] == 1 and step["narration"] != lesson["narration"]
    assert snapshot["state"]["step"] == step["clusterStep"]
    late = await enter(code)
    assert late.classroom["lesson"]["position"] == 1
    await follower.send({"type": "lesson_next"})
    assert (await follower.receive_until("error"))["code"] == "presenter_only"


async def test_the_presenter_reveals_the_lessons_answer_to_everyone(
    make_lesson_classroom, enter
) -> None:
    code, token = await make_lesson_classroom()
    presenter = await enter(code, token)
    follower = await enter(code)
    assert presenter.classroom["lesson"]["prediction"], "01-tour asks at step 1"
    await presenter.send({"type": "lesson_answer", "choice": 0})
    shown = await follower.receive_until("lesson_answer")
    assert shown["position"] == 0
    assert {"correct", "answer", "why"} <= set(shown["result"])


async def test_a_lesson_classroom_reopens_at_the_same_lesson_step(
    make_lesson_classroom, enter
) -> None:
    code, token = await make_lesson_classroom()
    presenter = await enter(code, token)
    for _ in range(2):
        await presenter.send({"type": "lesson_next"})
        frame = (await presenter.receive_until("lesson"))["frame"]
    await presenter.disconnect()
    await owners().shutdown()
    follower = await enter(code)
    assert follower.classroom["lesson"]["position"] == frame["position"] == 2
    assert follower.first["state"]["step"] == frame["clusterStep"]


async def test_reset_in_a_lesson_goes_back_to_its_first_step(
    make_lesson_classroom, enter
) -> None:
    code, token = await make_lesson_classroom()
    presenter = await enter(code, token)
    await presenter.send({"type": "lesson_next"})
    await presenter.receive_until("lesson")
    await presenter.send({"type": "reset"})
    frame = (await presenter.receive_until("lesson"))["frame"]
    assert frame["position"] == 0 and frame["lesson"] == "01-tour"


async def test_lesson_moves_in_a_plain_classroom_are_refused(
    make_classroom, enter
) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    await presenter.send({"type": "lesson_next", "id": 4})
    error = await presenter.receive_until("error")
    assert (error["code"], error["for"], error["id"]) == ("rejected", "lesson_next", 4)


@pytest.mark.parametrize("followers", [1, 6])
async def test_a_step_is_encoded_once_however_many_follow(
    make_classroom, enter, monkeypatch, followers
) -> None:
    code, token = await make_classroom()
    presenter = await enter(code, token)
    tabs = [await enter(code) for _ in range(followers)]
    await presenter.frames()
    encoded = []
    real = live_module.protocol.encode

    def counting(message: dict) -> str:
        encoded.append(message["type"])
        return real(message)

    monkeypatch.setattr(live_module.protocol, "encode", counting)
    await presenter.send({"type": "step"})
    texts = {await tab.receive_from() for tab in tabs}
    assert len(texts) == 1, "every follower got the very same text"
    assert encoded == ["delta"]


async def test_an_empty_classroom_leaves_memory_and_its_ownership(
    make_classroom, enter, settings
) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, "IDLE_SECONDS": 0.2}
    code, token = await make_classroom()
    presenter = await enter(code, token)
    await presenter.send({"type": "step"})
    step = (await presenter.receive_until("delta"))["step"]
    host = owners().hosts[code]
    await presenter.disconnect()
    await asyncio.wait_for(host.finished.wait(), 10)
    row = await Classroom.objects.aget(pk=code)
    assert row.owner == ""
    assert (await SavedSession.objects.aget(pk=row.session_id)).position == step
