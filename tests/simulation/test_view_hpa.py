"""What the browser is told about an HPA: metric, target, current and desired
replicas, the fields `kubectl describe hpa` shows (kubectl's describe.go,
HorizontalPodAutoscalerDescriber)."""

from __future__ import annotations

from simulation import view
from simulation.control_plane.controllers.hpa import SYNC_PERIOD
from tests.simulation.test_hpa import _hpa, _load


def test_the_view_of_an_hpa_names_its_metric_target_and_replicas(cluster, k8s):
    k8s.apply(cluster, k8s.deployment("web", replicas=2), _hpa(cpu=60))
    _load(cluster, 0.4)
    cluster.run(until=cluster.time + SYNC_PERIOD + 1)
    (hpa,) = view.snapshot(cluster)["hpas"]
    assert (hpa["metric"], hpa["targetCpu"]) == ("cpu", 60)
    assert hpa["cpu"] == 200  # 0.4 cores over 2 × 100m requests
    assert hpa["current"] == 2 and hpa["desired"] >= 4
    assert (hpa["min"], hpa["max"]) == (1, 10)
