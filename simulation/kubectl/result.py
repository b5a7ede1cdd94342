"""What one kubectl command produced, for the console and for the step's narration."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class KubectlResult:
    """The printed output, whether it wrote through the API, and how to narrate it."""

    output: str = ""
    changed: bool = False
    summary: str = ""
    type: str | None = None
    concept: str | None = None
    objects: list[str] = field(default_factory=list)
    trace: dict | None = None
    # what kubectl prints to stderr when part of a command failed after other
    # parts were written (apply -f of several objects): the step stays, not ok
    error: str | None = None
