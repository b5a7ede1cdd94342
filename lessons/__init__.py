"""Guided lessons: YAML scripts that drive the model and ask the learner questions.

`load_lessons()` lists the lessons (each validated by running it headless);
`LessonRun(lesson_id)` steps one learner through one lesson. See docs/lessons.md.
"""

from __future__ import annotations

from .catalog import LessonInfo, load_lessons
from .errors import LessonError
from .run import LessonRun

__all__ = ["LessonError", "LessonInfo", "LessonRun", "load_lessons"]
