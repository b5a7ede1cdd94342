"""The API server refuses the Services a real one refuses, in its words, and
allocates what its allocators allocate (ClusterIPs, nodePorts, health check ports).

Sources: kubernetes pkg/apis/core/validation/validation.go (ValidateService,
validateServiceExternalTrafficPolicy), pkg/registry/core/service/storage/alloc.go
(initNodePorts, allocHealthCheckNodePort), pkg/registry/core/service/ipallocator
and portallocator (their ErrNotInRange and ErrAllocated messages).
"""

from __future__ import annotations

import pytest

from simulation.errors import SimulationError


def _error(cluster, obj) -> str:
    result = cluster.act({"op": "apply", "objects": [obj]})
    assert not result.ok, "the API server accepted it"
    return result.error


def _svc(k8s, name="web", type_="ClusterIP", **spec):
    svc = k8s.service(name, type_=type_)
    svc["spec"].update(spec)
    return svc


def test_a_cluster_ip_outside_the_service_cidr_is_refused(cluster, k8s):
    """ipallocator's ErrNotInRange, wrapped by alloc.go's "failed to allocate IP"
    on spec.clusterIPs: the message names the range a learner must pick from."""
    svc = _svc(k8s, clusterIP="192.168.1.10")
    assert _error(cluster, svc) == (
        'The Service "web" is invalid: spec.clusterIPs: Invalid value:'
        ' ["192.168.1.10"]: failed to allocate IP 192.168.1.10: the provided IP'
        " (192.168.1.10) is not in the valid range. The range of valid IPs is"
        " 10.96.0.0/12"
    )
    assert cluster.store.get("services", "default", "web") is None


def test_the_service_cidrs_network_address_is_not_in_its_range(cluster, k8s):
    """The bitmap allocator's range starts one past the network address."""
    assert "is not in the valid range" in _error(
        cluster, _svc(k8s, clusterIP="10.96.0.0")
    )


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("not-an-ip", "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
        (
            "10.0.0.0/24",
            "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
        ),
        ("127.0.0.1", "may not be in the loopback range (127.0.0.0/8, ::1/128)"),
        ("0.0.0.0", "may not be unspecified (0.0.0.0, ::)"),
    ],
)
def test_an_external_ip_that_is_not_an_ip_is_refused(cluster, k8s, value, why):
    """ValidateService: each spec.externalIPs entry is an IP (IsValidIP), and not
    a special one (ValidateNonSpecialIP)."""
    svc = _svc(k8s, externalIPs=["198.51.100.20", value])
    assert _error(cluster, svc) == (
        f'The Service "web" is invalid: spec.externalIPs[1]: Invalid value:'
        f' "{value}": {why}'
    )


def test_a_source_range_that_is_not_a_cidr_is_refused(cluster, k8s):
    """ValidateService checks each loadBalancerSourceRanges entry with
    IsValidCIDR; the field path keeps upstream's historical capital L."""
    svc = _svc(
        k8s, type_="LoadBalancer", loadBalancerSourceRanges=["203.0.113.0/24", "x"]
    )
    assert _error(cluster, svc) == (
        'The Service "web" is invalid: spec.LoadBalancerSourceRanges[1]: Invalid'
        ' value: "x": must be a valid CIDR value, (e.g. 10.9.8.0/24 or'
        " 2001:db8::/64)"
    )


def test_a_bare_address_is_not_a_source_range(cluster, k8s):
    """ParseCIDR needs a prefix length: 203.0.113.7 alone is not a CIDR."""
    svc = _svc(k8s, type_="LoadBalancer", loadBalancerSourceRanges=["203.0.113.7"])
    assert "must be a valid CIDR value" in _error(cluster, svc)


def test_source_ranges_on_a_node_port_service_are_forbidden(cluster, k8s):
    """ValidateService: loadBalancerSourceRanges only with type LoadBalancer."""
    svc = _svc(k8s, type_="NodePort", loadBalancerSourceRanges=["203.0.113.0/24"])
    assert _error(cluster, svc) == (
        'The Service "web" is invalid: spec.LoadBalancerSourceRanges: Forbidden:'
        " may only be used when `type` is 'LoadBalancer'"
    )


def test_external_traffic_policy_on_a_cluster_ip_service_is_refused(cluster, k8s):
    """validateServiceExternalTrafficPolicy: a Service no one outside reaches
    has no external traffic to steer."""
    svc = _svc(k8s, externalTrafficPolicy="Local")
    assert _error(cluster, svc) == (
        'The Service "web" is invalid: spec.externalTrafficPolicy: Invalid value:'
        ' "Local": may only be set for externally-accessible services'
    )


def test_external_traffic_policy_with_external_ips_is_allowed(cluster, k8s):
    """apiservice.ExternallyAccessible: a ClusterIP Service with externalIPs is
    reachable from outside, so the policy may be set."""
    k8s.apply(
        cluster,
        _svc(k8s, externalIPs=["198.51.100.20"], externalTrafficPolicy="Local"),
    )
    svc = cluster.store.get("services", "default", "web")
    assert svc["spec"]["externalTrafficPolicy"] == "Local"


def test_one_node_port_twice_in_a_service_is_a_duplicate(cluster, k8s):
    """ValidateService keys nodePorts by (protocol, nodePort): the second use of
    30080 over TCP is a Duplicate value on that port's path."""
    svc = _svc(k8s, type_="NodePort")
    svc["spec"]["ports"] = [
        {"name": "http", "port": 80, "nodePort": 30080},
        {"name": "alt", "port": 8080, "nodePort": 30080},
    ]
    assert _error(cluster, svc) == (
        'The Service "web" is invalid: spec.ports[1].nodePort: Duplicate value: 30080'
    )


def test_one_node_port_over_tcp_and_udp_is_allowed(cluster, k8s):
    """The duplicate key has the protocol in it: DNS on 30053 over both is fine."""
    svc = _svc(k8s, type_="NodePort")
    svc["spec"]["ports"] = [
        {"name": "dns", "port": 53, "protocol": "UDP", "nodePort": 30053},
        {"name": "dns-tcp", "port": 53, "protocol": "TCP", "nodePort": 30053},
    ]
    k8s.apply(cluster, svc)
    stored = cluster.store.get("services", "default", "web")
    assert [p["nodePort"] for p in stored["spec"]["ports"]] == [30053, 30053]


def test_a_node_port_another_service_holds_is_already_allocated(cluster, k8s):
    """portallocator's ErrAllocated, on the path of the port that asked for it."""
    first = _svc(k8s, "one", type_="NodePort")
    first["spec"]["ports"][0]["nodePort"] = 30080
    k8s.apply(cluster, first)
    second = _svc(k8s, "two", type_="NodePort")
    second["spec"]["ports"] = [
        {"name": "a", "port": 81},
        {"name": "b", "port": 80, "nodePort": 30080},
    ]
    assert _error(cluster, second) == (
        'The Service "two" is invalid: spec.ports[1].nodePort: Invalid value: 30080:'
        " provided port is already allocated"
    )


def test_a_node_port_outside_the_range_says_only_that(cluster, k8s):
    """portallocator's ErrNotInRange is its own message, naming the range."""
    svc = _svc(k8s, type_="NodePort")
    svc["spec"]["ports"][0]["nodePort"] = 80
    assert _error(cluster, svc) == (
        'The Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 80:'
        " provided port is not in the valid range. The range of valid ports is"
        " 30000-32767"
    )


@pytest.mark.parametrize(
    ("type_", "policy"),
    [("NodePort", "Local"), ("LoadBalancer", "Cluster"), ("ClusterIP", None)],
)
def test_a_health_check_node_port_where_none_is_needed_is_refused(
    cluster, k8s, type_, policy
):
    """validateServiceExternalTrafficPolicy: only a LoadBalancer with
    externalTrafficPolicy Local has a health check port
    (apiservice.NeedsHealthCheck)."""
    svc = _svc(k8s, type_=type_, healthCheckNodePort=30500)
    if policy:
        svc["spec"]["externalTrafficPolicy"] = policy
    assert _error(cluster, svc) == (
        'The Service "web" is invalid: spec.healthCheckNodePort: Invalid value:'
        " 30500: may only be set when `type` is 'LoadBalancer' and"
        " `externalTrafficPolicy` is 'Local'"
    )


def _local_lb(k8s, name="web", **spec):
    return _svc(k8s, name, type_="LoadBalancer", externalTrafficPolicy="Local", **spec)


def test_a_local_load_balancer_gets_a_health_check_node_port(cluster, k8s):
    """alloc.go allocHealthCheckNodePort: none asked for, one is allocated from
    the NodePort range, apart from the Service's own nodePorts."""
    k8s.apply(cluster, _local_lb(k8s))
    spec = cluster.store.get("services", "default", "web")["spec"]
    health = spec["healthCheckNodePort"]
    assert 30000 <= health <= 32767
    assert health != spec["ports"][0]["nodePort"]


def test_the_health_check_node_port_is_the_same_for_the_same_seed(k8s):
    """The allocator draws from the model's random source: one seed, one port."""
    from simulation import Cluster

    ports = []
    for _ in range(2):
        cluster = Cluster(seed=7)
        k8s.apply(cluster, _local_lb(k8s))
        ports.append(
            cluster.store.get("services", "default", "web")["spec"][
                "healthCheckNodePort"
            ]
        )
    assert ports[0] == ports[1]


def test_a_requested_health_check_node_port_is_kept(cluster, k8s):
    """alloc.go: a health check nodePort the request names is reserved as is."""
    k8s.apply(cluster, _local_lb(k8s, healthCheckNodePort=31000))
    spec = cluster.store.get("services", "default", "web")["spec"]
    assert spec["healthCheckNodePort"] == 31000


def test_a_taken_health_check_node_port_is_an_internal_error(cluster, k8s):
    """alloc.go returns NewInternalError("failed to allocate requested
    HealthCheck NodePort ...") when the port is held, here by a NodePort."""
    first = _svc(k8s, "one", type_="NodePort")
    first["spec"]["ports"][0]["nodePort"] = 31000
    k8s.apply(cluster, first)
    with pytest.raises(SimulationError) as caught:
        cluster.api.create(
            _local_lb(k8s, "two", healthCheckNodePort=31000), actor="kubectl"
        )
    assert str(caught.value) == (
        "Internal error occurred: failed to allocate requested HealthCheck NodePort"
        " 31000: provided port is already allocated"
    )
    assert cluster.store.get("services", "default", "two") is None


def test_a_node_port_another_service_uses_for_health_checks_is_taken(cluster, k8s):
    """Health check ports come from the same allocator as nodePorts."""
    k8s.apply(cluster, _local_lb(k8s, "lb", healthCheckNodePort=31000))
    second = _svc(k8s, "np", type_="NodePort")
    second["spec"]["ports"][0]["nodePort"] = 31000
    assert "provided port is already allocated" in _error(cluster, second)


def test_switching_a_load_balancer_to_local_allocates_its_health_port(cluster, k8s):
    """An update that makes the Service need a health check allocates one too
    (alloc.go txnUpdateNodePorts calls allocHealthCheckNodePort)."""
    k8s.apply(cluster, _svc(k8s, type_="LoadBalancer"))
    assert (
        "healthCheckNodePort"
        not in (cluster.store.get("services", "default", "web")["spec"])
    )
    result = cluster.act(
        {
            "op": "kubectl",
            "command": "kubectl patch service web -p"
            ' \'{"spec":{"externalTrafficPolicy":"Local"}}\'',
        }
    )
    assert result.ok, result.error
    spec = cluster.store.get("services", "default", "web")["spec"]
    assert 30000 <= spec["healthCheckNodePort"] <= 32767


def test_a_node_port_service_made_cluster_ip_drops_its_external_fields(cluster, k8s):
    """The service strategy's dropTypeDependentFields clears the nodePorts and
    the defaulted externalTrafficPolicy when the type no longer uses them."""
    k8s.apply(cluster, _svc(k8s, type_="NodePort"))
    result = cluster.act(
        {
            "op": "kubectl",
            "command": 'kubectl patch service web -p \'{"spec":{"type":"ClusterIP"}}\'',
        }
    )
    assert result.ok, result.error
    spec = cluster.store.get("services", "default", "web")["spec"]
    assert spec["type"] == "ClusterIP"
    assert "externalTrafficPolicy" not in spec
    assert "nodePort" not in spec["ports"][0]


def test_a_health_check_node_port_may_not_change(cluster, k8s):
    """validateServiceExternalTrafficFieldsUpdate: while the Service needs a
    health check its port is immutable."""
    k8s.apply(cluster, _local_lb(k8s, healthCheckNodePort=31000))
    result = cluster.act(
        {
            "op": "kubectl",
            "command": "kubectl patch service web -p"
            ' \'{"spec":{"healthCheckNodePort":31001}}\'',
        }
    )
    assert result.error == (
        'The Service "web" is invalid: spec.healthCheckNodePort: Invalid value:'
        " 31001: field is immutable"
    )


def test_an_apply_that_leaves_out_the_health_check_port_keeps_it(cluster, k8s):
    """The port was allocated, not asked for: applying the same manifest again
    changes nothing."""
    k8s.apply(cluster, _local_lb(k8s))
    before = cluster.store.get("services", "default", "web")["spec"]
    result = cluster.act({"op": "apply", "objects": [_local_lb(k8s)]})
    assert result.ok, result.error
    assert result.output == "service/web unchanged"
    after = cluster.store.get("services", "default", "web")["spec"]
    assert after["healthCheckNodePort"] == before["healthCheckNodePort"]
