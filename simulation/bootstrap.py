"""What a new cluster starts with, as kubeadm would leave it."""

from __future__ import annotations

import ipaddress

from .config import (
    CNI_MODES,
    KUBERNETES_VERSION,
    PLATFORMS,
    PROXY_MODES,
    RUNTIME_VERSIONS,
    RUNTIMES,
    ClusterConfig,
)
from .control_plane.cloud_controller_manager import CloudControllerManager
from .control_plane.controllers.deployment import DeploymentController
from .control_plane.controllers.endpointslice import EndpointSliceController
from .control_plane.controllers.garbage_collector import GarbageCollector
from .control_plane.controllers.hpa import HPAController
from .control_plane.controllers.node_lifecycle import NodeLifecycleController
from .control_plane.controllers.nodeipam import NodeIpamController
from .control_plane.controllers.replicaset import ReplicaSetController
from .control_plane.controllers.serviceaccount import ServiceAccountController
from .control_plane.scheduler import Scheduler
from .errors import LimitExceeded, UsageError
from .node.kube_proxy import KubeProxy
from .node.kubelet import Kubelet
from .objects import CONTROL_PLANE_LABEL, SERVICE_NAME_LABEL, control_plane_taint

CONTROL_PLANE = "control-plane"
STATIC_PODS = (
    ("etcd", "registry.k8s.io/etcd:3.5.16-0", "100m", "100Mi"),
    (
        "kube-apiserver",
        f"registry.k8s.io/kube-apiserver:{KUBERNETES_VERSION}",
        "250m",
        None,
    ),
    (
        "kube-controller-manager",
        f"registry.k8s.io/kube-controller-manager:{KUBERNETES_VERSION}",
        "200m",
        None,
    ),
    (
        "kube-scheduler",
        f"registry.k8s.io/kube-scheduler:{KUBERNETES_VERSION}",
        "100m",
        None,
    ),
)


def components():
    """Every control loop, in the order ties between them are broken."""
    return [
        NodeIpamController(),
        ServiceAccountController(),
        DeploymentController(),
        ReplicaSetController(),
        Scheduler(),
        Kubelet(),
        EndpointSliceController(),
        KubeProxy(),
        NodeLifecycleController(),
        GarbageCollector(),
        HPAController(),
        CloudControllerManager(),
    ]


def check_config(config: ClusterConfig, nodes: int) -> None:
    for value, allowed, what in (
        (config.platform, PLATFORMS, "platform"),
        (config.cni, CNI_MODES, "cni"),
        (config.runtime, RUNTIMES, "runtime"),
        (config.proxy_mode, PROXY_MODES, "proxy mode"),
    ):
        if value not in allowed:
            raise UsageError(
                f"error: {what} {value!r} is not one KubeViz models"
                f" (choose from {', '.join(allowed)})"
            )
    if not isinstance(nodes, int) or isinstance(nodes, bool) or nodes < 1:
        raise UsageError("error: a cluster needs at least 1 worker node")
    if nodes > config.limits.nodes:
        raise LimitExceeded(
            f"error: {nodes} nodes is over this session's limit of"
            f" {config.limits.nodes}"
        )


def node_ip(config: ClusterConfig, index: int) -> str:
    """Node IPs from the underlay subnet: control plane .10, workers .11, .12, …"""
    net = ipaddress.ip_network("192.168.0.0/16")
    return str(net.network_address + 10 * 256 + 10 + index)


def node_object(config: ClusterConfig, name: str, ip: str, control_plane: bool) -> dict:
    labels = {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "beta.kubernetes.io/arch": "amd64",
    }
    if control_plane:
        labels[CONTROL_PLANE_LABEL] = ""
    if config.platform == "cloud":
        labels["topology.kubernetes.io/zone"] = (
            "zone-" + "abc"[int(ip.rsplit(".", 1)[1]) % 3]
        )
        labels["node.kubernetes.io/instance-type"] = "standard-4"
    resources = {
        "cpu": config.node_cpu,
        "memory": config.node_memory,
        "pods": str(config.node_max_pods),
        "ephemeral-storage": "100Gi",
    }
    node = {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {"taints": [control_plane_taint()]} if control_plane else {},
        "status": {
            "addresses": [
                {"type": "InternalIP", "address": ip},
                {"type": "Hostname", "address": name},
            ],
            "capacity": dict(resources),
            "allocatable": dict(resources),
            "conditions": [
                {"type": t, "status": "False", "reason": f"KubeletHasSufficient{r}"}
                for t, r in (
                    ("MemoryPressure", "Memory"),
                    ("DiskPressure", "Disk"),
                    ("PIDPressure", "PID"),
                )
            ]
            + [
                {
                    "type": "Ready",
                    "status": "True",
                    "reason": "KubeletReady",
                    "message": "kubelet is posting ready status",
                }
            ],
            "nodeInfo": {
                "kubeletVersion": KUBERNETES_VERSION,
                "kubeProxyVersion": KUBERNETES_VERSION,
                "containerRuntimeVersion": RUNTIME_VERSIONS[config.runtime],
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "kernelVersion": "6.1.0-28-amd64",
                "architecture": "amd64",
                "operatingSystem": "linux",
            },
        },
    }
    if config.platform == "cloud":
        node["spec"]["providerID"] = f"cloud://zone/{name}"
    return node


def register_node(cluster, name: str, index: int, control_plane: bool = False) -> dict:
    ip = node_ip(cluster.config, index)
    return cluster.api.create(
        node_object(cluster.config, name, ip, control_plane), actor="kubelet"
    )


def boot(cluster, workers: int, control_plane: bool = True) -> None:
    api = cluster.api
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        api.create(
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns, "labels": {"kubernetes.io/metadata.name": ns}},
            },
            actor="kube-apiserver",
        )
    if control_plane:
        register_node(cluster, CONTROL_PLANE, 0, control_plane=True)
    for i in range(1, workers + 1):
        register_node(cluster, f"node-{i}", i)
    cluster.settle(max_steps=1_000_000, record=False)
    apiserver_ip = node_ip(cluster.config, 0)
    api.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {"component": "apiserver", "provider": "kubernetes"},
            },
            "spec": {
                "clusterIP": str(
                    ipaddress.ip_network(cluster.config.service_cidr).network_address
                    + 1
                ),
                "ports": [{"name": "https", "port": 443, "targetPort": 6443}],
            },
        },
        actor="kube-apiserver",
    )
    api.create(
        {
            "apiVersion": "discovery.k8s.io/v1",
            "kind": "EndpointSlice",
            "metadata": {
                "name": "kubernetes",
                "namespace": "default",
                "labels": {SERVICE_NAME_LABEL: "kubernetes"},
            },
            "addressType": "IPv4",
            "endpoints": [
                {
                    "addresses": [apiserver_ip],
                    "conditions": {
                        "ready": True,
                        "serving": True,
                        "terminating": False,
                    },
                }
            ],
            "ports": [{"name": "https", "port": 6443, "protocol": "TCP"}],
        },
        actor="kube-apiserver",
    )
    if control_plane:
        for component, image, cpu, memory in STATIC_PODS:
            requests = {"cpu": cpu} | ({"memory": memory} if memory else {})
            api.create(
                {
                    "apiVersion": "v1",
                    "kind": "Pod",
                    "metadata": {
                        "name": f"{component}-{CONTROL_PLANE}",
                        "namespace": "kube-system",
                        "labels": {"component": component, "tier": "control-plane"},
                        "annotations": {"kubernetes.io/config.source": "file"},
                    },
                    "spec": {
                        "nodeName": CONTROL_PLANE,
                        "hostNetwork": True,
                        "priorityClassName": "system-node-critical",
                        "priority": 2000001000,
                        "automountServiceAccountToken": False,
                        "tolerations": [{"operator": "Exists", "effect": "NoExecute"}],
                        "containers": [
                            {
                                "name": component,
                                "image": image,
                                "resources": {"requests": requests},
                            }
                        ],
                    },
                },
                actor="kubelet",
            )
    api.create(coredns_deployment(), actor="kubeadm")
    api.create(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {
                "name": "kube-dns",
                "namespace": "kube-system",
                "labels": {"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS"},
            },
            "spec": {
                "clusterIP": cluster.config.dns_ip,
                "selector": {"k8s-app": "kube-dns"},
                "ports": [
                    {"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                    {
                        "name": "dns-tcp",
                        "port": 53,
                        "protocol": "TCP",
                        "targetPort": 53,
                    },
                    {
                        "name": "metrics",
                        "port": 9153,
                        "protocol": "TCP",
                        "targetPort": 9153,
                    },
                ],
            },
        },
        actor="kubeadm",
    )


def coredns_deployment() -> dict:
    labels = {"k8s-app": "kube-dns"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "coredns", "namespace": "kube-system", "labels": labels},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "tolerations": [
                        {"key": "CriticalAddonsOnly", "operator": "Exists"},
                        control_plane_taint(),
                    ],
                    "containers": [
                        {
                            "name": "coredns",
                            "image": "registry.k8s.io/coredns/coredns:v1.11.3",
                            "args": ["-conf", "/etc/coredns/Corefile"],
                            "ports": [
                                {"name": "dns", "containerPort": 53, "protocol": "UDP"},
                                {
                                    "name": "dns-tcp",
                                    "containerPort": 53,
                                    "protocol": "TCP",
                                },
                                {
                                    "name": "metrics",
                                    "containerPort": 9153,
                                    "protocol": "TCP",
                                },
                            ],
                            "resources": {
                                "requests": {"cpu": "100m", "memory": "70Mi"},
                                "limits": {"memory": "170Mi"},
                            },
                        }
                    ],
                },
            },
        },
    }
