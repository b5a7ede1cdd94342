"""scale, cordon, uncordon, drain, set image and rollout status: steps and state."""

from __future__ import annotations


def test_scale_is_a_step_and_the_pods_follow(web, kc):
    step = web.step_no
    assert kc.ok(web, "kubectl scale deployment/web --replicas=5") == (
        "deployment.apps/web scaled"
    )
    assert web.step_no == step + 1
    event = web.events[-1]
    assert event.type == "kubectl.scale" and event.actor == "kubectl"
    assert "deployments/default/web" in event.objects
    assert any(c.verb == "PATCH" for c in event.api_calls)
    web.settle()
    assert len(web.store.list("pods", "default")) == 5
    kc.ok(web, "kubectl scale deploy web --replicas=1")
    web.settle()
    assert len(web.store.list("pods", "default")) == 1


def test_rollout_status_waits_then_reports_success(web, kc):
    kc.ok(web, "kubectl scale deployment/web --replicas=4")
    assert kc.ok(web, "kubectl rollout status deployment/web").startswith("Waiting")
    web.settle()
    assert kc.ok(web, "kubectl rollout status deployment/web") == (
        'deployment "web" successfully rolled out'
    )


def test_set_image_starts_a_rolling_update(web, kc):
    kc.ok(web, "kubectl set image deployment/web nginx=nginx:1.28")
    web.settle()
    images = {
        p["spec"]["containers"][0]["image"] for p in web.store.list("pods", "default")
    }
    assert images == {"nginx:1.28"}


def test_cordon_and_uncordon(cluster, kc):
    step = cluster.step_no
    assert kc.ok(cluster, "kubectl cordon node-1") == "node/node-1 cordoned"
    assert cluster.step_no == step + 1
    rows = {r[0]: r[1] for r in kc.rows(kc.ok(cluster, "kubectl get nodes"))}
    assert rows["node-1"] == "Ready,SchedulingDisabled"
    assert kc.ok(cluster, "kubectl cordon node-1") == "node/node-1 already cordoned"
    assert cluster.step_no == step + 1
    assert kc.ok(cluster, "kubectl uncordon node-1") == "node/node-1 uncordoned"
    assert not cluster.store.get("nodes", None, "node-1")["spec"].get("unschedulable")


def test_drain_evicts_through_the_eviction_api(web, kc):
    node = web.store.list("pods", "default")[0]["spec"]["nodeName"]
    on_node = {
        p["metadata"]["name"]
        for p in web.store.list("pods")
        if p["spec"].get("nodeName") == node
    }
    out = kc.ok(web, f"kubectl drain {node} --ignore-daemonsets")
    lines = out.splitlines()
    assert lines[0] == f"node/{node} cordoned" and lines[-1] == f"node/{node} drained"
    assert {ln.split("/")[1].split()[0] for ln in lines if ln.endswith(" evicted")} == (
        on_node
    )
    calls = web.events[-1].api_calls
    evictions = [c for c in calls if c.path.endswith("/eviction")]
    assert len(evictions) == len(on_node)
    assert all(c.verb == "POST" and c.actor == "kubectl" for c in evictions)
    web.settle()
    assert all(
        p["spec"].get("nodeName") != node for p in web.store.list("pods", "default")
    )
    assert len(web.store.list("pods", "default")) == 3


def test_drain_skips_mirror_pods(cluster, kc):
    """The control plane's static pods are left to the kubelet that owns them."""
    out = kc.ok(cluster, "kubectl drain control-plane --ignore-daemonsets")
    assert "etcd" not in out
    assert cluster.store.get("pods", "kube-system", "etcd-control-plane") is not None


def test_drain_refuses_unmanaged_pods_without_force(cluster, k8s, kc):
    k8s.apply(cluster, k8s.pod("solo"))
    node = cluster.store.get("pods", "default", "solo")["spec"]["nodeName"]
    step = cluster.step_no
    error = kc.fails(cluster, f"kubectl drain {node}")
    assert error.startswith(f'error: unable to drain node "{node}" due to error:')
    assert (
        "cannot delete Pods that declare no controller (use --force to override):"
        " default/solo"
    ) in error
    assert cluster.step_no == step
    assert not cluster.store.get("nodes", None, node)["spec"].get("unschedulable")
    out = kc.ok(cluster, f"kubectl drain {node} --force")
    assert "Warning: deleting Pods that declare no controller: default/solo" in out
    assert "pod/solo evicted" in out


def test_label_needs_overwrite_to_change_a_value(web, kc):
    name = web.store.list("pods", "default")[0]["metadata"]["name"]
    assert kc.fails(web, f"kubectl label pod {name} app=debug") == (
        "error: 'app' already has a value (web), and --overwrite is false"
    )
    assert kc.ok(web, f"kubectl label pod {name} app=debug --overwrite") == (
        f"pod/{name} labeled"
    )
    assert kc.ok(web, f"kubectl label pod {name} tier=x app-") == f"pod/{name} labeled"
    labels = web.store.get("pods", "default", name)["metadata"]["labels"]
    assert "app" not in labels and labels["tier"] == "x"


def test_annotate_and_patch(web, kc):
    assert kc.ok(web, "kubectl annotate deploy web note=hi") == (
        "deployment.apps/web annotated"
    )
    step = web.step_no
    patch = """kubectl patch deployment web -p '{"spec":{"replicas":4}}'"""
    assert kc.ok(web, patch) == "deployment.apps/web patched"
    assert web.step_no == step + 1
    assert kc.ok(web, patch) == "deployment.apps/web patched (no change)"
    assert web.step_no == step + 1
    web.settle()
    assert len(web.store.list("pods", "default")) == 4


def test_rollout_restart_replaces_every_pod(web, kc):
    before = {p["metadata"]["name"] for p in web.store.list("pods", "default")}
    assert kc.ok(web, "kubectl rollout restart deployment/web") == (
        "deployment.apps/web restarted"
    )
    web.settle()
    after = {p["metadata"]["name"] for p in web.store.list("pods", "default")}
    assert len(after) == 3 and not before & after


def test_scaling_past_the_session_pod_limit_is_refused(web, kc):
    limit = web.config.limits.pods
    error = kc.fails(web, f"kubectl scale deployment web --replicas={limit}")
    assert (
        error == f"error: this would run more than {limit} pods, this session's limit"
    )
    assert "limit" in kc.fails(
        web, f"kubectl create deployment x --image=a --replicas={limit}"
    )


def test_delete_across_namespaces(web, kc):
    out = kc.ok(web, "kubectl delete pods --all -A")
    assert 'pod "etcd-control-plane" deleted' in out.splitlines()
    assert len(out.splitlines()) == len(web.store.list("pods"))


def test_rollout_history_and_undo(web, kc):
    kc.ok(web, "kubectl set image deployment/web nginx=nginx:1.28")
    web.settle()
    assert kc.ok(web, "kubectl rollout history deployment/web").splitlines() == [
        "deployment.apps/web ",
        "REVISION  CHANGE-CAUSE",
        "1         <none>",
        "2         <none>",
    ]
    assert kc.ok(web, "kubectl rollout undo deployment/web") == (
        "deployment.apps/web rolled back"
    )
    web.settle()
    images = {
        p["spec"]["containers"][0]["image"] for p in web.store.list("pods", "default")
    }
    assert images == {"nginx:1.27"}


def test_taint_and_untaint_a_node(cluster, kc):
    assert kc.ok(cluster, "kubectl taint nodes node-1 gpu=yes:NoSchedule") == (
        "node/node-1 tainted"
    )
    assert "--overwrite is false" in kc.fails(
        cluster, "kubectl taint nodes node-1 gpu=no:NoSchedule"
    )
    taints = cluster.store.get("nodes", None, "node-1")["spec"]["taints"]
    assert taints == [{"key": "gpu", "effect": "NoSchedule", "value": "yes"}]
    assert kc.ok(cluster, "kubectl taint nodes node-1 gpu-") == "node/node-1 untainted"
    assert not cluster.store.get("nodes", None, "node-1")["spec"].get("taints")


def test_wait_checks_a_condition_without_blocking(cluster, kc):
    kc.ok(cluster, "kubectl create deployment web --image=nginx --replicas=2")
    assert kc.fails(cluster, "kubectl wait --for=condition=Available deploy/web") == (
        "error: timed out waiting for the condition on deployments.apps/web"
    )
    cluster.settle()
    assert kc.ok(cluster, "kubectl wait --for=condition=Available deploy/web") == (
        "deployment.apps/web condition met"
    )
    out = kc.ok(
        cluster, "kubectl wait --for=jsonpath={.status.phase}=Running pod --all"
    )
    assert len(out.splitlines()) == 2
