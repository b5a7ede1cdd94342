"""Connection tracking: the entries a trace leaves behind, as `conntrack -L` shows.

Each node a connection crosses keeps one entry: the original tuple as the packet
arrived, and the reply tuple the node expects back (after any DNAT/SNAT). Replies are
matched against the reply tuple and translated back: that is the un-DNAT a learner
sees when a Service's answer comes back "from" the ClusterIP.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

PROTO_NUMBERS = {"tcp": 6, "udp": 17, "icmp": 1}
TIMEOUTS = {"tcp": 431999, "udp": 29, "icmp": 29}
MAX_ENTRIES = 512


@dataclass(frozen=True, slots=True)
class Entry:
    """One conntrack entry (original and reply tuples)."""

    proto: str
    orig: tuple[str, int | None, str, int | None]
    reply: tuple[str, int | None, str, int | None]

    @property
    def text(self) -> str:
        num = PROTO_NUMBERS.get(self.proto, 0)
        state = "ESTABLISHED " if self.proto == "tcp" else ""
        assured = " [ASSURED]" if self.proto == "tcp" else ""
        return (
            f"{self.proto:<8} {num} {TIMEOUTS.get(self.proto, 29)} {state}"
            f"{_tuple(self.orig)} {_tuple(self.reply)}{assured} mark=0 use=1"
        )

    @property
    def nat(self) -> list[str]:
        """Which translations the entry records ("dnat", "snat")."""
        found = []
        if self.reply[0] != self.orig[2] or self.reply[1] != self.orig[3]:
            found.append("dnat")
        if self.reply[2] != self.orig[0] or self.reply[3] != self.orig[1]:
            found.append("snat")
        return found


def _tuple(t: tuple[str, int | None, str, int | None]) -> str:
    src, sport, dst, dport = t
    ports = "" if sport is None else f" sport={sport} dport={dport}"
    return f"src={src} dst={dst}{ports}"


def entry(proto: str, before, after) -> Entry:
    """The entry for a packet that entered as `before` and left as `after` (Packets)."""
    return Entry(
        proto,
        (before.src, before.sport, before.dst, before.dport),
        (after.dst, after.dport, after.src, after.sport),
    )


class ConntrackTables:
    """Per-node conntrack tables filled by traces (bounded, oldest dropped first)."""

    def __init__(self) -> None:
        self._tables: dict[str, deque[Entry]] = {}

    def add(self, node: str, e: Entry) -> None:
        table = self._tables.setdefault(node, deque(maxlen=MAX_ENTRIES))
        if e not in table:
            table.append(e)

    def list(self, node: str) -> list[Entry]:
        return list(self._tables.get(node, ()))

    def text(self, node: str) -> str:
        return "".join(e.text + "\n" for e in self.list(node))

    def clear(self) -> None:
        self._tables.clear()
