"""Lessons 9-18: each prediction's answer agrees with the packet trace's headers.

These read the traces the network model produced for the lesson; if a trace
feature is missing they fail (they never skip).
"""

from __future__ import annotations

from lessonbuilders import answer_of, frame, lesson_run


def host(text: str) -> str:
    return text.rpartition(":")[0] if ":" in text else text


def nats(hops: list[dict], kind: str) -> list[dict]:
    return [h for h in hops if (h.get("nat") or {}).get("type") == kind]


def trace_at(run, title: str) -> tuple[int, dict]:
    n, f = frame(run, title)
    assert f["trace"] is not None, f"step {title!r} has no trace"
    return n, f["trace"]


def pod_ip(run, ns: str, name: str) -> str:
    return run.cluster.store.get("pods", ns, name)["status"]["podIP"]


def node_ip(run, name: str) -> str:
    node = run.cluster.store.get("nodes", None, name)
    return next(
        a["address"] for a in node["status"]["addresses"] if a["type"] == "InternalIP"
    )


def test_localhost_stays_inside_the_pod():
    """Lesson 9: the sidecar reaches nginx on lo; nginx sees 127.0.0.1."""
    run = lesson_run("09-localhost")
    n, trace = trace_at(run, "Over lo")
    assert {h["netns"] for h in trace["hops"]} == {"pod default/duo"}
    assert "lo" in {h["device"] for h in trace["hops"]}
    assert host(trace["hops"][-1]["src"]) == "127.0.0.1"
    assert answer_of(run, 0)["value"] is True
    assert answer_of(run, n)["label"] == "127.0.0.1"


def test_same_node_traffic_is_bridged_without_nat():
    """Lesson 10: veth, cni0, veth on node-1; addresses unchanged both ways."""
    run = lesson_run("10-pod-to-pod-same-node")
    n, trace = trace_at(run, "veth, bridge, veth")
    run.goto(n)
    client = pod_ip(run, "default", "client")
    assert {h["node"] for h in trace["hops"]} == {"node-1"}
    assert not any(h["nat"] for h in trace["hops"] + trace["reply"])
    assert all(host(h["src"]) == client for h in trace["hops"])
    assert "cni0" in {h["device"] for h in trace["hops"]}
    assert answer_of(run, 0)["value"] == 0 and answer_of(run, n)["value"] == 0


def test_overlay_wraps_between_nodes_and_routed_does_not():
    """Lesson 11: VXLAN outer header node-1 -> node-2:8472; routed mode has none."""
    run = lesson_run("11-pod-to-pod-across-nodes")
    n, overlay = trace_at(run, "Overlay (VXLAN)")
    run.goto(n)
    outer = [h["outer"] for h in overlay["hops"] if h["outer"]]
    assert outer and {(o["src"], o["dst"], o["dport"]) for o in outer} == {
        (node_ip(run, "node-1"), node_ip(run, "node-2"), 8472)
    }
    assert answer_of(run, 0)["value"] == node_ip(run, "node-2")
    _, routed = trace_at(run, "Routed")
    assert not any(h["outer"] for h in routed["hops"])
    assert answer_of(run, n)["value"] == 0
    client = pod_ip(run, "default", "client")
    for trace in (overlay, routed):
        assert not any(h["nat"] for h in trace["hops"])
        assert host(trace["hops"][-1]["src"]) == client


def test_the_three_rules_hold_in_their_traces():
    """Lesson 12: no NAT pod to pod, none node to pod, own IP is the seen IP."""
    run = lesson_run("12-network-model")
    run.goto(0)
    a_ip = pod_ip(run, "default", "server-a")
    client = pod_ip(run, "default", "client")
    _, rule1 = trace_at(run, "Proof of rule 1")
    assert not any(h["nat"] for h in rule1["hops"])
    assert host(rule1["hops"][-1]["src"]) == client == answer_of(run, 0)["value"]
    n2, rule2 = trace_at(run, "Rule 2: a node's agents reach its pods without NAT")
    assert not any(h["nat"] for h in rule2["hops"])
    assert {h["node"] for h in rule2["hops"]} == {"node-1"}
    assert answer_of(run, 1)["value"] == 0
    _, rule3 = trace_at(run, "Rule 3: a pod's own IP is the IP others see")
    assert host(rule3["hops"][0]["src"]) == host(rule3["hops"][-1]["src"]) == a_ip
    assert answer_of(run, n2)["value"] is True


def test_clusterip_is_dnated_on_the_source_node_and_undone_there():
    """Lesson 13: DNS gives the ClusterIP; DNAT and un-DNAT happen on node-1."""
    run = lesson_run("13-clusterip")
    n, trace = trace_at(run, "DNS first")
    run.goto(n)
    client = run.cluster.store.get("pods", "default", "client")
    cluster_ip = run.cluster.store.get("services", "default", "web")["spec"][
        "clusterIP"
    ]
    assert trace["dns"]["answer"] == cluster_ip
    assert answer_of(run, 0)["label"] == "The Service's ClusterIP"
    [dnat] = nats(trace["hops"], "DNAT")
    assert dnat["node"] == client["spec"]["nodeName"]
    assert host(dnat["nat"]["from"]) == cluster_ip
    assert answer_of(run, n)["value"] == client["spec"]["nodeName"]
    [undo] = nats(trace["reply"], "un-DNAT")
    assert undo["node"] == client["spec"]["nodeName"]
    assert host(trace["reply"][-1]["src"]) == cluster_ip
    assert answer_of(run, n + 1)["label"] == "The ClusterIP it called"


def test_nodeport_cluster_masquerades_and_local_keeps_the_client():
    """Lesson 14: Cluster SNATs on the receiving node; Local drops or keeps."""
    run = lesson_run("14-nodeport")
    n, cluster_trace = trace_at(run, "DNAT to another node")
    run.goto(n)
    web = run.cluster.store.list("pods", "default")
    [pod] = [p for p in web if p["metadata"]["labels"].get("app") == "web"]
    far = "node-2" if pod["spec"]["nodeName"] == "node-1" else "node-1"
    assert cluster_trace["verdict"] == "delivered"
    assert answer_of(run, 0)["value"] == "delivered"
    [dnat] = nats(cluster_trace["hops"], "DNAT")
    [masq] = nats(cluster_trace["hops"], "MASQUERADE")
    assert dnat["node"] == masq["node"] == far
    assert host(cluster_trace["hops"][-1]["src"]) != "198.51.100.7"
    assert answer_of(run, n)["value"] is False
    m, dropped = trace_at(run, "Local drops it on the wrong node")
    assert dropped["verdict"] == "dropped"
    assert answer_of(run, n + 1)["value"] == "dropped"
    _, kept = trace_at(run, "Local keeps the client's address")
    assert not nats(kept["hops"], "MASQUERADE")
    assert host(kept["hops"][-1]["src"]) == "198.51.100.7"
    assert answer_of(run, m)["value"] == "198.51.100.7"


def test_loadbalancer_dnats_twice_and_undoes_at_the_balancer_last():
    """Lesson 15: LB -> NodePort -> pod; the reply's last un-DNAT is at the LB."""
    run = lesson_run("15-loadbalancer")
    n, trace = trace_at(run, "Load balancer, node, pod")
    run.goto(n)
    svc = run.cluster.store.get("services", "default", "web-lb")
    external = svc["status"]["loadBalancer"]["ingress"][0]["ip"]
    first, second = nats(trace["hops"], "DNAT")
    assert host(first["nat"]["from"]) == external and first["node"] is None
    assert first["nat"]["to"].endswith(f":{svc['spec']['ports'][0]['nodePort']}")
    assert second["node"] is not None
    assert answer_of(run, 0)["value"] == 2
    assert nats(trace["reply"], "un-DNAT")[-1]["at"] == "lb"
    assert host(trace["reply"][-1]["src"]) == external
    assert answer_of(run, n)["label"] == "At the load balancer"


def test_ingress_routes_by_path_and_opens_a_new_connection():
    """Lesson 16: /api goes to api from the controller's IP; / goes to web."""
    run = lesson_run("16-ingress")
    n, trace = trace_at(run, "Into the controller")
    run.goto(n)
    [controller] = run.cluster.store.list("pods", "ingress-nginx")
    assert trace["http"]["backend"] == "default/api:80"
    assert [leg["kind"] for leg in trace["legs"]] == ["request", "upstream"]
    assert host(trace["hops"][-1]["src"]) == controller["status"]["podIP"]
    assert "default/api" in trace["hops"][-1]["netns"]
    assert answer_of(run, 0)["value"] == "default/api:80"
    assert answer_of(run, n)["value"] == controller["status"]["podIP"]
    m, other = trace_at(run, "The other path")
    assert other["http"]["backend"] == "default/web:80"
    assert answer_of(run, m - 1)["value"] == "default/web:80"


def test_egress_is_masqueraded_to_the_node_and_restored_there():
    """Lesson 17: SNAT to node-1's IP on the way out, un-SNAT on node-1."""
    run = lesson_run("17-egress")
    n, trace = trace_at(run, "Masquerade on the way out")
    run.goto(n)
    [masq] = nats(trace["hops"], "MASQUERADE")
    assert masq["node"] == "node-1"
    assert host(trace["hops"][-1]["src"]) == node_ip(run, "node-1")
    assert answer_of(run, 0)["value"] == node_ip(run, "node-1")
    [undo] = nats(trace["reply"], "un-SNAT")
    assert undo["node"] == "node-1"
    assert host(trace["reply"][-1]["dst"]) == pod_ip(run, "default", "client")
    assert answer_of(run, n)["value"] == "node-1"


def test_only_the_clusterip_path_keeps_the_callers_address():
    """Lesson 18: of the four ways in, only ClusterIP shows the caller's IP."""
    run = lesson_run("18-four-ways-in")
    run.goto(0)
    client = pod_ip(run, "default", "client")
    titles = ["1. ClusterIP, from a pod", "2. NodePort", "3. LoadBalancer"]
    traces = [trace_at(run, t)[1] for t in titles]
    n, ingress = trace_at(run, "4. Ingress")
    seen = [host(t["hops"][-1]["src"]) for t in traces + [ingress]]
    assert seen[0] == client
    assert all(s != "198.51.100.7" for s in seen[1:])
    assert [len(nats(t["hops"], "DNAT")) for t in traces] == [1, 1, 2]
    assert ingress["legs"][-1]["kind"] == "upstream"
    assert answer_of(run, n)["label"] == "ClusterIP"


def test_a_clusterip_without_endpoints_rejects_as_the_task_says():
    """Lesson 13's task: with web at 0 replicas the check passes and traces reject."""
    run = lesson_run("13-clusterip")
    run.goto(run.steps - 1)
    sandbox = run.sandbox()
    assert not run.check()["passed"]
    sandbox.act({"op": "kubectl", "command": "scale deployment web --replicas=0"})
    sandbox.settle()
    assert run.check()["passed"]
    trace = sandbox.act({"op": "trace", "from": "default/client", "to": "web"}).trace
    assert trace["verdict"] == "rejected"


def test_setting_the_policy_back_to_cluster_masquerades_again():
    """Lesson 14's task: after the fix the far node delivers, masqueraded."""
    run = lesson_run("14-nodeport")
    run.goto(run.steps - 1)
    sandbox = run.sandbox()
    solution = run.lesson.steps[-1].check.solution[0]["apply"]
    assert sandbox.act({"op": "apply", "yaml": solution}).ok
    sandbox.settle()
    assert run.check()["passed"]
    _, first = trace_at(run, "DNAT to another node")
    trace = sandbox.act(
        {"op": "trace", "from": "internet", "to": first["destination"]}
    ).trace
    assert trace["verdict"] == "delivered"
    assert nats(trace["hops"], "MASQUERADE")
