"""Where a packet meets NetworkPolicy on its way: egress at the sender's side,
ingress at the receiver's.

`PolicyChecks` is the part of the Walker that asks the policy engine (policy.py)
about the connection it carries. The egress check runs in the sending pod's node
after kube-proxy's DNAT (so it sees the backend pod, as Calico's FORWARD-chain
policy and Cilium's endpoint program do); the ingress check runs at the receiving
pod's veth, just before the packet enters the pod. Traffic from the pod's own
node (the kubelet's probes, a masqueraded packet) is not checked, as the API
documents for ingress. Pods on the host network are not subject to policy.

Only a CNI with a policy engine enforces (NetworkModel.enforces_network_policy):
then a denied packet is `dropped` at the hop that checked it, and an allowed one
carries the rule that let it through. Otherwise the hop only notes what an
enforcing CNI would have done (`verdict: "not-enforced"`, `would: "deny"`), and
the packet goes on. Replies of an allowed connection are not checked (conntrack).
"""

from __future__ import annotations

from .graph import node_v
from .policy_explain import explain
from .records import NodeInfo, PodInfo


class PolicyChecks:
    """Runs the Walker's NetworkPolicy checks and records them on its hops."""

    sender: PodInfo | None = None
    notes: list[str]

    def check_egress(self, node: NodeInfo) -> bool:
        """Egress from the sending pod, on its node; False if it was dropped."""
        pod = self.sender
        if pod is None or pod.node != node.name or self._egress_done:
            return True
        self._egress_done = True
        p = self.pkt
        peer = self.net.idx.pod_by_ip.get(p.dst) or p.dst
        result = self.net.policies.check("egress", pod, peer, p.proto, p.dport)
        if result is None:
            return True
        return self._record(node_v(node.name, "root"), result, pod, peer)

    def check_ingress(self, node: NodeInfo, pod: PodInfo) -> bool:
        """Ingress to `pod`, at its veth on `node`; False if it was dropped."""
        p = self.pkt
        if p.src in _own_addresses(node):
            return True
        peer = self.net.idx.pod_by_ip.get(p.src) or p.src
        result = self.net.policies.check("ingress", pod, peer, p.proto, p.dport)
        if result is None:
            return True
        return self._record(node_v(node.name, pod.veth), result, pod, peer)

    def _record(self, at: str, result: dict, pod: PodInfo, peer) -> bool:
        direction, p = result["direction"], self.pkt
        detail = explain(self.net.policies, direction, pod, peer, p.proto, p.dport)
        shown = peer.key if isinstance(peer, PodInfo) else peer
        names = ", ".join(result["policies"])
        if result["verdict"] == "allow":
            if not self.net.enforces_network_policy:
                return True  # nothing checks anything: no hop to show
            rule = result["rule"]
            self.hop(
                at,
                f"NetworkPolicy {direction} check for {pod.key}: {rule['policy']}"
                f" {direction} rule {rule['index']} allows {shown}.",
                policy=result,
                policy_detail=detail,
            )
            return True
        cni = getattr(self.net.config, "cni_name", self.net.cni)
        if self.net.enforces_network_policy:
            self.hop(
                at,
                f"NetworkPolicy {direction} check for {pod.key}: selected by"
                f" {names}, and no rule allows {shown}; {cni} drops the packet.",
                policy=result,
                policy_detail=detail,
            )
            self.stop(
                "dropped",
                f"NetworkPolicy ({names}) denies {direction} for {pod.key}: no"
                f" rule allows {shown}. Nothing answers; the sender times out.",
            )
            return False
        note = (
            f"NetworkPolicy {names} would deny this ingress from {shown} to {pod.key}"
            if direction == "ingress"
            else f"NetworkPolicy {names} would deny this egress from {pod.key} to"
            f" {shown}"
        )
        note += (
            f" under a CNI that enforces NetworkPolicy (Calico, Cilium); {cni}"
            " does not enforce NetworkPolicy, so the packet passes."
        )
        self.hop(
            at,
            note,
            policy={**result, "verdict": "not-enforced", "would": "deny"},
            policy_detail=detail,
        )
        self.notes.append(note)
        return True


def _own_addresses(node: NodeInfo) -> set[str]:
    """The addresses a packet from the node itself leaves with."""
    return {a for a in (node.ip, node.cni0_ip, node.flannel_ip) if a}
