"""NetworkPolicy in a packet trace: noted but not enforced on flannel; dropped at
the hop that checks it under a CNI that enforces it.

The enforcing CNIs (Calico, Cilium) are not in the model yet, so the dropped path
runs on a NetworkModel whose `enforces_network_policy` is True: the one property
the trace asks. Worlds are the upstream e2e suite's (netpol_e2e.py); the
semantics are the API's (ingress checked at the receiving pod, egress at the
sender, replies of an allowed connection pass).
"""

from __future__ import annotations

import pytest
from netpol_e2e import apply, kubectl, world

from simulation.network import NetworkModel, model_for


class Enforcing(NetworkModel):
    """The network as a CNI with a policy engine would program it."""

    enforces_network_policy = True


DENY_X = (
    "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
    "metadata: {name: deny-ingress, namespace: x}\nspec:\n  podSelector: {}\n"
)


@pytest.fixture(scope="module")
def base():
    return world()


@pytest.fixture
def k8s(base):
    yield base
    for ns in ("x", "y", "z"):
        kubectl(base, f"kubectl delete networkpolicy --all -n {ns}")


def checks(trace) -> list[dict]:
    return [h["policy"] for h in trace.hops if h.get("policy")]


def test_on_flannel_creating_a_policy_says_it_will_not_be_enforced(k8s):
    done = k8s.act({"op": "apply", "yaml": DENY_X})
    assert done.ok, done.error
    reason = done.event.to_dict()["reason"]
    assert "flannel (VXLAN) does not enforce NetworkPolicy" in reason


def test_on_flannel_a_denied_packet_is_delivered_with_a_note(k8s):
    """The policy is stored and has no effect; the trace says what an enforcing
    CNI would have done, at the hop where it would have done it."""
    apply(k8s, DENY_X)
    trace = model_for(k8s).trace("pod/y/a", "pod/x/a:80")
    assert trace.verdict == "delivered"
    assert checks(trace) == [
        {
            "verdict": "not-enforced",
            "direction": "ingress",
            "policies": ["x/deny-ingress"],
            "rule": None,
            "would": "deny",
        }
    ]
    hop = next(h for h in trace.hops if h.get("policy"))
    assert hop["at"] == f"node/{hop['node']}/{model_for(k8s).idx.pods['x/a'].veth}"
    (note,) = trace.to_dict()["notes"]
    assert "would deny this ingress from y/a to x/a" in note
    assert "flannel (VXLAN) does not enforce NetworkPolicy" in note
    assert {"kind": "policy", "verdict": "not-enforced", "text": hop["explain"]} in (
        hop["events"]
    )


def test_on_flannel_a_trace_no_policy_would_deny_has_no_note(k8s):
    apply(k8s, DENY_X)
    trace = model_for(k8s).trace("pod/x/a", "pod/y/a:80")
    assert trace.verdict == "delivered"
    assert checks(trace) == [] and trace.notes == []


def test_enforced_ingress_deny_drops_at_the_receivers_veth(k8s):
    apply(k8s, DENY_X)
    net = Enforcing(k8s)
    trace = net.trace("pod/y/a", "pod/x/a:80")
    assert trace.verdict == "dropped"
    last = trace.hops[-1]
    assert last["at"] == f"node/{last['node']}/{net.idx.pods['x/a'].veth}"
    assert last["policy"] == {
        "verdict": "deny",
        "direction": "ingress",
        "policies": ["x/deny-ingress"],
        "rule": None,
    }
    assert trace.reply == []
    assert "x/deny-ingress" in trace.reason


def test_enforced_egress_deny_drops_on_the_senders_node(k8s):
    """It("should deny egress from all pods in a namespace"), traced: the packet
    stops in x/a's node before it is forwarded anywhere."""
    apply(
        k8s,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: deny-egress-ns-x, namespace: x}\nspec:\n"
        "  podSelector: {}\n  policyTypes: [Egress]\n",
    )
    net = Enforcing(k8s)
    src = net.idx.pods["x/a"]
    trace = net.trace("pod/x/a", "pod/y/b:80")
    assert trace.verdict == "dropped"
    last = trace.hops[-1]
    assert (last["at"], last["node"]) == (f"node/{src.node}/root", src.node)
    assert last["policy"]["direction"] == "egress"
    assert last["policy"]["policies"] == ["x/deny-egress-ns-x"]
    assert not any(h["at"].startswith("pod/y/") for h in trace.hops)


def test_enforced_allow_names_the_rule_and_the_reply_passes(k8s):
    """It("should enforce policy to allow traffic from pods within server namespace
    based on PodSelector"), traced from x/b: allowed by rule 0; the reply is not
    checked again (conntrack)."""
    apply(
        k8s,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: x-a-allows-x-b, namespace: x}\nspec:\n"
        "  podSelector: {matchLabels: {pod: a}}\n"
        "  ingress:\n  - from:\n    - podSelector: {matchLabels: {pod: b}}\n",
    )
    net = Enforcing(k8s)
    trace = net.trace("pod/x/b", "pod/x/a:80")
    assert trace.verdict == "delivered"
    assert checks(trace) == [
        {
            "verdict": "allow",
            "direction": "ingress",
            "policies": ["x/x-a-allows-x-b"],
            "rule": {"policy": "x/x-a-allows-x-b", "index": 0},
        }
    ]
    assert trace.reply and not any(h.get("policy") for h in trace.reply)
    assert net.trace("pod/x/c", "pod/x/a:80").verdict == "dropped"


def test_an_egress_deny_breaks_dns_first_and_says_so_once(k8s):
    """Egress denied to everything: the DNS query to CoreDNS is the first packet
    to stop ("Egress, and why DNS broke"); each connection's note names its peer."""
    apply(
        k8s,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: deny-egress, namespace: x}\nspec:\n"
        "  podSelector: {}\n  policyTypes: [Egress]\n",
    )
    trace = Enforcing(k8s).trace("pod/x/a", "kubernetes.default:443")
    assert trace.verdict == "dropped"
    assert trace.reason.startswith("DNS query for kubernetes.default failed:")
    assert "x/deny-egress" in trace.reason and not trace.reason.endswith("..")
    flannel = model_for(k8s).trace("pod/x/a", "kubernetes.default:443")
    assert flannel.verdict == "delivered"
    dns, request = flannel.notes
    assert "egress from x/a to kube-system/coredns-" in dns
    assert "egress from x/a to 192.168." in request


def test_egress_is_checked_against_the_service_backend_after_dnat(k8s):
    """kube-proxy's DNAT happens before the CNI's egress check, so a policy that
    allows egress to pod y/a allows a connection to a Service backed by it."""
    kubectl(k8s, "kubectl expose pod a -n y --port=80 --name=web")
    try:
        k8s.settle()
        apply(
            k8s,
            "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            "metadata: {name: to-y-a, namespace: x}\nspec:\n"
            "  podSelector: {matchLabels: {pod: a}}\n  policyTypes: [Egress]\n"
            "  egress:\n  - to:\n    - namespaceSelector:\n"
            "        matchLabels: {kubernetes.io/metadata.name: y}\n"
            "      podSelector: {matchLabels: {pod: a}}\n",
        )
        net = Enforcing(k8s)
        ip = net.idx.services["y/web"].cluster_ip
        trace = net.trace("pod/x/a", f"{ip}:80")
        assert trace.verdict == "delivered"
        (check,) = checks(trace)
        assert check["direction"] == "egress" and check["verdict"] == "allow"
    finally:
        kubectl(k8s, "kubectl delete service web -n y")


def test_a_checked_hop_explains_each_rule_peer_and_port(k8s):
    """For the inspector: every selecting policy, each rule, which peer and port
    matched or why not; no rule matching is the implicit deny."""
    apply(k8s, DENY_X)
    apply(
        k8s,
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
        "metadata: {name: web, namespace: x}\nspec:\n"
        "  podSelector: {matchLabels: {pod: a}}\n  ingress:\n"
        "  - from:\n    - podSelector: {matchLabels: {pod: b}}\n"
        "    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: z}}\n"
        "    ports: [{port: 81}]\n"
        "  - from:\n    - ipBlock: {cidr: 10.0.0.0/8, except: [10.244.0.0/16]}\n",
    )
    trace = model_for(k8s).trace("pod/y/a", "pod/x/a:80")
    (hop,) = [h for h in trace.hops if h.get("policy")]
    ip = model_for(k8s).idx.pods["y/a"].ip
    assert hop["policy_detail"] == [
        {"policy": "x/deny-ingress", "rules": []},
        {
            "policy": "x/web",
            "rules": [
                {
                    "index": 0,
                    "matched": False,
                    "peers": [
                        {
                            "what": "podSelector pod=b",
                            "matched": False,
                            "why": "y/a is not in the policy's namespace x",
                        },
                        {
                            "what": "namespaceSelector kubernetes.io/metadata.name=z",
                            "matched": False,
                            "why": "namespace y's labels do not match",
                        },
                    ],
                    "ports": [
                        {"what": "81/TCP", "matched": False, "why": "the port is 80"}
                    ],
                },
                {
                    "index": 1,
                    "matched": False,
                    "peers": [
                        {
                            "what": "ipBlock 10.0.0.0/8",
                            "matched": False,
                            "why": f"{ip} is in its except 10.244.0.0/16",
                        }
                    ],
                    "ports": None,
                },
            ],
        },
    ]
