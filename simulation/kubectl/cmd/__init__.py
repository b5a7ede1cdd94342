"""kubectl's commands, one module per command as upstream's pkg/cmd/<verb>.

`get`, `apply` (apply and create -f), `delete`, `drain` (cordon, uncordon, drain),
`taint`, `rollout` (and set image), `wait`, `run`, `exec`, `top`, `meta` (label,
annotate, patch), `workloads` (create deployment, expose, scale), `create` (create
namespace), `logs`, `version`, `clusterinfo`, `apiresources` and `usage` (each
command's usage text). `describe` is in
`kubectl/describe/` beside its describers. Each takes the model and parsed `Args`
and returns a `KubectlResult`.
"""
