"""Expression kinds about the cluster's objects: pods, workloads, services, nodes."""

from __future__ import annotations

from typing import Any

from simulation.control_plane.scheduler import decisions
from simulation.objects import (
    SERVICE_NAME_LABEL,
    is_ready,
    node_address,
    node_status,
    pod_status,
)

from . import refs
from .errors import StepError
from .scope import KINDS, POD_KINDS, Scope, dig, evaluate, key_of, kind, maybe


# --- references ------------------------------------------------------------------
@kind("pod")
def _pod_ref(scope: Scope, ref: dict) -> str:
    """`{pod: SELECTOR, nth?, node?, namespace?, except?, as?}`: one pod, by label."""
    if isinstance(ref["pod"], dict) and set(ref["pod"]) == {"var"}:
        ref = {**ref, "pod": evaluate(ref["pod"], scope)}  # a remembered pod
    excluded = set()
    for item in ref.get("except") or []:
        value = evaluate(item, scope)
        excluded |= set(value) if isinstance(value, list) else {value}
    pod = refs.one_pod(scope.cluster, ref, excluded)
    if pod is None:
        raise StepError(f"no pod matches {ref} at this step")
    return refs.pod_form(pod, ref.get("as", "name"))


def _pod(scope: Scope, ref: Any) -> dict:
    text = evaluate(ref, scope)
    if not isinstance(text, str):
        raise StepError(f"{ref!r} does not name a pod")
    pod = refs.get_object(scope.cluster, "pods", text)
    if pod is None:
        raise StepError(f"pod {text!r} does not exist at this step")
    return pod


def _obj(scope: Scope, collection: str, arg: Any) -> dict:
    name = evaluate(arg, scope)
    obj = refs.get_object(scope.cluster, collection, str(name))
    if obj is None:
        raise StepError(f"{collection} {name!r} does not exist at this step")
    return obj


# --- pods ---------------------------------------------------------------------------
@kind("ip_of", pod_arg=True)
def _ip_of(scope, ref):
    return (_pod(scope, ref).get("status") or {}).get("podIP")


@kind("node_of", pod_arg=True)
def _node_of(scope, ref):
    return _pod(scope, ref)["spec"].get("nodeName")


KINDS["node_of_pod_after"] = _node_of
POD_KINDS.add("node_of_pod_after")


@kind("restarts_of", pod_arg=True)
def _restarts_of(scope, ref):
    statuses = (_pod(scope, ref).get("status") or {}).get("containerStatuses") or []
    return sum(s.get("restartCount", 0) for s in statuses)


@kind("status_of", pod_arg=True)
def _status_of(scope, ref):
    return pod_status(_pod(scope, ref))


@kind("exists", pod_arg=True)
def _exists(scope, ref):
    try:
        _pod(scope, ref)
    except StepError:
        return False
    return True


@kind("running", pod_arg=True)
def _running(scope, ref):
    """True if the pod exists, is Running and is not being deleted."""
    try:
        pod = _pod(scope, ref)
    except StepError:
        return False
    return (pod.get("status") or {}).get("phase") == "Running" and not pod[
        "metadata"
    ].get("deletionTimestamp")


@kind("count")
def _count(scope, arg):
    if not isinstance(arg, dict) or not isinstance(arg.get("pods"), dict):
        raise StepError("count takes {pods: SELECTOR, node?, phase?, ready?}")
    pods = refs.select(scope.cluster, "pods", arg["pods"], arg.get("namespace"))
    if "node" in arg:
        pods = [p for p in pods if p["spec"].get("nodeName") == arg["node"]]
    if "phase" in arg:
        pods = [p for p in pods if p.get("status", {}).get("phase") == arg["phase"]]
    if "ready" in arg:
        pods = [p for p in pods if is_ready(p) is bool(arg["ready"])]
    return len(pods)


@kind("unchanged")
def _unchanged(scope, expr):
    if scope.before is None:
        raise StepError("unchanged needs the moment the question was asked")
    return scope.before.get(key_of(expr)) == maybe(scope, expr)


@kind("same_ip_after_restart", pod_arg=True)
def _same_ip(scope, ref):
    return _unchanged(scope, {"ip_of": ref})


# --- workloads, services, nodes -------------------------------------------------------
@kind("replicas")
def _replicas(scope, name):
    return _obj(scope, "deployments", name)["spec"].get("replicas", 1)


@kind("ready_replicas")
def _ready_replicas(scope, name):
    return (_obj(scope, "deployments", name).get("status") or {}).get(
        "readyReplicas", 0
    )


def _endpoints(scope, name) -> list[dict]:
    """The Service's ready endpoints ({ip, node}), from its EndpointSlices."""
    svc = _obj(scope, "services", name)
    slices = scope.cluster.store.select(
        "endpointslices",
        svc["metadata"]["namespace"],
        {SERVICE_NAME_LABEL: svc["metadata"]["name"]},
    )
    return [
        {"ip": e["addresses"][0], "node": e.get("nodeName")}
        for s in slices
        for e in s.get("endpoints") or []
        if (e.get("conditions") or {}).get("ready")
    ]


@kind("ready_endpoints")
def _ready_endpoints(scope, name):
    return len(_endpoints(scope, name))


@kind("endpoint_ips")
def _endpoint_ips(scope, name):
    return sorted(e["ip"] for e in _endpoints(scope, name))


@kind("endpoint_nodes")
def _endpoint_nodes(scope, name):
    return sorted({e["node"] for e in _endpoints(scope, name)})


@kind("service_type")
def _service_type(scope, name):
    return _obj(scope, "services", name)["spec"].get("type", "ClusterIP")


@kind("cluster_ip")
def _cluster_ip(scope, name):
    return _obj(scope, "services", name)["spec"].get("clusterIP")


@kind("node_port")
def _node_port(scope, name):
    return _obj(scope, "services", name)["spec"]["ports"][0].get("nodePort")


@kind("external_ip")
def _external_ip(scope, name):
    svc = _obj(scope, "services", name)
    ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress")
    return ingress[0].get("ip") if ingress else "<pending>"


@kind("node_status")
def _node_status(scope, name):
    return node_status(_obj(scope, "nodes", name))


@kind("node_ip")
def _node_ip(scope, name):
    return node_address(_obj(scope, "nodes", name))


@kind("taints_of")
def _taints_of(scope, name):
    taints = _obj(scope, "nodes", name)["spec"].get("taints") or []
    return sorted(f"{t['key']}:{t['effect']}" for t in taints)


@kind("filter_result")
def _filter_result(scope, arg):
    """The scheduler's filter verdict for a pod on a node: `passed` or the reason."""
    if not isinstance(arg, dict) or set(arg) != {"pod", "node"}:
        raise StepError("filter_result takes {pod: REF, node: NAME}")
    pod = _pod(scope, arg["pod"])
    key = scope.cluster.store.key(
        "pods", pod["metadata"]["namespace"], pod["metadata"]["name"]
    )
    decision = decisions(scope.cluster.state).get(key)
    if decision is None:
        raise StepError(f"the scheduler has not decided about {key} yet")
    verdict = decision["nodes"].get(arg["node"])
    return verdict["filter"] if verdict else "not evaluated"


@kind("field")
def _field(scope, arg):
    if not isinstance(arg, dict) or set(arg) != {"object", "path"}:
        raise StepError("field takes {object: ID, path: a.b[0].c}")
    ident = evaluate(arg["object"], scope)
    collection = str(ident).split("/")[0]
    if collection not in refs.COLLECTIONS:
        raise StepError(f"field: {ident!r} is not an object id like pods/NS/NAME")
    obj = refs.get_object(scope.cluster, collection, ident)
    if obj is None:
        raise StepError(f"field: {ident} does not exist at this step")
    return dig(obj, arg["path"])


@kind("pod_names")
def _pod_names(scope, arg):
    """NS/NAME of every pod matching `{app: web}` or `{selector: {...}, node: N}`."""
    if not isinstance(arg, dict):
        raise StepError("pod_names takes a label selector such as {app: web}")
    selector, node = (
        (arg["selector"], arg.get("node"))
        if "selector" in arg
        else (
            arg,
            None,
        )
    )
    pods = refs.select(scope.cluster, "pods", selector)
    return [
        refs.pod_name(p)
        for p in pods
        if node is None or p["spec"].get("nodeName") == node
    ]


@kind("serviceaccounts_in")
def _serviceaccounts_in(scope, namespace):
    """A namespace's ServiceAccounts, comma-separated (`none` if it has none)."""
    names = [
        sa["metadata"]["name"]
        for sa in scope.cluster.store.list("serviceaccounts", str(namespace))
    ]
    return ", ".join(sorted(names)) or "none"


@kind("untainted_nodes")
def _untainted_nodes(scope, _arg):
    """Nodes an ordinary pod may be scheduled to: no NoSchedule/NoExecute taint."""
    return [
        n["metadata"]["name"]
        for n in scope.cluster.store.list("nodes")
        if not n["spec"].get("unschedulable")
        and not any(
            t.get("effect") in ("NoSchedule", "NoExecute")
            for t in n["spec"].get("taints") or []
        )
    ]


@kind("event_field")
def _event_field(scope, arg):
    """A field (actor, node, reason, …) of the latest event of a type so far."""
    if not isinstance(arg, dict) or set(arg) - {"type", "field"} or "type" not in arg:
        raise StepError("event_field takes {type: EVENT_TYPE, field: NAME}")
    for event in reversed(scope.cluster.events):
        if event.type == arg["type"]:
            return dig(event.to_dict(), arg.get("field", "actor"))
    raise StepError(f"no {arg['type']} event has happened yet")
