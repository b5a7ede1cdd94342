"""Hypothesis settings for the hardening fuzzers: small and fixed in CI, big on demand.

`make test` runs each fuzzer with a few dozen derandomised examples so CI is quick and
repeatable. `bench/fuzz_long.py` sets KUBEVIZ_FUZZ_EXAMPLES (and KUBEVIZ_FUZZ_SEED for
fresh random inputs) to run the same properties for much longer.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Characters that are not text at all (lone UTF-16 surrogates, which a JSON or YAML
# `\ud800` escape decodes to) or that text handling trips on: controls, NUL, DEL,
# C1's NEL, line and bidi separators, the byte-order mark, noncharacters, and the
# edges of the code space.
INVALID_TEXT = [
    "\ud800",
    "\udbff",
    "\udc00",
    "\udfff",
    "\ud83d",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\U0010ffff",
]
# Bytes that are not UTF-8: an encoded surrogate, an overlong slash, a code point
# past U+10FFFF, a sequence cut short, a lone continuation byte.
INVALID_UTF8 = [b"\xed\xa0\x80", b"\xc0\xaf", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80"]


def any_text(max_size: int) -> st.SearchStrategy[str]:
    """Any string a Python `str` can hold, surrogates included (hypothesis leaves
    them out of `st.text()`), with the characters of INVALID_TEXT often."""
    alphabet = st.characters(exclude_categories=()) | st.sampled_from(INVALID_TEXT)
    return st.text(alphabet, max_size=max_size)


def any_bytes(max_size: int) -> st.SearchStrategy[bytes]:
    """Any bytes, with the sequences of INVALID_UTF8 spliced into valid text."""
    spliced = st.lists(
        st.sampled_from(INVALID_UTF8) | st.text(max_size=8).map(str.encode),
        max_size=max(1, max_size // 8),
    ).map(b"".join)
    return st.binary(max_size=max_size) | spliced


def fuzz_settings(examples: int, *extra_checks: HealthCheck) -> settings:
    """`examples` examples by default; KUBEVIZ_FUZZ_EXAMPLES overrides the count."""
    count = int(os.environ.get("KUBEVIZ_FUZZ_EXAMPLES", "0") or 0) or examples
    seeded = os.environ.get("KUBEVIZ_FUZZ_SEED", "").strip()
    return settings(
        max_examples=count,
        deadline=None,
        derandomize=not seeded,
        database=None,
        print_blob=True,
        # One minimal failing input is enough to act on; hunting for every distinct
        # bug while a known one is unfixed would make CI minutes long.
        report_multiple_bugs=False,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
            HealthCheck.filter_too_much,
            *extra_checks,
        ],
    )
