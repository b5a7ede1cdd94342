"""`kubectl run NAME --image=IMG [-- ARGS…]`: one bare pod, as kubectl makes it.

No controller owns such a pod: delete it and nothing replaces it, and `drain` needs
`--force` for it. Interactive forms (`-it`, `--rm`) would attach a terminal, which
the model has not got; `kubectl exec` is the way in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import SimulationError, UsageError
from ..objects import namespace_of, server_error
from ..parser import Args, Flag
from ..result import KubectlResult
from .workloads import check_pods

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (
    Flag("image", kind="str"),
    Flag("port", kind="int"),
    Flag("labels", "l", "str"),
    Flag("restart", kind="str"),
    Flag("env", kind="str"),
    Flag("command"),
    Flag("stdin", "i"),
    Flag("tty", "t"),
    Flag("rm"),
)
RESTART = ("Always", "OnFailure", "Never")


def run(cluster: Model, args: Args) -> KubectlResult:
    if len(args.words) != 1:
        raise UsageError(
            "error: NAME is required for run\nSee 'kubectl run -h' for help and"
            " examples"
        )
    if args.flag("stdin") or args.flag("tty") or args.flag("rm"):
        raise UsageError(
            "error: -i, -t and --rm attach a terminal, which this simulation has"
            " not got: run the pod, then use `kubectl exec POD -- curl …`"
        )
    name, image = args.words[0], args.flag("image")
    if not image:
        raise UsageError('error: required flag(s) "image" not set')
    restart = str(args.flag("restart") or "Always")
    if restart not in RESTART:
        raise UsageError(f"error: invalid restart policy: {restart}")
    labels = {"run": name}
    if args.flag("labels"):
        pairs = [p.split("=", 1) for p in str(args.flag("labels")).split(",")]
        if any(len(p) != 2 for p in pairs):
            raise UsageError(f"error: invalid label spec: {args.flag('labels')}")
        labels = dict(pairs)
    container: dict = {"name": name, "image": image, "resources": {}}
    if args.command:
        container["command" if args.flag("command") else "args"] = list(args.command)
    if args.flag("port") is not None:
        container["ports"] = [{"containerPort": args.flag("port")}]
    if args.flag("env"):
        key, _, value = str(args.flag("env")).partition("=")
        container["env"] = [{"name": key, "value": value}]
    ns = namespace_of(args)
    check_pods(cluster, 1)
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "namespace": ns, "labels": labels},
        "spec": {
            "containers": [container],
            "dnsPolicy": "ClusterFirst",
            "restartPolicy": restart,
        },
    }
    try:
        cluster.api.create(pod, actor="kubectl")
    except SimulationError as exc:
        raise server_error(exc) from None
    return KubectlResult(
        output=f"pod/{name} created",
        changed=True,
        summary=f"kubectl created the bare pod {name} ({image}); no controller owns"
        " it, so nothing replaces it if it goes.",
        type="kubectl.run",
        concept="pods",
        objects=[f"pods/{ns}/{name}"],
    )
