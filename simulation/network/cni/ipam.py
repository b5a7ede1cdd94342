"""host-local IPAM (containernetworking/plugins' `host-local`): pod IPs from the
node's podCIDR, handed out in order after the last one given, skipping used ones."""

from __future__ import annotations

import ipaddress

from simulation.errors import SimulationError


def allocate(cidr: str, used: set[str], last: int) -> tuple[str, int]:
    """The next free address after offset `last` in `cidr`, and its offset.

    .1 is the bridge's (cni0), the network and broadcast addresses are not given.
    """
    net = ipaddress.ip_network(cidr)
    size = net.num_addresses
    for step in range(1, size - 2):
        offset = (last - 2 + step) % (size - 3) + 2  # .2 … .254; .1 is cni0
        ip = str(net.network_address + offset)
        if ip not in used:
            return ip, offset
    raise SimulationError(
        f"failed to allocate for range 0: no IP addresses available"
        f" in range set: {net.network_address + 2}-{net.broadcast_address - 1}"
    )
