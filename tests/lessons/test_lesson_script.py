"""The time verbs of a step (advance, step, until) and remembered values."""

from __future__ import annotations

from lessons import LessonRun, load_lessons

LESSON = """\
title: Time
goal: Let the model run in different ways.
minutes: 1
concepts: [time]
cluster:
  nodes: 2
  seed: 1
steps:
  - say: Start.
    concept: time
    remember:
      t0: {time: null}
  - say: A web Deployment is applied and the model runs until a pod is bound.
    concept: time
    do:
      - apply: {file: manifests/web.yaml}
      - until: {event: pod.scheduled}
    remember:
      bound: {event_field: {type: pod.scheduled, field: "objects[0]"}}
  - say: Two more steps of the model.
    concept: time
    do:
      - step: 2
  - say: The model runs until {bound} has its sandbox.
    concept: time
    do:
      - until: {event: pod.sandbox_created, object: "{bound}"}
  - say: Ninety seconds pass.
    concept: time
    do:
      - advance: 90s
    expect:
      - {less: [90, {minus: [{time: null}, {var: t0}]}]}
"""


def test_until_step_and_advance_move_the_model_as_asked(lesson_folder):
    folder = lesson_folder("01-time.yaml", LESSON)
    [info] = load_lessons(folder)
    run = LessonRun("01-time", folder)
    frames = [run.goto(n) for n in range(info.steps)]
    assert frames[1]["events"][-1]["type"] == "pod.scheduled"
    assert len(frames[2]["events"]) == 2
    assert frames[2]["clusterStep"] == frames[1]["clusterStep"] + 2
    bound = frames[3]["narration"].split()[4]
    assert bound.startswith("pods/default/web-")
    assert frames[3]["events"][-1]["type"] == "pod.sandbox_created"
    last = run.cluster.events[frames[3]["clusterStep"] - 1]
    assert last.objects == (bound,)
    assert frames[4]["time"] >= 90


def test_narration_fills_in_remembered_values(lesson_folder):
    folder = lesson_folder("01-time.yaml", LESSON)
    run = LessonRun("01-time", folder)
    assert "{bound}" not in run.goto(3)["narration"]
