"""Finding the objects a lesson talks about, whose names the model generates.

A lesson cannot write `pods/default/web-7d4b9c5f6-x2kqz`: the suffix is chosen by the
model. It names pods by label selector instead (`{pod: {app: web}, nth: 0}`), and this
module turns such references into the ids the browser uses (`pods/default/web-…`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .errors import StepError

if TYPE_CHECKING:
    from simulation.cluster import Cluster

# The browser's collection names and the store's plural for each.
COLLECTIONS = {
    "nodes": "nodes",
    "pods": "pods",
    "services": "services",
    "deployments": "deployments",
    "replicasets": "replicasets",
    "ingresses": "ingresses",
    "hpas": "horizontalpodautoscalers",
}
SINGULAR = {
    "node": "nodes",
    "pod": "pods",
    "service": "services",
    "deployment": "deployments",
    "replicaset": "replicasets",
    "ingress": "ingresses",
    "hpa": "hpas",
}
PLURAL_TO_SINGULAR = {v: k for k, v in SINGULAR.items()}
CLUSTER_SCOPED = {"nodes"}
POD_REF_KEYS = {"pod", "nth", "node", "namespace", "except", "as"}


def view_id(collection: str, obj: dict) -> str:
    meta = obj["metadata"]
    if collection in CLUSTER_SCOPED:
        return f"{collection}/{meta['name']}"
    return f"{collection}/{meta['namespace']}/{meta['name']}"


def split_ref(text: str, collection: str) -> tuple[str | None, str]:
    """(namespace, name) from `NAME`, `NS/NAME` or a view id `pods/NS/NAME`."""
    parts = text.split("/")
    if parts[0] == collection:
        parts = parts[1:]
    if collection in CLUSTER_SCOPED:
        return None, parts[-1]
    if len(parts) == 1:
        return "default", parts[0]
    return parts[-2], parts[-1]


def get_object(cluster: Cluster, collection: str, text: str) -> dict | None:
    ns, name = split_ref(text, collection)
    return cluster.store.get(COLLECTIONS[collection], ns, name)


def matches(labels: dict, selector: dict) -> bool:
    return all(labels.get(str(k)) == str(v) for k, v in selector.items())


def select(
    cluster: Cluster, collection: str, selector: dict, namespace: str | None = None
) -> list[dict]:
    """Objects whose labels match, sorted by name (the store's order is by key)."""
    found = [
        o
        for o in cluster.store.list(COLLECTIONS[collection], namespace)
        if matches(o["metadata"].get("labels") or {}, selector)
        and not o["metadata"].get("deletionTimestamp")
    ]
    return sorted(found, key=lambda o: o["metadata"]["name"])


def find_pods(cluster: Cluster, ref: dict, excluded: set[str]) -> list[dict]:
    """Every pod a `{pod: …}` reference could mean, in a stable order."""
    unknown = set(ref) - POD_REF_KEYS
    if unknown:
        raise StepError(
            f"a pod reference has unknown keys: {', '.join(sorted(unknown))}"
        )
    target = ref["pod"]
    if isinstance(target, str):
        pod = get_object(cluster, "pods", target)
        return [pod] if pod else []
    if not isinstance(target, dict):
        raise StepError("`pod` takes a name or a label selector such as {app: web}")
    pods = select(cluster, "pods", target, ref.get("namespace"))
    if "node" in ref:
        pods = [p for p in pods if p["spec"].get("nodeName") == ref["node"]]
    return [p for p in pods if pod_name(p) not in excluded]


def pod_name(pod: dict) -> str:
    return f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"


def one_pod(cluster: Cluster, ref: dict, excluded: set[str]) -> dict | None:
    pods = find_pods(cluster, ref, excluded)
    nth = ref.get("nth", 0)
    if not isinstance(nth, int) or isinstance(nth, bool):
        raise StepError("`nth` must be a whole number")
    if -len(pods) <= nth < len(pods):
        return pods[nth]
    return None


def pod_form(pod: dict, form: str) -> str | None:
    """A pod as `name` (NS/NAME), `short` (NAME), `id`, `ip` or `node`."""
    if form == "name":
        return pod_name(pod)
    if form == "short":
        return pod["metadata"]["name"]
    if form == "id":
        return view_id("pods", pod)
    if form == "ip":
        return (pod.get("status") or {}).get("podIP")
    if form == "node":
        return pod["spec"].get("nodeName")
    raise StepError(f"unknown pod form {form!r} (use name, short, id, ip or node)")


def highlight_ids(cluster: Cluster, item, as_value) -> list[str]:
    """View ids for one highlight item: an id, a selector, a component, a pod ref."""
    if isinstance(item, str):
        collection = item.split("/")[0]
        if collection == "components":
            return [item]
        if collection not in COLLECTIONS or item.count("/") not in (1, 2):
            raise StepError(f"highlight {item!r} is not an object id")
        if get_object(cluster, collection, item) is None:
            raise StepError(f"highlight {item!r}: no such object at this step")
        return [item]
    if not isinstance(item, dict) or len(item) < 1:
        raise StepError(f"highlight {item!r} is neither an id nor a selector")
    if "component" in item:
        return [f"components/{item['component']}"]
    if "pod" in item or "var" in item:
        value = as_value(item)
        values = value if isinstance(value, list) else [value]
        return [v if v.startswith("pods/") else "pods/" + v for v in values]
    (key, arg), *rest = item.items()
    namespace = dict(rest).get("namespace")
    if key in SINGULAR and isinstance(arg, str):
        collection = SINGULAR[key]
        obj = get_object(cluster, collection, arg)
        if obj is None:
            raise StepError(f"highlight {key} {arg!r}: no such object at this step")
        return [view_id(collection, obj)]
    if key in COLLECTIONS:
        if isinstance(arg, list):
            return [
                i
                for a in arg
                for i in highlight_ids(cluster, {PLURAL_TO_SINGULAR[key]: a}, None)
            ]
        if not isinstance(arg, dict):
            raise StepError(f"highlight {key} takes a label selector or a list")
        objs = select(cluster, key, arg, namespace)
        if not objs:
            raise StepError(f"highlight {item!r} matched nothing at this step")
        return [view_id(key, o) for o in objs]
    raise StepError(f"highlight {item!r}: unknown kind {key!r}")
