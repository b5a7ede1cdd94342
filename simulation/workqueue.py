"""The simulated clock's queue: future work ordered by (time, priority, seq)."""

from __future__ import annotations

import heapq


class WorkQueue:
    """A heap of due work with per-(component, key) de-duplication, as client-go does.

    Items are `(time, priority, seq, component, key, periodic)`; `seq` is a counter so
    that equal times and priorities keep insertion order.
    """

    def __init__(self, priorities: dict[str, int]) -> None:
        self.heap: list[tuple] = []
        self.pending: set[tuple[str, str]] = set()
        self.seq = 0
        self.transient = 0  # items that are not periodic timers
        self.priorities = priorities

    def next_seq(self) -> int:
        self.seq += 1
        return self.seq

    def push(
        self,
        time: float,
        component: str,
        key: str,
        periodic: bool = False,
        dedupe: bool = True,
    ) -> None:
        if dedupe:
            if (component, key) in self.pending:
                return
            self.pending.add((component, key))
        item = (
            round(time, 6),
            self.priorities.get(component, 5),
            self.next_seq(),
            component,
            key,
            periodic,
            dedupe,
        )
        heapq.heappush(self.heap, item)
        if not periodic:
            self.transient += 1

    def pop(self) -> tuple:
        item = heapq.heappop(self.heap)
        if item[6]:
            self.pending.discard((item[3], item[4]))
        if not item[5]:
            self.transient -= 1
        return item

    def peek(self) -> tuple | None:
        return self.heap[0] if self.heap else None

    def only_periodic(self) -> bool:
        return self.transient == 0

    def __len__(self) -> int:
        return len(self.heap)

    def checkpoint(self) -> tuple:
        return (list(self.heap), set(self.pending), self.seq, self.transient)

    def restore(self, state: tuple) -> None:
        heap, pending, seq, transient = state
        self.heap, self.pending, self.seq = list(heap), set(pending), seq
        self.transient = transient
