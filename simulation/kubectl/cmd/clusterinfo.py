"""`kubectl cluster-info`: where the control plane and CoreDNS are."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...objects import is_control_plane, node_address
from ..parser import Args
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model


def cluster_info(cluster: Model, args: Args) -> KubectlResult:
    nodes = cluster.store.list("nodes")
    control = next(
        (n for n in nodes if is_control_plane(n)),
        nodes[0] if nodes else None,
    )
    ip = node_address(control, "InternalIP") if control else "127.0.0.1"
    url = f"https://{ip}:6443"
    lines = [f"Kubernetes control plane is running at {url}"]
    if cluster.store.get("services", "kube-system", "kube-dns"):
        lines.append(
            f"CoreDNS is running at {url}/api/v1/namespaces/kube-system/services/"
            "kube-dns:dns/proxy"
        )
    lines += [
        "",
        "To further debug and diagnose cluster problems, use 'kubectl cluster-info"
        " dump'.",
    ]
    return KubectlResult(output="\n".join(lines))
