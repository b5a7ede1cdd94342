"""Check lesson files from the command line, for authors.

python -m lessons             # validate every shipped lesson
python -m lessons FOLDER      # validate the lessons in FOLDER
python -m lessons --show ID   # print a lesson's narration and answers
"""

from __future__ import annotations

import sys
from pathlib import Path

from .catalog import DATA, load_lessons
from .errors import LessonError
from .run import LessonRun


def show(lesson_id: str, folder: Path) -> None:
    run = LessonRun(lesson_id, folder)
    print(f"{run.lesson.title} ({run.lesson.minutes} min)")
    for n in range(run.steps):
        frame = run.goto(n)
        print(f"\n[{n}] {frame['title']} ({frame['concept']})\n{frame['narration']}")
        if frame["prediction"]:
            truth = run._compiled.answers[n]
            print(f"  ? {frame['prediction']['question']}")
            print(f"  = {truth['label']}: {truth['why']}")
        if frame["check"]:
            print(f"  task: {frame['check']['task']}")


def main(argv: list[str]) -> int:
    folder = DATA
    if argv[:1] == ["--show"] and len(argv) in (2, 3):
        show(argv[1], Path(argv[2]) if len(argv) == 3 else folder)
        return 0
    if argv:
        folder = Path(argv[0])
    try:
        infos = load_lessons(folder)
    except LessonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for info in infos:
        print(f"ok  {info.id}: {info.steps} steps, {info.minutes} min")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
