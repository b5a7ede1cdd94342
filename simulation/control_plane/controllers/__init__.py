"""kube-controller-manager: one process, many control loops, one module per loop."""
