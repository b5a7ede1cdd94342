"""A guided lesson's position and catalog, for a learner's lesson socket and for a
classroom that presents a lesson (the presenter walks it, followers see each step).

The lesson engine (`lessons.LessonRun`) keeps the cluster at the lesson's
position; in a classroom that cluster is the classroom's model, so the presenter
can also step, trace or break it freely, and the next lesson move puts it back on
the script. kubeviz/classroom imports this; kubeviz/lessons imports nothing of the
classroom.
"""

from __future__ import annotations

import asyncio
import functools

from lessons import LessonRun, load_lessons


@functools.cache
def catalog() -> tuple[dict, ...]:
    """Every lesson as {id, title, goal, minutes, steps, concepts} (loaded once)."""
    return tuple(info.to_dict() for info in load_lessons())


def exists(lesson_id: str) -> bool:
    return any(info["id"] == lesson_id for info in catalog())


class Guide:
    """Is responsible for the classroom's position in its lesson."""

    def __init__(self, run: LessonRun) -> None:
        self.run = run

    @classmethod
    async def open(cls, lesson_id: str, position: int) -> Guide:
        run = await asyncio.to_thread(LessonRun, lesson_id)
        target = min(max(position, 0), run.steps - 1)
        if target:
            await asyncio.to_thread(run.goto, target)
        return cls(run)

    @property
    def position(self) -> int:
        return self.run.position

    def target(self, message: dict) -> int:
        """The position a lesson_next / lesson_back / lesson_goto asks for."""
        kind = message["type"]
        wanted = {
            "lesson_next": self.run.position + 1,
            "lesson_back": self.run.position - 1,
        }.get(kind, message.get("position", 0))
        return min(max(wanted, 0), self.run.steps - 1)

    async def goto(self, position: int) -> dict:
        return await asyncio.to_thread(self.run.goto, position)

    def frame(self) -> dict:
        return self.run.current()


def lesson_message(frame: dict | None) -> dict:
    return {"type": "lesson", "frame": frame}


def answer_message(position: int, result: dict) -> dict:
    return {"type": "lesson_answer", "position": position, "result": result}
