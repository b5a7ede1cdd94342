"""How fast one tab may send: a token bucket, so that a flood costs its sender only.

Every socket (session, lesson, classroom) checks each incoming frame here before it
parses it. Over the rate a frame is dropped unread; the tab is told once, and a tab
that keeps on is closed with 4429. The rate and the burst come from
`settings.KUBEVIZ` (`KUBEVIZ_MESSAGES_PER_SECOND`, `KUBEVIZ_MESSAGE_BURST`).
"""

from __future__ import annotations

import time
from collections import deque

from django.conf import settings

RATE = 20.0  # messages a second, sustained (the default)
BURST = 40.0  # messages at once (the default)
CUT_OFF = 200  # dropped frames within WINDOW seconds before the socket is closed
WINDOW = 10.0
CLOSE_CODE = 4429  # like HTTP 429, in the range for applications
CODE = "rate_limited"


class Bucket:
    """Is responsible for admitting one tab's frames at `rate`, `burst` at once."""

    def __init__(self, rate: float = RATE, burst: float = BURST) -> None:
        self.rate = rate
        self.burst = max(burst, 1.0)
        self.tokens = self.burst
        self.stamp = time.monotonic()
        # When the last CUT_OFF frames were dropped: a tab is flooding when all of
        # them fall within WINDOW seconds.
        self.dropped: deque[float] = deque(maxlen=CUT_OFF)
        self.told = False

    @classmethod
    def from_settings(cls) -> Bucket:
        options = settings.KUBEVIZ
        return cls(
            float(options.get("MESSAGES_PER_SECOND", RATE)),
            float(options.get("MESSAGE_BURST", BURST)),
        )

    def admit(self) -> bool:
        """Take a token for one frame; False (and the frame is counted) if none."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            if self.tokens >= self.burst - 1.0:
                self.told = False  # calm again: a new flood is told again
            return True
        self.dropped.append(now)
        return False

    def should_tell(self) -> bool:
        """True once per flood: the first dropped frame is answered, no other."""
        if self.told:
            return False
        self.told = True
        return True

    @property
    def flooding(self) -> bool:
        """Whether CUT_OFF frames were dropped in the last WINDOW seconds."""
        return (
            len(self.dropped) == CUT_OFF
            and self.dropped[-1] - self.dropped[0] <= WINDOW
        )

    def message(self) -> str:
        return (
            f"too many messages: at most {self.rate:g} a second ({self.burst:g} at "
            "once); the ones over that were dropped unread"
        )
