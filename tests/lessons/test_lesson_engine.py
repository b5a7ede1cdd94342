"""The lesson engine: listing, stepping, exact seek, answers, sandbox and checks."""

from __future__ import annotations

import json
import re

import pytest
from lessonbuilders import LESSON_IDS, lesson_run

from lessons import LessonInfo, LessonRun, load_lessons
from simulation.errors import UsageError

CURRICULUM = 18


def test_every_lesson_of_the_curriculum_is_shipped():
    """Lessons 01 to 18 exist, one file each, in order."""
    assert [i[:2] for i in LESSON_IDS] == [f"{n:02d}" for n in range(1, CURRICULUM + 1)]


def test_load_lessons_lists_every_lesson_with_its_summary():
    """load_lessons() validates and lists each lesson with its summary."""
    infos = load_lessons()
    assert [i.id for i in infos] == LESSON_IDS
    for info in infos:
        assert isinstance(info, LessonInfo)
        assert info.title and info.goal and info.minutes >= 1 and info.steps >= 2
        json.dumps(info.to_dict())


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_each_lesson_runs_to_its_end_and_asks_at_least_one_question(lesson_id):
    """Every step can be reached; every lesson has a prediction with an answer."""
    run = lesson_run(lesson_id)
    questions = 0
    for n in range(run.steps):
        frame = run.goto(n)
        json.dumps(frame)
        assert frame["narration"] and frame["concept"]
        if frame["prediction"]:
            questions += 1
            result = run.answer(0)
            assert set(result) == {"correct", "choice", "answer", "why"}
    assert questions >= 1
    assert run.current()["last"]


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_going_back_restores_the_cluster_exactly(lesson_id):
    """goto(n) after the end gives the same cluster as walking forward to n."""
    run = lesson_run(lesson_id)
    forward = []
    for n in range(run.steps):
        run.goto(n)
        forward.append((run.cluster.step_no, run.cluster.snapshot()))
    for n in reversed(range(run.steps)):
        run.goto(n)
        assert (run.cluster.step_no, run.cluster.snapshot()) == forward[n]


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_a_lesson_is_deterministic(lesson_id):
    """Two runs give the same frames (names, IPs, highlights) and the same answers."""
    first, second = LessonRun(lesson_id), LessonRun(lesson_id)
    assert first._compiled.frames == second._compiled.frames
    assert first._compiled.answers == second._compiled.answers


def test_the_browser_never_sees_the_answer_before_choosing():
    """current() carries the question and the choices, not which one is right."""
    run = lesson_run("03-self-healing")
    frame = run.goto(0)
    assert set(frame["prediction"]) == {"question", "choices"}
    assert "answer" not in json.dumps(frame["prediction"])


def test_answer_accepts_a_label_or_an_index_and_explains():
    """answer() by label or index says whether it was right and why."""
    run, other = LessonRun("03-self-healing"), LessonRun("03-self-healing")
    run.goto(0)
    other.goto(0)
    wrong = run.answer("Yes, the same pod comes back")
    right = other.answer(1)
    assert not wrong["correct"] and right["correct"]
    assert wrong["answer"] == right["answer"] == right["choice"]
    assert "gone for good" in wrong["why"] and "ReplicaSet" in right["why"]
    assert other.current()["answered"] == right


def test_the_first_answer_to_a_prediction_is_the_one_recorded():
    """A prediction is made once: answering again returns the first verdict."""
    run = LessonRun("03-self-healing")
    run.goto(0)
    first = run.answer(0)
    assert run.answer(1) == first
    assert run.current()["answered"] == first


def test_answering_a_step_without_a_question_is_a_usage_error():
    run = lesson_run("03-self-healing")
    run.goto(2)
    with pytest.raises(UsageError):
        run.answer(0)
    with pytest.raises(UsageError):
        run.goto(run.steps)


def test_next_and_back_move_one_step_and_stop_at_the_ends():
    run = LessonRun("03-self-healing")
    assert run.back()["position"] == 0
    assert run.next()["position"] == 1
    assert run.back()["position"] == 0
    run.goto(run.steps - 1)
    assert run.next()["position"] == run.steps - 1


def test_the_sandbox_is_a_free_copy_at_this_step():
    """Acting in the sandbox leaves the lesson's own cluster and timeline alone."""
    run = LessonRun("03-self-healing")
    run.goto(1)
    before = run.cluster.snapshot()
    sandbox = run.sandbox()
    assert sandbox.snapshot()["pods"] == before["pods"]
    victim = sandbox.store.list("pods", "default")[0]["metadata"]["name"]
    assert sandbox.act({"op": "kill_pod", "pod": victim}).ok
    sandbox.settle()
    assert run.cluster.snapshot() == before
    assert run.goto(run.steps - 1)["last"]


def test_a_check_passes_only_after_the_learner_does_the_task():
    """check() reads the sandbox: not yet, then done after kubectl scale."""
    run = LessonRun("05-scaling")
    task = next(n for n in range(run.steps) if run.lesson.steps[n].check)
    frame = run.goto(task)
    assert frame["check"]["task"]
    assert not run.check()["passed"]  # no sandbox opened yet
    sandbox = run.sandbox()
    assert not run.check()["passed"]
    assert sandbox.act(
        {"op": "kubectl", "command": "scale deployment web --replicas=6"}
    ).ok
    sandbox.settle()
    result = run.check()
    assert result["passed"], result["message"]


def test_acting_on_the_lessons_own_cluster_does_not_break_goto():
    """If the web layer acts on run.cluster, goto rebuilds the lesson's timeline."""
    run = LessonRun("03-self-healing")
    run.goto(0)
    pod = run.cluster.store.list("pods", "default")[0]["metadata"]["name"]
    run.cluster.act({"op": "kill_pod", "pod": pod})
    frame = run.goto(run.steps - 1)
    assert run.cluster.step_no == frame["clusterStep"]


def _tasks_with_kubectl_hints():
    for lesson_id in LESSON_IDS:
        run = lesson_run(lesson_id)
        for n, step in enumerate(run.lesson.steps):
            if step.check and step.check.hint.startswith("kubectl "):
                yield lesson_id, n


@pytest.mark.parametrize(("lesson_id", "position"), list(_tasks_with_kubectl_hints()))
def test_a_tasks_kubectl_hint_passes_its_check(lesson_id, position):
    """Typing the hint into the sandbox's console is enough to pass the task."""
    run = LessonRun(lesson_id)
    run.goto(position)
    sandbox = run.sandbox()
    command = run.current()["check"]["hint"].split(",")[0].removeprefix("kubectl ")
    assert sandbox.act({"op": "kubectl", "command": command}).ok
    sandbox.settle()
    result = run.check()
    assert result["passed"], result["message"]


def test_goto_leaves_a_view_delta_that_brings_a_browser_along():
    """Applying run.delta to the old snapshot gives the new snapshot's objects."""
    run = LessonRun("03-self-healing")
    before = run.cluster.snapshot()
    run.goto(2)
    view = {c: {o["id"]: o for o in before[c]} for c in ("pods", "services")}
    for change in run.delta["changes"]:
        collection = change["id"].split("/")[0]
        if collection not in view:
            continue
        if change["op"] == "remove":
            view[collection].pop(change["id"], None)
        else:
            view[collection][change["id"]] = change["object"]
    after = run.cluster.snapshot()
    for collection in view:
        assert view[collection] == {o["id"]: o for o in after[collection]}


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_highlights_name_objects_the_browser_has_at_that_step(lesson_id):
    """Every highlighted id is in the snapshot; hop indices are inside the trace."""
    run = lesson_run(lesson_id)
    for n in range(run.steps):
        frame = run.goto(n)
        snapshot = run.cluster.snapshot()
        ids = {
            o["id"]
            for key, objs in snapshot.items()
            if isinstance(objs, list)
            for o in objs
            if isinstance(o, dict) and "id" in o
        }
        for ident in frame["highlights"]:
            assert ident.startswith("components/") or ident in ids, (n, ident)
        trace = frame["trace"] or {}
        assert all(0 <= i < len(trace.get("hops", [])) for i in frame["hops"])
        assert all(0 <= i < len(trace.get("reply", [])) for i in frame["replyHops"])


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_texts_have_no_unfilled_or_missing_values(lesson_id):
    """No `{name}` left over and no missing value printed as None."""
    run = lesson_run(lesson_id)
    for n in range(run.steps):
        frame = run.goto(n)
        texts = [frame["narration"]]
        if frame["prediction"]:
            texts += [frame["prediction"]["question"], run._compiled.answers[n]["why"]]
        if frame["check"]:
            texts += [frame["check"]["task"], frame["check"]["hint"]]
        for text in texts:
            assert not re.search(r"\bNone\b", text), text
            assert not re.search(r"\{[A-Za-z_]\w*\}", text), text
