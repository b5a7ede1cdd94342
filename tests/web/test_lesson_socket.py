"""Lesson socket transcripts: one learner walking 03-self-healing over /ws/lesson/."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from channels.db import database_sync_to_async

from kubeviz.asgi import application
from kubeviz.models import SavedSession
from tests.web.conftest import ORIGIN, Tab

LESSON = "03-self-healing"  # 6 steps; questions at 0, 1, 3; a task at 5
pytestmark = pytest.mark.django_db(transaction=True)


class Learner(Tab):
    """A lesson tab: `open()` says hello and keeps the first snapshot and frame."""

    first: dict
    lesson: dict

    async def open(self) -> None:
        await self.send({"type": "hello", "lastSeq": None})
        self.first = await self.receive_until("snapshot")
        self.lesson = await self.receive_until("lesson")

    async def move(self, message: dict) -> tuple[dict, dict]:
        """Send a lesson move; returns the picture's frame and the lesson frame."""
        await self.send(message)
        picture = await self.receive()
        assert picture["type"] in ("delta", "snapshot"), picture
        lesson = await self.receive_until("lesson")
        return picture, lesson

    async def frames(self, timeout: float = 0.3) -> list[dict]:
        found = []
        while not await self.receive_nothing(timeout):
            found.append(await self.receive())
        return found


@pytest.fixture
async def learner() -> AsyncIterator[Callable[..., Awaitable[Learner]]]:
    tabs: list[Learner] = []

    async def open_(lesson: str = LESSON, query: str = "", hello=True) -> Learner:
        tab = Learner(application, f"/ws/lesson/{lesson}/{query}", headers=[ORIGIN])
        connected, code = await tab.connect(timeout=30)
        assert connected, f"the socket was refused ({code})"
        tabs.append(tab)
        if hello:
            await tab.open()
        return tab

    yield open_
    for tab in tabs:
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await tab.disconnect()


async def test_opening_a_lesson_sends_the_picture_then_the_first_step(learner):
    tab = await learner()
    assert tab.first["type"] == "snapshot"
    assert len([p for p in tab.first["state"]["pods"] if "web-" in p["name"]]) == 3
    frame = tab.lesson["frame"]
    assert tab.lesson["mode"] == "guide"
    assert (frame["lesson"], frame["position"], frame["steps"]) == (LESSON, 0, 6)
    assert frame["first"] and not frame["last"]
    assert frame["title"] == "Three replicas"
    assert tab.first["state"]["step"] == frame["clusterStep"]


async def test_the_question_reaches_the_browser_without_its_answer(learner):
    tab = await learner()
    prediction = tab.lesson["frame"]["prediction"]
    assert set(prediction) == {"question", "choices"}
    assert "No, a new pod" not in str({**tab.lesson, "frame": {"prediction": None}})
    assert tab.lesson["frame"]["answered"] is None


async def test_a_position_in_the_socket_url_opens_the_lesson_there(learner):
    tab = await learner(query="?position=3")
    assert tab.lesson["frame"]["position"] == 3
    assert tab.first["state"]["step"] == tab.lesson["frame"]["clusterStep"]


async def test_an_unknown_lesson_is_closed_with_4404(db):
    tab = Tab(application, "/ws/lesson/99-nothing/", headers=[ORIGIN])
    connected, code = await tab.connect(timeout=30)
    assert not connected and code == 4404


async def test_next_sends_a_delta_then_the_next_step(learner):
    tab = await learner()
    before = tab.first["seq"]
    picture, lesson = await tab.move({"type": "lesson_next"})
    assert picture["type"] == "delta" and picture["seq"] == before + 1
    assert lesson["frame"]["position"] == 1
    assert picture["step"] == lesson["frame"]["clusterStep"]
    new_pod = lesson["frame"]["highlights"][0]
    assert any(c["id"] == new_pod for c in picture["changes"])


async def test_back_returns_to_the_step_before_with_the_same_picture(learner):
    tab = await learner()
    await tab.move({"type": "lesson_next"})
    picture, lesson = await tab.move({"type": "lesson_back"})
    assert lesson["frame"]["position"] == 0
    assert picture["step"] == tab.first["state"]["step"]


async def test_back_at_the_first_step_stays_there(learner):
    tab = await learner()
    _picture, lesson = await tab.move({"type": "lesson_back"})
    assert lesson["frame"]["position"] == 0 and lesson["frame"]["first"]


async def test_goto_jumps_to_a_step_and_sends_its_frame(learner):
    tab = await learner()
    picture, lesson = await tab.move({"type": "lesson_goto", "position": 4})
    assert lesson["frame"]["position"] == 4
    assert lesson["frame"]["title"] == "Restarted in place"
    assert picture["step"] == lesson["frame"]["clusterStep"]


async def test_goto_past_the_last_step_is_an_error_and_nothing_moves(learner):
    tab = await learner()
    await tab.send({"type": "lesson_goto", "position": 6, "id": 7})
    error = await tab.receive()
    assert (error["type"], error["code"], error["id"]) == ("error", "out_of_range", 7)
    assert await tab.receive_nothing(0.2)
    _picture, lesson = await tab.move({"type": "lesson_next"})
    assert lesson["frame"]["position"] == 1


async def test_a_wrong_answer_says_why_and_names_the_right_one(learner):
    tab = await learner()
    await tab.send({"type": "lesson_answer", "choice": 0})
    reply = await tab.receive()
    assert reply["type"] == "lesson_answer" and reply["position"] == 0
    result = reply["result"]
    assert result["correct"] is False
    assert result["choice"] == "Yes, the same pod comes back"
    assert result["answer"] == "No, a new pod with a new name replaces it"
    assert "new random suffix" in result["why"]


async def test_a_right_answer_is_kept_in_the_step_frame(learner):
    tab = await learner()
    await tab.send({"type": "lesson_answer", "choice": 1})
    reply = await tab.receive()
    assert reply["result"]["correct"] is True
    await tab.move({"type": "lesson_next"})
    _picture, lesson = await tab.move({"type": "lesson_back"})
    assert lesson["frame"]["answered"]["correct"] is True


async def test_answering_a_step_without_a_question_is_an_error(learner):
    tab = await learner(query="?position=2")
    await tab.send({"type": "lesson_answer", "choice": 0})
    error = await tab.receive()
    assert (error["code"], error["for"]) == ("no_question", "lesson_answer")
    assert "step 3" in error["message"]


async def test_a_choice_that_is_not_offered_is_out_of_range(learner):
    tab = await learner()
    await tab.send({"type": "lesson_answer", "choice": 5})
    error = await tab.receive()
    assert error["code"] == "out_of_range"


async def test_bad_lesson_messages_are_errors_and_the_lesson_goes_on(learner):
    tab = await learner()
    for bad, code in [
        ("{not json", "bad_json"),
        ({"type": "lesson_goto"}, "missing_field"),
        ({"type": "lesson_goto", "position": "two"}, "bad_field"),
        ({"type": "lesson_goto", "position": -1}, "out_of_range"),
        ({"type": "lesson_answer", "choice": True}, "bad_field"),
        ({"type": "lesson_next", "extra": 1}, "unknown_field"),
        ({"type": "lesson_teleport"}, "unknown_type"),
        ([1, 2], "not_object"),
    ]:
        await tab.send(bad if isinstance(bad, str) else json.dumps(bad))
        error = await tab.receive()
        assert (error["type"], error["code"]) == ("error", code), bad
    _picture, lesson = await tab.move({"type": "lesson_next"})
    assert lesson["frame"]["position"] == 1


async def test_lesson_messages_before_hello_are_refused(learner):
    tab = await learner(hello=False)
    await tab.send({"type": "lesson_next"})
    error = await tab.receive()
    assert error["code"] == "hello_first"


async def test_changing_the_cluster_while_guided_is_refused(learner):
    tab = await learner()
    for message in [
        {"type": "step"},
        {"type": "play", "speed": 2},
        {"type": "fault", "action": "fail_node", "target": "node-1"},
        {"type": "kubectl", "command": "kubectl scale deployment web --replicas=5"},
    ]:
        await tab.send({**message, "id": 1})
        error = await tab.receive()
        assert (error["code"], error["for"]) == ("lesson_mode", message["type"])
        assert "Try it yourself" in error["message"]
    assert await tab.receive_nothing(0.2)


async def test_kubectl_reads_the_lessons_cluster_while_guided(learner):
    tab = await learner()
    await tab.send({"type": "kubectl", "command": "kubectl get pods", "id": 3})
    output = await tab.receive()
    assert output["type"] == "kubectl_output" and output["ok"] and output["id"] == 3
    assert output["output"].count("web-") == 3
    assert await tab.receive_nothing(0.2)  # a read is not a step
    picture, lesson = await tab.move({"type": "lesson_next"})
    assert picture["type"] == "delta" and lesson["frame"]["position"] == 1


async def test_check_while_guided_asks_for_the_sandbox(learner):
    tab = await learner(query="?position=5")
    await tab.send({"type": "lesson_check"})
    reply = await tab.receive()
    assert reply == {
        "type": "lesson_check",
        "position": 5,
        "passed": False,
        "message": "Open the sandbox (try it yourself) and do the task there.",
        "settling": False,
    }


async def test_check_at_a_step_without_a_task_is_an_error(learner):
    tab = await learner()
    await tab.send({"type": "lesson_check", "id": "c"})
    error = await tab.receive()
    assert (error["code"], error["id"]) == ("no_task", "c")


async def test_the_sandbox_task_passes_once_the_learner_has_done_it(learner):
    tab = await learner(query="?position=5")
    task = tab.lesson["frame"]["check"]
    victim = tab.lesson["frame"]["highlights"][0].split("/")[-1]
    assert victim in task["hint"]
    await tab.send({"type": "lesson_sandbox"})
    snapshot = await tab.receive()
    assert snapshot["type"] == "snapshot"
    lesson = await tab.receive()
    assert lesson["type"] == "lesson", lesson
    assert lesson["mode"] == "sandbox"
    verdict = await tab.receive()
    assert verdict["type"] == "lesson_check" and verdict["passed"] is False

    await tab.send(
        {"type": "kubectl", "command": f"kubectl delete pod {victim}", "id": 1}
    )
    messages = await tab.frames()
    assert any(m["type"] == "kubectl_output" and m["ok"] for m in messages)
    assert any(m["type"] == "delta" for m in messages)

    verdicts, settled = [], False
    for _ in range(200):
        await tab.send({"type": "step"})
        messages = await tab.frames(0.1)
        verdicts += [m for m in messages if m["type"] == "lesson_check"]
        if any(m["type"] == "ack" and m["changed"] is False for m in messages):
            settled = True
            break
    assert settled, "the cluster never settled"
    # Halfway, the Deployment still counts the deleted pod as ready: no pass yet.
    assert [v["passed"] for v in verdicts][-1:] == [True]
    assert not any(v["passed"] for v in verdicts[:-1])
    assert any("still working" in v["message"] for v in verdicts)
    assert verdicts[-1]["message"].startswith("Done:")
    await tab.send({"type": "lesson_check"})
    assert (await tab.receive())["passed"] is True


async def test_leaving_the_sandbox_puts_the_lessons_cluster_back(learner):
    tab = await learner(query="?position=5")
    step = tab.first["state"]["step"]
    await tab.send({"type": "lesson_sandbox"})
    await tab.frames()
    scale = "kubectl scale deployment web --replicas=4"
    await tab.send({"type": "kubectl", "command": scale, "id": 1})
    moved = await tab.receive_until("delta")
    assert moved["step"] == step + 1
    await tab.frames()
    picture, lesson = await tab.move({"type": "lesson_guide"})
    assert picture["type"] == "snapshot" and picture["state"]["step"] == step
    assert (lesson["mode"], lesson["frame"]["position"]) == ("guide", 5)
    await tab.send({"type": "step"})
    assert (await tab.receive())["code"] == "lesson_mode"


async def test_moving_on_from_the_sandbox_returns_to_the_lesson(learner):
    tab = await learner(query="?position=4")
    await tab.send({"type": "lesson_sandbox"})
    await tab.frames()
    await tab.send(
        {"type": "kubectl", "command": "kubectl scale deploy web --replicas=1", "id": 1}
    )
    await tab.frames()
    picture, lesson = await tab.move({"type": "lesson_next"})
    assert picture["type"] == "snapshot"
    assert (lesson["mode"], lesson["frame"]["position"]) == ("guide", 5)
    web = [p for p in picture["state"]["pods"] if p["name"].startswith("web-")]
    assert len(web) == 3


async def test_save_makes_an_ordinary_session_of_this_moment(learner):
    tab = await learner(query="?position=2")
    await tab.send({"type": "save", "id": "s"})
    ack = await tab.receive()
    assert (ack["type"], ack["for"], ack["id"]) == ("ack", "save", "s")
    assert ack["url"] == f"/s/{ack['session']}"
    row = await database_sync_to_async(SavedSession.objects.get)(pk=ack["session"])
    assert row.position == tab.first["state"]["step"]


async def test_load_scenario_is_refused_in_either_mode(learner):
    tab = await learner()
    await tab.send({"type": "load_scenario", "scenario": "deploy"})
    assert (await tab.receive())["code"] == "lesson_mode"


# --- the pages that open the socket ----------------------------------------------
def page_data(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="kubeviz-initial" type="application/json">')
    return json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])


def test_the_gallery_lists_every_lesson_with_its_link(client):
    response = client.get("/lessons/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="lesson-card"') == 18
    assert f'href="/lessons/{LESSON}/"' in html
    assert "8 min · 6 steps" in html


def test_a_step_in_the_page_url_counts_from_1_and_becomes_the_sockets_position(
    client,
):
    data = page_data(client.get(f"/lessons/{LESSON}/?step=3"))
    assert data["wsPath"] == f"/ws/lesson/{LESSON}/?position=2"
    assert data["lesson"]["position"] == 2 and data["lesson"]["fromLink"] is True
    assert data["lesson"]["steps"] == 6
    assert (
        page_data(client.get(f"/lessons/{LESSON}/?step=99"))["lesson"]["position"] == 5
    )
    plain = page_data(client.get(f"/lessons/{LESSON}/?step=x"))["lesson"]
    assert (plain["position"], plain["fromLink"]) == (0, False)


def test_an_unknown_lesson_page_is_404(client):
    assert client.get("/lessons/99-nothing/").status_code == 404
