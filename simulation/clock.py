"""Simulated time: seconds since the cluster was created, and Kubernetes timestamps."""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def iso(seconds: float) -> str:
    """RFC 3339 timestamp (whole seconds, as Kubernetes stores them)."""
    return _iso(int(seconds))


@functools.lru_cache(maxsize=1024)
def _iso(seconds: int) -> str:
    return (EPOCH + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=4096)
def parse(stamp: str | None) -> float | None:
    """Seconds since the cluster's epoch of an RFC 3339 timestamp (whole seconds)."""
    if not stamp:
        return None
    value = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return (value - EPOCH).total_seconds()


def age(seconds: float) -> str:
    """kubectl's AGE column (HumanDuration): 5s, 3m2s, 4h, 2d5h, ..."""
    s = int(max(seconds, 0))
    if s < 120:
        return f"{s}s"
    m = s // 60
    if m < 10:
        return f"{m}m{s % 60}s" if s % 60 else f"{m}m"
    if m < 180:
        return f"{m}m"
    h = m // 60
    if h < 8:
        return f"{h}h{m % 60}m" if m % 60 else f"{h}h"
    if h < 48:
        return f"{h}h"
    d = h // 24
    if d < 8:
        return f"{d}d{h % 24}h" if h % 24 else f"{d}d"
    if d < 365 * 2:
        return f"{d}d"
    return f"{d // 365}y"
