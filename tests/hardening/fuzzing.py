"""Hypothesis settings for the hardening fuzzers: small and fixed in CI, big on demand.

`make test` runs each fuzzer with a few dozen derandomised examples so CI is quick and
repeatable. `bench/fuzz_long.py` sets KUBEVIZ_FUZZ_EXAMPLES (and KUBEVIZ_FUZZ_SEED for
fresh random inputs) to run the same properties for much longer.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings


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
