"""Cluster-wide settings a learner can change: platform, CNI, CIDRs, limits."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

PLATFORMS = ("bare-metal", "cloud")
CNI_MODES = ("overlay", "routed")
# what each CNI choice is, as a learner reads it in narration
CNI_NAMES = {"overlay": "flannel (VXLAN)", "routed": "flannel (host-gw)"}
# CNI plugins with a policy engine (Calico, Cilium): only they enforce
# NetworkPolicy; flannel stores nothing of it, so policies have no effect
POLICY_ENFORCING_CNIS = frozenset({"calico", "cilium"})
RUNTIMES = ("containerd", "cri-o")
# kube-proxy modes the model programs. IPVS and nftables are real modes but are not
# modelled yet (issue 16), so they are not offered: showing iptables rules under
# their name would teach a falsehood.
PROXY_MODES = ("iptables",)
RUNTIME_VERSIONS = {"containerd": "containerd://1.7.24", "cri-o": "cri-o://1.31.3"}
KUBERNETES_VERSION = "v1.32.4"


@dataclass
class Limits:
    """Per-session ceilings; anything beyond is refused with a clear message."""

    nodes: int = 200
    pods: int = 5000
    objects_per_apply: int = 500
    manifest_bytes: int = 256 * 1024


@dataclass
class ClusterConfig:
    """Everything about a cluster that is not an API object."""

    platform: str = "bare-metal"
    cni: str = "overlay"
    runtime: str = "containerd"
    proxy_mode: str = "iptables"
    service_cidr: str = "10.96.0.0/12"
    pod_cidr: str = "10.244.0.0/16"
    node_cidr_mask: int = 24
    node_subnet: str = "192.168.10.0/24"
    dns_ip: str = "10.96.0.10"
    cluster_domain: str = "cluster.local"
    node_port_range: tuple[int, int] = (30000, 32767)
    load_balancer_pool: str = "203.0.113.0/24"
    # kube-proxy's nodePortAddresses: NodePorts answer only on the node addresses
    # inside these CIDRs; empty means every local address (its default)
    node_port_addresses: tuple[str, ...] = ()
    node_cpu: str = "4"
    node_memory: str = "8Gi"
    node_max_pods: int = 110
    limits: Limits = field(default_factory=Limits)

    @property
    def enforces_network_policy(self) -> bool:
        """Whether the chosen CNI plugin enforces NetworkPolicy."""
        return self.cni in POLICY_ENFORCING_CNIS

    @property
    def cni_name(self) -> str:
        return CNI_NAMES.get(self.cni, self.cni)

    def to_dict(self) -> dict:
        return {
            "platform": self.platform,
            "cni": self.cni,
            "runtime": self.runtime,
            "proxyMode": self.proxy_mode,
            "serviceCIDR": self.service_cidr,
            "podCIDR": self.pod_cidr,
            "dnsIP": self.dns_ip,
            "clusterDomain": self.cluster_domain,
            "nodePortRange": "{}-{}".format(*self.node_port_range),
            "limits": asdict(self.limits),
        }
