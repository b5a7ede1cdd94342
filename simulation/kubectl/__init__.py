"""kubectl for the model: parse a command line and make the API calls kubectl makes.

`run(cluster, line)` is what the web console and the CLI call (through
`cluster.act({"op": "kubectl", "command": line})`, so writes become recorded steps).
Reads print tables as kubectl prints them; writes go through the API server with
actor `kubectl`; errors are `SimulationError`s worded as kubectl words them. Nothing
is ever executed: shell syntax is refused, except a here-document for `-f -`.
"""

from __future__ import annotations

import shlex
from typing import TYPE_CHECKING

from ..errors import UsageError
from .cmd import (
    apiresources,
    apply,
    clusterinfo,
    create,
    delete,
    drain,
    get,
    logs,
    meta,
    rollout,
    taint,
    top,
    usage,
    version,
    wait,
    workloads,
)
from .cmd import exec as exec_
from .cmd import run as run_
from .cmd.apply import Reader
from .describe import describe
from .lexer import MAX_LINE, lex
from .parser import Flag, parse
from .result import KubectlResult

if TYPE_CHECKING:
    from ..context import Model

__all__ = ["MAX_LINE", "KubectlResult", "inline_files", "run"]
FILE_VERBS = ("apply", "create", "delete")

VERBS: dict[str, tuple[Flag, ...]] = {
    "get": get.FLAGS,
    "describe": describe.FLAGS,
    "apply": apply.FLAGS,
    "create": workloads.CREATE_FLAGS,
    "expose": workloads.EXPOSE_FLAGS,
    "scale": workloads.SCALE_FLAGS,
    "set": (),
    "delete": delete.FLAGS,
    "cordon": (),
    "uncordon": (),
    "drain": drain.DRAIN_FLAGS,
    "logs": logs.FLAGS,
    "rollout": (),
    "taint": taint.FLAGS,
    "wait": wait.FLAGS,
    "label": meta.LABEL_FLAGS,
    "annotate": meta.LABEL_FLAGS,
    "patch": meta.PATCH_FLAGS,
    "run": run_.FLAGS,
    "top": top.FLAGS,
    "exec": exec_.FLAGS,
    "version": (Flag("client"), Flag("output", "o", "str")),
    "cluster-info": (),
    "api-resources": (Flag("namespaced", kind="str"), Flag("output", "o", "str")),
}


def run(cluster: Model, line: str, files: Reader | None = None) -> KubectlResult:
    """Run one kubectl command line against `cluster`.

    `files` reads the path given to `-f` (the CLI passes one; a console does not, so
    there YAML arrives as a here-document). Raises `SimulationError` on any error.
    """
    args = parse(lex(line), VERBS)
    if args.flag("help"):
        return KubectlResult(output=usage.usage(args.verb))
    verb = args.verb
    if verb == "get":
        return get.run(cluster, args)
    if verb == "describe":
        return describe.run(cluster, args)
    if verb == "apply":
        return apply.apply(cluster, args, files)
    if verb == "create":
        if args.flag("filename") is not None:
            return apply.create(cluster, args, files)
        return _create(cluster, args)
    if verb == "delete":
        return delete.run(cluster, args, files)
    if verb in ("cordon", "uncordon"):
        return drain.cordon(cluster, args, on=verb == "cordon")
    handlers = {
        "expose": workloads.expose,
        "scale": workloads.scale,
        "set": rollout.set_image,
        "rollout": rollout.run,
        "taint": taint.taint,
        "wait": wait.run,
        "label": meta.label,
        "annotate": meta.annotate,
        "patch": meta.patch,
        "drain": drain.drain,
        "logs": logs.logs,
        "exec": exec_.run,
        "run": run_.run,
        "top": top.run,
        "version": version.version,
        "cluster-info": clusterinfo.cluster_info,
        "api-resources": apiresources.api_resources,
    }
    return handlers[verb](cluster, args)


def _create(cluster, args) -> KubectlResult:
    what = args.words[0] if args.words else None
    args.words = args.words[1:]
    if what in ("deployment", "deploy"):
        return workloads.create_deployment(cluster, args)
    if what in ("namespace", "ns"):
        return create.create_namespace(cluster, args)
    raise UsageError(
        f"error: Unexpected args: [{what or ''}]\nSee 'kubectl create -h' for help"
        " and examples"
        if what
        else "error: must specify one of -f and -k"
    )


def _verb(words: list[str]) -> str | None:
    """The verb of a command's words, past global flags such as `-n NS`."""
    skip = False
    for word in words:
        if skip:
            skip = False
        elif word in ("-n", "--namespace"):
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def inline_files(line: str, read: Reader) -> str:
    """Rewrite `apply|create|delete … -f PATH` as `… -f - <<'EOF'` with the file's
    text (a here-document); any other line comes back unchanged.

    A recorded action then holds the YAML itself, so replaying a session never
    depends on a file that may have changed or is not there.
    """
    parsed = lex(line)
    words = parsed.words[1:] if parsed.words[:1] == ["kubectl"] else parsed.words
    verb = _verb(words)
    if parsed.stdin is not None or verb not in FILE_VERBS:
        return line
    for i, word in enumerate(words):
        if word == "--":
            break
        if word in ("-f", "--filename") and i + 1 < len(words):
            path, rest = words[i + 1], [*words[:i], "-f", "-", *words[i + 2 :]]
        elif word.startswith("--filename=") or (
            word.startswith("-f") and not word.startswith("--") and len(word) > 2
        ):
            path = word.split("=", 1)[1] if word.startswith("--") else word[2:]
            path, rest = (
                path.removeprefix("="),
                [*words[:i], "-f", "-", *words[i + 1 :]],
            )
        else:
            continue
        if path == "-":
            return line
        text = read(path)
        tag = "EOF"
        while any(ln.rstrip("\r") == tag for ln in text.split("\n")):
            tag += "_"
        body = text if text.endswith("\n") else text + "\n"
        return f"{shlex.join(['kubectl', *rest])} <<'{tag}'\n{body}{tag}"
    return line
