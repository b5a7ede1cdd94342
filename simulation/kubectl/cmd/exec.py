"""`kubectl exec POD -- curl|wget|nslookup|ping …`: a packet trace, printed as the
tool would print it.

Nothing runs in a container: the command names a network question, the network model
answers it with a trace (`cluster.network.trace`), and `tools.py` prints what curl,
wget, nslookup or ping would have shown. An exec is a step (kubectl POSTs to the
pod's exec subresource, and a trace draws from the model's random source, so replay
must repeat it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...containers import http, tools
from ...errors import UsageError
from ...events import APICall
from ...objects import node_address
from ...resources import BY_PLURAL
from ..lexer import lex
from ..objects import namespace_of
from ..parser import Args, Flag
from ..result import KubectlResult
from .logs import pod_for

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (
    Flag("container", "c", "str"),
    Flag("stdin", "i"),
    Flag("tty", "t"),
    Flag("quiet", "q"),
)
SHELLS = ("sh", "bash", "ash", "zsh")
TOOLS = {
    "curl": http.curl,
    "wget": http.wget,
    "nslookup": tools.nslookup,
    "ping": tools.ping,
    "cat": tools.cat,
    "hostname": tools.hostname,
}


class Network:
    """The adapter between exec and the network model (one place to change)."""

    def __init__(self, cluster) -> None:
        self.cluster = cluster

    def trace(self, source: str, destination: str, proto: str = "tcp") -> dict:
        result = self.cluster.network.trace(source, destination, proto=proto)
        return result if isinstance(result, dict) else result.to_dict()

    def lookup(self, source: str, name: str) -> dict:
        result = self.cluster.network.lookup(source, name)
        return result if isinstance(result, dict) else result.to_dict()

    @property
    def dns_ip(self) -> str:
        return self.cluster.config.dns_ip

    @property
    def domain(self) -> str:
        return self.cluster.config.cluster_domain


def run(cluster: Model, args: Args) -> KubectlResult:
    if not args.words:
        raise UsageError(
            "error: expected 'exec (POD | TYPE/NAME) [-c CONTAINER] [flags] -- COMMAND"
            " [args...]'.\nPOD or TYPE/NAME is a required argument for the exec command"
        )
    if len(args.words) > 1:
        raise UsageError(
            "error: exec [POD] [COMMAND] is not supported anymore. Use exec [POD] --"
            " [COMMAND] instead"
        )
    if not args.command:
        raise UsageError(
            "error: you must specify at least one command for the container"
        )
    ns = namespace_of(args)
    pod = pod_for(cluster, args.words[0], ns)
    meta, name = pod["metadata"], pod["metadata"]["name"]
    names = [c["name"] for c in pod["spec"]["containers"]]
    container = str(args.flag("container") or names[0])
    if container not in names:
        raise UsageError(
            f"Error from server (BadRequest): container {container} is not valid for"
            f" pod {name}"
        )
    _check_running(cluster, pod, container)
    argv = program(args.command)
    tool = TOOLS.get(argv[0].rsplit("/", 1)[-1])
    if tool is None and argv[0].rsplit("/", 1)[-1] in SHELLS:
        raise UsageError(
            "error: this simulation has no interactive shell: run one command, e.g."
            " `kubectl exec POD -- curl -s http://web` or `-- sh -c 'nslookup web'`"
        )
    if tool is None:
        raise UsageError(
            "error: Internal error occurred: error executing command in container:"
            " failed to exec in container: OCI runtime exec failed: exec failed:"
            f' unable to start container process: exec: "{argv[0]}":'
            " executable file not found in $PATH: unknown\n(this simulation answers"
            " curl, wget, nslookup, ping, hostname and cat /etc/resolv.conf)"
        )
    path = BY_PLURAL["pods"].path(meta["namespace"], name) + "/exec"
    cluster.api.calls.append(APICall("kubectl", "POST", path))
    source = f"{meta['namespace']}/{name}:{container}"
    done = tool(Network(cluster), source, pod, argv)
    return KubectlResult(
        output=done.output,
        changed=done.step,
        summary=done.summary,
        type=f"kubectl.exec.{args.command[0]}",
        concept=done.concept,
        objects=[f"pods/{meta['namespace']}/{name}"],
        trace=done.trace,
    )


def program(argv: list[str]) -> list[str]:
    """The command a container would run: `sh -c 'curl web'` is `curl web` (one
    simple command; the shell's own syntax is refused as on the console)."""
    if len(argv) == 3 and argv[0].rsplit("/", 1)[-1] in SHELLS and argv[1] == "-c":
        inner = lex(argv[2]).words
        if inner and inner[0] == "kubectl":
            raise UsageError("error: kubectl is not installed in this container")
        if inner:
            return inner
    return list(argv)


def _check_running(cluster, pod: dict, container: str) -> None:
    node = pod["spec"].get("nodeName")
    if node and node in cluster.state.world.failed_nodes:
        ip = node_address(cluster.store.get("nodes", None, node) or {}, "InternalIP")
        raise UsageError(
            "Error from server: error dialing backend: dial tcp"
            f" {ip or node}:10250: i/o timeout"
        )
    phase = pod.get("status", {}).get("phase")
    if phase in ("Succeeded", "Failed"):
        raise UsageError(
            f"error: cannot exec into a container in a completed pod; current phase is"
            f" {phase}"
        )
    statuses = pod.get("status", {}).get("containerStatuses") or []
    running = any(
        s["name"] == container and "running" in (s.get("state") or {}) for s in statuses
    )
    if not running:
        raise UsageError(
            f'error: unable to upgrade connection: container not found ("{container}")'
        )
