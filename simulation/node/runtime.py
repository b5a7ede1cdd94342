"""The container runtime behind the kubelet's CRI calls (containerd or CRI-O)."""

from __future__ import annotations

PAUSE_IMAGE = "registry.k8s.io/pause:3.10"
SOCKETS = {
    "containerd": "unix:///run/containerd/containerd.sock",
    "cri-o": "unix:///var/run/crio/crio.sock",
}


def describe(runtime: str) -> str:
    return f"{runtime} (CRI socket {SOCKETS.get(runtime, '?')})"


def container_id(runtime: str, rng) -> str:
    prefix = "containerd" if runtime == "containerd" else "cri-o"
    return f"{prefix}://{rng.getrandbits(256):064x}"
