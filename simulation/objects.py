"""Facts about API objects that every layer reads the same way.

Label selectors, pod readiness and status, owner references, etcd keys, and the
well-known labels and taints Kubernetes itself sets (k8s.io/api's
`well_known_labels.go` and `well_known_taints.go`). Plain functions of the
objects' dicts: this module imports nothing of the model, so the store, the
components, kubectl and the view can all use it.
"""

from __future__ import annotations

# Well-known labels.
CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"
ROLE_LABEL_PREFIX = "node-role.kubernetes.io/"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"  # an EndpointSlice's Service
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"  # set on every Namespace

# Well-known taint keys (upstream's TaintNode… constants). kubeadm taints the
# control-plane nodes with the same key as their label.
TAINT_CONTROL_PLANE = CONTROL_PLANE_LABEL
TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready"
TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable"
TAINT_NODE_UNSCHEDULABLE = "node.kubernetes.io/unschedulable"


def control_plane_taint() -> dict:
    """kubeadm's taint on a control-plane node (a new dict each time)."""
    return {"key": TAINT_CONTROL_PLANE, "effect": "NoSchedule"}


def is_control_plane(node: dict) -> bool:
    """A node kubeadm labelled as a control-plane node."""
    return CONTROL_PLANE_LABEL in (node["metadata"].get("labels") or {})


# --- nodes ------------------------------------------------------------------------
def node_address(node: dict, kind: str = "InternalIP") -> str | None:
    """The node's first address of `kind` (InternalIP, ExternalIP, Hostname)."""
    for a in node.get("status", {}).get("addresses", []):
        if a.get("type") == kind:
            return a.get("address")
    return None


def node_status(node: dict) -> str:
    """kubectl's STATUS column for a node (printNode): Ready or NotReady from the
    Ready condition (Unknown without one), then SchedulingDisabled if cordoned."""
    ready = [
        c for c in node.get("status", {}).get("conditions", []) if c["type"] == "Ready"
    ]
    parts = [("Ready" if c.get("status") == "True" else "NotReady") for c in ready]
    parts = parts or ["Unknown"]
    if node["spec"].get("unschedulable"):
        parts.append("SchedulingDisabled")
    return ",".join(parts)


# --- labels and selectors -------------------------------------------------------
def labels_of(obj: dict) -> dict:
    return obj.get("metadata", {}).get("labels") or {}


def matches(selector: dict, labels: dict) -> bool:
    """A label selector (matchLabels/matchExpressions, or a plain map) matches."""
    if "matchLabels" not in selector and "matchExpressions" not in selector:
        return all(labels.get(k) == v for k, v in selector.items())
    for k, v in (selector.get("matchLabels") or {}).items():
        if labels.get(k) != v:
            return False
    for expr in selector.get("matchExpressions") or []:
        op, key, values = (
            expr.get("operator"),
            expr.get("key"),
            expr.get("values") or [],
        )
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and labels.get(key) in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


# --- pods -------------------------------------------------------------------------
def is_ready(pod: dict) -> bool:
    """The pod's Ready condition is True (podutil.IsPodReady)."""
    return any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in (pod.get("status") or {}).get("conditions") or []
    )


def is_active(pod: dict) -> bool:
    """Not being deleted and not finished (controller.IsPodActive)."""
    return not pod["metadata"].get("deletionTimestamp") and pod.get("status", {}).get(
        "phase"
    ) not in ("Succeeded", "Failed")


def pod_status(pod: dict) -> str:
    """kubectl's STATUS column: the reason that matters most, else the phase."""
    if pod["metadata"].get("deletionTimestamp"):
        return "Terminating"
    status = pod.get("status", {})
    for cs in status.get("containerStatuses") or []:
        waiting = (cs.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason"):
            return waiting["reason"]
    return status.get("phase", "Pending")


# --- owners and keys --------------------------------------------------------------
def key_parts(key: str) -> tuple[str | None, str]:
    """(namespace, name) from an etcd key of a namespaced or cluster-scoped object."""
    parts = key.split("/")
    if parts[2] in ("minions", "namespaces"):
        return None, parts[3]
    return parts[-2], parts[-1]


def owner_of(obj: dict, kind: str) -> str | None:
    """The name of `obj`'s controlling owner of `kind`, if it has one."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("kind") == kind and ref.get("controller"):
            return ref["name"]
    return None


def owner_keys(obj: dict, kind: str, plural: str) -> tuple[str, ...]:
    """The etcd key of `obj`'s controlling `kind` owner, as a work-queue key tuple."""
    owner = owner_of(obj, kind)
    if owner is None:
        return ()
    return (f"/registry/{plural}/{obj['metadata']['namespace']}/{owner}",)


def owner_ref(obj: dict, block: bool = True) -> dict:
    """A controller ownerReference pointing at `obj`."""
    return {
        "apiVersion": obj["apiVersion"],
        "kind": obj["kind"],
        "name": obj["metadata"]["name"],
        "uid": obj["metadata"]["uid"],
        "controller": True,
        "blockOwnerDeletion": block,
    }
