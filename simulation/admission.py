"""Defaulting and admission: what the API server adds to an object before storing it."""

from __future__ import annotations

from .errors import SimulationError
from .names import SAFE_ALPHABET
from .objects import (
    NAMESPACE_NAME_LABEL,
    TAINT_NODE_NOT_READY,
    TAINT_NODE_UNREACHABLE,
)

DEFAULT_TOLERATIONS = (
    {
        "key": TAINT_NODE_NOT_READY,
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
    {
        "key": TAINT_NODE_UNREACHABLE,
        "operator": "Exists",
        "effect": "NoExecute",
        "tolerationSeconds": 300,
    },
)
TOKEN_MOUNT = "/var/run/secrets/kubernetes.io/serviceaccount"
# kinds whose objects have no spec in the API (data, or fields at the top level)
WITHOUT_SPEC = frozenset(
    {"ConfigMap", "Secret", "Event", "EndpointSlice", "Endpoints", "ServiceAccount"}
)


def _image_pull_policy(image: str) -> str:
    tail = image.rsplit("/", 1)[-1]
    if "@" in tail:
        return "IfNotPresent"
    return "Always" if ":" not in tail or tail.endswith(":latest") else "IfNotPresent"


def default_pod_spec(spec: dict) -> None:
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("schedulerName", "default-scheduler")
    spec.setdefault("securityContext", {})
    for c in spec.get("containers", []):
        c.setdefault("imagePullPolicy", _image_pull_policy(c.get("image", "")))
        c.setdefault("terminationMessagePath", "/dev/termination-log")
        c.setdefault("terminationMessagePolicy", "File")
        c.setdefault("resources", {})
        for p in c.get("ports") or []:
            p.setdefault("protocol", "TCP")


def apply_defaults(kind: str, obj: dict) -> None:
    """Fill in the fields Kubernetes defaults, as the API server's defaulters do."""
    spec = obj.setdefault("spec", {}) if kind not in WITHOUT_SPEC else {}
    if kind == "Pod":
        default_pod_spec(spec)
    elif kind in ("Deployment", "ReplicaSet"):
        spec.setdefault("replicas", 1)
        default_pod_spec(spec.setdefault("template", {}).setdefault("spec", {}))
        if kind == "Deployment":
            spec.setdefault("revisionHistoryLimit", 10)
            spec.setdefault("progressDeadlineSeconds", 600)
            strategy = spec.setdefault("strategy", {"type": "RollingUpdate"})
            if strategy.get("type", "RollingUpdate") == "RollingUpdate":
                strategy.setdefault(
                    "rollingUpdate", {"maxSurge": "25%", "maxUnavailable": "25%"}
                )
    elif kind == "Service":
        spec.setdefault("type", "ClusterIP")
        spec.setdefault("sessionAffinity", "None")
        spec.setdefault("ipFamilies", ["IPv4"])
        spec.setdefault("ipFamilyPolicy", "SingleStack")
        spec.setdefault("internalTrafficPolicy", "Cluster")
        if spec["type"] in ("NodePort", "LoadBalancer"):
            spec.setdefault("externalTrafficPolicy", "Cluster")
        for p in spec.get("ports") or []:
            p.setdefault("protocol", "TCP")
            p.setdefault("targetPort", p.get("port"))
    elif kind == "NetworkPolicy":
        default_network_policy(spec)
    elif kind == "Namespace":
        # the namespace strategy's PrepareForCreate/Update: an immutable label
        # holding the name, so a namespaceSelector can pick a namespace by name
        meta = obj.setdefault("metadata", {})
        labels = meta.get("labels")
        meta["labels"] = dict(labels if isinstance(labels, dict) else {})
        meta["labels"][NAMESPACE_NAME_LABEL] = meta.get("name", "")
    elif kind == "HorizontalPodAutoscaler":
        spec.setdefault("minReplicas", 1)
    elif kind == "EndpointSlice":
        for endpoint in obj.get("endpoints") or []:
            # the API reads an unset condition as ready (and serving if ready)
            conditions = endpoint.setdefault("conditions", {})
            conditions.setdefault("ready", True)
            conditions.setdefault("serving", conditions["ready"])
            conditions.setdefault("terminating", False)


def default_network_policy(spec: dict) -> None:
    """networking/v1 defaults.go: each port's protocol is TCP; policyTypes, when
    not given, is Ingress, plus Egress if the policy has egress rules."""
    if spec.get("podSelector") is None:
        spec["podSelector"] = {}  # a struct, not a pointer: null decodes as {}
    for direction in ("ingress", "egress"):
        rules = spec.get(direction)
        if isinstance(rules, list):
            spec[direction] = rules = [{} if r is None else r for r in rules]
        for rule in rules or []:
            for port in rule.get("ports") or []:
                port.setdefault("protocol", "TCP")
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def admit_pod(pod: dict, service_accounts: dict[str, dict], rng) -> None:
    """ServiceAccount and DefaultTolerationSeconds admission for a new pod."""
    spec = pod["spec"]
    ns = pod["metadata"].get("namespace", "default")
    sa_name = spec.setdefault("serviceAccountName", "default")
    spec.setdefault("serviceAccount", sa_name)
    if sa_name not in service_accounts:
        shown = pod["metadata"].get("name") or pod["metadata"].get("generateName")
        raise SimulationError(
            f'pods "{shown}"'
            f" is forbidden: error looking up service account {ns}/{sa_name}:"
            f' serviceaccount "{sa_name}" not found'
        )
    if spec.get("automountServiceAccountToken", True):
        suffix = "".join(rng.choice(SAFE_ALPHABET) for _ in range(5))
        volume = f"kube-api-access-{suffix}"
        spec.setdefault("volumes", []).append(
            {
                "name": volume,
                "projected": {
                    "defaultMode": 420,
                    "sources": [
                        {
                            "serviceAccountToken": {
                                "expirationSeconds": 3607,
                                "path": "token",
                            }
                        },
                        {
                            "configMap": {
                                "name": "kube-root-ca.crt",
                                "items": [{"key": "ca.crt", "path": "ca.crt"}],
                            }
                        },
                        {
                            "downwardAPI": {
                                "items": [
                                    {
                                        "path": "namespace",
                                        "fieldRef": {
                                            "apiVersion": "v1",
                                            "fieldPath": "metadata.namespace",
                                        },
                                    }
                                ]
                            }
                        },
                    ],
                },
            }
        )
        for c in spec["containers"]:
            c.setdefault("volumeMounts", []).append(
                {"name": volume, "readOnly": True, "mountPath": TOKEN_MOUNT}
            )
    tolerations = spec.setdefault("tolerations", [])
    for default in DEFAULT_TOLERATIONS:
        if not any(t.get("key") == default["key"] for t in tolerations):
            tolerations.append(dict(default))
    spec.setdefault("priority", 0)
    spec.setdefault("enableServiceLinks", True)
    spec.setdefault("preemptionPolicy", "PreemptLowerPriority")
