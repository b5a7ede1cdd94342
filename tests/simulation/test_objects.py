"""Facts about API objects every layer reads the same way (simulation/objects.py).

Selector semantics follow apimachinery's labels.Selector (pkg/labels/selector.go):
`NotIn` and `DoesNotExist` match an object without the key, `In` and `Exists` do
not; readiness is podutil.IsPodReady; the control-plane label and taint are
kubeadm's (`node-role.kubernetes.io/control-plane`).
"""

from __future__ import annotations

import pytest

from simulation import Cluster
from simulation.objects import (
    CONTROL_PLANE_LABEL,
    is_control_plane,
    is_ready,
    matches,
    owner_keys,
    pod_status,
)

WEB = {"app": "web", "tier": "front"}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ({"app": "web"}, WEB, True),  # a Service's plain map
        ({"app": "db"}, WEB, False),
        ({"matchLabels": {"app": "web"}}, WEB, True),
        (
            {"matchExpressions": [{"key": "app", "operator": "In", "values": ["web"]}]},
            WEB,
            True,
        ),
        (
            {"matchExpressions": [{"key": "env", "operator": "In", "values": ["x"]}]},
            WEB,
            False,
        ),
        (
            {
                "matchExpressions": [
                    {"key": "env", "operator": "NotIn", "values": ["x"]}
                ]
            },
            WEB,
            True,
        ),
        ({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, WEB, True),
        ({"matchExpressions": [{"key": "env", "operator": "Exists"}]}, WEB, False),
        ({"matchExpressions": [{"key": "env", "operator": "DoesNotExist"}]}, WEB, True),
        (
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}],
            },
            WEB,
            False,
        ),
    ],
)
def test_a_selector_matches_as_apimachinery_does(selector, labels, expected):
    assert matches(selector, labels) is expected


def test_a_running_pod_is_ready_only_with_a_true_ready_condition(cluster, k8s):
    """STATUS says Running while the Ready condition can still be False."""
    k8s.apply(cluster, k8s.pod("solo"))
    cluster.settle()
    pod = cluster.store.get("pods", "default", "solo")
    assert pod_status(pod) == "Running" and is_ready(pod)
    unready = {
        **pod,
        "status": {
            **pod["status"],
            "conditions": [{"type": "Ready", "status": "False"}],
        },
    }
    assert pod_status(unready) == "Running" and not is_ready(unready)


def test_the_control_plane_node_is_the_one_kubeadm_labels():
    cluster = Cluster(seed=1, nodes=2)
    roles = {
        n["metadata"]["name"]: is_control_plane(n) for n in cluster.store.list("nodes")
    }
    assert roles == {"control-plane": True, "node-1": False, "node-2": False}
    control = cluster.store.get("nodes", None, "control-plane")
    assert CONTROL_PLANE_LABEL in control["metadata"]["labels"]
    assert {"key": CONTROL_PLANE_LABEL, "effect": "NoSchedule"} in control["spec"][
        "taints"
    ]


def test_a_pod_names_its_replicaset_as_a_work_queue_key(cluster, k8s):
    k8s.apply(cluster, k8s.deployment("web", replicas=1))
    cluster.settle()
    pod = k8s.pods(cluster, "web")[0]
    (key,) = owner_keys(pod, "ReplicaSet", "replicasets")
    rs = cluster.store.list("replicasets", "default")[0]
    assert key == f"/registry/replicasets/default/{rs['metadata']['name']}"
