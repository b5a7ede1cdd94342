"""The node IPAM controller gives each new node its own slice of the pod CIDR."""

from __future__ import annotations

import ipaddress

from ...component import Component, Outcome
from ...errors import SimulationError
from ...objects import key_parts


def _dotted(address: int) -> str:
    return ".".join(str((address >> shift) & 255) for shift in (24, 16, 8, 0))


class NodeIpamController(Component):
    """Is responsible for assigning every node a podCIDR (a /24 of 10.244.0.0/16)."""

    name = "node-ipam-controller"
    watches = ("nodes",)

    def keys_for(self, write, memory):
        node = write.object
        return (write.key,) if node and not node["spec"].get("podCIDR") else ()

    def reconcile(self, ctx, key):
        _, name = key_parts(key)
        node = ctx.store.get("nodes", None, name)
        if node is None or node["spec"].get("podCIDR"):
            return None
        net = ipaddress.ip_network(ctx.config.pod_cidr)
        mask = ctx.config.node_cidr_mask
        taken = {n["spec"].get("podCIDR") for n in ctx.store.list("nodes")}
        size = 2 ** (net.max_prefixlen - mask)
        base = int(net.network_address)
        ranges = net.num_addresses // size
        # like the range allocator's nextCandidate: continue after the last one
        start = ctx.memory.get("cidr_next", 0)
        for step in range(ranges):
            index = (start + step) % ranges
            cidr = f"{_dotted(base + index * size)}/{mask}"
            if cidr not in taken:
                ctx.memory["cidr_next"] = (index + 1) % ranges
                break
        else:
            raise SimulationError(
                "CIDRNotAvailable: the pod CIDR has no free range left"
            )

        def change(obj):
            obj["spec"]["podCIDR"] = cidr
            obj["spec"]["podCIDRs"] = [cidr]

        ctx.api.patch("nodes", None, name, change, actor=self.name)
        return Outcome(
            "node.cidr_assigned",
            f"node-ipam-controller gave {name} the pod range {cidr}: pods on"
            " it get their IPs from there.",
            concept="ipam",
            objects=(f"nodes/{name}",),
        )
