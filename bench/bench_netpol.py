"""Times NetworkPolicy checks on a large cluster.

    .venv/bin/python bench/bench_netpol.py

100 nodes, 3,000 pods in 50 namespaces and 500 NetworkPolicies (10 a namespace:
a default deny, allows by pod label, by namespace label, both in one peer, port
lists with named ports and ranges, ipBlocks with except, egress rules). Prints the
cost of one trace's policy checks (egress at the source and ingress at the
destination; goal from issue 17: under 2 ms), the first check after the policies
changed (compiling all 500), and a whole trace with the checks in it. Objects come
from the test builders (a fake store), so the numbers are the model's own cost.
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

from simulation.network.trace import run_trace  # noqa: E402

NODES, PODS, NAMESPACES, POLICIES = 100, 3000, 50, 500


def policy(ns: str, name: str, spec: dict) -> dict:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": name, "namespace": ns},
        "spec": spec,
    }


def policies_for(ns: str, i: int) -> list[dict]:
    """Ten policies for namespace `ns`, in the shapes courses teach."""
    app = {"matchLabels": {"app": f"app-{i % 6}"}}
    team = {"matchLabels": {"team": f"t{i % 5}"}}
    out = [policy(ns, "default-deny", {"podSelector": {}, "ingress": []})]
    for k in range(9):
        selector = {"matchLabels": {"app": f"app-{k % 6}"}}
        rules = [
            {"from": [{"podSelector": app}], "ports": [{"port": 80}]},
            {"from": [{"namespaceSelector": team, "podSelector": app}]},
            {
                "from": [
                    {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.244.7.0/24"]}}
                ],
                "ports": [{"port": "http"}, {"port": 8000, "endPort": 8100}],
            },
        ]
        spec = {"podSelector": selector, "ingress": rules[: 1 + k % 3]}
        if k % 3 == 0:
            spec["egress"] = [
                {"to": [{"namespaceSelector": team}], "ports": [{"port": 53}]},
                {"to": [{"podSelector": app}]},
            ]
        out.append(policy(ns, f"policy-{k}", spec))
    return out


def build() -> ClusterBuilder:
    b = ClusterBuilder(nodes=NODES)
    for n in range(NAMESPACES):
        ns = f"ns-{n:02d}"
        labels = {"kubernetes.io/metadata.name": ns, "team": f"t{n % 5}"}
        b.store.put(
            "namespaces",
            {"kind": "Namespace", "metadata": {"name": ns, "labels": labels}},
        )
    for i in range(PODS):
        ns = f"ns-{i % NAMESPACES:02d}"
        b.pod(
            f"pod-{i:04d}",
            f"node-{i % NODES + 1}",
            labels={"app": f"app-{i % 7}", "tier": f"tier-{i % 3}"},
            ns=ns,
            containers={"app": [{"containerPort": 80, "name": "http"}]},
        )
    for n in range(NAMESPACES):
        for obj in policies_for(f"ns-{n:02d}", n):
            b.store.put("networkpolicies", obj)
    return b


def timed(fn, repeat: int) -> float:
    """Median wall time of fn() in milliseconds."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    b = build()
    m = b.model()
    idx = m.idx
    pods = [idx.pods[k] for k in sorted(idx.pods)]
    assert len(m.policies) == POLICIES, len(m.policies)
    rng = random.Random(1)
    pairs = [(rng.choice(pods), rng.choice(pods)) for _ in range(2000)]
    for src, dst in pairs:  # warm: which policies select each pod
        m.policies.evaluate(src, dst, "tcp", 80)
    it = iter(pairs * 3)

    def one_trace_checks() -> None:
        src, dst = next(it)
        m.policies.evaluate(src, dst, "tcp", 80)

    ms = timed(one_trace_checks, 2000)
    print(f"{NODES} nodes, {PODS} pods, {NAMESPACES} namespaces, {POLICIES} policies")
    print(f"  one trace's policy checks (egress + ingress), warm  {ms:7.4f} ms")
    worst = max(
        timed(lambda s=s, d=d: m.policies.evaluate(s, d, "tcp", 80), 5)
        for s, d in pairs[:200]
    )
    print(
        f"  slowest pair of 200 (median of 5 each)              {ms and worst:7.4f} ms"
    )

    n = [0]

    def after_policy_change() -> None:
        n[0] += 1
        obj = policy("ns-00", "churn", {"podSelector": {}, "ingress": [{}]})
        obj["metadata"]["labels"] = {"n": str(n[0])}
        b.store.put("networkpolicies", obj)
        src, dst = pairs[n[0] % len(pairs)]
        m.policies.evaluate(src, dst, "tcp", 80)

    ms = timed(after_policy_change, 20)
    print(f"  first checks after a policy changed (recompile)    {ms:7.3f} ms")

    # a pair one of ns-00's policies (policy-0: app-0 <- app-0 on port 80) allows
    a = next(p for p in pods if p.namespace == "ns-00" and ("app", "app-0") in p.labels)
    z = next(
        p
        for p in pods
        if p.namespace == "ns-00" and p is not a and a.labels == p.labels
    )
    print(
        f"  ({a.key} -> {z.key}:80: {m.policies.evaluate(a, z, 'tcp', 80)['ingress']})"
    )
    m.trace(a.key, f"{z.ip}:80", rng)
    ms = timed(lambda: run_trace(m, a.key, f"{z.ip}:80", rng), 200)
    print(f"  the walk of that pod -> pod trace, checks included  {ms:7.3f} ms")
    ms = timed(lambda: m.trace(a.key, f"{z.ip}:80", rng), 20)
    print(f"  the same trace with pdu annotation (pdu.py)         {ms:7.3f} ms")


if __name__ == "__main__":
    main()
