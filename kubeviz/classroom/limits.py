"""How fast one tab may send: a token bucket, so a flood costs its sender only."""

from __future__ import annotations

import time

RATE = 20.0  # messages a second, sustained
BURST = 40.0  # messages at once
CUT_OFF = 200  # refused messages in a row before the socket is closed
CLOSE_CODE = 4429  # like HTTP 429, in the range for applications


class Bucket:
    """Is responsible for admitting one tab's messages at RATE, BURST at once."""

    def __init__(self, rate: float = RATE, burst: float = BURST) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = time.monotonic()
        self.refused = 0
        self.told = 0.0

    def admit(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            self.refused = 0
            return True
        self.refused += 1
        return False

    def should_tell(self) -> bool:
        """Say "slow down" at most once a second, not once per refused message."""
        now = time.monotonic()
        if now - self.told >= 1.0:
            self.told = now
            return True
        return False

    @property
    def flooding(self) -> bool:
        return self.refused >= CUT_OFF
