"""A session's ring of recent frames, for viewers that reconnect or fall behind.

Each frame is kept as the text that was sent, so catching a tab up costs no
encoding. The ring is bounded three ways: a count (`RING_SIZE`), a budget of
characters (64 KB for a learner's session, 256 KB for a classroom) and an age
(`RING_SECONDS`); a tab that missed more than it holds is sent a snapshot.
"""

from __future__ import annotations

import time
from collections import deque

# A ring holds at most this much text: a long run of big frames (a ReplicaSet of
# hundreds of pods) must not hold megabytes per session.
RING_BYTES = 256 * 1024
# ... and the frames of the last minute only: a tab away longer gets a snapshot.
RING_SECONDS = 60.0


class FrameRing:
    """Is responsible for keeping the last frames, within count, size and age."""

    def __init__(
        self,
        size: int = 512,
        max_bytes: int = RING_BYTES,
        max_age: float = RING_SECONDS,
    ) -> None:
        self.frames: deque[tuple[int, str]] = deque(maxlen=size)
        self.times: deque[float] = deque(maxlen=size)  # when each came
        self.max_bytes = max_bytes
        self.max_age = max_age
        self.used = 0  # characters of text in the ring

    def __len__(self) -> int:
        return len(self.frames)

    def clear(self) -> None:
        self.frames.clear()
        self.times.clear()
        self.used = 0

    def keep(self, seq: int, text: str) -> None:
        """Put a frame in, dropping the oldest past the count, the bytes or the age."""
        if len(self.frames) == self.frames.maxlen:
            self.used -= len(self.frames[0][1])
        now = time.monotonic()
        self.frames.append((seq, text))
        self.times.append(now)
        self.used += len(text)
        while len(self.frames) > 1 and (
            self.used - len(text) > self.max_bytes or now - self.times[0] > self.max_age
        ):
            self.used -= len(self.frames.popleft()[1])
            self.times.popleft()

    def after(self, last_seq: int | None, seq: int) -> list[str] | None:
        """The frames after `last_seq` up to the newest, `seq`; None when the ring
        no longer holds them all (the viewer needs a snapshot)."""
        if last_seq is None or last_seq > seq:
            return None
        if last_seq == seq:
            return []
        if not self.frames or self.frames[0][0] > last_seq + 1:
            return None
        missed = []
        for n, text in reversed(self.frames):  # the newest few, not the whole ring
            if n <= last_seq:
                break
            missed.append(text)
        missed.reverse()
        return missed
