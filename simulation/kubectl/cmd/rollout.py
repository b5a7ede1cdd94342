"""`set image`, `rollout status` and `rollout restart`: changing and following a
Deployment's rollout.

`rollout status` prints the state once, the way kubectl's DeploymentStatusViewer
words it, rather than waiting: the learner steps the model and asks again.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

from ... import clock
from ...errors import UsageError
from ...names import pod_template_hash
from ..objects import fetch, namespace_of, view_id
from ..parser import Args
from ..printers.tabwriter import table
from ..result import KubectlResult
from .workloads import patch, target

if TYPE_CHECKING:
    from ...context import Model

REVISION = "deployment.kubernetes.io/revision"
CAUSE = "kubernetes.io/change-cause"


def set_image(cluster: Model, args: Args) -> KubectlResult:
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


def run(cluster: Model, args: Args) -> KubectlResult:
    """`rollout status|restart|history|undo deployment/NAME`."""
    what = args.words[0] if args.words else ""
    handler = {
        "status": rollout_status,
        "restart": rollout_restart,
        "history": rollout_history,
        "undo": rollout_undo,
    }.get(what)
    if handler is None:
        raise UsageError(
            "error: required resource not specified"
            if not what
            else f'Error: unknown command "{what}" for "kubectl rollout"'
        )
    return handler(cluster, args)


def rollout_status(cluster: Model, args: Args) -> KubectlResult:
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


def rollout_restart(cluster: Model, args: Args) -> KubectlResult:
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


def _revisions(cluster: Model, deploy: dict) -> list[tuple[int, dict]]:
    """The Deployment's ReplicaSets by revision, oldest first."""
    uid = deploy["metadata"].get("uid")
    out = []
    for rs in cluster.store.list("replicasets", deploy["metadata"]["namespace"]):
        if any(
            r.get("uid") == uid for r in rs["metadata"].get("ownerReferences") or []
        ):
            notes = rs["metadata"].get("annotations") or {}
            out.append((int(notes.get(REVISION, 0) or 0), rs))
    return sorted(out, key=lambda pair: pair[0])


def rollout_history(cluster: Model, args: Args) -> KubectlResult:
    resource, name = target(args.words[1:], "rollout history", ("deployments",))
    deploy = fetch(cluster, resource, namespace_of(args), name)
    rows = [["REVISION", "CHANGE-CAUSE"]]
    for number, rs in _revisions(cluster, deploy):
        cause = (rs["metadata"].get("annotations") or {}).get(CAUSE) or "<none>"
        rows.append([str(number), cause])
    return KubectlResult(output=f"deployment.apps/{name} \n" + table(rows, padding=2))


def rollout_undo(cluster: Model, args: Args) -> KubectlResult:
    resource, name = target(args.words[1:], "rollout undo", ("deployments",))
    ns = namespace_of(args)
    deploy = fetch(cluster, resource, ns, name)
    current = pod_template_hash(deploy["spec"]["template"])
    history = _revisions(cluster, deploy)
    now = max(
        (n for n, rs in history if _hash(rs) == current),
        default=max((n for n, _ in history), default=0),
    )
    older = [(n, rs) for n, rs in history if n < now and _hash(rs) != current]
    if not older:
        raise UsageError(f'error: no rollout history found for deployment "{name}"')
    number, previous = older[-1]
    template = copy.deepcopy(previous["spec"]["template"])
    template.get("metadata", {}).get("labels", {}).pop("pod-template-hash", None)

    def change(o: dict) -> None:
        o["spec"]["template"] = template

    patch(cluster, resource.plural, ns, name, change)
    return KubectlResult(
        output=f"deployment.apps/{name} rolled back",
        changed=True,
        summary=f"kubectl put back Deployment {name}'s pod template from revision"
        f" {number}; the Deployment controller scales that ReplicaSet up again.",
        type="kubectl.rollout-undo",
        concept="rolling-update",
        objects=[f"deployments/{ns}/{name}"],
    )


def _hash(rs: dict) -> str | None:
    return (rs["metadata"].get("labels") or {}).get("pod-template-hash")
