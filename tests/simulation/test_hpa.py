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
    """2 pods × 100m under 0.4 cores = 200% of requests against 50%: 8 replicas."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), _hpa())
    _load(cluster, 0.4)
    cluster.run(until=cluster.time + 3 * SYNC_PERIOD)
    cluster.settle()
    assert _replicas(cluster) == 8
    assert len(k8s.pods(cluster, "web")) == 8


def test_scale_up_adds_at_most_100_percent_or_4_pods_per_period(cluster, k8s):
    """desired = ceil(2 × 4) = 8, but one sync goes from 2 to max(4, 6) = 6."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), _hpa())
    _load(cluster, 0.4)
    events = cluster.run(until=cluster.time + SYNC_PERIOD + 1)
    (scaled,) = [e for e in events if e.type == "hpa.scaled"]
    assert "= 8 (limited to 6" in scaled.reason and "from 2 to 6" in scaled.reason


def test_the_hpa_never_exceeds_max_replicas(cluster, k8s):
    """Any load: at most maxReplicas."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), _hpa(high=5))
    _load(cluster, 50)
    cluster.run(until=cluster.time + 4 * SYNC_PERIOD)
    assert _replicas(cluster) == 5


def test_no_load_scales_down_to_min_replicas_after_five_minutes(cluster, k8s):
    """Idle pods: the 300 s stabilization window holds them, then minReplicas."""
    k8s.apply(cluster, k8s.deployment("web", replicas=4), _hpa(low=2))
    _load(cluster, 0.2)
    cluster.run(until=cluster.time + SYNC_PERIOD + 1)  # 50% of 400m: keeps 4
    _load(cluster, 0)
    start = cluster.time
    cluster.run(until=start + 240)
    assert _replicas(cluster) == 4
    cluster.run(until=start + 330)
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
