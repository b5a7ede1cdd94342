"""simulation.config.Limits hold however a student goes about exceeding them.

The limits are per session: `nodes`, `pods`, `objects_per_apply`, `manifest_bytes`.
Each test lowers one on a small cluster and tries a way round it; the cluster must
refuse with the limit in the message, or never grow past it while it steps.
"""

from __future__ import annotations

import yaml

from simulation import Cluster
from simulation.config import ClusterConfig, Limits
from simulation.errors import SimulationError


def small(**limits) -> Cluster:
    return Cluster(seed=5, config=ClusterConfig(limits=Limits(**limits)))


def deployment(name: str, replicas: int) -> str:
    labels = {"app": name}
    return yaml.safe_dump(
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": name},
            "spec": {
                "replicas": replicas,
                "selector": {"matchLabels": dict(labels)},
                "template": {
                    "metadata": {"labels": dict(labels)},
                    "spec": {
                        "containers": [
                            {
                                "name": "c",
                                "image": "nginx",
                                "resources": {"requests": {"cpu": "1m"}},
                            }
                        ]
                    },
                },
            },
        }
    )


def attempt(cluster: Cluster, action: dict) -> tuple[bool, str]:
    try:
        result = cluster.act(action)
    except SimulationError as exc:
        return False, str(exc)
    return result.ok, (result.output if result.ok else result.error) or ""


def run_for(cluster: Cluster, steps: int) -> None:
    for _ in range(steps):
        if cluster.step() is None:
            return


def test_separate_applies_cannot_add_up_past_the_pod_limit() -> None:
    """Each apply is checked against the pods that exist, and replicas not yet made
    count too."""
    cluster = small(pods=40)
    system_pods = cluster.store.count("pods")
    for i in range(3):
        attempt(cluster, {"op": "apply", "yaml": deployment(f"d{i}", 15)})
    run_for(cluster, 2_000)
    assert cluster.store.count("pods") <= 40, (
        f"{cluster.store.count('pods')} pods ({system_pods} system) with a limit of 40"
    )


def test_scaling_up_step_by_step_cannot_pass_the_pod_limit() -> None:
    cluster = small(pods=30)
    assert attempt(cluster, {"op": "apply", "yaml": deployment("web", 2)})[0]
    for replicas in (10, 20, 40, 80):
        attempt(
            cluster,
            {
                "op": "kubectl",
                "command": f"kubectl scale deploy web --replicas={replicas}",
            },
        )
        run_for(cluster, 400)
    assert cluster.store.count("pods") <= 30


def test_an_hpa_cannot_scale_past_the_pod_limit() -> None:
    cluster = small(pods=30)
    assert attempt(cluster, {"op": "apply", "yaml": deployment("web", 2)})[0]
    hpa = yaml.safe_dump(
        {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "web"},
            "spec": {
                "scaleTargetRef": {
                    "apiVersion": "apps/v1",
                    "kind": "Deployment",
                    "name": "web",
                },
                "minReplicas": 1,
                "maxReplicas": 10_000,
                "metrics": [
                    {
                        "type": "Resource",
                        "resource": {
                            "name": "cpu",
                            "target": {"type": "Utilization", "averageUtilization": 1},
                        },
                    }
                ],
            },
        }
    )
    ok, message = attempt(cluster, {"op": "apply", "yaml": hpa})
    if ok:
        attempt(cluster, {"op": "load", "deployment": "default/web", "cores": 1000})
        run_for(cluster, 1_500)
    assert cluster.store.count("pods") <= 30


def test_nodes_added_by_apply_count_against_the_node_limit() -> None:
    cluster = small(nodes=4)
    nodes = "---\n".join(
        yaml.safe_dump(
            {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"n{i}"}}
        )
        for i in range(5)
    )
    ok, message = attempt(cluster, {"op": "apply", "yaml": nodes})
    assert not ok and "4" in message
    assert cluster.store.count("nodes") <= 4 + 1  # the workers and a control plane


def test_the_object_count_limit_holds_for_a_list_kind() -> None:
    cluster = small(objects_per_apply=3)
    items = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"c{i}"}}
        for i in range(4)
    ]
    text = yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items})
    before = cluster.store.count("configmaps")
    ok, message = attempt(cluster, {"op": "apply", "yaml": text})
    assert not ok and "3" in message
    assert cluster.store.count("configmaps") == before
