"""`python -m simulation SCRIPT`: a transcript of kubectl and sim commands."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUESTBOOK = "/work/shared/manifests/guestbook/guestbook-all-in-one.yaml"
HEREDOC = "\n".join(
    [
        "kubectl apply -f - <<EOF",
        "apiVersion: v1",
        "kind: Namespace",
        "metadata:",
        "  name: shop",
        "EOF",
    ]
)
SCRIPT = f"""# the guestbook, a namespace, a scale
kubectl apply -f {GUESTBOOK}
sim settle
kubectl get deploy
{HEREDOC}
kubectl scale deployment/frontend --replicas=1
sim step 2
kubectl get pods -l tier=frontend
"""


def _run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "simulation", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def _records(done: subprocess.CompletedProcess) -> list[dict]:
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_a_script_file_prints_a_terminal_transcript(tmp_path):
    """Each command is echoed after `$ ` (here-document lines after `> `), then its
    output, as in a terminal."""
    script = tmp_path / "demo.sh"
    script.write_text(SCRIPT)
    done = _run(["--seed", "1", str(script)])
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    assert out.startswith(
        f"$ kubectl apply -f {GUESTBOOK}\nservice/redis-master created"
    )
    assert "$ sim settle\nsettled after " in out
    assert "frontend        3/3     3            3" in out
    assert "$ kubectl apply -f - <<EOF\n> apiVersion: v1\n" in out
    assert "> EOF\nnamespace/shop created" in out
    assert "deployment.apps/frontend scaled" in out


def test_stdin_and_json_lines():
    """`-` reads the script from stdin; --json prints one object per command; a
    failed command makes the exit status 1."""
    done = _run(["--json", "--nodes", "3", "-"], stdin=SCRIPT + "kubectl get nope\n")
    assert done.returncode == 1
    records = _records(done)
    assert [r["command"].split("\n")[0] for r in records][:3] == [
        f"kubectl apply -f {GUESTBOOK}",
        "sim settle",
        "kubectl get deploy",
    ]
    for r in records:
        assert {"command", "ok", "output", "error", "step"} <= set(r)
    assert records[-1]["ok"] is False
    assert records[-1]["error"] == (
        'error: the server doesn\'t have a resource type "nope"'
    )
    assert records[0]["step"] == 1 and records[1]["step"] > 1


def test_the_same_script_and_seed_print_the_same_transcript():
    first = _run(["--seed", "5", "-"], stdin=SCRIPT)
    second = _run(["--seed", "5", "-"], stdin=SCRIPT)
    assert first.returncode == 0
    assert first.stdout == second.stdout


def test_exec_and_sim_trace_report_traces_in_json():
    script = (
        "kubectl create deployment web --image=nginx --replicas=2 --port=80\n"
        "kubectl expose deployment web --port=80\n"
        "sim settle\n"
        "kubectl exec deploy/web -- curl -s web\n"
        "sim trace internet 192.168.10.11:80\n"
    )
    records = _records(_run(["--json", "-"], stdin=script))
    curl, trace = records[3], records[4]
    assert curl["ok"] and "Welcome to nginx!" in curl["output"]
    assert curl["trace"]["verdict"] == "delivered"
    assert trace["ok"] and trace["trace"]["verdict"]
    assert trace["output"].startswith("trace internet -> 192.168.10.11:80:")


def test_sim_verbs_change_the_cluster():
    script = (
        "sim fail-node node-1\n"
        "sim advance 2m\n"
        "kubectl get nodes\n"
        "sim restore-node node-1\n"
        "sim advance 30s\n"
        "kubectl get nodes\n"
        "sim routes node-1\n"
        "sim iptables-save node-1 nat\n"
        "sim set cni routed\n"
        "sim routes node-1\n"
        "sim bogus\n"
    )
    done = _run(["--json", "-"], stdin=script)
    records = _records(done)
    assert "node-1          NotReady" in records[2]["output"]
    assert "node-1          Ready" in records[5]["output"]
    assert "flannel.1" in records[6]["output"]
    assert "\n*nat\n" in records[7]["output"]
    assert "flannel.1" not in records[9]["output"]
    assert not records[10]["ok"] and "unknown simulator verb" in records[10]["error"]
    assert done.returncode == 1


def test_a_missing_script_is_a_usage_error():
    done = _run(["/nonexistent/script.sh"])
    assert done.returncode == 2 and "cannot read" in done.stderr


def test_sim_back_and_seek_move_through_history():
    script = (
        "kubectl create deployment web --image=nginx --replicas=2\n"
        "sim settle\n"
        "sim back 3\n"
        "sim seek 0\n"
        "kubectl get deploy\n"
    )
    records = _records(_run(["--json", "-"], stdin=script))
    settled = records[1]["step"]
    assert records[2]["step"] == settled - 3
    assert records[3]["step"] == 0
    assert records[4]["output"] == "No resources found in default namespace."


def test_sim_set_nodeport_addresses_changes_the_kube_services_tail():
    """`sim set nodeport-addresses CIDR` is kube-proxy's nodePortAddresses: the
    KUBE-NODEPORTS jump becomes `-d <node IP>` (proxier.go); `all` restores
    `--dst-type LOCAL`; a value that is not a CIDR is refused."""
    script = (
        "sim set nodeport-addresses 192.168.10.0/24\n"
        "sim iptables-save node-1 nat\n"
        "sim set nodeport-addresses nope\n"
        "sim set nodeport-addresses all\n"
        "sim iptables-save node-1 nat\n"
    )
    records = _records(_run(["--json", "-"], stdin=script))
    assert records[0]["output"] == "nodePortAddresses = 192.168.10.0/24"
    tail = '"kubernetes service nodeports; NOTE: this must be the last rule in this'
    assert (
        f"-A KUBE-SERVICES -d 192.168.10.11/32 -m comment --comment {tail}"
        in (records[1]["output"])
    )
    assert not records[2]["ok"]
    assert "is not an IPv4 CIDR" in records[2]["error"]
    assert records[3]["output"] == "nodePortAddresses = all local addresses"
    assert "--dst-type LOCAL -j KUBE-NODEPORTS" in records[4]["output"]


def test_an_lb_ip_set_through_status_is_reached_from_the_internet():
    """On bare metal nothing fills a LoadBalancer's status; once something (MetalLB,
    or here `kubectl patch --subresource=status`) sets an IP there, the internet
    reaches it: a node takes it and kube-proxy's "loadbalancer IP" rule DNATs it
    (proxier_test.go TestLoadBalancer, "accepted external to LB1")."""
    patch = '{"status":{"loadBalancer":{"ingress":[{"ip":"192.168.10.240"}]}}}'
    script = (
        "kubectl create deployment web --image=nginx:1.27 --replicas=2 --port=80\n"
        "kubectl expose deployment web --port=80 --type=LoadBalancer\n"
        "sim settle\n"
        "sim trace internet 192.168.10.240:80\n"
        f"kubectl patch svc web --subresource=status -p '{patch}'\n"
        "sim trace internet 192.168.10.240:80\n"
    )
    records = _records(_run(["--json", "--seed", "1", "-"], stdin=script))
    before, patched, after = records[3], records[4], records[5]
    assert before["trace"]["verdict"] == "dropped"
    assert patched["ok"], patched["error"]
    assert after["trace"]["verdict"] == "delivered"
    dnat = [h for h in after["trace"]["hops"] if (h.get("nat") or {}).get("type")]
    assert dnat[0]["nat"]["from"] == "192.168.10.240:80"
    assert "loadbalancer IP" in " ".join(dnat[0]["rules"])


def test_a_partly_refused_apply_prints_both_and_exits_1(tmp_path):
    """kubectl prints each created object, then each error, and exits non-zero."""
    script = tmp_path / "mixed.sh"
    script.write_text(
        "kubectl apply -f - <<EOF\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: good}\ndata: {a: b}\n"
        "---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad}\ndata: {a: b}\n"
        "EOF\n"
        "kubectl get configmap good -o name\n"
    )
    done = _run([str(script)])
    assert done.returncode == 1, done.stdout + done.stderr
    assert '> EOF\nconfigmap/good created\nThe ConfigMap "Bad" is invalid:' in (
        done.stdout
    )
    assert "$ kubectl get configmap good -o name\nconfigmap/good" in done.stdout


def test_a_kube_proxy_mode_the_model_does_not_program_is_refused():
    """IPVS and nftables are real kube-proxy modes, but the model writes only
    iptables-mode rules: `sim set proxy-mode ipvs` is refused with a clear error
    instead of showing iptables rules under another mode's name (issue 16)."""
    script = "sim set proxy-mode ipvs\nsim set proxy-mode nftables\nkubectl get ns\n"
    records = _records(_run(["--json", "-"], stdin=script))
    for record, mode in zip(records[:2], ("ipvs", "nftables"), strict=True):
        assert not record["ok"]
        assert f"'{mode}' is not one KubeViz models" in record["error"]
        assert "choose from iptables" in record["error"]
    assert records[2]["ok"], "the session goes on"
