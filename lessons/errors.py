"""Errors in lesson files, always naming the file and the step."""

from __future__ import annotations

from simulation.errors import SimulationError


class LessonError(SimulationError):
    """A lesson file is broken; the message names the file and the step."""

    def __init__(self, file: str, message: str, step: int | None = None) -> None:
        self.file, self.step, self.detail = file, step, message
        where = file if step is None else f"{file}, step {step}"
        super().__init__(f"{where}: {message}")


class StepError(SimulationError):
    """Something in one step is wrong; the caller adds the file and step number."""
