"""Names as Kubernetes makes them: pod-template-hash and random suffixes."""

from __future__ import annotations

import json

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for byte in data:
        h ^= byte
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode(text: str) -> str:
    """k8s.io/apimachinery's SafeEncodeString: no vowels, no look-alike characters."""
    return "".join(SAFE_ALPHABET[ord(ch) % len(SAFE_ALPHABET)] for ch in text)


def pod_template_hash(template: dict, collision_count: int = 0) -> str:
    """The `pod-template-hash` label: fnv32a of the template, safely encoded."""
    data = json.dumps(template, sort_keys=True, separators=(",", ":")).encode()
    value = fnv32a(data + (str(collision_count).encode() if collision_count else b""))
    return safe_encode(str(value))
