"""Shared lesson helpers: the shipped lesson ids and one cached run per lesson.

A plain module (not conftest) so its name cannot clash with other conftest files.
"""

from __future__ import annotations

from lessons import LessonRun
from lessons.catalog import lesson_files

LESSON_IDS = [p.stem for p in lesson_files()]
_RUNS: dict[str, LessonRun] = {}


def lesson_run(lesson_id: str) -> LessonRun:
    """A LessonRun per lesson, shared by tests that only read and move it."""
    if lesson_id not in _RUNS:
        _RUNS[lesson_id] = LessonRun(lesson_id)
    return _RUNS[lesson_id]


def answer_of(run: LessonRun, position: int) -> dict:
    """The model's answer to the prediction at `position` (what answer() reveals)."""
    return run._compiled.answers[position]


def frame(run: LessonRun, title: str) -> tuple[int, dict]:
    """(position, frame) of the step with this title."""
    for n, f in enumerate(run._compiled.frames):
        if f["title"] == title:
            return n, f
    raise KeyError(title)
