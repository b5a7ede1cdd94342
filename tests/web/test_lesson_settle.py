"""A student alone: a task that waits on the cluster says so and can be run until
the cluster settles; a prediction keeps its first answer."""

from __future__ import annotations

import asyncio

import pytest

from tests.web.test_lesson_socket import learner  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)


async def _sandbox(tab) -> None:
    await tab.send({"type": "lesson_sandbox"})
    await tab.receive_until("lesson")
    await tab.receive_until("lesson_check")


async def test_a_verdict_while_the_cluster_works_says_so(learner):  # noqa: F811
    tab = await learner(query="?position=5")
    victim = tab.lesson["frame"]["highlights"][0].split("/")[-1]
    await _sandbox(tab)
    await tab.send(
        {"type": "kubectl", "command": f"kubectl delete pod {victim}", "id": 1}
    )
    verdict = await tab.receive_until("lesson_check")
    assert verdict["passed"] is False
    assert verdict["settling"] is True
    assert "has not settled yet" in verdict["message"]
    assert "run it until it settles" in verdict["message"]


async def test_run_until_settled_plays_until_the_task_passes(learner):  # noqa: F811
    tab = await learner(query="?position=5")
    victim = tab.lesson["frame"]["highlights"][0].split("/")[-1]
    await _sandbox(tab)
    await tab.send(
        {"type": "kubectl", "command": f"kubectl delete pod {victim}", "id": 1}
    )
    await tab.receive_until("lesson_check")
    await tab.send({"type": "play", "speed": 20})
    last = None
    async with asyncio.timeout(30):
        while last is None or last["settling"]:
            last = await tab.receive_until("lesson_check", timeout=30)
    assert last["passed"] is True
    assert last["message"].startswith("Done:")
    status = await tab.receive_until("status", timeout=10)
    assert status["session"]["playing"] is False, "play stopped once settled"


async def test_the_first_answer_to_a_prediction_is_the_one_recorded(learner):  # noqa: F811
    tab = await learner()
    await tab.send({"type": "lesson_answer", "choice": 0})
    first = (await tab.receive_until("lesson_answer"))["result"]
    await tab.send({"type": "lesson_answer", "choice": 1})
    again = (await tab.receive_until("lesson_answer"))["result"]
    assert again == first
    assert first["choice"] == tab.lesson["frame"]["prediction"]["choices"][0]
