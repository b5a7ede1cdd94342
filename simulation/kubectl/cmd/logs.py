"""`kubectl logs`: the simulated log lines of a pod's container."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ... import clock
from ...errors import UsageError
from ...resources import BY_PLURAL
from ..objects import fetch, namespace_of, resource_type
from ..parser import Args, Flag
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (
    Flag("container", "c", "str"),
    Flag("tail", kind="int"),
    Flag("previous", "p"),
    Flag("follow", "f"),
    Flag("timestamps"),
)
SIMULATED = (
    "# simulated log lines: KubeViz runs no containers; these are typical of {image}"
)


def logs(cluster: Model, args: Args) -> KubectlResult:
    if args.flag("follow"):
        raise UsageError(
            "error: --follow is not supported here: step the simulation and run"
            " `kubectl logs` again"
        )
    if len(args.words) != 1:
        raise UsageError(
            "error: expected 'logs [-f] [-p] (POD | TYPE/NAME) [-c CONTAINER]'.\nPOD or"
            " TYPE/NAME is a required argument for the logs command"
        )
    ns = namespace_of(args)
    pod = pod_for(cluster, args.words[0], ns)
    name = pod["metadata"]["name"]
    containers = [c["name"] for c in pod["spec"]["containers"]]
    wanted = args.flag("container") or containers[0]
    if wanted not in containers:
        raise UsageError(
            f"Error from server (BadRequest): container {wanted} is not valid for pod"
            f" {name}"
        )
    status = next(
        (
            s
            for s in pod.get("status", {}).get("containerStatuses") or []
            if s["name"] == wanted
        ),
        {},
    )
    state = status.get("state") or {}
    ended = (status.get("lastState") or {}).get("terminated")
    if args.flag("previous") and not ended:
        raise UsageError(
            f'Error from server (BadRequest): previous terminated container "{wanted}"'
            f' in pod "{name}" not found'
        )
    if "running" not in state and not ended:
        reason = (state.get("waiting") or {}).get("reason", "ContainerCreating")
        raise UsageError(
            f'Error from server (BadRequest): container "{wanted}" in pod "{name}" is'
            f" waiting to start: {reason}"
        )
    image = next(c["image"] for c in pod["spec"]["containers"] if c["name"] == wanted)
    started = (state.get("running") or {}).get("startedAt") or clock.iso(cluster.time)
    if args.flag("previous") or "running" not in state:
        # The last run's logs: the same start, then the exit the kubelet recorded.
        started = pod.get("status", {}).get("startTime") or started
        lines = [SIMULATED.format(image=image), *_lines(image, started, name)]
        lines.append(
            f"(the process exited with code {ended.get('exitCode', 1)} at"
            f" {ended.get('finishedAt', '')})"
        )
    else:
        lines = [SIMULATED.format(image=image), *_lines(image, started, name)]
    tail = args.flag("tail")
    if tail is not None and tail >= 0:
        lines = [lines[0], *(lines[1:][-tail:] if tail else [])]
    return KubectlResult(output="\n".join(lines))


def pod_for(cluster: Model, word: str, ns: str) -> dict:
    kind, slash, name = word.partition("/")
    if not slash:
        return fetch(cluster, BY_PLURAL["pods"], ns, word)
    resource = resource_type(kind)
    if resource.plural == "pods":
        return fetch(cluster, resource, ns, name)
    owner = fetch(cluster, resource, ns, name)
    selector = ((owner.get("spec") or {}).get("selector") or {}).get("matchLabels")
    for pod in cluster.store.list("pods", ns):
        labels = pod["metadata"].get("labels") or {}
        if selector and all(labels.get(k) == v for k, v in selector.items()):
            return pod
    raise UsageError(f"error: no pods found for {resource.singular} {name}")


def _lines(image: str, started: str, pod: str) -> list[str]:
    t = clock.parse(started) or 0.0
    stamp = clock.EPOCH.timestamp() + t
    when = datetime.fromtimestamp(stamp, UTC)
    base = image.rsplit("/", 1)[-1].split(":")[0]
    seed = int(hashlib.sha256(pod.encode()).hexdigest()[:6], 16)
    if base == "nginx" or "nginx" in base:
        ts = when.strftime("%Y/%m/%d %H:%M:%S")
        return [
            "/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt"
            " to perform configuration",
            "/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/",
            "/docker-entrypoint.sh: Configuration complete; ready for start up",
            f'{ts} [notice] 1#1: using the "epoll" event method',
            f"{ts} [notice] 1#1: start worker processes",
            f"{ts} [notice] 1#1: start worker process {29 + seed % 8}",
        ]
    if "redis" in base:
        ts = when.strftime("%d %b %Y %H:%M:%S.000")
        return [
            f"1:C {ts} # oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo",
            f"1:M {ts} * Running mode=standalone, port=6379.",
            f"1:M {ts} * Server initialized",
            f"1:M {ts} * Ready to accept connections tcp",
        ]
    if base == "coredns":
        return [".:53", "CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9"]
    if "frontend" in base or "php" in base:
        ts = when.strftime("%a %b %d %H:%M:%S.000000 %Y")
        return [
            f"[{ts}] [mpm_prefork:notice] [pid 1] AH00163: Apache/2.4.38 (Debian)"
            " PHP/8.1 configured -- resuming normal operations",
            f"[{ts}] [core:notice] [pid 1] AH00094: Command line: 'apache2 -D"
            " FOREGROUND'",
        ]
    return [f"{when.strftime('%Y-%m-%dT%H:%M:%SZ')} {base} started (pid 1)"]
