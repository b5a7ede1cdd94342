"""`set image`, `rollout status` and `rollout restart`: changing and following a
Deployment's rollout.

`rollout status` prints the state once, the way kubectl's DeploymentStatusViewer
words it, rather than waiting: the learner steps the model and asks again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import clock
from ..errors import UsageError
from .objects import fetch, namespace_of, view_id
from .parser import Args
from .result import KubectlResult
from .workloads import patch, target

if TYPE_CHECKING:
    from ..cluster import Cluster


def set_image(cluster: Cluster, args: Args) -> KubectlResult:
    if not args.words or args.words[0] != "image":
        raise UsageError("error: only `kubectl set image` is supported")
    pairs = [w for w in args.words[1:] if "=" in w]
    words = [w for w in args.words[1:] if "=" not in w]
    resource, name = target(words, "set image", ("deployments",))
    if not pairs:
        raise UsageError("error: at least one image update is required")
    ns = namespace_of(args)
    obj = fetch(cluster, resource, ns, name)
    wanted = dict(p.split("=", 1) for p in pairs)
    names = {c["name"] for c in obj["spec"]["template"]["spec"]["containers"]}
    for container in wanted:
        if container not in names and container != "*":
            raise UsageError(f'error: unable to find container named "{container}"')

    def change(o: dict) -> None:
        for c in o["spec"]["template"]["spec"]["containers"]:
            c["image"] = wanted.get(c["name"], wanted.get("*", c["image"]))

    patch(cluster, "deployments", ns, name, change)
    return KubectlResult(
        output=f"deployment.apps/{name} image updated",
        changed=True,
        summary=f"kubectl changed Deployment {name}'s pod template image; the"
        " Deployment controller starts a rolling update with a new ReplicaSet.",
        type="kubectl.set-image",
        concept="rolling-update",
        objects=[f"deployments/{ns}/{name}"],
    )


def rollout_status(cluster: Cluster, args: Args) -> KubectlResult:
    if not args.words or args.words[0] != "status":
        raise UsageError(
            "error: only `kubectl rollout status` and `rollout restart` are"
            " supported here"
        )
    resource, name = target(args.words[1:], "rollout status", ("deployments",))
    d = fetch(cluster, resource, namespace_of(args), name)
    st, want = d.get("status", {}), d["spec"].get("replicas", 1)
    waiting = f'Waiting for deployment "{name}" rollout to finish: '
    if d["metadata"].get("generation", 1) > st.get("observedGeneration", 0):
        text = "Waiting for deployment spec update to be observed..."
    elif st.get("updatedReplicas", 0) < want:
        text = waiting + (
            f"{st.get('updatedReplicas', 0)} out of {want} new replicas have been"
            " updated..."
        )
    elif st.get("replicas", 0) > st.get("updatedReplicas", 0):
        old = st.get("replicas", 0) - st.get("updatedReplicas", 0)
        text = waiting + f"{old} old replicas are pending termination..."
    elif st.get("availableReplicas", 0) < st.get("updatedReplicas", 0):
        text = waiting + (
            f"{st.get('availableReplicas', 0)} of {st.get('updatedReplicas', 0)}"
            " updated replicas are available..."
        )
    else:
        text = f'deployment "{name}" successfully rolled out'
    return KubectlResult(output=text)


def rollout_restart(cluster: Cluster, args: Args) -> KubectlResult:
    resource, name = target(args.words[1:], "rollout restart", ("deployments",))
    ns = namespace_of(args)
    obj = fetch(cluster, resource, ns, name)
    stamp = clock.iso(cluster.time)

    def change(o: dict) -> None:
        meta = o["spec"]["template"].setdefault("metadata", {})
        meta.setdefault("annotations", {})["kubectl.kubernetes.io/restartedAt"] = stamp

    patch(cluster, resource.plural, ns, name, change)
    return KubectlResult(
        output=f"deployment.apps/{name} restarted",
        changed=True,
        summary=f"kubectl stamped Deployment {name}'s pod template with a restart"
        " time; the changed template starts a rolling update to fresh pods.",
        type="kubectl.rollout-restart",
        concept="rolling-update",
        objects=[i for i in [view_id(resource, obj)] if i],
    )
