"""The kubelet: runs its node's pods through the container runtime and CNI plugin."""

from __future__ import annotations

from ..clock import iso
from ..component import Component, Outcome
from ..errors import SimulationError
from ..events import Write
from ..network.cni.ipam import allocate as host_local
from ..objects import key_parts
from . import runtime

PULL_SECONDS = 2.0  # image pull and container start
CRASH_BACKOFF = 10.0  # first CrashLoopBackOff delay


def _condition(kind: str, ok: bool, now: float, reason: str | None = None) -> dict:
    cond = {
        "type": kind,
        "status": "True" if ok else "False",
        "lastTransitionTime": iso(now),
    }
    if reason:
        cond["reason"] = reason
    return cond


def _has_probe(pod: dict) -> float | None:
    delays = [
        float((c.get("readinessProbe") or {}).get("initialDelaySeconds", 0))
        + float((c.get("readinessProbe") or {}).get("periodSeconds", 10))
        for c in pod["spec"]["containers"]
        if c.get("readinessProbe")
    ]
    return max(delays) if delays else None


def allocate_ip(ctx, node: dict) -> str:
    """The CNI's IPAM for a new sandbox: the next free address of the node's
    podCIDR after the last one this kubelet gave out."""
    cidr = node.get("spec", {}).get("podCIDR")
    if not cidr:
        raise SimulationError(f"node {node['metadata']['name']} has no podCIDR yet")
    name = node["metadata"]["name"]
    used = {
        p["status"].get("podIP")
        for p in ctx.store.pods_on_node(name)
        if p.get("status") and not p["spec"].get("hostNetwork")
    }
    # memory's maps are copied whole at checkpoints: changing one in place is safe
    ipam = ctx.memory["ipam"]
    ip, ipam[name] = host_local(cidr, used, ipam.get(name, 1))
    return ip


class Kubelet(Component):
    """Is responsible, on each node, for running the pods bound to it and reporting."""

    name = "kubelet"
    where = "node"
    watches = ("pods",)
    delay = 0.1

    def initial_memory(self) -> dict:
        return {"ipam": {}}  # node → the offset of the last pod IP given out

    def keys_for(self, write: Write, memory: dict):
        pod = write.object
        if pod is not None and pod["spec"].get("nodeName"):
            return (write.key,)
        return ()

    def reconcile(self, ctx, key):
        action, _, pod_key = key.rpartition("|")
        ns, name = key_parts(pod_key)
        pod = ctx.store.get("pods", ns, name)
        if pod is None:
            return None
        node_name = pod["spec"]["nodeName"]
        if node_name in ctx.world.failed_nodes:
            return None  # a dead kubelet does nothing
        if pod["metadata"].get("deletionTimestamp"):
            return self._terminate(ctx, pod)
        if action == "":
            if not pod.get("status", {}).get("startTime"):
                return self._sandbox(ctx, pod, pod_key)
            return None
        return getattr(self, f"_{action}")(ctx, pod, pod_key)

    # one method per transition ---------------------------------------------------
    def _sandbox(self, ctx, pod, pod_key):
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        node = ctx.store.get("nodes", None, pod["spec"]["nodeName"])
        host_ip = _internal_ip(node)
        ip = host_ip if pod["spec"].get("hostNetwork") else allocate_ip(ctx, node)
        sa = pod["spec"].get("serviceAccountName", "default")
        if any(
            "kube-api-access" in v.get("name", "")
            for v in pod["spec"].get("volumes", [])
        ):
            ctx.api.token_request(ns, sa, actor=self.name)
        now = ctx.now

        def change(obj):
            obj["status"] = {
                "phase": "Pending",
                "hostIP": host_ip,
                "hostIPs": [{"ip": host_ip}],
                "podIP": ip,
                "podIPs": [{"ip": ip}],
                "startTime": iso(now),
                "qosClass": obj.get("status", {}).get("qosClass", "BestEffort"),
                "conditions": [
                    _condition("PodReadyToStartContainers", True, now),
                    _condition("Initialized", True, now),
                    _condition("Ready", False, now, "ContainersNotReady"),
                    _condition("ContainersReady", False, now, "ContainersNotReady"),
                    _condition("PodScheduled", True, now),
                ],
                "containerStatuses": [
                    {
                        "name": c["name"],
                        "image": c["image"],
                        "ready": False,
                        "restartCount": 0,
                        "started": False,
                        "state": {"waiting": {"reason": "ContainerCreating"}},
                    }
                    for c in obj["spec"]["containers"]
                ],
            }

        ctx.api.patch("pods", ns, name, change, actor=self.name, subresource="status")
        ctx.after(PULL_SECONDS, self.name, f"start|{pod_key}")
        where = (
            (
                "shares the node's network namespace (hostNetwork), so its IP is the"
                f" node's {ip}"
            )
            if pod["spec"].get("hostNetwork")
            else (
                "the CNI plugin (ADD) wired a veth pair to cni0 and gave eth0"
                f" {ip} from"
                f" {node['spec']['podCIDR']}"
            )
        )
        return Outcome(
            "pod.sandbox_created",
            f"kubelet on {node['metadata']['name']} asked {ctx.config.runtime} (CRI"
            f" RunPodSandbox) to start the pause container for {name}; {where}.",
            concept="kubelet",
            node=node["metadata"]["name"],
            objects=(f"pods/{ns}/{name}",),
            details={"ip": ip, "sandbox": runtime.PAUSE_IMAGE},
        )

    def _start(self, ctx, pod, pod_key):
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        probe = _has_probe(pod)
        now = ctx.now
        ids = [
            runtime.container_id(ctx.config.runtime, ctx.random)
            for _ in pod["spec"]["containers"]
        ]

        def change(obj):
            status = obj["status"]
            status["phase"] = "Running"
            status["containerStatuses"] = [
                {
                    "name": c["name"],
                    "image": c["image"],
                    "imageID": "",
                    "containerID": cid,
                    "ready": probe is None,
                    "started": True,
                    "restartCount": prev.get("restartCount", 0),
                    "state": {"running": {"startedAt": iso(now)}},
                }
                for c, cid, prev in zip(
                    obj["spec"]["containers"],
                    ids,
                    _previous(status, len(ids)),
                    strict=True,
                )
            ]
            _set_ready(status, probe is None, now)

        ctx.api.patch("pods", ns, name, change, actor=self.name, subresource="status")
        for c in pod["spec"]["containers"]:
            ctx.record_event(
                pod,
                "Started",
                f"Started container {c['name']}",
                source="kubelet",
                host=pod["spec"]["nodeName"],
            )
        if probe is not None:
            ctx.after(probe, self.name, f"ready|{pod_key}")
        names = ", ".join(c["name"] for c in pod["spec"]["containers"])
        return Outcome(
            "pod.started",
            f"kubelet on {pod['spec']['nodeName']} pulled the image and started"
            f" {names}; the pod is Running"
            + (
                " and Ready."
                if probe is None
                else ", Ready once its readiness probe passes."
            ),
            concept="kubelet",
            node=pod["spec"]["nodeName"],
            objects=(f"pods/{ns}/{name}",),
        )

    def _ready(self, ctx, pod, pod_key):
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        if pod["status"].get("phase") != "Running":
            return None
        now = ctx.now

        def change(obj):
            for cs in obj["status"]["containerStatuses"]:
                cs["ready"] = True
            _set_ready(obj["status"], True, now)

        ctx.api.patch("pods", ns, name, change, actor=self.name, subresource="status")
        return Outcome(
            "pod.ready",
            f"The readiness probe of {name} passed: the pod is"
            " Ready and can receive Service traffic.",
            concept="probes",
            node=pod["spec"]["nodeName"],
            objects=(f"pods/{ns}/{name}",),
        )

    def _restart(self, ctx, pod, pod_key):
        outcome = self._start(ctx, pod, pod_key)
        return Outcome(
            "container.restarted",
            f"kubelet on {pod['spec']['nodeName']} restarted the crashed"
            f" container after its back-off: same pod, same IP"
            f" {pod['status'].get('podIP')}, restart count +1.",
            concept="self-healing",
            node=outcome.node,
            objects=outcome.objects,
        )

    def _resync(self, ctx, pod, pod_key):
        """The node is back: its containers died with it, so they start again."""
        if not pod.get("status", {}).get("startTime"):
            return self._sandbox(ctx, pod, pod_key)
        if pod["status"].get("phase") != "Running":
            return None

        def bump(obj):
            for cs in obj["status"].get("containerStatuses") or []:
                cs["restartCount"] = cs.get("restartCount", 0) + 1

        ctx.api.patch(
            "pods", *key_parts(pod_key), bump, actor=self.name, subresource="status"
        )
        pod = ctx.store.get("pods", *key_parts(pod_key))
        outcome = self._start(ctx, pod, pod_key)
        return Outcome(
            "pod.restarted",
            f"kubelet on {pod['spec']['nodeName']} is back and started the"
            f" containers of {pod['metadata']['name']} again (restart count +1,"
            f" same IP {pod['status'].get('podIP')}); it is Ready once more.",
            concept="node-failure",
            node=outcome.node,
            objects=outcome.objects,
        )

    def _terminate(self, ctx, pod):
        ns, name = pod["metadata"]["namespace"], pod["metadata"]["name"]
        ctx.api.delete("pods", ns, name, actor=self.name, grace=0)
        ip = pod.get("status", {}).get("podIP")
        released = (
            ""
            if pod["spec"].get("hostNetwork") or not ip
            else (f" and the CNI plugin (DEL) released {ip}")
        )
        return Outcome(
            "pod.deleted",
            f"kubelet on {pod['spec']['nodeName']} stopped the containers of"
            f" {name} (SIGTERM){released}; the pod object is now removed.",
            concept="kubelet",
            node=pod["spec"]["nodeName"],
            objects=(f"pods/{ns}/{name}",),
        )


def _previous(status: dict, count: int) -> list[dict]:
    """Each container's last status (for its restart count), padded to `count`."""
    previous = list(status.get("containerStatuses") or [])[:count]
    return previous + [{}] * (count - len(previous))


def _set_ready(status: dict, ready: bool, now: float) -> None:
    for cond in status.get("conditions", []):
        if cond["type"] in ("Ready", "ContainersReady"):
            if (cond["status"] == "True") != ready:
                cond["lastTransitionTime"] = iso(now)
            cond["status"] = "True" if ready else "False"
            if ready:
                cond.pop("reason", None)
            else:
                cond["reason"] = "ContainersNotReady"


def _internal_ip(node: dict) -> str:
    for addr in node.get("status", {}).get("addresses", []):
        if addr.get("type") == "InternalIP":
            return addr["address"]
    return ""


def crash(api, pod: dict, container: str, now: float) -> None:
    """The container's process exited: the kubelet reports it terminated, not ready."""

    def change(obj):
        for cs in obj["status"].get("containerStatuses", []):
            if cs["name"] == container:
                cs["ready"] = False
                cs["restartCount"] = cs.get("restartCount", 0) + 1
                cs["lastState"] = {
                    "terminated": {
                        "exitCode": 1,
                        "reason": "Error",
                        "finishedAt": iso(now),
                    }
                }
                cs["state"] = {
                    "waiting": {
                        "reason": "CrashLoopBackOff",
                        "message": "back-off 10s restarting failed"
                        f" container={container}",
                    }
                }
        _set_ready(obj["status"], False, now)

    api.patch(
        "pods",
        pod["metadata"]["namespace"],
        pod["metadata"]["name"],
        change,
        actor="kubelet",
        subresource="status",
    )
