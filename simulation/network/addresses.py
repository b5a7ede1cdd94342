"""IP, MAC and interface-name helpers shared by the network model.

Everything here is a pure function of names and CIDRs, so the same cluster always
gets the same MACs and veth names (a real CNI plugin picks them at random).
"""

from __future__ import annotations

import hashlib
import ipaddress
from functools import lru_cache

VXLAN_PORT = 8472
VXLAN_VNI = 1
FLANNEL_DEV = "flannel.1"
BRIDGE_DEV = "cni0"
MASQ_MARK = "0x4000"
INTERNET_CLIENT_IP = "198.51.100.7"
UPSTREAM_DNS_IP = "192.0.2.53"
EXTERNAL_NET = "192.0.2.0/24"
LOOPBACK = "127.0.0.1"


@lru_cache(maxsize=65536)
def ip_int(ip: str) -> int:
    """The integer value of a dotted IPv4 address."""
    return int(ipaddress.IPv4Address(ip))


@lru_cache(maxsize=4096)
def network(cidr: str) -> tuple[int, int]:
    """(network, mask) integers for a CIDR; a bare address is a /32."""
    net = ipaddress.IPv4Network(cidr if "/" in cidr else cidr + "/32", strict=False)
    return int(net.network_address), int(net.netmask)


def in_cidr(ip: str, cidr: str) -> bool:
    """Whether ip lies inside cidr."""
    base, mask = network(cidr)
    return ip_int(ip) & mask == base


@lru_cache(maxsize=65536)
def cidr_host(cidr: str, index: int) -> str:
    """The address at offset index inside cidr (0 is the network address)."""
    net = ipaddress.IPv4Network(cidr, strict=False)
    return str(net.network_address + index)


def with_mask(ip_or_cidr: str) -> str:
    """iptables-save shows single addresses as /32."""
    return ip_or_cidr if "/" in ip_or_cidr else ip_or_cidr + "/32"


def is_ipv4(text: str) -> bool:
    """Whether text is a dotted IPv4 address."""
    try:
        ipaddress.IPv4Address(text)
    except ValueError:
        return False
    return True


def mac_for(label: str) -> str:
    """A stable, locally administered unicast MAC for an interface label."""
    digest = hashlib.sha256(label.encode()).digest()
    octets = [0x02] + list(digest[:5])
    return ":".join(f"{o:02x}" for o in octets)


def veth_name(namespace: str, name: str) -> str:
    """The host-side veth name the bridge CNI plugin would give a pod."""
    digest = hashlib.sha256(f"{namespace}/{name}".encode()).hexdigest()
    return "veth" + digest[:8]


def hostport(ip: str, port: int | None) -> str:
    """ "ip:port", or just the ip when the protocol has no ports."""
    return ip if port is None else f"{ip}:{port}"


def split_hostport(text: str) -> tuple[str, int | None]:
    """Split "host:port" (port optional)."""
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, None
    if not port.isdigit():
        raise ValueError(f"bad port in {text!r}")
    return host, int(port)
