"""One plain sentence for what a netfilter hook did to a packet."""

from __future__ import annotations


def endpoint_count(net, r, node: str) -> int:
    """How many endpoints the KUBE-SVC/KUBE-SVL chain that was taken balances over."""
    jump = next((x for x in r.rules if "-j KUBE-SEP-" in x), "")
    chain = jump.split()[1] if jump else ""
    rules = net.ruleset(node).nat.get(chain, [])
    return len({x.target for x in rules if x.target.startswith("KUBE-SEP-")})


def nat_explain(net, r, hook: str, node: str) -> str:
    """PREROUTING/OUTPUT: the DNAT kube-proxy's rules did, or that none applied."""
    if r.verdict == "REJECT":
        return filter_explain(r)
    if r.nat:
        n = endpoint_count(net, r, node)
        how = (
            f"one of {n} endpoints picked at random by the `-m statistic` rules"
            if n > 1
            else "its only endpoint"
        )
        if any("-m recent --rcheck" in x for x in r.rules):
            how = "the endpoint this client used before (sessionAffinity: ClientIP)"
        return (
            f"kube-proxy's nat rules ({hook}) DNAT {r.nat['from']} to "
            f"{r.nat['to']}, {how}, on this node before routing."
        )
    fw = next((x for x in r.rules if x.startswith("-A KUBE-FW-")), None)
    if fw is not None:
        chain = fw.split()[1]
        return (
            f"{hook}: the load balancer IP leads to {chain}, which lets in only the "
            "Service's loadBalancerSourceRanges; this source is not in them, so "
            "nothing is DNATed (KUBE-PROXY-FIREWALL drops it in the filter table)."
        )
    return f"{hook}: no kube-proxy rule matches, so the destination stays as is."


def filter_explain(r) -> str:
    """A REJECT or DROP, naming the rule that did it."""
    last = r.rules[-1] if r.rules else ""
    if r.verdict == "REJECT":
        return f"Rejected by '{last}': the Service has no endpoints."
    return f"Dropped by '{last}'."
