"""kube-proxy's iptables rules: real chain names, comments, probabilities, caching."""

from __future__ import annotations

from netbuilders import ClusterBuilder, web_cluster

from simulation.network.proxy.iptables import chain_name, endpoint_chain


def test_chain_names_match_a_real_cluster():
    """The hashes a real kube-proxy prints for kubernetes and kube-dns."""
    assert chain_name("SVC", "default/kubernetes:https", "tcp") == (
        "KUBE-SVC-NPX46M4PTMTKRN6Y"
    )
    assert chain_name("SVC", "kube-system/kube-dns:dns", "udp") == (
        "KUBE-SVC-TCOU7JCQXEZGVUNU"
    )
    assert chain_name("SVC", "kube-system/kube-dns:dns-tcp", "tcp") == (
        "KUBE-SVC-ERIFXISQEP7F7OF4"
    )
    assert endpoint_chain("default/web:http", "tcp", "10.244.1.2:80").startswith(
        "KUBE-SEP-"
    )


def test_cluster_ip_service_chain_structure():
    b = ClusterBuilder()
    for i, node in enumerate(["node-1", "node-2", "node-3"]):
        b.pod(f"web-{i}", node, labels={"app": "web"})
    b.service("web", {"app": "web"})
    nat = b.model().iptables_save("node-1", "nat")
    svc = chain_name("SVC", "default/web:http", "tcp")
    assert (
        f'-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment "default/web:'
        f'http cluster IP" -m tcp --dport 80 -j {svc}'
    ) in nat
    assert (
        f"-A {svc} ! -s 10.244.0.0/16 -d 10.96.0.20/32 -p tcp -m comment --comment "
        '"default/web:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ'
    ) in nat
    lines = [x for x in nat.splitlines() if x.startswith(f"-A {svc} -m comment")]
    assert [x.split("--probability ")[-1].split()[0] for x in lines[:2]] == [
        "0.3333333333",
        "0.5000000000",
    ]
    assert "statistic" not in lines[2]
    assert '"default/web:http -> 10.244.1.2:80"' in lines[0]
    sep = endpoint_chain("default/web:http", "tcp", "10.244.1.2:80")
    assert (
        f'-A {sep} -s 10.244.1.2/32 -m comment --comment "default/web:http" '
        "-j KUBE-MARK-MASQ"
    ) in nat
    assert (
        f'-A {sep} -p tcp -m comment --comment "default/web:http" -m tcp -j DNAT '
        "--to-destination 10.244.1.2:80"
    ) in nat
    assert nat.rstrip().splitlines()[-2] == "COMMIT"


def test_nodeports_is_the_last_rule_of_kube_services():
    b = web_cluster()
    nat = b.model().iptables_save("node-2", "nat")
    services = [x for x in nat.splitlines() if x.startswith("-A KUBE-SERVICES")]
    assert services[-1] == (
        '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: '
        'this must be the last rule in this chain" -m addrtype --dst-type LOCAL '
        "-j KUBE-NODEPORTS"
    )


def test_nodeport_cluster_policy_goes_through_ext_chain():
    b = ClusterBuilder()
    b.pod("web", "node-2", labels={"app": "web"})
    b.service("web", {"app": "web"}, type="NodePort")
    nat = b.model().iptables_save("node-1", "nat")
    ext = chain_name("EXT", "default/web:http", "tcp")
    svc = chain_name("SVC", "default/web:http", "tcp")
    assert (
        '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http" -m tcp '
        f"--dport 30080 -j {ext}"
    ) in nat
    assert (
        f'-A {ext} -m comment --comment "masquerade traffic for default/web:http '
        'external destinations" -j KUBE-MARK-MASQ'
    ) in nat
    assert f"-A {ext} -j {svc}" in nat


def test_local_policy_rules_differ_per_node():
    b = ClusterBuilder()
    b.pod("web", "node-2", labels={"app": "web"})
    b.service("web", {"app": "web"}, type="NodePort", etp="Local")
    m = b.model()
    svl = chain_name("SVL", "default/web:http", "tcp")
    ext = chain_name("EXT", "default/web:http", "tcp")
    with_ep, without = m.iptables_save("node-2"), m.iptables_save("node-1")
    assert f"-A {ext} -j {svl}" in with_ep
    assert f"-A {svl} -m comment" in with_ep
    assert f"-A {ext} -j {svl}" not in without
    assert (
        '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/web:http has '
        'no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30080 -j DROP'
    ) in without
    assert "pod traffic for default/web:http external destinations" in without


def test_loadbalancer_ingress_ip_is_captured():
    b = ClusterBuilder(platform="cloud")
    b.pod("web", "node-2", labels={"app": "web"})
    b.service("web", {"app": "web"}, type="LoadBalancer")
    nat = b.model().iptables_save("node-1", "nat")
    ext = chain_name("EXT", "default/web:http", "tcp")
    assert (
        "-A KUBE-SERVICES -d 203.0.113.10/32 -p tcp -m comment --comment "
        f'"default/web:http loadbalancer IP" -m tcp --dport 80 -j {ext}'
    ) in nat


def test_no_endpoints_means_reject_in_filter_and_nothing_in_nat():
    b = ClusterBuilder()
    b.service("web", {"app": "web"}, type="NodePort")
    m = b.model()
    filt, nat = m.iptables_save("node-1", "filter"), m.iptables_save("node-1", "nat")
    assert "KUBE-SVC-" not in nat
    assert (
        '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "default/web:http has '
        'no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30080 -j REJECT '
        "--reject-with icmp-port-unreachable"
    ) in filt


def test_one_endpoint_change_rebuilds_only_that_services_rules():
    b = web_cluster()
    b.pod("api-1", "node-2", labels={"app": "api"})
    b.service("api", {"app": "api"})
    m = b.model()
    m.iptables_save("node-1")
    web_before = m.service_rules("default/web", "node-1")
    api_before = m.service_rules("default/api", "node-1")
    b.pod("api-2", "node-3", labels={"app": "api"})
    b.endpoints("api")
    m.iptables_save("node-1")
    assert m.service_rules("default/web", "node-1") is web_before
    assert m.service_rules("default/api", "node-1") is not api_before


def test_revision_going_backwards_rebuilds_everything():
    b = web_cluster()
    m = b.model()
    first = m.ruleset("node-1")
    b.store.revision -= 5  # as if step back restored an older checkpoint
    assert m.ruleset("node-1") is not first


def test_routes_overlay_vs_routed():
    overlay = ClusterBuilder(cni="overlay").model().routes_text("node-1")
    routed = ClusterBuilder(cni="routed").model().routes_text("node-1")
    assert "10.244.2.0/24 via 10.244.2.0 dev flannel.1 onlink" in overlay
    assert "10.244.2.0/24 via 192.168.10.12 dev eth0" in routed
    assert overlay.splitlines()[0] == "default via 192.168.10.1 dev eth0"
    assert (
        "10.244.1.0/24 dev cni0 proto kernel scope link src 10.244.1.1 linkdown"
        in overlay
    )


def test_graph_has_the_devices_linux_has():
    b = ClusterBuilder(cni="overlay", platform="cloud")
    b.pod("web", "node-1", containers={"a": [80], "b": [81]})
    g = b.model().graph
    pod = "pod/default/web"
    veth = next(v for v in g[f"{pod}/eth0"] if "/veth" in v)
    assert len(g.nodes[veth]["device"]) == len("veth") + 8
    assert g.has_edge(veth, "node/node-1/cni0")
    assert g.has_edge(f"{pod}/c/a", f"{pod}/lo")
    assert g.has_edge(f"{pod}/c/b", f"{pod}/lo")
    assert g.nodes["node/node-1/flannel.1"]["vni"] == 1
    assert g.nodes["node/node-1/cni0"]["ip"] == "10.244.1.1"
    assert g.has_edge("lb", "internet")
    routed = ClusterBuilder(cni="routed").model().graph
    assert "node/node-1/flannel.1" not in routed and "lb" not in routed


def test_endpoints_are_ordered_as_strings_like_kube_proxy():
    from simulation.network.records import slice_endpoints

    def ep(ip, **cond):
        return {"addresses": [ip], "conditions": {"ready": True, **cond}}

    sl = {
        "addressType": "IPv4",
        "ports": [{"name": "http", "port": 80, "protocol": "TCP"}],
        "endpoints": [ep("10.244.2.3"), ep("10.244.10.2"), ep("10.244.1.9")],
    }
    got = slice_endpoints([sl])[("http", "TCP")]
    assert [e.ip for e in got] == ["10.244.1.9", "10.244.10.2", "10.244.2.3"]


def test_terminating_endpoints_serve_only_when_none_is_ready():
    from simulation.network.records import slice_endpoints

    gone = {"ready": False, "serving": True, "terminating": True}
    sl = {
        "addressType": "IPv4",
        "ports": [{"name": "", "port": 80, "protocol": "TCP"}],
        "endpoints": [{"addresses": ["10.244.1.2"], "conditions": gone}],
    }
    assert [e.ip for e in slice_endpoints([sl])[("", "TCP")]] == ["10.244.1.2"]
    sl["endpoints"].append({"addresses": ["10.244.1.3"], "conditions": {}})
    assert [e.ip for e in slice_endpoints([sl])[("", "TCP")]] == ["10.244.1.3"]


def test_client_ip_affinity_sends_a_client_back_to_the_same_endpoint():
    import random

    b = web_cluster()
    svc = b.store.get("services", "default", "web")
    b.store.put(
        "services", dict(svc, spec=dict(svc["spec"], sessionAffinity="ClientIP"))
    )
    m = b.model()
    nat = m.iptables_save("node-1", "nat")
    sep = endpoint_chain("default/web:http", "tcp", "10.244.2.3:80")
    svc_chain = chain_name("SVC", "default/web:http", "tcp")
    assert (
        f'-A {svc_chain} -m comment --comment "default/web:http -> 10.244.2.3:80" '
        f"-m recent --rcheck --seconds 10800 --reap --name {sep} "
        f"--mask 255.255.255.255 --rsource -j {sep}"
    ) in nat
    assert (
        f'-A {sep} -p tcp -m comment --comment "default/web:http" -m recent --set '
        f"--name {sep} --mask 255.255.255.255 --rsource -m tcp -j DNAT "
        "--to-destination 10.244.2.3:80"
    ) in nat
    picks = {
        next(
            h["nat"]["to"]
            for h in m.trace("client", "web", random.Random(s)).hops
            if h["nat"]
        )
        for s in range(12)
    }
    assert len(picks) == 1


def test_health_check_node_port_is_accepted_for_local_policy():
    b = ClusterBuilder(platform="cloud")
    b.pod("web", "node-2", labels={"app": "web"})
    svc = b.service("web", {"app": "web"}, type="LoadBalancer", etp="Local")
    b.store.put(
        "services", dict(svc, spec=dict(svc["spec"], healthCheckNodePort=32000))
    )
    filt = b.model().iptables_save("node-1", "filter")
    assert (
        '-A KUBE-NODEPORTS -p tcp -m comment --comment "default/web:http health check '
        'node port" -m tcp --dport 32000 -j ACCEPT'
    ) in filt
