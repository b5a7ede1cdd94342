"""What runs on every node: kubelet, the container runtime, kube-proxy."""
