"""kube-proxy's dataplane: the rules each mode writes on a node for Services.

kube-proxy (`simulation/node/kube_proxy.py`, the component) watches Services and
EndpointSlices; what it writes is derived here, per mode. `iptables.py` is the
iptables mode (the rules for each Service port, as pkg/proxy/iptables/proxier.go
writes them) and `ruleset.py` assembles one node's tables from them plus the fixed
chains. A new mode (ipvs, nftables) is a module beside `iptables.py` that builds a
node's tables from the same `ServiceInfo` and `Endpoint` records (`records.py`);
the kernel's side — matching rules and walking a packet through the hooks — is
`rules.py` and `netfilter.py`, shared by every mode.
"""
