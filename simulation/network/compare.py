"""The same request traced twice, under two settings, side by side.

`compare(cluster, source, destination, variant, …)` traces on two copies of the
cluster, so the session itself is untouched (no step, no random draw, no conntrack
entry), as lesson sandboxes do. The variants:

* `cni`: overlay (flannel VXLAN) against routed (host-gw);
* `etp`: a Service's externalTrafficPolicy Cluster against Local;
* `step`: the cluster at an earlier step against now (before and after a change).

Both copies start from the same random state, so where the settings do not matter
the two traces make the same choices. `rows` pairs the hops up (difflib over each
hop's place) and marks each pair `same`, `changed` (same place, other headers),
`only-a` or `only-b`.
"""

from __future__ import annotations

import json
from difflib import SequenceMatcher

from simulation.errors import NotFound, UsageError

VARIANTS = ("cni", "etp", "step")
HEADERS = ("src", "dst", "proto", "outer", "nat")


def copy_at(cluster, step: int | None = None):
    """A free copy of `cluster` at `step` (default: now), rebuilt by replay."""
    now = cluster.step_no if step is None else max(0, min(step, cluster.step_no))
    past = [a for a in cluster.actions if a["step"] <= now]
    # the cluster's own class rebuilds it: network/ sits below cluster.py and
    # must not import it (tests/test_imports.py)
    copy = type(cluster).replay(cluster.inputs, past, until=now)
    copy.history.truncate_future(copy.step_no)
    return copy


def compare(
    cluster,
    source: str,
    destination: str,
    variant: str,
    service: str | None = None,
    step: int | None = None,
) -> dict:
    """{variant, labels, a, b, rows}: the two traces and their hops paired."""
    if variant not in VARIANTS:
        raise UsageError(f"error: compare {variant!r}? ({', '.join(VARIANTS)})")
    if variant == "step":
        if step is None:
            raise UsageError("error: compare step needs the earlier step")
        a, b = copy_at(cluster, step), copy_at(cluster)
        labels = [f"at step {a.step_no}", f"now (step {b.step_no})"]
    else:
        a, b = copy_at(cluster), copy_at(cluster)
        if variant == "cni":
            a.config.cni, b.config.cni = "overlay", "routed"
            labels = ["overlay (VXLAN)", "routed (host-gw)"]
        else:
            name = _service(cluster, service)
            for copy, policy in ((a, "Cluster"), (b, "Local")):
                _set_policy(copy, name, policy)
            labels = [
                f"{name}: externalTrafficPolicy Cluster",
                f"{name}: externalTrafficPolicy Local",
            ]
    one, two = _trace(a, source, destination), _trace(b, source, destination)
    return {
        "variant": variant,
        "labels": labels,
        "a": one,
        "b": two,
        "rows": pair(one["hops"], two["hops"]),
        "replyRows": pair(one["reply"], two["reply"]),
    }


def _trace(copy, source: str, destination: str) -> dict:
    """The trace on one copy; a source or target that does not exist there (a pod
    deleted since the earlier step) is that side's answer, not an error."""
    try:
        return copy.network.trace(source, destination, copy.random).to_dict()
    except NotFound as exc:
        return {
            "source": source,
            "destination": destination,
            "verdict": "not traced",
            "reason": f"{exc} at step {copy.step_no}.",
            "hops": [],
            "reply": [],
            "legs": [],
        }


def _service(cluster, service: str | None) -> str:
    if not service:
        raise UsageError("error: compare etp needs a Service (namespace/name)")
    namespace, _, name = service.rpartition("/")
    namespace = namespace or "default"
    if cluster.store.get("services", namespace, name) is None:
        raise NotFound("services", name)
    return f"{namespace}/{name}"


def _set_policy(copy, key: str, policy: str) -> None:
    """Patch the copy's Service through its API server, as kubectl patch would."""
    namespace, name = key.split("/", 1)
    svc = copy.store.get("services", namespace, name)
    if svc["spec"].get("type") not in ("NodePort", "LoadBalancer"):
        raise UsageError(
            f"error: {key} is a {svc['spec'].get('type', 'ClusterIP')} Service; "
            "externalTrafficPolicy applies to NodePort and LoadBalancer Services"
        )
    if svc["spec"].get("externalTrafficPolicy", "Cluster") == policy:
        return
    patch = json.dumps({"spec": {"externalTrafficPolicy": policy}})
    command = f"kubectl patch service {name} -n {namespace} -p '{patch}'"
    result = copy.act({"op": "kubectl", "command": command})
    if not result.ok:
        raise UsageError(result.error or f"error: could not set {policy} on {key}")


def _place(hop: dict) -> tuple:
    return (hop.get("at"), hop.get("hook"), hop.get("device"))


def pair(a: list[dict], b: list[dict]) -> list[dict]:
    """Rows of (a index, b index, status), in path order."""
    rows: list[dict] = []
    matcher = SequenceMatcher(
        None, [_place(h) for h in a], [_place(h) for h in b], autojunk=False
    )
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
                same = all(a[i].get(k) == b[j].get(k) for k in HEADERS)
                rows.append({"a": i, "b": j, "status": "same" if same else "changed"})
            continue
        for i in range(i1, i2):
            rows.append({"a": i, "b": None, "status": "only-a"})
        for j in range(j1, j2):
            rows.append({"a": None, "b": j, "status": "only-b"})
    return rows
