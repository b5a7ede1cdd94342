"""`kubectl describe`: the sections kubectl prints for pods, nodes, Services and
Deployments, aligned by the same tabwriter rules (padding 2), Events last."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import UsageError
from .. import selectors
from ..objects import endpoints, fetch, listing, namespace_of, resource_type
from ..parser import Args, Flag
from ..printers.columns import selector_text
from ..printers.tabwriter import align
from ..result import KubectlResult
from . import generic, hpa, ingress, networkpolicy, parts
from . import node as describe_node
from .parts import annotations, labels, multi, when

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (Flag("selector", "l", "str"), Flag("all-namespaces", "A"))


def run(cluster: Model, args: Args) -> KubectlResult:
    if not args.words:
        raise UsageError(
            "error: You must specify the type of resource to describe. Use"
            ' "kubectl api-resources" for a complete list of supported resources.'
        )
    if "/" in args.words[0]:
        kind, _, name = args.words[0].partition("/")
        names = [name, *args.words[1:]]
    else:
        kind, names = args.words[0], args.words[1:]
    resource = resource_type(kind)
    ns = namespace_of(args)
    if names:
        objects = [fetch(cluster, resource, ns, n) for n in names]
    else:
        objects = listing(
            cluster, resource, None if args.flag("all-namespaces") else ns
        )
        if args.flag("selector"):
            test = selectors.parse(str(args.flag("selector")))
            objects = [o for o in objects if test(o["metadata"].get("labels") or {})]
    writer = WRITERS.get(resource.plural, generic.describe_generic)
    if not objects:
        return KubectlResult(output=f"No resources found in {ns} namespace.")
    texts = [align("\n".join(writer(cluster, obj)), padding=2) for obj in objects]
    return KubectlResult(output="\n\n\n".join(t.rstrip("\n") for t in texts))


def describe_pod(cluster: Model, pod: dict) -> list[str]:
    meta, spec, st = pod["metadata"], pod["spec"], pod.get("status", {})
    node = spec.get("nodeName")
    out = [
        f"Name:\t{meta['name']}",
        f"Namespace:\t{meta['namespace']}",
        f"Priority:\t{spec.get('priority', 0)}",
    ]
    if spec.get("priorityClassName"):
        out.append(f"Priority Class Name:\t{spec['priorityClassName']}")
    out += [
        f"Service Account:\t{spec.get('serviceAccountName', 'default')}",
        f"Node:\t{node}/{st.get('hostIP', '')}" if node else "Node:\t<none>",
        f"Start Time:\t{when(st.get('startTime'))}" if st.get("startTime") else None,
        *multi("Labels:", labels(pod)),
        *multi("Annotations:", annotations(pod)),
        "Status:\t"
        + (
            "Terminating"
            if meta.get("deletionTimestamp")
            else st.get("phase", "Pending")
        ),
    ]
    if meta.get("deletionTimestamp"):
        out.append(
            f"Termination Grace Period:\t{meta.get('deletionGracePeriodSeconds', 30)}s"
        )
    ip = st.get("podIP")
    out.append(f"IP:\t{ip or ''}")
    out += ["IPs:", f"  IP:\t{ip}"] if ip else ["IPs:\t<none>"]
    for ref in meta.get("ownerReferences") or []:
        if ref.get("controller"):
            out.append(f"Controlled By:\t{ref['kind']}/{ref['name']}")
    out.append("Containers:")
    statuses = {s["name"]: s for s in st.get("containerStatuses") or []}
    for c in spec["containers"]:
        out += parts.container(c, statuses.get(c["name"]), when)
    out += parts.pod_conditions(st)
    out += parts.volumes(spec)
    out += [
        f"QoS Class:\t{st.get('qosClass', 'BestEffort')}",
        *multi(
            "Node-Selectors:",
            labels({"metadata": {"labels": spec.get("nodeSelector")}}),
        ),
        *multi("Tolerations:", parts.tolerations(spec)),
    ]
    out += parts.events(cluster, pod)
    return [x for x in out if x is not None]


def describe_service(cluster: Model, svc: dict) -> list[str]:
    meta, spec = svc["metadata"], svc["spec"]
    ep = next(
        (
            e
            for e in endpoints(cluster, meta["namespace"])
            if e["metadata"]["name"] == meta["name"]
        ),
        None,
    )
    out = [
        f"Name:\t{meta['name']}",
        f"Namespace:\t{meta['namespace']}",
        *multi("Labels:", labels(svc)),
        *multi("Annotations:", annotations(svc)),
        f"Selector:\t{selector_text(spec.get('selector'))}",
        f"Type:\t{spec.get('type', 'ClusterIP')}",
        "IP Family Policy:\tSingleStack",
        "IP Families:\tIPv4",
        f"IP:\t{spec.get('clusterIP', '')}",
        f"IPs:\t{','.join(spec.get('clusterIPs') or [spec.get('clusterIP', '')])}",
    ]
    ingress = (svc.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    if ingress:
        ips = ", ".join(f"{i.get('ip') or i.get('hostname')} (VIP)" for i in ingress)
        out.append(f"LoadBalancer Ingress:\t{ips}")
    for p in spec.get("ports") or []:
        out += parts.service_port(p, ep)
    out.append(f"Session Affinity:\t{spec.get('sessionAffinity', 'None')}")
    if spec.get("type") in ("NodePort", "LoadBalancer"):
        out.append(
            f"External Traffic Policy:\t{spec.get('externalTrafficPolicy', 'Cluster')}"
        )
    out.append(
        f"Internal Traffic Policy:\t{spec.get('internalTrafficPolicy', 'Cluster')}"
    )
    out += parts.events(cluster, svc)
    return out


def describe_deployment(cluster: Model, d: dict) -> list[str]:
    meta, spec, st = d["metadata"], d["spec"], d.get("status", {})
    want = spec.get("replicas", 1)
    strategy = spec.get("strategy") or {}
    rolling = strategy.get("rollingUpdate") or {}
    out = [
        f"Name:\t{meta['name']}",
        f"Namespace:\t{meta['namespace']}",
        f"CreationTimestamp:\t{when(meta.get('creationTimestamp'))}",
        *multi("Labels:", labels(d)),
        *multi("Annotations:", annotations(d)),
        f"Selector:\t{selector_text(spec.get('selector'))}",
        f"Replicas:\t{want} desired | {st.get('updatedReplicas', 0)} updated |"
        f" {st.get('replicas', 0)} total | {st.get('availableReplicas', 0)} available"
        f" | {st.get('unavailableReplicas', 0)} unavailable",
        f"StrategyType:\t{strategy.get('type', 'RollingUpdate')}",
        f"MinReadySeconds:\t{spec.get('minReadySeconds', 0)}",
        f"RollingUpdateStrategy:\t{rolling.get('maxUnavailable', '25%')} max"
        f" unavailable, {rolling.get('maxSurge', '25%')} max surge",
    ]
    out += parts.template(spec.get("template") or {})
    out += parts.deployment_tail(cluster, d)
    out += parts.events(cluster, d)
    return out


WRITERS = {
    "pods": describe_pod,
    "nodes": describe_node.describe,
    "services": describe_service,
    "deployments": describe_deployment,
    "replicasets": generic.describe_replicaset,
    "networkpolicies": networkpolicy.describe,
    "horizontalpodautoscalers": hpa.describe,
    "ingresses": ingress.describe,
}
