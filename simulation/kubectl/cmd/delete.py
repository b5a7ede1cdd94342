"""`kubectl delete TYPE NAME…`, `TYPE/NAME`, `-l SELECTOR`, `--all`, `-f`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import NotFound, SimulationError, UsageError
from .. import selectors
from ..objects import fetch, listing, namespace_of, resource_type, server_error, view_id
from ..parser import Args, Flag
from ..result import KubectlResult
from . import apply

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (
    Flag("filename", "f", "str"),
    Flag("selector", "l", "str"),
    Flag("all"),
    Flag("grace-period", kind="int"),
    Flag("force"),
    Flag("now"),
    Flag("wait"),
    Flag("ignore-not-found"),
    Flag("all-namespaces", "A"),
)


def run(cluster: Model, args: Args, files) -> KubectlResult:
    if args.flag("filename") is not None:
        if args.words:
            raise UsageError("error: cannot specify both -f and resource names")
        return apply.delete(cluster, args, files)
    targets = _targets(cluster, args)
    grace = args.flag("grace-period")
    if args.flag("now"):
        grace = 1
    if args.flag("force") and grace is None:
        grace = 0
    lines, ids, kinds = [], [], set()
    for resource, ns, name in targets:
        try:
            obj = fetch(cluster, resource, ns, name)
        except NotFound:
            if args.flag("ignore-not-found"):
                continue
            raise
        if args.flag("force") and grace == 0 and resource.plural == "pods":
            lines.append(
                "Warning: Immediate deletion does not wait for confirmation that the"
                " running resource has been terminated. The resource may continue to"
                " run on the cluster indefinitely."
            )
        try:
            cluster.api.delete(resource.plural, ns, name, actor="kubectl", grace=grace)
        except SimulationError as exc:
            raise server_error(exc) from None
        forced = grace == 0 and args.flag("force")
        done = "force deleted" if forced else "deleted"
        lines.append(f'{resource.display} "{name}" {done}')
        kinds.add(resource.kind)
        ident = view_id(resource, obj)
        if ident:
            ids.append(ident)
    if not ids and not lines:
        ns = namespace_of(args)
        return KubectlResult(output=f"No resources found in {ns} namespace.")
    return KubectlResult(
        output="\n".join(lines),
        changed=True,
        summary=_summary(kinds, len(targets), targets),
        type="kubectl.delete",
        concept="api-server",
        objects=ids,
    )


def _targets(cluster, args) -> list[tuple]:
    words = list(args.words)
    if not words:
        raise UsageError(
            "error: You must provide one or more resources by argument or filename."
        )
    ns = namespace_of(args)
    if "/" in words[0]:
        out = []
        for word in words:
            kind, _, name = word.partition("/")
            resource = resource_type(kind)
            out.append((resource, ns if resource.namespaced else None, name))
        return out
    kinds = [resource_type(k) for k in words[0].split(",") if k]
    names = words[1:]
    selector = args.flag("selector")
    if names and (selector or args.flag("all")):
        raise UsageError("error: name cannot be provided when a selector is specified")
    if names:
        return [(r, ns if r.namespaced else None, n) for r in kinds for n in names]
    if not selector and not args.flag("all"):
        raise UsageError("error: resource(s) were provided, but no name was specified")
    test = selectors.parse(selector) if selector else (lambda labels: True)
    out = []
    scope = None if args.flag("all-namespaces") else ns
    for resource in kinds:
        for obj in listing(cluster, resource, scope if resource.namespaced else None):
            if test(obj["metadata"].get("labels") or {}):
                meta = obj["metadata"]
                out.append((resource, meta.get("namespace"), meta["name"]))
    return out


def _summary(kinds: set, count: int, targets) -> str:
    if targets and targets[0][0].plural == "pods" and len(targets) == 1:
        name = targets[0][2]
        return (
            f"kubectl deleted pod {name}: the API server marks it Terminating, the"
            " kubelet stops it, and its controller (if any) creates a replacement."
        )
    names = ", ".join(f"{r.singular} {n}" for r, _ns, n in targets[:4])
    more = f" and {len(targets) - 4} more" if len(targets) > 4 else ""
    return (
        f"kubectl deleted {names}{more}; the garbage collector removes what they owned."
    )
