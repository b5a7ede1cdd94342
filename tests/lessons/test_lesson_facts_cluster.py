"""Lessons 1-8: each prediction's answer agrees with facts read from the model."""

from __future__ import annotations

from lessonbuilders import answer_of, frame, lesson_run

from simulation.objects import pod_status


def pods(run, selector=None, node=None):
    found = run.cluster.store.list("pods", "default")
    if selector:
        found = [
            p
            for p in found
            if all(p["metadata"]["labels"].get(k) == v for k, v in selector.items())
        ]
    if node:
        found = [p for p in found if p["spec"].get("nodeName") == node]
    return found


def test_tour_only_the_workers_take_ordinary_pods():
    """Lesson 1: the control-plane node is tainted NoSchedule; two nodes are left."""
    run = lesson_run("01-tour")
    run.goto(0)
    untainted = [
        n["metadata"]["name"]
        for n in run.cluster.store.list("nodes")
        if not any(t["effect"] == "NoSchedule" for t in n["spec"].get("taints") or [])
    ]
    assert untainted == ["node-1", "node-2"]
    assert answer_of(run, 0)["label"] == "2"


def test_tour_control_plane_pods_and_runtime():
    """Lesson 1: etcd runs on control-plane; the kubelet talks to containerd."""
    run = lesson_run("01-tour")
    etcd = run.cluster.store.get("pods", "kube-system", "etcd-control-plane")
    assert etcd["spec"]["nodeName"] == "control-plane"
    assert answer_of(run, 2)["label"] == "control-plane"
    node = run.cluster.store.get("nodes", None, "node-1")
    assert node["status"]["nodeInfo"]["containerRuntimeVersion"].startswith(
        "containerd://"
    )
    assert answer_of(run, 6)["label"] == "containerd, through CRI"


def test_apply_the_replicaset_controller_creates_the_pods():
    """Lesson 2: pods are owned by a ReplicaSet, created by its controller."""
    run = lesson_run("02-apply-deployment")
    run.goto(run.steps - 1)
    owners = {p["metadata"]["ownerReferences"][0]["kind"] for p in pods(run)}
    assert owners == {"ReplicaSet"}
    creators = {e.actor for e in run.cluster.events if e.type == "replicaset.scaled_up"}
    assert creators == {"replicaset-controller"}
    assert answer_of(run, 0)["label"] == "The ReplicaSet controller"
    assert answer_of(run, 1)["label"] == "0"


def test_apply_the_pod_ip_comes_with_the_sandbox():
    """Lesson 2: the IP given at sandbox creation is the running pod's IP."""
    run = lesson_run("02-apply-deployment")
    n, f = frame(run, "The kubelet creates the sandbox")
    sandbox_event = next(
        e for e in run.cluster.events if e.type == "pod.sandbox_created"
    )
    run.goto(run.steps - 1)
    name = sandbox_event.objects[0].split("/")[-1]
    pod = run.cluster.store.get("pods", "default", name)
    assert pod["status"]["podIP"] == sandbox_event.details["ip"]
    assert answer_of(run, n)["value"] is True


def test_self_healing_a_replacement_has_a_new_name_and_ip():
    """Lesson 3: the deleted pod is gone; its replacement differs in name and IP."""
    run = lesson_run("03-self-healing")
    run.goto(0)
    before = {p["metadata"]["name"]: p["status"]["podIP"] for p in pods(run)}
    run.goto(2)
    after = {p["metadata"]["name"]: p["status"]["podIP"] for p in pods(run)}
    gone, new = set(before) - set(after), set(after) - set(before)
    assert len(gone) == len(new) == 1
    assert after[new.pop()] != before[gone.pop()]
    assert answer_of(run, 0)["value"] is False and answer_of(run, 1)["value"] is False


def test_self_healing_a_crashed_container_restarts_in_place():
    """Lesson 3: same pod, same IP, restart count 1."""
    run = lesson_run("03-self-healing")
    run.goto(3)
    before = {p["metadata"]["name"]: p["status"]["podIP"] for p in pods(run)}
    run.goto(4)
    restarted = [
        p
        for p in pods(run)
        if p["status"]["containerStatuses"][0].get("restartCount") == 1
    ]
    assert len(restarted) == 1
    pod = restarted[0]
    assert before[pod["metadata"]["name"]] == pod["status"]["podIP"]
    assert answer_of(run, 3)["value"] is True


def test_node_failure_timeline():
    """Lesson 4: nothing changes at once, NotReady in 40-60 s, eviction 300 s later."""
    run = lesson_run("04-node-failure")
    run.goto(1)
    failed_at = run.cluster.time
    assert answer_of(run, 0)["label"] == "3"
    run.goto(2)
    [marked] = [e for e in run.cluster.events if e.type == "node.not_ready"]
    not_ready = marked.time
    assert 40 <= not_ready - failed_at <= 60
    assert answer_of(run, 1)["label"] == "Roughly 40 to 60 seconds"
    run.goto(3)
    evicted = [e for e in run.cluster.events if e.type == "pod.evicted"]
    assert evicted and all(e.time - not_ready == 300 for e in evicted)
    victim = pods(run, {"app": "web"}, "node-2")[0]
    tolerations = {
        t["key"]: t.get("tolerationSeconds") for t in victim["spec"]["tolerations"]
    }
    assert tolerations["node.kubernetes.io/unreachable"] == 300
    assert answer_of(run, 2)["label"] == "300 seconds after the taint"


def test_node_failure_replacement_lands_on_the_healthy_node_and_stays():
    """Lesson 4: the replacement runs on node-1; nothing moves back to node-2."""
    run = lesson_run("04-node-failure")
    run.goto(4)
    web = [p for p in pods(run, {"app": "web"}) if pod_status(p) == "Running"]
    assert {p["spec"]["nodeName"] for p in web} == {"node-1"}
    assert answer_of(run, 3)["label"] == "node-1"
    run.goto(run.steps - 1)
    assert pods(run, {"app": "web"}, "node-2") == []
    assert answer_of(run, 4)["label"] == "None"


def test_scaling_endpoints_follow_and_the_hpa_stops_at_its_maximum():
    """Lesson 5: 5 endpoints after scaling; the HPA sets maxReplicas, 8."""
    run = lesson_run("05-scaling")
    assert answer_of(run, 0)["label"] == "5"
    run.goto(4)
    hpa = run.cluster.store.get("horizontalpodautoscalers", "default", "web")
    deploy = run.cluster.store.get("deployments", "default", "web")
    assert deploy["spec"]["replicas"] == hpa["spec"]["maxReplicas"] == 8
    assert answer_of(run, 3)["label"] == "8"


def test_scheduler_filters_and_taints():
    """Lesson 6: two big pods fit; cp-agent lands on control-plane; its twin waits."""
    run = lesson_run("06-scheduler")
    run.goto(1)
    big = pods(run, {"app": "big"})
    assert sorted(pod_status(p) for p in big) == ["Pending", "Running", "Running"]
    assert answer_of(run, 0)["label"] == "2: one per worker, the third waits"
    run.goto(run.steps - 1)
    agent = run.cluster.store.get("pods", "default", "cp-agent")
    twin = run.cluster.store.get("pods", "default", "cp-agent-untolerated")
    assert agent["spec"]["nodeName"] == "control-plane"
    assert twin["spec"].get("nodeName") is None
    asked, _ = frame(run, "A pod for the control-plane node")
    assert answer_of(run, asked)["label"] == "control-plane"
    assert answer_of(run, asked + 1)["label"] == "Nowhere, it stays Pending"


def test_scheduler_a_new_label_lets_a_pending_pod_be_scheduled():
    """Lesson 6: fast-disk waits for disktype=ssd, then runs on the labelled node."""
    run = lesson_run("06-scheduler")
    asked, _ = frame(run, "A nodeSelector nobody matches")
    run.goto(asked)
    pod = run.cluster.store.get("pods", "default", "fast-disk")
    assert pod["spec"].get("nodeName") is None
    assert pod["spec"]["nodeSelector"] == {"disktype": "ssd"}
    run.goto(asked + 1)
    node = run.cluster.store.get("nodes", None, "node-2")
    assert node["metadata"]["labels"]["disktype"] == "ssd"
    pod = run.cluster.store.get("pods", "default", "fast-disk")
    assert pod["spec"]["nodeName"] == "node-2"
    assert answer_of(run, asked)["value"] == "node-2"


def test_serviceaccounts_default_and_the_api_server():
    """Lesson 7: default SA, token mounted, the call ends at the API server."""
    run = lesson_run("07-serviceaccounts")
    run.goto(run.steps - 1)
    pod = run.cluster.store.get("pods", "team-a", "reader")
    assert pod["spec"]["serviceAccountName"] == "default"
    mounts = pod["spec"]["containers"][0]["volumeMounts"]
    assert mounts[0]["mountPath"] == "/var/run/secrets/kubernetes.io/serviceaccount"
    trace = run.current()["trace"]
    dnat = next(h for h in trace["hops"] if (h["nat"] or {}).get("type") == "DNAT")
    assert dnat["nat"]["to"] == "192.168.10.10:6443"
    assert dnat["node"] == pod["spec"]["nodeName"]
    assert trace["hops"][-1]["node"] == "control-plane"
    assert answer_of(run, 0)["label"] == "default"
    assert answer_of(run, 1)["label"] == "default, of its namespace"
    assert answer_of(run, 2)["label"].startswith("At the kube-apiserver")


def test_cloud_versus_bare_metal():
    """Lesson 8: <pending> on bare metal; the cloud-controller-manager fills it in."""
    run = lesson_run("08-cloud-vs-bare-metal")
    run.goto(1)
    svc = run.cluster.store.get("services", "default", "web-lb")
    assert not svc["status"]["loadBalancer"].get("ingress")
    assert answer_of(run, 0)["label"] == "<pending>"
    run.goto(3)
    svc = run.cluster.store.get("services", "default", "web-lb")
    assert svc["status"]["loadBalancer"]["ingress"][0]["ip"].startswith("203.0.113.")
    assert answer_of(run, 2)["label"] == "cloud-controller-manager"


def test_scaling_down_waits_for_the_stabilization_window():
    """Lesson 5: after the load falls, replicas stay at 8 for at least 300 s."""
    run = lesson_run("05-scaling")
    fell, _ = frame(run, "Load falls")
    run.goto(fell)
    dropped = run.cluster.time
    run.goto(fell + 1)
    later = [e for e in run.cluster.events if e.time > dropped]
    [down] = [e for e in later if e.type == "hpa.scaled"]
    assert down.time - dropped >= 300
    deploy = run.cluster.store.get("deployments", "default", "web")
    assert deploy["spec"]["replicas"] < 8
    assert answer_of(run, fell)["label"] == "About 5 minutes later"
