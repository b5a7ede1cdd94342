"""A long fuzz run: the hardening fuzzers with many more, freshly random, examples.

    .venv/bin/python bench/fuzz_long.py                   # 2,000 examples a property
    .venv/bin/python bench/fuzz_long.py --examples 20000 --seed 7
    .venv/bin/python bench/fuzz_long.py --only protocol,kubectl

CI runs each property in tests/hardening/ with a few dozen fixed examples. This runs
the same properties (protocol frames, consumer frames, manifests, kubectl lines) with
`--examples` examples each and a random seed (printed, so a failure can be repeated
with `--seed`). Hypothesis prints the smallest failing input of each property and a
`@reproduce_failure` blob; the summary lists which properties failed.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {
    "protocol": "tests/hardening/test_protocol_fuzz.py",
    "consumer": "tests/hardening/test_consumer_fuzz.py",
    "manifests": "tests/hardening/test_manifest_fuzz.py",
    "kubectl": "tests/hardening/test_kubectl_fuzz.py",
}
# Only the hypothesis properties: the example-based tests add nothing when repeated.
PROPERTIES = "any_ or bad_frame or deep_nesting or over_the_limit or numbers_json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument(
        "--only",
        default=",".join(TARGETS),
        help="comma-separated: " + ", ".join(TARGETS),
    )
    args = parser.parse_args()
    seed = (
        args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    )
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s): {', '.join(unknown)}")

    env = {
        **os.environ,
        "KUBEVIZ_FUZZ_EXAMPLES": str(args.examples),
        "KUBEVIZ_FUZZ_SEED": str(seed),
    }
    print(f"seed {seed}, {args.examples} examples a property", flush=True)
    results = {}
    for name in chosen:
        started = time.monotonic()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--hypothesis-seed={seed}",
                "-k",
                PROPERTIES,
                TARGETS[name],
            ],
            cwd=ROOT,
            env=env,
        )
        results[name] = (done.returncode, time.monotonic() - started)
    print()
    for name, (code, seconds) in results.items():
        verdict = "ok" if code == 0 else "FAILED"
        print(f"  {name:<10} {verdict:<7} {seconds:7.1f} s")
    print(f"  repeat with: bench/fuzz_long.py --examples {args.examples} --seed {seed}")
    return 0 if all(code == 0 for code, _ in results.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
