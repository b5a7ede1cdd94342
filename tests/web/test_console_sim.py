"""The web console runs the read-only `sim` verbs of docs/cli.md, refuses the rest."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


async def _run(tab, command: str, rid: str = "c") -> dict:
    await tab.send({"type": "kubectl", "command": command, "id": rid})
    return await tab.receive_until("kubectl_output")


async def test_sim_routes_prints_the_nodes_routing_table(make_session, open_tab):
    tab = await open_tab(await make_session("web"))
    out = await _run(tab, "sim routes node-1")
    assert out["ok"] is True and out["id"] == "c"
    lines = out["output"].splitlines()
    assert lines[0].startswith("default via ")
    assert any("dev flannel.1 onlink" in line for line in lines)


async def test_sim_iptables_save_prints_kube_proxys_nat_rules(make_session, open_tab):
    tab = await open_tab(await make_session("web"))
    out = await _run(tab, "sim iptables-save node-1 nat")
    assert out["ok"] is True
    assert out["output"].startswith("*nat") or "*nat" in out["output"]
    assert ":KUBE-SERVICES - [0:0]" in out["output"]


async def test_sim_conntrack_shows_the_entry_a_trace_left(make_session, open_tab):
    tab = await open_tab(await make_session("web"))
    pods = [p for p in tab.first["state"]["pods"] if p["name"].startswith("web-")]
    await tab.send({"type": "trace", "from": f"default/{pods[0]['name']}", "to": "web"})
    await tab.receive_until("trace")
    out = await _run(tab, f"sim conntrack {pods[0]['node']}")
    assert out["ok"] is True
    assert "dport=80" in out["output"]


async def test_sim_neigh_and_fdb_show_flannels_entries(make_session, open_tab):
    tab = await open_tab(await make_session("web"))
    neigh = await _run(tab, "sim neigh node-1")
    assert "dev flannel.1 lladdr" in neigh["output"]
    assert "PERMANENT" in neigh["output"]
    fdb = await _run(tab, "sim fdb node-1")
    assert "dev flannel.1 dst 192.168." in fdb["output"]


async def test_a_read_is_not_a_step(make_session, open_tab):
    tab = await open_tab(await make_session("web"))
    await _run(tab, "sim routes node-1")
    await tab.send({"type": "kubectl", "command": "kubectl get pods", "id": 2})
    out = await tab.receive()
    assert out["type"] == "kubectl_output"  # no delta came before it


async def test_sim_verbs_that_change_the_cluster_are_refused_with_a_hint(
    make_session, open_tab
):
    tab = await open_tab(await make_session("web"))
    out = await _run(tab, "sim fail-node node-1")
    assert out["ok"] is False
    assert "read-only sim verbs" in out["output"]
    assert "Step" in out["output"]


async def test_an_unknown_node_is_kubectls_not_found(make_session, open_tab):
    tab = await open_tab(await make_session("web"))
    out = await _run(tab, "sim routes node-9")
    assert out["ok"] is False
    assert 'nodes "node-9" not found' in out["output"]


async def test_compare_answers_the_asker_and_takes_no_step(make_session, open_tab):
    tab = await open_tab(await make_session("web"))
    step = tab.first["state"]["step"]
    pods = [p for p in tab.first["state"]["pods"] if p["name"].startswith("web-")]
    await tab.send(
        {
            "type": "compare",
            "from": f"default/{pods[0]['name']}",
            "to": "web",
            "variant": "cni",
            "id": 9,
        }
    )
    reply = await tab.receive()
    assert reply["type"] == "compare" and reply["id"] == 9
    body = reply["compare"]
    assert body["labels"] == ["overlay (VXLAN)", "routed (host-gw)"]
    assert body["a"]["verdict"] == body["b"]["verdict"] == "delivered"
    assert body["rows"] and {"a", "b", "status"} <= set(body["rows"][0])
    await tab.send({"type": "kubectl", "command": "kubectl get pods", "id": 2})
    out = await tab.receive()
    assert out["type"] == "kubectl_output", "no delta: comparing is not a step"
    await tab.send({"type": "save", "id": 3})
    saved = await tab.receive_until("ack")
    assert saved["step"] == step


async def test_compare_etp_without_a_service_is_refused(make_session, open_tab):
    tab = await open_tab(await make_session("web"))
    await tab.send(
        {"type": "compare", "from": "internet", "to": "web", "variant": "etp"}
    )
    error = await tab.receive()
    assert error["type"] == "error" and error["code"] == "rejected"
    assert "needs a Service" in error["message"]
