"""The control plane: kube-scheduler, kube-controller-manager's loops, and the CCM."""
