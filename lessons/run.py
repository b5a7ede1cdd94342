"""One learner going through one lesson: forward, back, answer, try it yourself."""

from __future__ import annotations

import copy
from pathlib import Path

from simulation.cluster import Cluster
from simulation.errors import UsageError

from .catalog import DATA, find, load
from .checks import evaluate_check, sandbox_of
from .compiler import compile_lesson


class LessonRun:
    """Is responsible for a lesson's position and for keeping its cluster there.

    The lesson is run headless once (that is also its validation); each position is
    the model step its `do` ended at, so `goto` is the cluster's own exact `seek`.
    Everything returned is JSON-ready.
    """

    def __init__(self, lesson_id: str, folder: Path = DATA) -> None:
        self.lesson, self._compiled = load(find(lesson_id, folder))
        _compiled, self.cluster = compile_lesson(self.lesson)
        self.position = 0
        self.answered: dict[int, dict] = {}
        self.delta: dict | None = None
        self._sandbox: Cluster | None = None
        self.goto(0)

    @property
    def id(self) -> str:
        return self.lesson.id

    @property
    def steps(self) -> int:
        return len(self.lesson.steps)

    def goto(self, n: int) -> dict:
        """Go to step `n` (0-based) with the cluster exactly as it was there."""
        if not isinstance(n, int) or isinstance(n, bool) or not 0 <= n < self.steps:
            raise UsageError(
                f"error: {self.id} has steps 0 to {self.steps - 1}, not {n!r}"
            )
        rebuilt = not self._on_script()
        if rebuilt:
            # Someone acted on the lesson's own cluster and changed its timeline.
            self.cluster = Cluster.replay(
                self._compiled.inputs,
                self._compiled.actions,
                until=self._compiled.marks[-1],
            )
        delta = self.cluster.seek(self._compiled.marks[n])
        # What the browser needs to redraw: a view delta, or None for a snapshot.
        self.delta = None if rebuilt else delta
        self.position = n
        self._sandbox = None
        return self.current()

    def _on_script(self) -> bool:
        end = self._compiled.marks[-1]
        taken = [a for a in self.cluster.actions if a["step"] <= end]
        return self.cluster.history.horizon >= end and taken == self._compiled.actions

    def next(self) -> dict:
        return self.goto(min(self.position + 1, self.steps - 1))

    def back(self) -> dict:
        return self.goto(max(self.position - 1, 0))

    def current(self) -> dict:
        """The browser's view of this step: narration, highlights, question, task."""
        frame = copy.deepcopy(self._compiled.frames[self.position])
        frame["answered"] = self.answered.get(self.position)
        frame["first"] = self.position == 0
        frame["last"] = self.position == self.steps - 1
        return frame

    def answer(self, choice: int | str) -> dict:
        """{correct, why, answer}: the model's answer to this step's prediction.

        A prediction is made once: the first answer is the one recorded, and asking
        again returns it (a learner who has seen the answer cannot change theirs).
        """
        prediction = self.lesson.steps[self.position].predict
        if prediction is None:
            raise UsageError(f"error: step {self.position} asks no question")
        labels = self._compiled.frames[self.position]["prediction"]["choices"]
        if isinstance(choice, str) and choice in labels:
            index = labels.index(choice)
        elif isinstance(choice, int) and not isinstance(choice, bool):
            index = choice
        else:
            raise UsageError(f"error: {choice!r} is not one of {labels}")
        if not 0 <= index < len(labels):
            raise UsageError(f"error: choose 0 to {len(labels) - 1}, not {index}")
        if self.position in self.answered:
            return self.answered[self.position]
        truth = self._compiled.answers[self.position]
        correct = index == truth["index"]
        why = truth["why"]
        if not correct and index in truth["wrong"]:
            why = truth["wrong"][index] + " " + why
        result = {
            "correct": correct,
            "choice": labels[index],
            "answer": truth["label"],
            "why": why,
        }
        self.answered[self.position] = result
        return result

    def sandbox(self) -> Cluster:
        """A free copy of the cluster at this step, for trying things out."""
        self._sandbox = sandbox_of(self.cluster)
        return self._sandbox

    def check(self, cluster: Cluster | None = None) -> dict:
        """{passed, message}: is this step's task done in the sandbox (or `cluster`)?"""
        task = self.lesson.steps[self.position].check
        if task is None:
            raise UsageError(f"error: step {self.position} sets no task")
        target = cluster or self._sandbox
        if target is None:
            return {
                "passed": False,
                "message": "Open the sandbox (try it yourself) and do the task there.",
            }
        return evaluate_check(task, target, self._compiled.envs.get(self.position))
