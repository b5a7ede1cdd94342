"""The HorizontalPodAutoscaler scales a Deployment on CPU load."""

from __future__ import annotations

from simulation.control_plane.controllers.hpa import SYNC_PERIOD


def _hpa(target="web", low=1, high=10, cpu=50) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": target, "namespace": "default"},
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": target,
            },
            "minReplicas": low,
            "maxReplicas": high,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": cpu},
                    },
                }
            ],
        },
    }


def _replicas(cluster, name="web"):
    return cluster.store.get("deployments", "default", name)["spec"]["replicas"]


def _load(cluster, cores):
    assert cluster.act({"op": "load", "deployment": "default/web", "cores": cores}).ok


def test_load_scales_the_deployment_up(cluster, k8s):
    """2 pods × 100m at 0.4 cores = 200% of requests → ceil(2 × 4) = 8 replicas."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), _hpa())
    _load(cluster, 0.4)
    events = cluster.run(until=cluster.time + SYNC_PERIOD + 1)
    scaled = [e for e in events if e.type == "hpa.scaled"]
    assert scaled and "from 2 to 8" in scaled[0].reason
    cluster.settle()
    assert _replicas(cluster) == 8
    assert len(k8s.pods(cluster, "web")) == 8


def test_the_hpa_never_exceeds_max_replicas(cluster, k8s):
    """Any load: at most maxReplicas."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), _hpa(high=5))
    _load(cluster, 50)
    cluster.run(until=cluster.time + 4 * SYNC_PERIOD)
    assert _replicas(cluster) == 5


def test_no_load_scales_down_to_min_replicas(cluster, k8s):
    """Idle pods: down to minReplicas."""
    k8s.apply(cluster, k8s.deployment("web", replicas=4), _hpa(low=2))
    _load(cluster, 0)
    cluster.run(until=cluster.time + 2 * SYNC_PERIOD)
    assert _replicas(cluster) == 2


def test_load_within_tolerance_changes_nothing(cluster, k8s):
    """Within 10% of the target the replicas stay."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), _hpa(cpu=50))
    _load(cluster, 0.105)  # 52.5% of 200m
    events = cluster.run(until=cluster.time + 2 * SYNC_PERIOD)
    assert not any(e.type == "hpa.scaled" for e in events)
    assert _replicas(cluster) == 2


def test_the_hpa_reports_current_utilisation(cluster, k8s):
    """status.currentMetrics holds the CPU utilisation the decision used."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), _hpa())
    _load(cluster, 0.1)
    cluster.run(until=cluster.time + SYNC_PERIOD + 1)
    hpa = cluster.store.get("horizontalpodautoscalers", "default", "web")
    metric = hpa["status"]["currentMetrics"][0]["resource"]["current"]
    assert metric["averageUtilization"] == 50


def test_hpa_syncs_are_periodic_and_do_not_block_settle(cluster, k8s):
    """settle() returns although the HPA keeps a 15 s timer queued."""
    k8s.apply(cluster, k8s.deployment("web", replicas=1), _hpa())
    assert cluster.queue.only_periodic() and len(cluster.queue) >= 1
