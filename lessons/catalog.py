"""The lessons shipped in `data/`: found, read, proven by a headless run, listed."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path

from .compiler import Compiled, compile_lesson
from .errors import LessonError
from .schema import Lesson, read

DATA = Path(__file__).resolve().parent / "data"
_NAME = re.compile(r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.yaml$")
_CACHE: dict[tuple[str, int, int], tuple[Lesson, Compiled]] = {}


@dataclass(frozen=True)
class LessonInfo:
    """What a lesson list shows: id, title, goal, minutes and how many steps."""

    id: str
    title: str
    goal: str
    minutes: int
    steps: int
    concepts: tuple[str, ...]

    def to_dict(self) -> dict:
        data = asdict(self)
        data["concepts"] = list(self.concepts)
        return data


def lesson_files(folder: Path = DATA) -> list[Path]:
    files = sorted(folder.glob("*.yaml"))
    for path in files:
        if not _NAME.match(path.name):
            raise LessonError(path.name, "lesson files are named NN-slug.yaml")
    return files


def load(path: Path) -> tuple[Lesson, Compiled]:
    """Read, check and run one lesson file; cached while the file is unchanged."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        lesson = read(path)
        compiled, _cluster = compile_lesson(lesson)
        _CACHE[key] = (lesson, compiled)
    return _CACHE[key]


def load_lessons(folder: Path = DATA) -> list[LessonInfo]:
    """Every lesson, validated by running it headless; a broken one raises."""
    infos = []
    for path in lesson_files(folder):
        lesson, _ = load(path)
        infos.append(
            LessonInfo(
                id=lesson.id,
                title=lesson.title,
                goal=lesson.goal,
                minutes=lesson.minutes,
                steps=len(lesson.steps),
                concepts=lesson.concepts,
            )
        )
    return infos


def find(lesson_id: str, folder: Path = DATA) -> Path:
    if not isinstance(lesson_id, str) or not _NAME.match(lesson_id + ".yaml"):
        raise LessonError(str(lesson_id), "is not a lesson id like 03-self-healing")
    path = folder / f"{lesson_id}.yaml"
    if not path.is_file():
        raise LessonError(f"{lesson_id}.yaml", "no such lesson")
    return path
