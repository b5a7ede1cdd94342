"""The CNI: what a pod's network is made of, per networking mode.

`ipam.py` is host-local IPAM, which gives each pod an address from its node's
podCIDR (the kubelet calls it when it creates the pod's sandbox); `wire.py` is how a
packet leaves a node and arrives somewhere for the configured mode (`cni`: the
bridge, VXLAN encapsulation for the overlay, plain routing). A new mode is a
branch of `wire.py`'s forwarding and of the graph's wiring (`graph.py`), with its
name in `config.CNI_MODES`.
"""
