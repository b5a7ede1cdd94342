"""Seconds for the expensive read-only kubectl commands at 1,000 pods.

Run: .venv/bin/python bench/bench_expensive.py [--pods 1000] [--repeat 5]

The goal (docs/benchmarks.md): each command well under a second at 1,000 pods, since it
runs on the event loop every student of a process shares. The test suite checks the
same commands grow in proportion to the pods (tests/hardening/test_expensive.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulation import Cluster  # noqa: E402

COMMANDS = (
    "kubectl describe pods -A",
    "kubectl describe nodes",
    "kubectl get pods -A -o yaml",
    "kubectl get events -A",
)
BUDGET = 1.0  # seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cluster = Cluster(seed=3, nodes=20)
    create = f"kubectl create deployment big --image=nginx --replicas={args.pods}"
    assert cluster.act({"op": "kubectl", "command": create}).ok
    for _ in range(5 * args.pods):
        if cluster.step() is None:
            break
    over = 0
    for command in COMMANDS:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            cluster.act({"op": "kubectl", "command": command})
            times.append(time.perf_counter() - started)
        median = statistics.median(times)
        over += median > BUDGET
        print(
            f"{command:32} median {median * 1000:7.1f} ms"
            f"  max {max(times) * 1000:7.1f} ms"
        )
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
