"""How fast one tab may send: a token bucket, so that a flood costs its sender only.

Every socket (session, lesson, classroom) passes each incoming frame through here
before it is parsed (`SessionConsumer.__call__`). Frames over the rate wait their
turn in the tab's own backlog, up to BACKLOG frames and BACKLOG_BYTES, and are read
at the rate, in order, so that nothing a person did is lost to a burst; past that
they are dropped unread. The tab is told once; a tab with CUT_OFF frames dropped
within WINDOW seconds is flooding, and its socket is closed with 4429. The rate
and the burst come from `settings.KUBEVIZ` (`KUBEVIZ_MESSAGES_PER_SECOND`,
`KUBEVIZ_MESSAGE_BURST`).

The other direction is bounded too: what one socket may have waiting to be sent,
OUTBOUND_BYTES (`KUBEVIZ_OUTBOUND_QUEUE_KB`), and all of a process's sockets
together, OUTBOUND_SHARE of `KUBEVIZ_MAX_MEMORY_MB`; a tab past either is closed
with SLOW_READER_CLOSE (kubeviz/outbound.py).
"""

from __future__ import annotations

import time
from collections import deque

from django.conf import settings

RATE = 20.0  # messages a second, sustained (the default)
BURST = 40.0  # messages at once (the default)
BACKLOG = 1_000  # frames that may wait for their turn; more are dropped
BACKLOG_BYTES = 1024 * 1024  # or their size
CUT_OFF = 200  # dropped frames within WINDOW seconds before the socket is closed
WINDOW = 10.0
CLOSE_CODE = 4429  # like HTTP 429, in the range for applications
CODE = "rate_limited"

# Outbound: bytes a socket may have queued and not yet taken by the kernel before it
# is closed; a frame to a socket holding at most READING bytes always goes (it is
# keeping up: Twisted's own buffer size), however large.
OUTBOUND_BYTES = 4 * 1024 * 1024
OUTBOUND_SHARE = 0.25  # of KUBEVIZ_MAX_MEMORY_MB, for every socket's queue together
READING = 64 * 1024
SLOW_READER_CLOSE = 4408  # like HTTP 408: the tab did not take what it was sent
# Seconds a closed slow reader's close frame waits behind its queue: a tab that reads
# again meanwhile sees SLOW_READER_CLOSE, one that does not is dropped.
SLOW_READER_WAIT = 5.0


class Bucket:
    """Is responsible for admitting one tab's frames at `rate`, `burst` at once."""

    def __init__(self, rate: float = RATE, burst: float = BURST) -> None:
        self.rate = max(rate, 0.01)
        self.burst = max(burst, 1.0)
        self.tokens = self.burst
        self.stamp = time.monotonic()
        self.told = False
        # When the last CUT_OFF frames were dropped.
        self.dropped: deque[float] = deque(maxlen=CUT_OFF)

    @classmethod
    def from_settings(cls) -> Bucket:
        options = settings.KUBEVIZ
        return cls(
            float(options.get("MESSAGES_PER_SECOND", RATE)),
            float(options.get("MESSAGE_BURST", BURST)),
        )

    def refill(self) -> None:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now

    def admit(self) -> bool:
        """Take a token for one frame; False if there is none left just now."""
        self.refill()
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            if self.tokens >= self.burst - 1.0:
                self.told = False  # calm again: a new flood is told again
            return True
        return False

    def delay(self) -> float:
        """Seconds until the next token."""
        self.refill()
        return max(0.0, (1.0 - self.tokens) / self.rate)

    def drop(self) -> bool:
        """Count a dropped frame; True when the tab is flooding."""
        self.dropped.append(time.monotonic())
        return (
            len(self.dropped) == CUT_OFF
            and self.dropped[-1] - self.dropped[0] <= WINDOW
        )

    def should_tell(self) -> bool:
        """True once per flood: the first frame over the rate is answered."""
        if self.told:
            return False
        self.told = True
        return True

    def message(self) -> str:
        return (
            f"too many messages: at most {self.rate:g} a second ({self.burst:g} at "
            "once); the ones over that wait their turn, or are dropped"
        )
