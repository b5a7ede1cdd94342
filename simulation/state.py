"""What the model keeps besides the API objects: the world outside the API, and each
component's own memory.

The world is what happens to the cluster from outside (a node loses power, users
send load); user actions change it and components read it, as a kubelet notices
it has no power. A component's memory is what it remembers between reconciles
that the API does not hold (the scheduler's last decisions, the kubelet's next
pod IP); only that component writes it, and `Context.memory` hands each
component its own. The history copies both at checkpoints.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass
class World:
    """What happens to the cluster from outside the API.

    An action replaces these values rather than changing them in place: the
    checkpoint taken before an action shares them (`State.copy(share=True)`).
    """

    failed_nodes: set[str] = field(default_factory=set)  # nodes without power
    failed_at: dict[str, float] = field(default_factory=dict)  # node → when
    load: dict[str, float] = field(default_factory=dict)  # "ns/deployment" → cores


@dataclass
class State:
    """The world plus every component's memory (component name → its values)."""

    world: World = field(default_factory=World)
    memory: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def for_components(cls, memories: Iterable[tuple[str, dict[str, Any]]]) -> State:
        return cls(World(), {name: dict(values) for name, values in memories})

    def copy(self, share: bool = False) -> State:
        """A copy to come back to. Values are copied one level deep (a map may be
        changed in place, the values in it may not); `share` copies only the
        containers, enough before a user action, which replaces world values and
        runs no reconcile."""
        if share:
            world = replace(self.world)
            memory = {name: dict(values) for name, values in self.memory.items()}
        else:
            world = World(
                **{
                    f.name: copy.copy(getattr(self.world, f.name))
                    for f in fields(World)
                }
            )
            memory = {
                name: {k: copy.copy(v) for k, v in values.items()}
                for name, values in self.memory.items()
            }
        return State(world, memory)

    def items(self) -> Iterator[tuple[str, Any]]:
        """Every value by name: the world's fields, then each component's."""
        for f in fields(World):
            yield f.name, getattr(self.world, f.name)
        for values in self.memory.values():
            yield from values.items()

    def size(self) -> int:
        """How many entries a full copy copies (for the history's interval)."""
        return sum(len(v) for _name, v in self.items() if hasattr(v, "__len__"))
