"""Broken lesson files are refused on load, with the file and the step named."""

from __future__ import annotations

import pytest

from lessons import LessonError, LessonRun, load_lessons

HEAD = """\
title: Broken
goal: A lesson with one mistake in it.
minutes: 1
concepts: [pods]
cluster:
  nodes: 2
  seed: 1
  manifests:
    - file: manifests/web.yaml
steps:
  - say: The web pods run.
    concept: pods
"""


def refused(lesson_folder, steps: str, name: str = "07-broken.yaml") -> LessonError:
    folder = lesson_folder(name, HEAD + steps)
    with pytest.raises(LessonError) as caught:
        load_lessons(folder)
    return caught.value


def test_an_unknown_action_names_the_file_and_the_step(lesson_folder):
    error = refused(
        lesson_folder,
        """
  - say: Oops.
    concept: pods
    do:
      - kil_pod: default/web
""",
    )
    assert error.file == "07-broken.yaml" and error.step == 2
    assert str(error).startswith("07-broken.yaml, step 2:")
    assert "unknown action 'kil_pod'" in str(error)


def test_an_unknown_answer_kind_is_refused_before_running(lesson_folder):
    error = refused(
        lesson_folder,
        """
    predict:
      question: Where?
      choices: [node-1, node-2]
      answer: {node_of_the_moon: web}
      why: Because.
  - say: Done.
    concept: pods
""",
    )
    assert error.step == 1 and "unknown expression kind 'node_of_the_moon'" in str(
        error
    )


def test_a_highlight_of_an_object_that_does_not_exist_is_refused(lesson_folder):
    error = refused(
        lesson_folder,
        """
  - say: Look at the database.
    concept: pods
    highlight:
      - services/default/database
""",
    )
    assert error.step == 2 and "no such object" in str(error)


def test_a_selector_that_matches_nothing_is_refused(lesson_folder):
    error = refused(
        lesson_folder,
        """
    highlight:
      - {pods: {app: database}}
""",
    )
    assert error.step == 1 and "matched nothing" in str(error)


def test_an_answer_that_is_not_among_the_choices_is_refused(lesson_folder):
    error = refused(
        lesson_folder,
        """
    predict:
      question: How many web pods run?
      choices: [1, 2]
      answer: {count: {pods: {app: web}}}
      at: now
      why: The Deployment asks for {answer}.
""",
    )
    assert error.step == 1 and "answer 3 matches 0 of the choices" in str(error)


def test_a_step_that_cannot_happen_is_refused(lesson_folder):
    error = refused(
        lesson_folder,
        """
  - say: The node fails.
    concept: pods
    do:
      - until: {event: node.not_ready, max_steps: 50}
""",
    )
    assert error.step == 2 and "never happened" in str(error)


def test_a_false_claim_in_the_narration_is_refused(lesson_folder):
    error = refused(
        lesson_folder,
        """
  - say: There are five web pods.
    concept: pods
    expect:
      - {equal: [{count: {pods: {app: web}}}, 5]}
""",
    )
    assert error.step == 2 and "the model disagrees" in str(error)


def test_a_failing_action_is_refused_with_the_models_message(lesson_folder):
    error = refused(
        lesson_folder,
        """
  - say: Fail a node that does not exist.
    concept: pods
    do:
      - fail_node: node-9
""",
    )
    assert error.step == 2 and 'nodes "node-9" not found' in str(error)


def test_a_check_that_passes_before_the_learner_acts_is_refused(lesson_folder):
    error = refused(
        lesson_folder,
        """
    check:
      task: Run three web pods.
      deployment: web
      ready_replicas: 3
      solution:
        - settle
""",
    )
    assert error.step == 1 and "passes before the learner acts" in str(error)


def test_a_check_whose_solution_does_not_work_is_refused(lesson_folder):
    error = refused(
        lesson_folder,
        """
    check:
      task: Run five web pods.
      deployment: web
      ready_replicas: 5
      solution:
        - settle
""",
    )
    assert error.step == 1 and "solution does not pass" in str(error)


def test_a_prediction_on_the_last_step_must_be_answerable_now(lesson_folder):
    error = refused(
        lesson_folder,
        """
    predict:
      question: What next?
      choices: [a, b]
      answer: a
      why: Nothing follows.
""",
    )
    assert error.step == 1 and "no next step" in str(error)


def test_a_concept_the_lesson_does_not_declare_is_refused(lesson_folder):
    error = refused(
        lesson_folder,
        """
  - say: Services.
    concept: services
""",
    )
    assert error.step == 2 and "'services' is not one of the lesson's concepts" in str(
        error
    )


def test_unknown_fields_are_refused(lesson_folder):
    error = refused(lesson_folder, "    narration: oops\n")
    assert error.step == 1 and "unknown field(s) narration" in str(error)


def test_a_lesson_file_needs_a_numbered_name(lesson_folder):
    error = refused(lesson_folder, "", name="broken.yaml")
    assert "named NN-slug.yaml" in str(error)


def test_a_remembered_name_must_exist_before_it_is_used(lesson_folder):
    error = refused(
        lesson_folder,
        """
  - say: The pod {victim} is gone.
    concept: pods
""",
    )
    assert error.step == 2 and "{victim} was not remembered" in str(error)


def test_a_manifest_outside_the_lesson_folder_is_refused(lesson_folder):
    folder = lesson_folder(
        "07-broken.yaml",
        HEAD.replace("manifests/web.yaml", "../../etc/passwd"),
    )
    with pytest.raises(LessonError) as caught:
        load_lessons(folder)
    assert "cluster.manifests" in str(caught.value)


def test_a_good_lesson_in_its_own_folder_loads_and_runs(lesson_folder):
    folder = lesson_folder(
        "07-good.yaml",
        HEAD
        + """
    predict:
      question: How many web pods run?
      choices: [1, 3]
      answer: {count: {pods: {app: web}, phase: Running}}
      at: now
      why: The Deployment asks for {answer}.
""",
    )
    [info] = load_lessons(folder)
    run = LessonRun("07-good", folder)
    assert info.steps == 1 and run.answer("3")["correct"]
    assert run.answer("1")["why"] == "The Deployment asks for 3."


def test_a_wrong_prediction_is_blamed_on_the_step_that_asks_it(lesson_folder):
    error = refused(
        lesson_folder,
        """
    predict:
      question: After scaling to 5, how many web pods?
      choices: [3, 4]
      answer: {count: {pods: {app: web}}}
      why: Because.
  - say: Scaled.
    concept: pods
    do:
      - kubectl: scale deployment web --replicas=5
      - settle
""",
    )
    assert error.step == 1
    assert "answered once step 2 has run" in str(error)
    assert "answer 5 matches 0 of the choices" in str(error)
