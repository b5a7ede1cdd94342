"""kube-scheduler: filters, scores, binds; explains why a pod stays Pending."""

from __future__ import annotations

from simulation.control_plane.scheduler import _nodes_to_find, decisions


def _pod(cluster, name):
    return cluster.store.get("pods", "default", name)


def test_a_pod_is_bound_to_a_worker_and_never_the_tainted_control_plane(cluster, k8s):
    """The control-plane taint keeps ordinary pods off it."""
    k8s.apply(cluster, k8s.deployment("web", replicas=9))
    nodes = {p["spec"]["nodeName"] for p in k8s.pods(cluster, "web")}
    assert nodes == {"node-1", "node-2", "node-3"}


def test_replicas_are_spread_evenly_over_equal_nodes(cluster, k8s):
    """Spreading a workload's pods: 6 replicas on 3 equal nodes give 2 each."""
    k8s.apply(cluster, k8s.deployment("web", replicas=6))
    per_node: dict[str, int] = {}
    for p in k8s.pods(cluster, "web"):
        per_node[p["spec"]["nodeName"]] = per_node.get(p["spec"]["nodeName"], 0) + 1
    assert sorted(per_node.values()) == [2, 2, 2]


def test_pod_whose_requests_exceed_every_node_stays_pending(cluster, k8s):
    """kubectl's own message: 0/4 nodes are available, with a count per reason."""
    k8s.apply(cluster, k8s.pod("huge", cpu="100"))
    pod = _pod(cluster, "huge")
    assert k8s.phase(pod) == "Pending" and not pod["spec"].get("nodeName")
    cond = pod["status"]["conditions"][0]
    assert cond["reason"] == "Unschedulable" and cond["status"] == "False"
    assert cond["message"] == (
        "0/4 nodes are available: 1 node(s) had untolerated taint"
        " {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu."
        " preemption: 0/4 nodes are available: 1 Preemption is not helpful for"
        " scheduling, 3 No preemption victims found for incoming pod."
    )


def test_failed_scheduling_is_recorded_as_a_warning_event(cluster, k8s):
    """`kubectl get events` shows FailedScheduling from default-scheduler."""
    k8s.apply(cluster, k8s.pod("huge", memory="1Ti"))
    events = [
        e
        for e in cluster.store.list("events", "default")
        if e["reason"] == "FailedScheduling"
    ]
    assert len(events) == 1
    assert events[0]["type"] == "Warning"
    assert events[0]["source"]["component"] == "default-scheduler"
    assert "3 Insufficient memory" in events[0]["message"]


def test_a_pending_pod_is_scheduled_when_a_node_joins(cluster, k8s):
    """Adding a node gives unschedulable pods another chance."""
    k8s.apply(cluster, k8s.pod("big", cpu="3"), k8s.pod("big2", cpu="3"))
    k8s.apply(cluster, k8s.pod("big3", cpu="3"), k8s.pod("big4", cpu="3"))
    pending = [p for p in k8s.pods(cluster) if not p["spec"].get("nodeName")]
    assert len(pending) == 1
    assert cluster.act({"op": "set", "nodes": 4}).ok
    cluster.settle()
    assert all(p["spec"].get("nodeName") for p in k8s.pods(cluster))


def test_node_selector_limits_the_candidates(cluster, k8s):
    """A nodeSelector matching one node's label puts every replica there."""
    k8s.set_spec(
        cluster,
        "nodes",
        "node-2",
        lambda n: n["metadata"]["labels"].update(disk="ssd"),
    )
    k8s.apply(cluster, k8s.deployment("db", replicas=3, nodeSelector={"disk": "ssd"}))
    assert {p["spec"]["nodeName"] for p in k8s.pods(cluster, "db")} == {"node-2"}


def test_unmatched_node_selector_explains_itself(cluster, k8s):
    """No node has the label: the message says so for each worker."""
    k8s.apply(cluster, k8s.pod("picky", nodeSelector={"gpu": "yes"}))
    message = _pod(cluster, "picky")["status"]["conditions"][0]["message"]
    assert "3 node(s) didn't match Pod's node affinity/selector" in message


def test_required_node_affinity_is_honoured(cluster, k8s):
    """requiredDuringScheduling… NotIn keeps pods off the named nodes."""
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [
                    {
                        "matchExpressions": [
                            {
                                "key": "kubernetes.io/hostname",
                                "operator": "NotIn",
                                "values": ["node-1", "node-2"],
                            }
                        ]
                    }
                ]
            }
        }
    }
    k8s.apply(cluster, k8s.deployment("web", replicas=4, affinity=affinity))
    assert {p["spec"]["nodeName"] for p in k8s.pods(cluster, "web")} == {"node-3"}


def test_preferred_node_affinity_attracts_pods(cluster, k8s):
    """A weight-100 preference beats spreading for a small workload."""
    affinity = {
        "nodeAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "preference": {
                        "matchExpressions": [
                            {
                                "key": "kubernetes.io/hostname",
                                "operator": "In",
                                "values": ["node-3"],
                            }
                        ]
                    },
                }
            ]
        }
    }
    k8s.apply(cluster, k8s.deployment("web", replicas=2, affinity=affinity))
    assert {p["spec"]["nodeName"] for p in k8s.pods(cluster, "web")} == {"node-3"}


def test_a_taint_repels_pods_without_a_toleration(cluster, k8s):
    """NoSchedule taint on node-1: nothing new lands there."""
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    k8s.set_spec(cluster, "nodes", "node-1", lambda n: n["spec"].update(taints=[taint]))
    k8s.apply(cluster, k8s.deployment("web", replicas=6))
    assert "node-1" not in {p["spec"]["nodeName"] for p in k8s.pods(cluster, "web")}


def test_a_toleration_lets_a_pod_onto_a_tainted_node(cluster, k8s):
    """With a matching toleration and a selector, the pod runs on the tainted node."""
    taint = {"key": "dedicated", "value": "db", "effect": "NoSchedule"}
    k8s.set_spec(cluster, "nodes", "node-1", lambda n: n["spec"].update(taints=[taint]))
    toleration = {
        "key": "dedicated",
        "operator": "Equal",
        "value": "db",
        "effect": "NoSchedule",
    }
    k8s.apply(
        cluster,
        k8s.pod(
            "db",
            tolerations=[toleration],
            nodeSelector={"kubernetes.io/hostname": "node-1"},
        ),
    )
    assert _pod(cluster, "db")["spec"]["nodeName"] == "node-1"


def test_cordoned_node_gets_no_new_pods(cluster, k8s):
    """spec.unschedulable (kubectl cordon) filters the node out."""
    k8s.set_spec(
        cluster, "nodes", "node-2", lambda n: n["spec"].update(unschedulable=True)
    )
    k8s.apply(cluster, k8s.deployment("web", replicas=6))
    assert "node-2" not in {p["spec"]["nodeName"] for p in k8s.pods(cluster, "web")}


def test_cordon_does_not_move_running_pods(cluster, k8s):
    """Cordoning only stops new placements; pods already there keep running."""
    k8s.apply(cluster, k8s.deployment("web", replicas=3))
    before = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in k8s.pods(cluster)}
    k8s.set_spec(
        cluster, "nodes", "node-2", lambda n: n["spec"].update(unschedulable=True)
    )
    cluster.settle()
    after = {p["metadata"]["name"]: p["spec"]["nodeName"] for p in k8s.pods(cluster)}
    assert after == before


def test_drain_moves_pods_off_a_cordoned_node(cluster, k8s):
    """Cordon then delete (evict) its pods: replacements land on other nodes."""
    k8s.apply(cluster, k8s.deployment("web", replicas=6))
    k8s.set_spec(
        cluster, "nodes", "node-2", lambda n: n["spec"].update(unschedulable=True)
    )
    for p in k8s.pods(cluster, "web"):
        if p["spec"]["nodeName"] == "node-2":
            cluster.api.delete("pods", "default", p["metadata"]["name"], "kubectl")
    cluster.settle()
    web = k8s.pods(cluster, "web")
    assert len(web) == 6 and all(p["spec"]["nodeName"] != "node-2" for p in web)


def test_too_many_pods_is_a_filter_reason(k8s):
    """A node's allocatable pod count is a hard limit ("Too many pods")."""
    from simulation import Cluster
    from simulation.config import ClusterConfig

    small = Cluster(seed=1, nodes=1, config=ClusterConfig(node_max_pods=4))
    k8s.apply(small, k8s.deployment("web", replicas=4, cpu="1m", memory="1Mi"))
    pending = [p for p in k8s.pods(small, "web") if not p["spec"].get("nodeName")]
    assert pending  # coredns pods took two of the four slots
    message = pending[0]["status"]["conditions"][0]["message"]
    assert "1 Too many pods" in message


def test_the_decision_records_every_node_verdict(cluster, k8s):
    """The scheduler's decisions keep each node's filter result and score."""
    k8s.apply(cluster, k8s.pod("solo"))
    decision = decisions(cluster.state)["/registry/pods/default/solo"]
    assert decision["node"] == _pod(cluster, "solo")["spec"]["nodeName"]
    assert set(decision["nodes"]) == {"control-plane", "node-1", "node-2", "node-3"}
    assert decision["nodes"]["control-plane"]["filter"].startswith(
        "node(s) had untolerated taint"
    )
    assert "total" in decision["nodes"][decision["node"]]


def test_percentage_of_nodes_to_score_follows_kubernetes():
    """All nodes up to 100; 42% of 1,000 (50 - 1000/125); never below 100."""
    assert _nodes_to_find(50) == 50
    assert _nodes_to_find(100) == 100
    assert _nodes_to_find(1000) == 420
    assert _nodes_to_find(150) == 100
    assert _nodes_to_find(5000) == 500
