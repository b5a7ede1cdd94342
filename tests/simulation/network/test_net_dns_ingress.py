"""DNS as pods see it, Ingress routing, and what curl/nslookup/ping print."""

from __future__ import annotations

import json
import random
import subprocess
import sys

from netbuilders import ClusterBuilder, web_cluster

from simulation.network.text import curl_text, nslookup_text, ping_text, trace_table


def test_short_name_uses_the_search_list_and_ndots():
    b = web_cluster()
    b.pod("api", "node-3", labels={"app": "api"}, ns="shop")
    b.service("api", {"app": "api"}, ns="shop")
    r = b.model().lookup("client", "api.shop")
    assert r.dns["queries"] == [
        ["api.shop.default.svc.cluster.local", "NXDOMAIN"],
        ["api.shop.svc.cluster.local", "10.96.0.21"],
    ]
    assert r.dns["server"] == "10.96.0.10"
    assert r.hops[0]["dst"] == "10.96.0.10:53" and r.hops[0]["proto"] == "udp"


def test_external_names_try_every_search_suffix_first():
    b = web_cluster()
    r = b.model().lookup("client", "example.com")
    assert [q[0] for q in r.dns["queries"]] == [
        "example.com.default.svc.cluster.local",
        "example.com.svc.cluster.local",
        "example.com.cluster.local",
        "example.com",
    ]
    assert r.dns["answer"].startswith("192.0.2.")


def test_headless_service_resolves_to_pod_ips():
    b = web_cluster()
    b.service("db", {"app": "web"}, cluster_ip="None")
    r = b.model().lookup("client", "db")
    assert r.dns["queries"][0] == [
        "db.default.svc.cluster.local",
        "10.244.2.3, 10.244.3.2",
    ]


def test_ingress_on_bare_metal_is_reached_through_a_nodeport():
    b = web_cluster(platform="bare-metal")
    b.ingress_controller()
    b.ingress("shop", "shop.example.com", {"/": ("web", 80)})
    r = b.model().trace("internet", "http://shop.example.com/", random.Random(1))
    assert r.verdict == "delivered"
    assert r.legs[0]["to"] == "192.168.10.11:31080"
    assert r.http["status"] == 200


def test_ingress_without_a_matching_rule_answers_404():
    b = web_cluster(platform="cloud")
    b.ingress_controller()
    b.ingress("shop", "shop.example.com", {"/api": ("web", 80)})
    r = b.model().trace("internet", "http://shop.example.com/other", random.Random(1))
    assert r.http["status"] == 404
    assert [leg["kind"] for leg in r.legs] == ["request"]


def test_ingress_longest_prefix_wins():
    b = web_cluster(platform="cloud")
    b.pod("api-1", "node-1", labels={"app": "api"})
    b.service("api", {"app": "api"})
    b.ingress_controller()
    b.ingress("shop", "shop.example.com", {"/": ("web", 80), "/api": ("api", 80)})
    r = b.model().trace("internet", "http://shop.example.com/api/x", random.Random(1))
    assert r.http["backend"] == "default/api:80"
    assert r.hops[-1]["dst"] == "10.244.1.4:80"


def test_pod_reaching_an_ingress_host_is_short_circuited_by_kube_proxy():
    """In-cluster traffic to the LB IP never leaves: KUBE-SERVICES catches it."""
    b = web_cluster(platform="cloud")
    b.ingress_controller()
    b.ingress("shop", "shop.example.com", {"/": ("web", 80)})
    r = b.model().trace("client", "http://shop.example.com/", random.Random(1))
    assert r.verdict == "delivered"
    first_nat = next(h for h in r.hops if h["nat"])
    assert first_nat["node"] == "node-1"
    assert any("loadbalancer IP" in x for x in first_nat["rules"])
    assert "lb" not in [h["at"] for h in r.hops]


def test_results_are_json_ready():
    b = web_cluster(platform="cloud")
    b.ingress_controller()
    b.ingress("shop", "shop.example.com", {"/": ("web", 80)})
    r = b.model().trace("internet", "http://shop.example.com/", random.Random(1))
    again = json.loads(json.dumps(r.to_dict()))
    assert again["verdict"] == "delivered" and again["hops"] == r.hops


def test_same_seed_same_trace():
    b = web_cluster()
    one = b.model().trace("client", "web", random.Random(9)).to_dict()
    two = b.model().trace("client", "web", random.Random(9)).to_dict()
    assert one == two


def test_tool_output_reads_like_the_real_tools():
    b = web_cluster()
    b.service("empty", {"app": "none"})
    m = b.model()
    assert curl_text(m.trace("client", "nosuch", random.Random(1))) == (
        "curl: (6) Could not resolve host: nosuch\n"
    )
    refused = curl_text(m.trace("client", "empty", random.Random(1)))
    assert refused.startswith("curl: (7) Failed to connect to empty port 80 after ")
    assert refused.endswith("Connection refused\n")
    assert curl_text(m.trace("client", "web", random.Random(1))).startswith(
        "HTTP/1.1 200 OK\n"
    )
    ns = nslookup_text(m.lookup("client", "web"))
    assert "Name:\tweb.default.svc.cluster.local\nAddress: 10.96.0.20\n" in ns
    assert "NXDOMAIN" in nslookup_text(m.lookup("client", "nosuch"))
    ping = ping_text(m.trace("client", "10.244.3.2", random.Random(1), proto="icmp"))
    assert "64 bytes from 10.244.3.2: icmp_seq=1 ttl=62" in ping
    table = trace_table(m.trace("client", "web", random.Random(1)))
    assert "DNAT 10.96.0.20:80 -> " in table and "un-DNAT" in table


def test_importing_the_network_model_pulls_in_no_web_framework():
    code = (
        "import sys, simulation.network, simulation.network.text; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('django', 'channels', 'asyncio', 'daphne')]; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "[]"


def test_container_not_in_pod_is_a_usage_error():
    import pytest

    from simulation.errors import NotFound, UsageError

    b = ClusterBuilder()
    b.pod("a", "node-1")
    m = b.model()
    with pytest.raises(UsageError):
        m.trace("a:nosuch", "10.244.1.2:80")
    with pytest.raises(NotFound):
        m.trace("ghost", "10.244.1.2:80")


def test_https_ingress_terminates_tls_at_the_controller():
    b = web_cluster(platform="cloud")
    b.ingress_controller()
    b.ingress("shop", "shop.example.com", {"/": ("web", 80)})
    r = b.model().trace("internet", "https://shop.example.com/", random.Random(1))
    assert r.verdict == "delivered"
    assert r.http["tls"] is True
    assert r.legs[0]["to"].endswith(":443")
    assert r.legs[1]["hops"][-1]["dst"].endswith(":80")  # plain HTTP behind it
    assert r.reason.startswith("TLS ends at the controller")


def test_internal_traffic_policy_local_drops_without_a_local_endpoint():
    b = ClusterBuilder()
    b.pod("client", "node-1", ports=[])
    b.pod("web", "node-2", labels={"app": "web"})
    svc = b.service("web", {"app": "web"})
    svc = dict(svc, spec=dict(svc["spec"], internalTrafficPolicy="Local"))
    b.store.put("services", svc)
    m = b.model()
    r = m.trace("client", "10.96.0.20:80", random.Random(1))
    assert r.verdict == "dropped"
    assert "has no local endpoints" in r.hops[-1]["rules"][-1]
    assert "KUBE-SVL-" in m.iptables_save("node-2", "nat")
    assert m.trace("node/node-2", "10.96.0.20:80", random.Random(1)).verdict == (
        "delivered"
    )
