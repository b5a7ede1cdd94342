"""Kubernetes resource quantities ("250m", "1.5", "128Mi", "1G") as numbers."""

from __future__ import annotations

import functools

from .errors import UsageError

_SUFFIX = {
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "m": 1e-3,
    "": 1,
}


def parse(value: object) -> float:
    """A quantity in base units (cores, bytes, count)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    return _parse_text(str(value))


@functools.lru_cache(maxsize=4096)
def _parse_text(value: str) -> float:
    text = value.strip()
    for suffix in sorted(_SUFFIX, key=len, reverse=True):
        if suffix and text.endswith(suffix):
            number = text[: -len(suffix)]
            break
    else:
        suffix, number = "", text
    try:
        return float(number) * _SUFFIX[suffix]
    except ValueError:
        raise UsageError(
            f"error: quantities must match the regular expression"
            f" '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': {text!r}"
        ) from None


def pod_requests(pod: dict) -> dict[str, float]:
    """Sum of container requests (cpu cores, memory bytes), as the scheduler counts."""
    cpu = memory = 0.0
    for c in pod["spec"].get("containers", []):
        req = (c.get("resources") or {}).get("requests") or {}
        cpu += parse(req.get("cpu", 0))
        memory += parse(req.get("memory", 0))
    return {"cpu": cpu, "memory": memory}


def format_cpu(cores: float) -> str:
    milli = round(cores * 1000)
    return f"{milli // 1000}" if milli % 1000 == 0 else f"{milli}m"


def format_memory(value: float) -> str:
    for suffix in ("Gi", "Mi", "Ki"):
        if value >= _SUFFIX[suffix] and value % _SUFFIX[suffix] == 0:
            return f"{int(value // _SUFFIX[suffix])}{suffix}"
    return str(int(value))
