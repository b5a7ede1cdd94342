"""The one exception hierarchy of the model; every message reads like kubectl's."""

from __future__ import annotations


class SimulationError(Exception):
    """Base of every error the model raises on purpose."""


class Invalid(SimulationError):
    """An object fails validation (kubectl: `The Pod "x" is invalid: ...`)."""

    def __init__(self, kind: str, name: str, causes: list[str]) -> None:
        self.kind, self.name, self.causes = kind, name, list(causes)
        detail = (
            "; ".join(causes) if len(causes) == 1 else "[" + ", ".join(causes) + "]"
        )
        super().__init__(f'The {kind} "{name}" is invalid: {detail}')


class NotFound(SimulationError):
    """A named object does not exist (kubectl: `... "x" not found`)."""

    def __init__(self, resource: str, name: str) -> None:
        self.resource, self.name = resource, name
        super().__init__(f'{resource} "{name}" not found')


class AlreadyExists(SimulationError):
    """An object with that name exists already."""

    def __init__(self, resource: str, name: str) -> None:
        self.resource, self.name = resource, name
        super().__init__(f'{resource} "{name}" already exists')


class Conflict(SimulationError):
    """A write raced with another (stale resourceVersion)."""


class LimitExceeded(SimulationError):
    """A request would take the session past one of its documented limits."""


class UsageError(SimulationError):
    """A command or action is malformed (unknown verb, bad flag, bad argument)."""


class ManifestError(SimulationError):
    """A manifest cannot be parsed or is not a Kubernetes object."""
