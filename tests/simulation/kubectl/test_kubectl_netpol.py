"""NetworkPolicy as a core kind: validation, defaulting, get and describe.

Sources: kubernetes pkg/apis/networking/validation (ValidateNetworkPolicySpec and
its helpers), pkg/apis/networking/v1/defaults.go (SetDefaults_NetworkPolicy),
pkg/printers/internalversion/printers.go (printNetworkPolicy: NAME, POD-SELECTOR,
AGE), kubectl pkg/describe/describe.go (describeNetworkPolicySpec) and the
namespace strategy that labels each Namespace with kubernetes.io/metadata.name.
"""

from __future__ import annotations

from simulation import Cluster

WEB = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: web
  namespace: x
spec:
  podSelector:
    matchLabels: {app: web}
  ingress:
  - from:
    - namespaceSelector:
        matchExpressions:
        - {key: kubernetes.io/metadata.name, operator: In, values: [z, y]}
      podSelector: {matchLabels: {pod: b}}
    - podSelector: {}
    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16, 10.2.0.0/16]}
    ports:
    - port: 80
    - {port: serve-81-udp, protocol: UDP}
  - {}
  egress:
  - to:
    - ipBlock: {cidr: 0.0.0.0/0}
    ports: [{port: 30000, endPort: 32000}]
"""

DENY = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-ingress}
spec:
  podSelector: {}
"""


def apply(cluster: Cluster, text: str):
    return cluster.act({"op": "apply", "yaml": text})


def test_a_network_policy_is_a_core_kind_not_a_missing_crd(cluster, kc):
    """networking.k8s.io/v1 NetworkPolicy is served by kube-apiserver itself."""
    done = apply(cluster, DENY)
    assert done.ok, done.error
    assert done.output == "networkpolicy.networking.k8s.io/default-deny-ingress created"
    out = kc.ok(cluster, "kubectl get netpol")
    assert kc.header(out) == ["NAME", "POD-SELECTOR", "AGE"]
    assert kc.rows(out) == [["default-deny-ingress", "<none>", "0s"]]


def test_policy_types_default_from_the_rules_and_ports_to_tcp(cluster, kc):
    """SetDefaults_NetworkPolicy: Ingress always, Egress when egress rules exist;
    SetDefaults_NetworkPolicyPort: protocol TCP."""
    kc.ok(cluster, "kubectl create namespace x")
    assert apply(cluster, WEB).ok and apply(cluster, DENY).ok
    web = cluster.store.get("networkpolicies", "x", "web")["spec"]
    assert web["policyTypes"] == ["Ingress", "Egress"]
    assert [p["protocol"] for p in web["ingress"][0]["ports"]] == ["TCP", "UDP"]
    assert web["egress"][0]["ports"][0]["protocol"] == "TCP"
    deny = cluster.store.get("networkpolicies", "default", "default-deny-ingress")
    assert deny["spec"]["policyTypes"] == ["Ingress"]


def test_describe_prints_the_spec_as_kubectl_does(cluster, kc):
    kc.ok(cluster, "kubectl create namespace x")
    assert apply(cluster, WEB).ok
    lines = kc.ok(cluster, "kubectl describe networkpolicy web -n x").splitlines()
    assert lines[0] == "Name:         web"
    assert lines[2].startswith("Created on:   2026-01-01 00:00:")
    assert lines[2].endswith(" +0000 UTC")
    assert [ln.rstrip() for ln in lines[5:]] == [
        "Spec:",
        "  PodSelector:     app=web",
        "  Allowing ingress traffic:",
        "    To Port: 80/TCP",
        "    To Port: serve-81-udp/UDP",
        "    From:",
        "      NamespaceSelector: kubernetes.io/metadata.name in (y,z)",
        "      PodSelector: pod=b",
        "    From:",
        "      PodSelector: <none>",
        "    From:",
        "      IPBlock:",
        "        CIDR: 10.0.0.0/8",
        "        Except: 10.1.0.0/16, 10.2.0.0/16",
        "    ----------",
        "    To Port: <any> (traffic allowed to all ports)",
        "    From: <any> (traffic not restricted by source)",
        "  Allowing egress traffic:",
        "    To Port Range: 30000-32000/TCP",
        "    To:",
        "      IPBlock:",
        "        CIDR: 0.0.0.0/0",
        "        Except:",
        "  Policy Types: Ingress, Egress",
    ]


def test_describe_a_default_deny_says_pods_are_isolated(cluster, kc):
    assert apply(cluster, DENY).ok
    out = kc.ok(cluster, "kubectl describe netpol default-deny-ingress")
    assert out.splitlines()[5:] == [
        "Spec:",
        "  PodSelector:     <none> (Allowing the specific traffic to all pods in"
        " this namespace)",
        "  Allowing ingress traffic:",
        "    <none> (Selected pods are isolated for ingress connectivity)",
        "  Not affecting egress traffic",
        "  Policy Types: Ingress",
    ]


def test_validation_reports_every_cause_with_the_api_servers_words(cluster):
    bad = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: bad}
spec:
  podSelector: {matchExpressions: [{key: a, operator: In}]}
  policyTypes: [Ingress, Sideways]
  ingress:
  - from:
    - {}
    - {ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}, podSelector: {}}
    - {ipBlock: {cidr: nope}}
    ports:
    - {port: 0}
    - {port: Web_Port, endPort: 5}
    - {endPort: 3}
    - {protocol: ICMP, port: 90, endPort: 80}
"""
    done = apply(cluster, bad)
    assert not done.ok
    error = done.error
    assert error.startswith('The NetworkPolicy "bad" is invalid: ')
    for cause in (
        "spec.podSelector.matchExpressions[0].values: Required value: must be"
        " specified when `operator` is 'In' or 'NotIn'",
        'spec.policyTypes[1]: Unsupported value: "Sideways": supported values:'
        ' "Ingress", "Egress"',
        "spec.ingress[0].from[0]: Required value: must specify a peer",
        'spec.ingress[0].from[1].ipBlock.except[0]: Invalid value: "11.0.0.0/16":'
        " must be a strict subset of `cidr`",
        "spec.ingress[0].from[1]: Forbidden: may not specify both ipBlock and"
        " another peer",
        'spec.ingress[0].from[2].ipBlock.cidr: Invalid value: "nope": must be a'
        " valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
        "spec.ingress[0].ports[0].port: Invalid value: 0: must be between 1 and"
        " 65535, inclusive",
        "spec.ingress[0].ports[1].endPort: Invalid value: 5: may not be specified"
        " when `port` is non-numeric",
        'spec.ingress[0].ports[1].port: Invalid value: "Web_Port": must contain'
        " only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
        "spec.ingress[0].ports[2].endPort: Invalid value: 3: may not be specified"
        " when `port` is not specified",
        'spec.ingress[0].ports[3].protocol: Unsupported value: "ICMP": supported'
        ' values: "TCP", "UDP", "SCTP"',
        "spec.ingress[0].ports[3].endPort: Invalid value: 80: must be greater than"
        " or equal to `port`",
    ):
        assert cause in error
    assert cluster.store.get("networkpolicies", "default", "bad") is None


def test_every_namespace_carries_its_name_as_a_label(cluster, kc):
    """The namespace strategy sets kubernetes.io/metadata.name on create and on
    update, whatever the client sent."""
    kc.ok(cluster, "kubectl create namespace x")
    out = kc.ok(cluster, "kubectl get ns x --show-labels")
    assert kc.rows(out)[0][-1] == "kubernetes.io/metadata.name=x"
    done = apply(
        cluster,
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: y\n  labels:\n"
        "    team: blue\n    kubernetes.io/metadata.name: wrong\n",
    )
    assert done.ok, done.error
    labels = cluster.store.get("namespaces", None, "y")["metadata"]["labels"]
    assert labels == {"team": "blue", "kubernetes.io/metadata.name": "y"}


def test_kubectl_apply_and_create_narrate_that_flannel_does_not_enforce(cluster):
    """Issue 17: with flannel a policy is stored and has no effect, and the step
    says so; a CNI that enforces NetworkPolicy would not get the sentence."""
    done = cluster.act(
        {"op": "kubectl", "command": f"kubectl apply -f - <<EOF\n{DENY}EOF"}
    )
    assert done.ok, done.error
    reason = done.event.to_dict()["reason"]
    assert "flannel (VXLAN) does not enforce NetworkPolicy" in reason
    other = DENY.replace("default-deny-ingress", "second")
    done = cluster.act(
        {"op": "kubectl", "command": f"kubectl create -f - <<EOF\n{other}EOF"}
    )
    assert (
        "flannel (VXLAN) does not enforce NetworkPolicy"
        in (done.event.to_dict()["reason"])
    )
    cluster.config.cni = "calico"  # what issue 16 will offer; only its flag is read
    third = DENY.replace("default-deny-ingress", "third")
    done = cluster.act({"op": "apply", "yaml": third})
    assert "does not enforce" not in done.event.to_dict()["reason"]


def test_null_selector_and_rule_are_stored_as_the_empty_structs_they_decode_to(
    cluster, kc
):
    """podSelector and each rule are structs in the Go types: a null decodes to the
    empty value, so `ingress: [null]` is one rule allowing everything."""
    done = apply(
        cluster,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: open}\nspec:\n  podSelector: null\n  ingress: [null]\n",
    )
    assert done.ok, done.error
    spec = cluster.store.get("networkpolicies", "default", "open")["spec"]
    assert spec == {"podSelector": {}, "ingress": [{}], "policyTypes": ["Ingress"]}
