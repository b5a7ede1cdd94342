"""`kubectl describe hpa` and `kubectl describe ingress`, and the HPA's events."""

from __future__ import annotations

import re

from simulation.control_plane.controllers.hpa import SYNC_PERIOD


def _hpa(cpu: int = 50, high: int = 10) -> dict:
    return {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "web", "namespace": "default"},
        "spec": {
            "scaleTargetRef": {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "name": "web",
            },
            "minReplicas": 1,
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


def _ingress(rules: list | None = None, **spec) -> dict:
    paths = [
        {
            "path": "/",
            "pathType": "Prefix",
            "backend": {"service": {"name": "web", "port": {"number": 80}}},
        },
        {
            "path": "/api",
            "pathType": "Prefix",
            "backend": {"service": {"name": "api", "port": {"number": 8080}}},
        },
    ]
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "shop",
            "namespace": "default",
            "annotations": {"nginx.ingress.kubernetes.io/rewrite-target": "/"},
        },
        "spec": {
            "ingressClassName": "nginx",
            "rules": (
                [{"host": "shop.example.com", "http": {"paths": paths}}]
                if rules is None
                else rules
            ),
            **spec,
        },
    }


def _scaled_to_three(cluster, k8s):
    """1 pod requesting 100m under 0.12 cores: 120% of requests against 50%,
    desired = ceil(1 × 120/50) = 3."""
    k8s.apply(cluster, k8s.deployment("web", replicas=1), _hpa())
    assert cluster.act({"op": "load", "deployment": "default/web", "cores": 0.12}).ok
    cluster.run(until=cluster.time + SYNC_PERIOD + 1)
    cluster.settle()


def test_hpa_records_successful_rescale_events(cluster, k8s, kc):
    """pkg/controller/podautoscaler/horizontal.go (reconcileAutoscaler): after a
    rescale the controller records Normal SuccessfulRescale "New size: %d; reason:
    %s", the reason "<metric name> above target" on the way up."""
    _scaled_to_three(cluster, k8s)
    out = kc.ok(cluster, "kubectl get events")
    line = next(x for x in out.splitlines() if "SuccessfulRescale" in x)
    assert line.split()[1] == "Normal"
    assert "horizontalpodautoscaler/web" in line
    assert line.endswith(
        "New size: 3; reason: cpu resource utilization (percentage of request)"
        " above target"
    )


def test_describe_hpa_prints_metrics_replicas_conditions_and_events(cluster, k8s, kc):
    """kubectl pkg/describe/describe.go, describeHorizontalPodAutoscalerV2: the
    Resource metric line `resource cpu on pods  (as a percentage of request):
    <util>% (<averageValue>) / <target>%`, `Deployment pods: N current / N desired`
    and the Type/Status/Reason/Message Conditions table; the condition reasons and
    messages are horizontal.go's (SucceededRescale, ValidMetricFound,
    DesiredWithinRange)."""
    _scaled_to_three(cluster, k8s)
    out = kc.ok(cluster, "kubectl describe hpa web")
    lines = out.splitlines()
    assert lines[0].split() == ["Name:", "web"]
    assert [x.split(":")[0] for x in lines[:7]] == [
        "Name",
        "Namespace",
        "Labels",
        "Annotations",
        "CreationTimestamp",
        "Reference",
        "Metrics",
    ]
    assert re.search(r"^Reference:\s+Deployment/web$", out, re.M)
    assert re.search(r"^Metrics:\s+\( current / target \)$", out, re.M)
    # 120m over one pod: 120% of its 100m request, averageValue 120m
    assert (
        "  resource cpu on pods  (as a percentage of request):  120% (120m) / 50%"
        in lines
    )
    assert re.search(r"^Min replicas:\s+1$", out, re.M)
    assert re.search(r"^Max replicas:\s+10$", out, re.M)
    assert re.search(r"^Deployment pods:\s+1 current / 3 desired$", out, re.M)
    at = lines.index("Conditions:")
    assert lines[at + 1].split() == ["Type", "Status", "Reason", "Message"]
    table = [re.split(r"\s{2,}", x.strip()) for x in lines[at + 3 : at + 6]]
    assert table == [
        [
            "AbleToScale",
            "True",
            "SucceededRescale",
            "the HPA controller was able to update the target scale to 3",
        ],
        [
            "ScalingActive",
            "True",
            "ValidMetricFound",
            "the HPA was able to successfully calculate a replica count from cpu"
            " resource utilization (percentage of request)",
        ],
        [
            "ScalingLimited",
            "False",
            "DesiredWithinRange",
            "the desired count is within the acceptable range",
        ],
    ]
    assert lines[at + 6] == "Events:"
    assert "SuccessfulRescale" in out and "New size: 3;" in out


def test_describe_horizontalpodautoscaler_caps_at_max_replicas(cluster, k8s, kc):
    """horizontal.go, convertDesiredReplicasWithBehaviorRate: a recommendation
    above maxReplicas sets ScalingLimited True, TooManyReplicas; the long name
    `horizontalpodautoscaler` describes the same object."""
    k8s.apply(cluster, k8s.deployment("web", replicas=1), _hpa(high=2))
    assert cluster.act({"op": "load", "deployment": "default/web", "cores": 0.12}).ok
    cluster.run(until=cluster.time + SYNC_PERIOD + 1)
    out = kc.ok(cluster, "kubectl describe horizontalpodautoscaler web")
    assert re.search(
        r"^  ScalingLimited\s+True\s+TooManyReplicas\s+the desired replica count is"
        r" more than the maximum replica count$",
        out,
        re.M,
    )
    assert re.search(r"^Deployment pods:\s+1 current / 2 desired$", out, re.M)


def test_describe_hpa_before_its_first_sync(cluster, k8s, kc):
    """describeHorizontalPodAutoscalerV2 with no status yet: `<unknown> / 50%`,
    `0 current / 0 desired`, no Conditions section."""
    k8s.apply(cluster, _hpa())
    out = kc.ok(cluster, "kubectl describe hpa web")
    assert "  resource cpu on pods  (as a percentage of request):  <unknown> / 50%" in (
        out.splitlines()
    )
    assert re.search(r"^Deployment pods:\s+0 current / 0 desired$", out, re.M)
    assert "Conditions:" not in out


def test_describe_ingress_rules_with_backends_and_endpoints(cluster, k8s, kc):
    """kubectl pkg/describe/describe.go, describeIngressV1 and describeBackendV1:
    Labels before Namespace, `Ingress Class:`, `Default backend: <default>`, a
    Rules table whose host row is followed by one `path  service:port (endpoints)`
    row per path, a missing Service shown as kubectl's Get error, Annotations
    after the rules."""
    k8s.apply(cluster, k8s.deployment("web", replicas=2), k8s.service("web"))
    k8s.apply(cluster, _ingress())
    cluster.settle()
    ips = sorted(p["status"]["podIP"] for p in k8s.pods(cluster, "web"))
    out = kc.ok(cluster, "kubectl describe ingress shop")
    lines = out.splitlines()
    assert [x.split(":")[0] for x in lines[:6]] == [
        "Name",
        "Labels",
        "Namespace",
        "Address",
        "Ingress Class",
        "Default backend",
    ]
    assert re.search(r"^Ingress Class:\s+nginx$", out, re.M)
    assert re.search(r"^Default backend:\s+<default>$", out, re.M)
    at = lines.index("Rules:")
    assert lines[at + 1].split() == ["Host", "Path", "Backends"]
    assert lines[at + 2].split() == ["----", "----", "--------"]
    assert lines[at + 3].strip() == "shop.example.com"
    web = lines[at + 4].split(None, 2)
    assert web[:2] == ["/", "web:80"]
    shown = web[2].strip("()").split(",")
    assert sorted(shown) == [f"{ip}:80" for ip in ips]
    assert re.split(r"\s{2,}", lines[at + 5].strip()) == [
        "/api",
        'api:8080 (<error: services "api" not found>)',
    ]
    assert re.search(
        r"^Annotations:\s+nginx.ingress.kubernetes.io/rewrite-target: /$",
        out,
        re.M,
    )
    assert lines.index("Rules:") < lines.index(
        next(x for x in lines if x.startswith("Annotations:"))
    )
    assert lines[-1].split() == ["Events:", "<none>"]


def test_describe_ingress_without_rules_shows_the_default_backend(cluster, k8s, kc):
    """describeIngressV1: with no HTTP rules the table has one `*  *  <default
    backend>` row, and a Service default backend with no endpoints is
    `web:80 (<none>)`."""
    k8s.apply(cluster, k8s.service("web"))
    default = {"service": {"name": "web", "port": {"number": 80}}}
    k8s.apply(cluster, _ingress(rules=[], defaultBackend=default))
    out = kc.ok(cluster, "kubectl describe ing shop")
    assert re.search(r"^Default backend:\s+web:80 \(<none>\)$", out, re.M)
    assert re.search(r"^  \*\s+\*\s+web:80 \(<none>\)$", out, re.M)
