"""Times the network model on a large cluster.

    .venv/bin/python bench/bench_network.py

Prints the time of a packet trace on a 100-node, 3,000-pod cluster (goal < 5 ms) and
of rebuilding one node's kube-proxy rules after one endpoint change, at 10 and at
1,000 Services. Objects come from the test builders (a fake store), so the numbers
are the network model's own cost.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "simulation" / "network")]

from netbuilders import ClusterBuilder  # noqa: E402

NODES, PODS = 100, 3000


def build(services: int) -> ClusterBuilder:
    """NODES nodes, PODS pods spread round-robin, `services` Services of 3 pods."""
    b = ClusterBuilder(nodes=NODES)
    b.coredns()
    for i in range(PODS):
        app = f"app-{i % services}" if i < services * 3 else "idle"
        b.pod(f"pod-{i:04d}", f"node-{i % NODES + 1}", labels={"app": app})
    for s in range(services):
        b.service(f"svc-{s:04d}", {"app": f"app-{s}"})
    return b


def timed(fn, repeat: int) -> float:
    """Median wall time of fn() in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def bench_traces(b: ClusterBuilder) -> None:
    m = b.model()
    rng = random.Random(1)
    m.trace("pod-0000", "svc-0001", rng)  # warm caches
    for node in m.idx.nodes:
        m.ruleset(node)
    cases = {
        "pod -> Service by name (DNS + DNAT)": ("pod-0000", "svc-0001"),
        "pod -> pod on another node": ("pod-0000", "10.244.2.2:80"),
        "pod -> ClusterIP:port": ("pod-0000", "10.96.0.21:80"),
    }
    for label, (src, dst) in cases.items():
        ms = timed(lambda s=src, d=dst: m.trace(s, d, rng), 200)
        print(f"  trace {label:<38} {ms:7.3f} ms (median of 200)")
    ms = timed(lambda: _after_pod_change(b, m, rng), 20)
    print(f"  trace after one pod changed (refresh)        {ms:7.3f} ms (median of 20)")


def _after_pod_change(b, m, rng) -> None:
    b.store.put("pods", dict(b.store.get("pods", "default", "pod-2999")))
    m.trace("pod-0000", "10.244.2.2:80", rng)


def bench_rules(services: int) -> None:
    b = build(services)
    m = b.model()
    m.ruleset("node-1")
    n = [0]

    def change_one_endpoint() -> None:
        n[0] += 1
        b.store.put(
            "endpointslices",
            dict(b.store.get("endpointslices", "default", "svc-0000-abcde")),
        )
        m.refresh()

    refresh = timed(change_one_endpoint, 20)
    samples = []
    for _ in range(20):
        change_one_endpoint()
        start = time.perf_counter()
        m.ruleset("node-1")
        samples.append((time.perf_counter() - start) * 1000)
    total = statistics.median(samples)
    rules = sum(len(v) for v in m.ruleset("node-1").nat.values())
    print(
        f"  {services:>5} Services ({rules:>5} nat rules): one endpoint change -> "
        f"node rules {total:7.3f} ms "
        f"(+ {refresh:6.3f} ms index refresh); "
        f"iptables-save text {timed(lambda: m.ruleset('node-1').save(), 1):6.3f} ms"
    )


def main() -> None:
    print(f"Network model benchmark: {NODES} nodes, {PODS} pods")
    start = time.perf_counter()
    b = build(100)
    print(f"  build objects {1000 * (time.perf_counter() - start):.0f} ms")
    start = time.perf_counter()
    b.model().refresh()
    print(f"  first index + graph build {1000 * (time.perf_counter() - start):.0f} ms")
    bench_traces(b)
    for services in (10, 1000):
        bench_rules(services)


if __name__ == "__main__":
    main()
