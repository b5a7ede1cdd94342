"""`kubectl exec -- curl|wget|nslookup|ping`: traces from the network model, printed
as the tools print them; each exec with a trace is a recorded, replayable step."""

from __future__ import annotations

import pytest


@pytest.fixture
def client(web, kc):
    """A pod of the web Deployment to run tools in, and a db Service that refuses."""
    kc.ok(web, "kubectl create deployment db --image=redis --port=6379")
    kc.ok(web, "kubectl expose deployment db --port=6379 --target-port=6380")
    web.settle()
    return web.store.list("pods", "default")[-1]["metadata"]["name"]


def _exec(cluster, pod, tool):
    result = cluster.act({"op": "kubectl", "command": f"kubectl exec {pod} -- {tool}"})
    assert result.ok, result.error
    return result


def test_curl_to_a_service_prints_the_page_and_carries_the_trace(web, client):
    step = web.step_no
    result = _exec(web, client, "curl -s http://web")
    assert "<title>Welcome to nginx!</title>" in result.output
    assert result.trace["verdict"] == "delivered"
    assert result.trace["hops"] and result.trace["dns"]["answer"]
    assert web.step_no == step + 1
    event = web.events[-1]
    assert event.type == "kubectl.exec.curl"
    assert event.api_calls[0].path.endswith(f"/pods/{client}/exec")


def test_curl_head_prints_headers(web, client):
    out = _exec(web, client, "curl -sI web").output.splitlines()
    assert out[0] == "HTTP/1.1 200 OK"
    assert "Content-Length: 615" in out


def test_curl_to_a_port_nobody_listens_on_is_refused(web, client):
    result = _exec(web, client, "curl db:6379")
    assert result.output == (
        "curl: (7) Failed to connect to db port 6379 after 0 ms: Connection refused\n"
        "command terminated with exit code 7"
    )
    assert result.trace["verdict"] in ("refused", "rejected")


def test_curl_to_a_port_the_service_lacks_times_out(web, client):
    result = _exec(web, client, "curl -m 5 http://web:81")
    assert result.output.startswith(
        "curl: (28) Connection timed out after 5001 milliseconds"
    )


def test_curl_to_an_unknown_name_cannot_resolve(web, client):
    result = _exec(web, client, "curl http://nope")
    assert result.output.startswith("curl: (6) Could not resolve host: nope")


def test_wget_prints_the_body_to_stdout(web, client):
    assert "Welcome to nginx!" in _exec(web, client, "wget -qO- web").output


def test_nslookup_answers_with_the_cluster_ip(web, client):
    ip = web.store.get("services", "default", "web")["spec"]["clusterIP"]
    result = _exec(web, client, "nslookup web")
    assert result.output == (
        "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10#53\n\n"
        f"Name:\tweb.default.svc.cluster.local\nAddress: {ip}"
    )
    assert result.trace["dns"]["answer"] == ip


def test_nslookup_of_an_unknown_name_is_nxdomain(web, client):
    out = _exec(web, client, "nslookup nope").output
    assert "** server can't find nope: NXDOMAIN" in out
    assert out.endswith("command terminated with exit code 1")


def test_ping_a_pod_ip_gets_replies(web, client):
    target = web.store.list("pods", "default")[0]["status"]["podIP"]
    out = _exec(web, client, f"ping -c 2 {target}").output.splitlines()
    assert out[0] == f"PING {target} ({target}): 56 data bytes"
    assert out[1].startswith(f"64 bytes from {target}: seq=0 ttl=")
    assert "2 packets transmitted, 2 packets received, 0% packet loss" in out


def test_ping_a_cluster_ip_gets_nothing_back(web, client):
    out = _exec(web, client, "ping web").output
    assert "0 packets received, 100% packet loss" in out


def test_exec_steps_replay_exactly(web, client):
    """An exec draws from the model's random source, so it is recorded: stepping
    back over it and forward again leaves the random state exactly as it was."""
    _exec(web, client, "curl -s web:80")
    step, state = web.step_no, web.random.getstate()
    web.seek(step - 1)
    assert web.random.getstate() != state
    web.seek(step)
    assert web.random.getstate() == state
    assert web.events[step - 1].type == "kubectl.exec.curl"


def test_hostname_and_resolv_conf_are_not_steps(web, client):
    step = web.step_no
    assert _exec(web, client, "hostname").output == client
    assert "nameserver 10.96.0.10" in _exec(web, client, "cat /etc/resolv.conf").output
    assert web.step_no == step


def test_exec_needs_the_double_dash(web, client, kc):
    assert kc.fails(web, f"kubectl exec {client} curl web").startswith(
        "error: exec [POD] [COMMAND] is not supported anymore."
    )


def test_unknown_programs_are_not_found(web, client, kc):
    error = kc.fails(web, f"kubectl exec {client} -- vim")
    assert 'exec: "vim": executable file not found in $PATH' in error


def test_exec_into_a_pod_on_a_failed_node_cannot_reach_its_kubelet(web, client, kc):
    node = web.store.get("pods", "default", client)["spec"]["nodeName"]
    assert web.act({"op": "fail_node", "node": node}).ok
    error = kc.fails(web, f"kubectl exec {client} -- curl web")
    assert error.startswith("Error from server: error dialing backend: dial tcp")


def test_sh_dash_c_runs_the_one_command_inside(web, client):
    """`sh -c 'curl …'` is the curl; the shell's own syntax stays refused."""
    assert _exec(web, client, "sh -c 'nslookup web'").output.startswith("Server:")


def test_curl_write_out_prints_the_status(web, client):
    out = _exec(web, client, "curl -s -o /dev/null -w '%{http_code}' http://web")
    assert out.output == "200"


def test_an_interactive_shell_is_explained(web, client, kc):
    assert "no interactive shell" in kc.fails(web, f"kubectl exec -it {client} -- sh")


ECHO = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: echo
spec:
  replicas: 1
  selector:
    matchLabels: {app: echo}
  template:
    metadata:
      labels: {app: echo}
    spec:
      containers:
      - name: echo
        image: hashicorp/http-echo:1.0
        args: ["-listen=:8080", "-text=hello"]
        ports:
        - containerPort: 8080
"""


def test_curl_prints_what_the_server_image_answers(web, client, kc):
    """http-echo answers its -text, as the real image does."""
    kc.ok(web, "kubectl apply -f - <<EOF\n" + ECHO + "EOF")
    kc.ok(web, "kubectl expose deployment echo --port=80 --target-port=8080")
    web.settle()
    assert _exec(web, client, "curl -s http://echo").output == "hello"
