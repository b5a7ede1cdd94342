"""Truth tables of the upstream e2e suite, kubernetes test/e2e/network/netpol/
network_policy.go, each test named after the `It(...)` it follows. Policies are
the suite's Go structs (GenNetworkPolicyWithNameAndPodMatchLabel, SetSpecIngress-
Rules, …) written out as the YAML kubectl would send; namespaces carry
kubernetes.io/metadata.name (namespaceLabelKey) because the API server sets it.
"""

from __future__ import annotations

import ipaddress

import pytest
from netpol_e2e import Reachability, apply, kubectl, pod, validate, world


@pytest.fixture(scope="module")
def base():
    return world()


@pytest.fixture
def k8s(base):
    """The e2e world with no policies (cleanNetworkPolicies after each test)."""
    yield base
    for ns in ("x", "y", "z"):
        kubectl(base, f"kubectl delete networkpolicy --all -n {ns}")


def policy(ns: str, name: str, spec: str) -> str:
    return (
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        f"metadata:\n  name: {name}\n  namespace: {ns}\nspec:\n{spec}"
    )


def test_should_support_a_default_deny_ingress_policy(k8s):
    """It("should support a 'default-deny-ingress' policy")."""
    apply(k8s, policy("x", "deny-ingress", "  podSelector: {}\n  ingress: []\n"))
    want = Reachability().expect_peer("", "x", False)
    validate(k8s, want, 80)


def test_should_support_a_default_deny_all_policy(k8s):
    """It("should support a 'default-deny-all' policy")."""
    apply(
        k8s,
        policy(
            "x",
            "deny-all",
            "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n"
            "  ingress: []\n  egress: []\n",
        ),
    )
    want = Reachability().expect_peer("", "x", False).expect_peer("x", "", False)
    validate(k8s, want, 80)


def test_should_enforce_policy_to_allow_traffic_from_pods_within_server_namespace_based_on_pod_selector(  # noqa: E501
    k8s,
):
    """It("should enforce policy to allow traffic from pods within server namespace
    based on PodSelector")."""
    apply(
        k8s,
        policy(
            "x",
            "x-a-allows-x-b",
            "  podSelector: {matchLabels: {pod: a}}\n"
            "  ingress:\n  - from:\n    - podSelector: {matchLabels: {pod: b}}\n",
        ),
    )
    want = Reachability().expect_all_ingress("x/a", False).expect("x/b", "x/a", True)
    validate(k8s, want, 80)


def test_should_enforce_policy_to_allow_ingress_traffic_for_a_target(k8s):
    """It("should enforce policy to allow ingress traffic for a target"): two
    policies select x/a; the union of their rules applies."""
    apply(k8s, policy("x", "deny-all", "  podSelector: {}\n  ingress: []\n"))
    apply(
        k8s,
        policy(
            "x",
            "allow-all-to-a",
            "  podSelector: {matchLabels: {pod: a}}\n"
            "  ingress:\n  - from:\n"
            "    - {podSelector: {}, namespaceSelector: {}}\n",
        ),
    )
    want = (
        Reachability()
        .expect_all_ingress("x/a", True)
        .expect_all_ingress("x/b", False)
        .expect_all_ingress("x/c", False)
    )
    validate(k8s, want, 80)


def test_should_enforce_policy_to_allow_traffic_only_from_a_different_namespace_based_on_namespace_selector(  # noqa: E501
    k8s,
):
    """It("should enforce policy to allow traffic only from a different namespace,
    based on NamespaceSelector")."""
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-ns-selector",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - namespaceSelector:\n"
            "        matchLabels: {kubernetes.io/metadata.name: y}\n",
        ),
    )
    want = Reachability().expect_peer("x", "x/a", False).expect_peer("z", "x/a", False)
    validate(k8s, want, 80)


def test_should_enforce_policy_based_on_namespace_selector_with_match_expressions(k8s):
    """It("should enforce policy based on NamespaceSelector with
    MatchExpressions")."""
    apply(
        k8s,
        policy(
            "x",
            "allow-ns-y-match-selector",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - namespaceSelector:\n        matchExpressions:\n"
            "        - {key: kubernetes.io/metadata.name, operator: In,"
            " values: [y]}\n",
        ),
    )
    want = Reachability().expect_peer("x", "x/a", False).expect_peer("z", "x/a", False)
    validate(k8s, want, 80)


def test_should_enforce_policy_based_on_pod_selector_or_namespace_selector(k8s):
    """It("should enforce policy based on PodSelector or NamespaceSelector"): two
    peers in one rule are alternatives (OR)."""
    apply(
        k8s,
        policy(
            "x",
            "allow-ns-y-match-selector",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - namespaceSelector:\n        matchExpressions:\n"
            "        - {key: kubernetes.io/metadata.name, operator: NotIn,"
            " values: [x]}\n"
            "    - podSelector: {matchLabels: {pod: b}}\n",
        ),
    )
    want = Reachability().expect("x/c", "x/a", False)
    validate(k8s, want, 80)


def test_should_enforce_policy_based_on_pod_selector_and_namespace_selector(k8s):
    """It("should enforce policy based on PodSelector and NamespaceSelector"): both
    selectors in one peer must match (AND)."""
    apply(
        k8s,
        policy(
            "x",
            "allow-ns-y-podselector-and-nsselector",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - namespaceSelector:\n        matchExpressions:\n"
            "        - {key: kubernetes.io/metadata.name, operator: NotIn,"
            " values: [x]}\n"
            "      podSelector: {matchLabels: {pod: b}}\n",
        ),
    )
    want = (
        Reachability()
        .expect_all_ingress("x/a", False)
        .expect("y/b", "x/a", True)
        .expect("z/b", "x/a", True)
    )
    validate(k8s, want, 80)


def test_should_enforce_policy_based_on_ports(k8s):
    """It("should enforce policy based on Ports"): only namespace y, only on 81."""
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-ns-selector",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - namespaceSelector:\n"
            "        matchLabels: {kubernetes.io/metadata.name: y}\n"
            "    ports:\n    - {port: 81, protocol: TCP}\n",
        ),
    )
    want = (
        Reachability()
        .expect_peer("x", "x/a", False)
        .expect_peer("y", "x/a", True)
        .expect_peer("z", "x/a", False)
    )
    validate(k8s, want, 81)
    validate(k8s, Reachability().expect_all_ingress("x/a", False), 80)


def test_should_allow_ingress_access_on_one_named_port(k8s):
    """It("should allow ingress access on one named port"): serve-81-tcp is looked
    up on the receiving pod."""
    apply(
        k8s,
        policy(
            "x",
            "allow-all",
            "  podSelector: {}\n  ingress:\n  - ports:\n    - port: serve-81-tcp\n",
        ),
    )
    validate(k8s, Reachability(), 81)
    validate(k8s, Reachability().expect_peer("", "x", False), 80)


def test_should_allow_egress_access_on_one_named_port(k8s):
    """It("should allow egress access on one named port"): for egress the name is
    looked up on the destination pod."""
    apply(
        k8s,
        policy(
            "x",
            "allow-egress",
            "  podSelector: {}\n  policyTypes: [Egress]\n"
            "  egress:\n  - ports:\n    - port: serve-80-tcp\n",
        ),
    )
    validate(k8s, Reachability(), 80)
    validate(k8s, Reachability().expect_peer("x", "", False), 81)


def test_should_enforce_egress_policy_allowing_traffic_to_a_server_in_a_different_namespace_based_on_pod_selector_and_namespace_selector(  # noqa: E501
    k8s,
):
    """It("should enforce egress policy allowing traffic to a server in a different
    namespace based on PodSelector and NamespaceSelector")."""
    apply(
        k8s,
        policy(
            "x",
            "allow-to-ns-y-pod-a",
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            "  egress:\n  - to:\n    - namespaceSelector:\n"
            "        matchLabels: {kubernetes.io/metadata.name: y}\n"
            "      podSelector: {matchLabels: {pod: a}}\n",
        ),
    )
    want = Reachability().expect_all_egress("x/a", False).expect("x/a", "y/a", True)
    validate(k8s, want, 80)


def test_should_support_denying_of_egress_traffic_on_the_client_side(k8s):
    """It("should support denying of egress traffic on the client side (even if
    the server explicitly allows this traffic)")."""
    apply(
        k8s,
        policy(
            "x",
            "allow-to-ns-y-pod-a",
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            "  egress:\n  - to:\n    - namespaceSelector:\n"
            "        matchLabels: {kubernetes.io/metadata.name: y}\n"
            "      podSelector: {matchLabels: {pod: a}}\n",
        ),
    )
    ingress = (
        "  ingress:\n  - from:\n    - namespaceSelector:\n"
        "        matchLabels: {kubernetes.io/metadata.name: x}\n"
        "      podSelector: {matchLabels: {pod: a}}\n"
    )
    for target in ("a", "b"):
        apply(
            k8s,
            policy(
                "y",
                f"allow-from-xa-on-y{target}-match-selector",
                f"  podSelector: {{matchLabels: {{pod: {target}}}}}\n" + ingress,
            ),
        )
    want = (
        Reachability()
        .expect_peer("x/a", "", False)
        .expect_peer("", "y/a", False)
        .expect_peer("x/a", "y/a", True)
        .expect_peer("", "y/b", False)
    )
    validate(k8s, want, 80)


def test_should_enforce_ingress_policy_allowing_any_port_traffic_on_a_protocol(k8s):
    """It("should enforce ingress policy allowing any port traffic to a server on a
    specific protocol"): a port entry with only `protocol: TCP`."""
    apply(
        k8s,
        policy(
            "x",
            "allow-ingress-by-proto",
            "  podSelector: {matchLabels: {pod: a}}\n"
            "  ingress:\n  - ports:\n    - protocol: TCP\n",
        ),
    )
    validate(k8s, Reachability(), 80, "TCP")
    validate(k8s, Reachability().expect_peer("", "x/a", False), 80, "UDP")


def test_should_not_mistakenly_treat_protocol_sctp_as_tcp(k8s):
    """It("should not mistakenly treat 'protocol: SCTP' as 'protocol: TCP', even if
    the plugin doesn't support SCTP")."""
    apply(k8s, policy("x", "deny-ingress", "  podSelector: {}\n  ingress: []\n"))
    apply(
        k8s,
        policy(
            "x",
            "allow-only-sctp-ingress-on-port-81",
            "  podSelector: {matchLabels: {pod: a}}\n"
            "  ingress:\n  - ports:\n    - {port: 81, protocol: SCTP}\n",
        ),
    )
    validate(k8s, Reachability().expect_peer("", "x", False), 81)


def test_should_allow_egress_access_to_server_in_cidr_block(k8s):
    """It("should allow egress access to server in CIDR block"): y/b's IP as /32."""
    ip = pod(k8s, "y/b").ip
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-cidr-egress-rule",
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            f"  egress:\n  - to:\n    - ipBlock: {{cidr: {ip}/32}}\n",
        ),
    )
    want = Reachability().expect_all_egress("x/a", False).expect("x/a", "y/b", True)
    validate(k8s, want, 80)


def test_should_enforce_except_clause_while_egress_access_to_server_in_cidr_block(
    k8s,
):
    """It("should enforce except clause while egress access to server in CIDR
    block"): a large CIDR around x/b (makeLargeCIDRForIP: a /4) except x/b."""
    ip = pod(k8s, "x/b").ip
    large = ipaddress.ip_network(f"{ip}/4", strict=False)
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-cidr-egress-rule",
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            f"  egress:\n  - to:\n    - ipBlock: {{cidr: {large}, except:"
            f" [{ip}/32]}}\n",
        ),
    )
    validate(k8s, Reachability().expect("x/a", "x/b", False), 80)


def test_should_ensure_an_ip_overlapping_both_ipblock_cidr_and_except_is_allowed(k8s):
    """It("should ensure an IP overlapping both IPBlock.CIDR and IPBlock.Except is
    allowed"): another rule allowing x/b's /32 wins over the first one's except."""
    ip = pod(k8s, "x/b").ip
    large = ipaddress.ip_network(f"{ip}/4", strict=False)
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-cidr-egress-rule",
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            f"  egress:\n  - to:\n    - ipBlock: {{cidr: {large}, except:"
            f" [{ip}/32]}}\n",
        ),
    )
    validate(k8s, Reachability().expect("x/a", "x/b", False), 80)
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-cidr-egress-rule",
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            f"  egress:\n  - to:\n    - ipBlock: {{cidr: {ip}/32}}\n",
        ),
    )
    want = Reachability().expect_all_egress("x/a", False).expect("x/a", "x/b", True)
    validate(k8s, want, 80)


def test_end_port_allows_the_whole_range_inclusive(k8s):
    """networking/v1 types.go, NetworkPolicyPort.endPort: "the range of ports from
    port to endPort, inclusive" (the suite's port-range case, with ports 80-81)."""
    apply(
        k8s,
        policy(
            "x",
            "allow-range",
            "  podSelector: {matchLabels: {pod: a}}\n"
            "  ingress:\n  - ports:\n    - {port: 80, endPort: 81}\n",
        ),
    )
    validate(k8s, Reachability(), 80)
    validate(k8s, Reachability(), 81)
    kubectl(k8s, "kubectl delete networkpolicy allow-range -n x")
    apply(
        k8s,
        policy(
            "x",
            "allow-range",
            "  podSelector: {matchLabels: {pod: a}}\n"
            "  ingress:\n  - ports:\n    - {port: 70, endPort: 80}\n",
        ),
    )
    validate(k8s, Reachability(), 80)
    validate(k8s, Reachability().expect_all_ingress("x/a", False), 81)


def test_should_allow_ingress_access_from_updated_namespace(k8s):
    """It("should allow ingress access from updated namespace"): a namespace's new
    label changes the verdict without touching the policy."""
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-ns-selector",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - namespaceSelector: {matchLabels: {ns2: updated}}\n",
        ),
    )
    validate(k8s, Reachability().expect_all_ingress("x/a", False), 80)
    kubectl(k8s, "kubectl label namespace y ns2=updated")
    try:
        want = (
            Reachability().expect_all_ingress("x/a", False).expect_peer("y", "", True)
        )
        validate(k8s, want, 80)
    finally:
        kubectl(k8s, "kubectl label namespace y ns2-")


def test_a_check_names_the_selecting_policies_and_the_rule_that_matched(k8s):
    """The issue's shape: deny lists the policies selecting the pod, none of whose
    rules matched; allow names the first rule that matched."""
    apply(k8s, policy("x", "deny-all", "  podSelector: {}\n  ingress: []\n"))
    apply(
        k8s,
        policy(
            "x",
            "allow-b",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n"
            "  - from: [{podSelector: {matchLabels: {pod: c}}}]\n"
            "  - from: [{podSelector: {matchLabels: {pod: b}}}]\n",
        ),
    )
    from simulation.network import model_for

    policies = model_for(k8s).policies
    a, b, y = pod(k8s, "x/a"), pod(k8s, "x/b"), pod(k8s, "y/a")
    assert policies.check("ingress", a, b, "tcp", 80) == {
        "verdict": "allow",
        "direction": "ingress",
        "policies": ["x/allow-b", "x/deny-all"],
        "rule": {"policy": "x/allow-b", "index": 1},
    }
    assert policies.check("ingress", a, y, "tcp", 80) == {
        "verdict": "deny",
        "direction": "ingress",
        "policies": ["x/allow-b", "x/deny-all"],
        "rule": None,
    }
    assert policies.check("egress", a, b, "tcp", 80) is None
    assert policies.check("ingress", y, a, "tcp", 80) is None


def test_should_enforce_policy_based_on_multiple_pod_selectors_and_namespace_selectors(
    k8s,
):
    """It("should enforce policy based on Multiple PodSelectors and
    NamespaceSelectors")."""
    apply(
        k8s,
        policy(
            "x",
            "allow-ns-y-z-pod-b-c",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - namespaceSelector:\n        matchExpressions:\n"
            "        - {key: kubernetes.io/metadata.name, operator: NotIn,"
            " values: [x]}\n"
            "      podSelector:\n        matchExpressions:\n"
            "        - {key: pod, operator: In, values: [b, c]}\n",
        ),
    )
    want = (
        Reachability()
        .expect_peer("x", "x/a", False)
        .expect("y/a", "x/a", False)
        .expect("z/a", "x/a", False)
    )
    validate(k8s, want, 80)


def test_should_enforce_policy_based_on_any_pod_selectors(k8s):
    """It("should enforce policy based on any PodSelectors")."""
    apply(
        k8s,
        policy(
            "x",
            "allow-ns-x-pod-b-c",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - podSelector: {matchLabels: {pod: b}}\n"
            "    - podSelector: {matchLabels: {pod: c}}\n",
        ),
    )
    want = (
        Reachability()
        .expect_all_ingress("x/a", False)
        .expect("x/b", "x/a", True)
        .expect("x/c", "x/a", True)
    )
    validate(k8s, want, 80)


def test_should_enforce_multiple_stacked_policies_with_overlapping_pod_selectors(k8s):
    """It("should enforce multiple, stacked policies with overlapping
    podSelectors"): a second policy opens port 80 as well."""
    rule = (
        "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
        "    - namespaceSelector:\n"
        "        matchLabels: {kubernetes.io/metadata.name: y}\n"
        "    ports:\n    - {port: PORT, protocol: TCP}\n"
    )
    apply(
        k8s, policy("x", "allow-client-a-via-ns-selector", rule.replace("PORT", "81"))
    )
    allow = (
        Reachability()
        .expect_peer("x", "x/a", False)
        .expect_peer("y", "x/a", True)
        .expect_peer("z", "x/a", False)
    )
    validate(k8s, allow, 81)
    validate(k8s, Reachability().expect_all_ingress("x/a", False), 80)
    apply(
        k8s,
        policy("x", "allow-client-a-via-ns-selector-80", rule.replace("PORT", "80")),
    )
    validate(k8s, allow, 80)


def test_should_support_allow_all_policy(k8s):
    """It("should support allow-all policy")."""
    apply(k8s, policy("x", "allow-all", "  podSelector: {}\n  ingress:\n  - {}\n"))
    validate(k8s, Reachability(), 80)
    validate(k8s, Reachability(), 81)


def test_should_enforce_updated_policy(k8s):
    """It("should enforce updated policy"): allow all, then updated to deny all."""
    apply(
        k8s,
        policy(
            "x",
            "allow-all-mutate-to-deny-all",
            "  podSelector: {}\n  ingress:\n  - {}\n",
        ),
    )
    validate(k8s, Reachability(), 81)
    apply(
        k8s,
        policy(
            "x", "allow-all-mutate-to-deny-all", "  podSelector: {}\n  ingress: []\n"
        ),
    )
    validate(k8s, Reachability().expect_peer("", "x", False), 81)


def test_should_deny_ingress_from_pods_on_other_namespaces(k8s):
    """It("should deny ingress from pods on other namespaces"): an empty
    podSelector peer means the policy's own namespace only."""
    apply(
        k8s,
        policy(
            "x",
            "deny-empty-policy",
            "  podSelector: {}\n  ingress:\n  - from:\n    - podSelector: {}\n",
        ),
    )
    want = Reachability().expect_peer("y", "x", False).expect_peer("z", "x", False)
    validate(k8s, want, 80)


def test_should_allow_and_deny_ingress_as_a_pod_is_relabelled(k8s):
    """It("should allow ingress access from updated pod") and It("should deny
    ingress access to updated pod"): labels decide, not names."""
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-pod-selector",
            "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n  - from:\n"
            "    - podSelector: {matchLabels: {pod: b, pod2: updated}}\n",
        ),
    )
    apply(
        k8s,
        policy(
            "y",
            "deny-ingress-via-label-selector",
            "  podSelector: {matchLabels: {target: isolated}}\n  ingress: []\n",
        ),
    )
    validate(k8s, Reachability().expect_all_ingress("x/a", False), 80)
    kubectl(k8s, "kubectl label pod b -n x pod2=updated")
    kubectl(k8s, "kubectl label pod a -n y target=isolated")
    try:
        want = (
            Reachability()
            .expect_all_ingress("x/a", False)
            .expect("x/b", "x/a", True)
            .expect_all_ingress("y/a", False)
        )
        validate(k8s, want, 80)
    finally:
        kubectl(k8s, "kubectl label pod b -n x pod2-")
        kubectl(k8s, "kubectl label pod a -n y target-")


def test_should_deny_egress_from_pods_based_on_pod_selector(k8s):
    """It("should deny egress from pods based on PodSelector")."""
    apply(
        k8s,
        policy(
            "x",
            "deny-egress-pod-a",
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            "  egress: []\n",
        ),
    )
    validate(k8s, Reachability().expect_all_egress("x/a", False), 80)


def test_should_work_with_ingress_egress_specified_together(k8s):
    """It("should work with Ingress, Egress specified together")."""
    apply(
        k8s,
        policy(
            "x",
            "allow-client-a-via-pod-selector",
            "  podSelector: {matchLabels: {pod: a}}\n"
            "  policyTypes: [Egress, Ingress]\n"
            "  ingress:\n  - from:\n    - podSelector: {matchLabels: {pod: b}}\n"
            "  egress:\n  - ports:\n    - port: 80\n",
        ),
    )
    port80 = Reachability().expect_all_ingress("x/a", False).expect("x/b", "x/a", True)
    validate(k8s, port80, 80)
    port81 = (
        Reachability()
        .expect_all_ingress("x/a", False)
        .expect_all_egress("x/a", False)
        .expect("x/b", "x/a", True)
    )
    validate(k8s, port81, 81)


def test_should_enforce_multiple_egress_policies_with_egress_allow_all_taking_precedence(  # noqa: E501
    k8s,
):
    """It("should enforce multiple egress policies with egress allow-all policy
    taking precedence")."""
    apply(
        k8s,
        policy(
            "x",
            "allow-egress-port-80",
            "  podSelector: {}\n  policyTypes: [Egress]\n"
            "  egress:\n  - ports:\n    - port: 80\n",
        ),
    )
    validate(k8s, Reachability().expect_peer("x", "", False), 81)
    apply(
        k8s,
        policy(
            "x",
            "allow-egress",
            "  podSelector: {}\n  policyTypes: [Egress]\n  egress:\n  - {}\n",
        ),
    )
    validate(k8s, Reachability(), 81)


def test_should_stop_enforcing_policies_after_they_are_deleted(k8s):
    """It("should stop enforcing policies after they are deleted")."""
    apply(
        k8s,
        policy(
            "x",
            "deny-all",
            "  podSelector: {}\n  policyTypes: [Ingress, Egress]\n",
        ),
    )
    want = Reachability().expect_peer("x", "", False).expect_peer("", "x", False)
    validate(k8s, want, 80)
    kubectl(k8s, "kubectl delete networkpolicy deny-all -n x")
    validate(k8s, Reachability(), 80)


def test_should_enforce_policy_based_on_namespace_selector_with_match_expressions_using_default_ns_label(  # noqa: E501
    k8s,
):
    """It("should enforce policy based on NamespaceSelector with MatchExpressions
    using default ns label"): an egress NotIn on kubernetes.io/metadata.name."""
    apply(
        k8s,
        policy(
            "x",
            "allow-ns-y-match-selector-for-immutable-ns-label",
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            "  egress:\n  - to:\n    - namespaceSelector:\n"
            "        matchExpressions:\n"
            "        - {key: kubernetes.io/metadata.name, operator: NotIn,"
            " values: [y]}\n",
        ),
    )
    validate(k8s, Reachability().expect_peer("x/a", "y", False), 80)
