"""`apply -f` from a file and from a here-document; create, expose and delete."""

from __future__ import annotations

from simulation import Cluster, kubectl
from simulation.kubectl import inline_files

GUESTBOOK = "/work/shared/manifests/guestbook/guestbook-all-in-one.yaml"


def _state(cluster: Cluster) -> dict:
    """Names, IPs and placements of everything in default: equal iff same result."""
    out = {}
    for plural in ("deployments", "replicasets", "pods", "services"):
        for obj in cluster.store.list(plural, "default"):
            meta = obj["metadata"]
            out[(plural, meta["name"])] = (
                obj.get("spec", {}).get("nodeName"),
                obj.get("status", {}).get("podIP"),
                obj.get("spec", {}).get("clusterIP"),
            )
    return out


def _read(path: str) -> str:
    with open(path, encoding="utf-8") as f:
        return f.read()


def test_guestbook_by_file_and_by_here_document_give_the_same_cluster(k8s, kc):
    """The file read by the CLI and the same YAML pasted inline end identical."""
    by_file, by_heredoc = Cluster(seed=7), Cluster(seed=7)
    line = inline_files(f"kubectl apply -f {GUESTBOOK}", _read)
    first = kc.ok(by_file, line)
    second = kc.ok(
        by_heredoc, "kubectl apply -f - <<EOF\n" + k8s.guestbook_yaml() + "EOF"
    )
    assert first == second
    assert first.splitlines()[:2] == [
        "service/redis-master created",
        "deployment.apps/redis-master created",
    ]
    by_file.settle()
    by_heredoc.settle()
    assert _state(by_file) == _state(by_heredoc)
    assert len([k for k in _state(by_file) if k[0] == "pods"]) == 6


def test_run_reads_a_path_only_through_the_callers_reader(cluster, k8s):
    """With a reader, `-f PATH` works; without one (the console) it is refused."""
    done = kubectl.run(cluster, f"kubectl apply -f {GUESTBOOK}", files=_read)
    assert done.changed and done.type == "kubectl.apply"
    assert "deployments/default/frontend" in done.objects


def test_the_console_cannot_read_server_files(cluster, kc):
    error = kc.fails(cluster, "kubectl apply -f /etc/passwd")
    assert "cannot be read here" in error and "here-document" in error


def test_applying_again_is_unchanged_and_not_a_step(guestbook, k8s, kc):
    step = guestbook.step_no
    out = kc.ok(guestbook, "kubectl apply -f - <<EOF\n" + k8s.guestbook_yaml() + "EOF")
    assert all(line.endswith(" unchanged") for line in out.splitlines())
    assert guestbook.step_no == step


def test_apply_is_one_step(cluster, k8s, kc):
    step = cluster.step_no
    kc.ok(cluster, "kubectl apply -f - <<EOF\n" + k8s.guestbook_yaml() + "EOF")
    assert cluster.step_no == step + 1
    assert cluster.events[-1].type == "kubectl.apply"


def test_create_deployment_makes_what_kubectl_makes(cluster, kc):
    """Labels app=NAME, the container named after the image, the port."""
    out = kc.ok(cluster, "kubectl create deployment api --image=nginx:1.27 --port=8080")
    assert out == "deployment.apps/api created"
    d = cluster.store.get("deployments", "default", "api")
    assert d["metadata"]["labels"] == {"app": "api"}
    assert d["spec"]["selector"] == {"matchLabels": {"app": "api"}}
    (container,) = d["spec"]["template"]["spec"]["containers"]
    assert container["name"] == "nginx" and container["image"] == "nginx:1.27"
    assert container["ports"][0]["containerPort"] == 8080
    assert d["spec"]["replicas"] == 1


def test_expose_selects_the_deployments_pods(web, kc):
    kc.ok(
        web,
        "kubectl expose deployment web --name=web-lb --port=8080"
        " --target-port=80 --type=LoadBalancer",
    )
    svc = web.store.get("services", "default", "web-lb")
    assert svc["spec"]["selector"] == {"app": "web"}
    assert svc["spec"]["type"] == "LoadBalancer"
    assert svc["spec"]["ports"][0]["port"] == 8080
    assert svc["spec"]["ports"][0]["targetPort"] == 80


def test_delete_deployment_removes_its_pods_in_later_steps(web, kc):
    step = web.step_no
    assert kc.ok(web, "kubectl delete deployment web") == (
        'deployment.apps "web" deleted'
    )
    assert web.step_no == step + 1
    web.settle()
    assert web.store.list("pods", "default") == []


def test_delete_by_selector_and_by_manifest(guestbook, k8s, kc):
    out = kc.ok(guestbook, "kubectl delete svc -l app=redis")
    assert out.splitlines() == [
        'service "redis-master" deleted',
        'service "redis-replica" deleted',
    ]
    manifest = "-f - <<EOF\n" + k8s.guestbook_yaml() + "EOF"
    error = kc.fails(guestbook, "kubectl delete " + manifest)
    assert error == (
        'Error from server (NotFound): error when deleting "STDIN": services'
        ' "redis-master" not found'
    )
    out = kc.ok(guestbook, "kubectl delete --ignore-not-found " + manifest)
    assert 'deployment.apps "frontend" deleted' in out.splitlines()
    assert guestbook.store.list("deployments", "default") == []


def test_delete_pod_marks_it_terminating(web, kc):
    name = web.store.list("pods", "default")[0]["metadata"]["name"]
    assert kc.ok(web, f"kubectl delete pod {name}") == f'pod "{name}" deleted'
    status = {r[0]: r[2] for r in kc.rows(kc.ok(web, "kubectl get pods"))}
    assert status[name] == "Terminating"


def test_namespace_flag_applies_to_manifests(cluster, kc):
    kc.ok(cluster, "kubectl create namespace shop")
    kc.ok(
        cluster,
        "kubectl apply -n shop -f - <<EOF\napiVersion: v1\nkind: ConfigMap\n"
        "metadata:\n  name: settings\ndata:\n  a: '1'\nEOF",
    )
    assert cluster.store.get("configmaps", "shop", "settings") is not None
    assert kc.rows(kc.ok(cluster, "kubectl get cm -n shop"))[0][:2] == ["settings", "1"]


def test_run_makes_a_bare_pod(cluster, kc):
    """`kubectl run` makes one pod labelled run=NAME that no controller owns."""
    assert kc.ok(cluster, "kubectl run tmp --image=busybox:1.36 -- sleep 3600") == (
        "pod/tmp created"
    )
    pod = cluster.store.get("pods", "default", "tmp")
    assert pod["metadata"]["labels"] == {"run": "tmp"}
    assert not pod["metadata"].get("ownerReferences")
    (container,) = pod["spec"]["containers"]
    assert (container["name"], container["args"]) == ("tmp", ["sleep", "3600"])


def test_run_refuses_an_interactive_terminal(cluster, kc):
    assert "kubectl exec" in kc.fails(cluster, "kubectl run t -it --rm --image=busybox")


def test_inline_files_rewrites_only_manifest_commands():
    """`-f PATH` of apply/create/delete becomes a here-document; `logs -f` and
    exec's own `-f` are left alone."""
    read = {"a.yaml": "kind: X\n"}.__getitem__
    assert inline_files("kubectl -n shop apply -f a.yaml", read) == (
        "kubectl -n shop apply -f - <<'EOF'\nkind: X\nEOF"
    )
    assert inline_files("kubectl logs -f web", read) == "kubectl logs -f web"
    line = "kubectl exec p -- tail -f a.yaml"
    assert inline_files(line, read) == line
    tricky = {"b.yaml": "a: 1\nEOF\n"}.__getitem__
    assert inline_files("kubectl apply -f b.yaml", tricky).endswith("\nEOF\nEOF_")


MIXED = """kubectl apply -f - <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "nginx:1.27"}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  externalTrafficPolicy: Local
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: nowhere}
data: {a: b}
EOF"""


def test_apply_sends_each_object_on_its_own(cluster):
    """kubectl apply.go: each object is applied on its own and the errors are
    collected; the accepted ones are created, each result printed, then each
    error (`Error from server (Reason): error when creating "STDIN": …`, from
    cmdutil.AddSourceToErr), and the command fails."""
    result = cluster.act({"op": "kubectl", "command": MIXED})
    assert not result.ok
    assert result.event is not None  # what was accepted is a step
    assert result.output == "deployment.apps/web created"
    assert result.error.splitlines() == [
        'Error from server (Invalid): error when creating "STDIN": Service "web" is'
        ' invalid: spec.externalTrafficPolicy: Invalid value: "Local": may only be'
        " set for externally-accessible services",
        'Error from server (NotFound): error when creating "STDIN": namespaces'
        ' "nowhere" not found',
    ]
    assert cluster.store.get("deployments", "default", "web") is not None
    assert cluster.store.get("services", "default", "web") is None


def test_one_refused_object_of_several_prints_kubectls_invalid_form(cluster):
    """One error alone: kubectl prints `The Service "web" is invalid: …` from the
    status details, after the lines of the objects it did create."""
    line = MIXED.replace("namespace: nowhere", "namespace: default")
    result = cluster.act({"op": "kubectl", "command": line})
    assert not result.ok
    assert result.output.splitlines() == [
        "deployment.apps/web created",
        "configmap/settings created",
    ]
    assert result.error == (
        'The Service "web" is invalid: spec.externalTrafficPolicy: Invalid value:'
        ' "Local": may only be set for externally-accessible services'
    )


def test_an_apply_where_every_object_is_refused_is_not_a_step(cluster):
    step = cluster.step_no
    line = MIXED.replace("kind: Deployment", "kind: Deploymnt")
    result = cluster.act({"op": "kubectl", "command": line})
    assert not result.ok and result.event is None
    assert cluster.step_no == step
    assert 'no matches for kind "Deploymnt"' in result.error or (
        'resource mapping not found for kind "Deploymnt"' in result.error
    )
