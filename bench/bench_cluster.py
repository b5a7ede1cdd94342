"""How the cluster model scales: build, mass apply + settle, and one small change.

Run: .venv/bin/python bench/bench_cluster.py [--nodes 1000] [--deployments 300]
     [--replicas 100] [--small 10] [--profile FILE]

Prints wall-clock seconds (time.perf_counter) for:
  * building (booting and settling) an N-node cluster,
  * applying D Deployments x R replicas and settling every pod to Running,
  * a single-object change (scale one Deployment of R replicas by +1) on a
    small cluster (a few such Deployments) and on the big one: the steps it
    takes to settle, the time per step, and the JSON size of the largest view
    delta among those steps;
  * stepping back 1 and 50 steps and forward again.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from simulation import Cluster  # noqa: E402
from simulation.config import ClusterConfig, Limits  # noqa: E402


def big_config() -> ClusterConfig:
    """Limits and a pod range big enough for 1,000 nodes and 30,000 pods."""
    return ClusterConfig(
        pod_cidr="10.0.0.0/8",
        limits=Limits(
            nodes=5000, pods=200_000, objects_per_apply=5000, manifest_bytes=2**26
        ),
    )


def deployment(i: int, replicas: int, image: str = "nginx:1.27") -> dict:
    labels = {"app": f"app-{i}"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": f"app-{i}", "namespace": "default"},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "web",
                            "image": image,
                            "ports": [{"containerPort": 80}],
                            "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}},
                        }
                    ]
                },
            },
        },
    }


def service(i: int) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": f"app-{i}", "namespace": "default"},
        "spec": {"selector": {"app": f"app-{i}"}, "ports": [{"port": 80}]},
    }


CPU = {"seconds": 0.0}


def timed(fn):
    """Wall-clock seconds of fn(); its CPU seconds are kept in CPU["seconds"]."""
    start, cpu = time.perf_counter(), time.process_time()
    value = fn()
    CPU["seconds"] = time.process_time() - cpu
    return time.perf_counter() - start, value


def build(nodes: int) -> tuple[float, Cluster]:
    return timed(lambda: Cluster(seed=1, nodes=nodes, config=big_config()))


def populate(cluster: Cluster, deployments: int, replicas: int) -> tuple[float, int]:
    objects = []
    for i in range(deployments):
        objects += [service(i), deployment(i, replicas)]

    def work():
        result = cluster.act({"op": "apply", "objects": objects})
        assert result.ok, result.error
        return 1 + len(cluster.settle(max_steps=10_000_000))

    return timed(work)


def small_change(cluster: Cluster, rounds: int = 7) -> dict:
    """Scale app-0 up by one and settle, `rounds` times; medians per step.

    Each round is about 14 steps: the apply, the Deployment and ReplicaSet
    controllers, the scheduler, the kubelet, endpoints and kube-proxy.
    """
    walls, cpus, sizes, steps = [], [], [], 0
    for _ in range(rounds):
        deploy = cluster.store.get("deployments", "default", "app-0")
        obj = deployment(0, deploy["spec"]["replicas"] + 1)
        start, cpu = time.perf_counter(), time.process_time()
        result = cluster.act({"op": "apply", "objects": [obj]})
        assert result.ok, result.error
        events = [result.event, *cluster.settle()]
        walls.append((time.perf_counter() - start) / len(events))
        cpus.append((time.process_time() - cpu) / len(events))
        sizes += [len(json.dumps(cluster.delta(e))) for e in events]
        steps = len(events)
    running = sum(
        1
        for p in cluster.store.list("pods", "default")
        if p.get("status", {}).get("phase") == "Running"
    )
    return {
        "steps": steps,
        "per_step_ms": round(1000 * statistics.median(walls), 3),
        "per_step_cpu_ms": round(1000 * statistics.median(cpus), 3),
        "max_delta_bytes": max(sizes),
        "running": running,
    }


def back_and_forth(cluster: Cluster) -> dict:
    """Step back 1 and 50 steps, and forward again, timing each."""
    now = cluster.step_no
    t_back1, _ = timed(lambda: cluster.back(1))
    t_fwd1, _ = timed(lambda: cluster.seek(now))
    t_back50, _ = timed(lambda: cluster.back(50))
    t_fwd50, _ = timed(lambda: cluster.seek(now))
    return {
        "back1_ms": round(1000 * t_back1, 2),
        "fwd1_ms": round(1000 * t_fwd1, 2),
        "back50_ms": round(1000 * t_back50, 2),
        "fwd50_ms": round(1000 * t_fwd50, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--deployments", type=int, default=300)
    parser.add_argument("--replicas", type=int, default=100)
    parser.add_argument("--small", type=int, default=10, help="nodes, small cluster")
    parser.add_argument("--profile", help="write cProfile stats of the big run here")
    args = parser.parse_args(argv)

    # the small cluster runs Deployments of the same size, so that the one scaled
    # below is the same object in both and only the cluster around it differs
    few = max(args.deployments // 100, 3)
    print(f"# small cluster: {args.small} nodes, {few} x {args.replicas} pods")
    t, small = build(args.small)
    print(f"build {args.small} nodes: {t:.2f} s (cpu {CPU['seconds']:.2f} s)")
    t, steps = populate(small, few, args.replicas)
    print(
        f"apply + settle {small.store.count('pods')} pods: {t:.2f} s"
        f" (cpu {CPU['seconds']:.2f} s), {steps} steps"
    )

    profiler = cProfile.Profile() if args.profile else None
    if profiler:
        profiler.enable()
    print(f"# big cluster: {args.nodes} nodes, {args.deployments} x {args.replicas}")
    t, big = build(args.nodes)
    print(f"build {args.nodes} nodes: {t:.2f} s (cpu {CPU['seconds']:.2f} s)")
    t, steps = populate(big, args.deployments, args.replicas)
    running = sum(
        1 for p in big.store.list("pods") if p["status"].get("phase") == "Running"
    )
    print(
        f"apply + settle {big.store.count('pods')} pods: {t:.2f} s"
        f" (cpu {CPU['seconds']:.2f} s), {steps} steps, {running} Running"
    )
    if profiler:
        profiler.disable()
        profiler.dump_stats(args.profile)
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(25)
    # the same small change on both clusters, interleaved so that whatever else
    # the machine is doing weighs on both alike
    rounds = {"small": [], "big": []}
    for _ in range(5):
        rounds["small"].append(small_change(small, rounds=3))
        rounds["big"].append(small_change(big, rounds=3))
    for name, results in rounds.items():
        print(
            f"{name} change:",
            json.dumps(
                {
                    "steps": results[-1]["steps"],
                    "per_step_ms": statistics.median(r["per_step_ms"] for r in results),
                    "per_step_cpu_ms": statistics.median(
                        r["per_step_cpu_ms"] for r in results
                    ),
                    "max_delta_bytes": max(r["max_delta_bytes"] for r in results),
                }
            ),
        )
    print("small back/forward:", json.dumps(back_and_forth(small)))
    print("big back/forward:", json.dumps(back_and_forth(big)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
