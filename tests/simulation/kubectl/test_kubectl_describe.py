"""describe, logs, version, cluster-info and api-resources."""

from __future__ import annotations

from simulation.kubectl.printers.tabwriter import align


def test_describe_aligns_blocks_like_tabwriter():
    """A line without a tab ends an alignment block, as in Go's tabwriter."""
    text = align("Name:\tweb\nNamespace:\tdefault\nIPs:\n  IP:\t10.0.0.1\nX:\ty", 2)
    assert text.splitlines() == [
        "Name:       web",
        "Namespace:  default",
        "IPs:",
        "  IP:  10.0.0.1",
        "X:     y",
    ]


def test_describe_pod_sections(web, kc):
    name = web.store.list("pods", "default")[0]["metadata"]["name"]
    out = kc.ok(web, f"kubectl describe pod {name}")
    lines = out.splitlines()
    assert lines[0].split() == ["Name:", name]
    for section in ("Containers:", "Conditions:", "Volumes:", "Events:"):
        assert section in lines
    assert any(ln.startswith("Controlled By:  ReplicaSet/web-") for ln in lines)
    assert "Normal  Scheduled" in out and "default-scheduler" in out
    assert "Tolerations:" in out and "op=Exists for 300s" in out


def test_describe_node_lists_its_pods_and_allocations(web, kc):
    out = kc.ok(web, "kubectl describe node node-1")
    assert "Non-terminated Pods:" in out and "Allocated resources:" in out
    assert "  InternalIP:  192.168.10.11" in out.splitlines()


def test_describe_service_shows_endpoints(web, kc):
    out = kc.ok(web, "kubectl describe svc web")
    lines = {
        ln.split(":", 1)[0]: ln.split(":", 1)[1].strip()
        for ln in out.splitlines()
        if ":" in ln and not ln.startswith(" ")
    }
    assert lines["Type"] == "NodePort"
    assert lines["Selector"] == "app=web"
    assert len(lines["Endpoints"].split(",")) == 3


def test_describe_deployment_shows_replicas_and_the_new_replicaset(web, kc):
    out = kc.ok(web, "kubectl describe deployment web")
    assert (
        "Replicas:               3 desired | 3 updated | 3 total | 3 available |"
        " 0 unavailable"
    ) in out
    assert "NewReplicaSet:   web-" in out
    assert "ScalingReplicaSet" in out


def test_describe_without_events_says_none(cluster, kc):
    assert kc.ok(cluster, "kubectl describe node node-1").splitlines()[-1].split() == [
        "Events:",
        "<none>",
    ]


def test_logs_are_simulated_and_typical_of_the_image(web, kc):
    name = web.store.list("pods", "default")[0]["metadata"]["name"]
    out = kc.ok(web, f"kubectl logs {name}").splitlines()
    assert out[0].startswith("# simulated log lines")
    assert any("[notice] 1#1: start worker processes" in ln for ln in out)
    assert kc.ok(web, f"kubectl logs {name}") == kc.ok(web, f"kubectl logs {name}")


def test_logs_of_a_missing_container(web, kc):
    name = web.store.list("pods", "default")[0]["metadata"]["name"]
    assert kc.fails(web, f"kubectl logs {name} -c nope") == (
        f"Error from server (BadRequest): container nope is not valid for pod {name}"
    )


def test_version_and_cluster_info(cluster, kc):
    from simulation.config import KUBERNETES_VERSION

    assert kc.ok(cluster, "kubectl version").splitlines()[-1] == (
        f"Server Version: {KUBERNETES_VERSION}"
    )
    assert kc.ok(cluster, "kubectl cluster-info").splitlines()[0] == (
        "Kubernetes control plane is running at https://192.168.10.10:6443"
    )


def test_api_resources_lists_short_names(cluster, kc):
    rows = {r[0]: r for r in kc.rows(kc.ok(cluster, "kubectl api-resources"))}
    assert rows["deployments"] == [
        "deployments",
        "deploy",
        "apps/v1",
        "true",
        "Deployment",
    ]


def test_describe_an_unscheduled_pod_omits_container_state(cluster, k8s, kc):
    """Until a kubelet reports, describe shows no State, Ready or Restart Count."""
    k8s.apply(cluster, k8s.pod("huge", cpu="64"))
    out = kc.ok(cluster, "kubectl describe pod huge")
    assert "Node:             <none>" in out
    assert "State:" not in out and "Restart Count:" not in out
    assert "Warning  FailedScheduling" in out


def test_top_pods_share_a_deployments_load(web, kc):
    """`sim load` cores are shared by the ready pods; top shows each one's part."""
    idle = kc.rows(kc.ok(web, "kubectl top pods"))
    assert all(int(r[1].rstrip("m")) < 5 for r in idle)
    assert web.act({"op": "load", "deployment": "default/web", "cores": 1.5}).ok
    busy = kc.rows(kc.ok(web, "kubectl top pods"))
    assert kc.header(kc.ok(web, "kubectl top pods")) == [
        "NAME",
        "CPU(cores)",
        "MEMORY(bytes)",
    ]
    assert all(500 <= int(r[1].rstrip("m")) <= 505 for r in busy)


def test_top_nodes_reports_unknown_for_a_failed_node(cluster, kc):
    assert cluster.act({"op": "fail_node", "node": "node-2"}).ok
    rows = {r[0]: r for r in kc.rows(kc.ok(cluster, "kubectl top nodes"))}
    assert rows["node-2"][1:] == ["<unknown>"] * 4
    assert rows["node-1"][2].endswith("%")


def test_describe_replicaset_counts_its_pods(web, kc):
    out = kc.ok(web, "kubectl describe rs")
    assert "Replicas:       3 current / 3 desired" in out
    assert "Pods Status:    3 Running / 0 Waiting / 0 Succeeded / 0 Failed" in out
    assert "Controlled By:  Deployment/web" in out


def test_other_kinds_get_the_generic_describer(cluster, kc):
    out = kc.ok(cluster, "kubectl describe ns kube-system").splitlines()
    assert out[0] == "Name:         kube-system"
    assert "Kind:         Namespace" in out
    assert "  Creation Timestamp:  2026-01-01T00:00:00Z" in out


def test_logs_of_a_crashed_container_end_with_its_exit(web, kc):
    name = web.store.list("pods", "default")[0]["metadata"]["name"]
    assert "previous terminated container" in kc.fails(web, f"kubectl logs {name} -p")
    assert web.act({"op": "crash_container", "pod": f"default/{name}"}).ok
    out = kc.ok(web, f"kubectl logs {name}").splitlines()
    assert out[-1].startswith("(the process exited with code 1 at ")
