"""`kubectl apply -f`, `create -f` and `delete -f`: manifests from a file or a heredoc.

A console line cannot read the server's files: `-f PATH` works only when the caller
passes a `files` reader (the CLI does, and inlines the text so a replay is exact).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ... import manifests
from ...apply import apply_objects, policy_note
from ...errors import NotFound, SimulationError, UsageError
from ...resources import for_object
from ..objects import namespace_of, server_error, view_id
from ..parser import Args, Flag
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (Flag("filename", "f", "str"),)
Reader = Callable[[str], str]


def manifest_text(args, files: Reader | None) -> tuple[str, str]:
    """The YAML that `-f` names, and how kubectl names its source in errors."""
    source = args.flag("filename")
    if source is None:
        raise UsageError("error: must specify one of -f and -k")
    if source == "-":
        if args.stdin is None:
            raise UsageError(
                "error: `-f -` reads YAML from standard input: follow the command with"
                " a here-document (`kubectl apply -f - <<EOF`, the YAML, then `EOF`)"
            )
        return args.stdin, "STDIN"
    if args.stdin is not None:
        raise UsageError("error: a here-document needs `-f -`, not -f " + str(source))
    if files is None:
        raise UsageError(
            f'error: the path "{source}" cannot be read here: paste the YAML as a'
            " here-document instead (`kubectl apply -f - <<EOF`, the YAML, then `EOF`)"
        )
    return files(str(source)), str(source)


def load(cluster: Model, args: Args, files: Reader | None) -> tuple[list[dict], str]:
    text, source = manifest_text(args, files)
    limits = cluster.config.limits
    objects = manifests.load(text, limits.manifest_bytes, limits.objects_per_apply)
    if args.flag("namespace"):
        ns = namespace_of(args)
        for obj in objects:
            resource = for_object(obj)
            meta = obj.setdefault("metadata", {})
            if (
                resource is None
                or not resource.namespaced
                or not isinstance(meta, dict)
            ):
                continue
            if meta.get("namespace") and meta["namespace"] != ns:
                raise UsageError(
                    "error: the namespace from the provided object"
                    f' "{meta["namespace"]}" does not match the namespace "{ns}". You'
                    f" must pass '--namespace={meta['namespace']}' to perform this"
                    " operation."
                )
            meta["namespace"] = ns
    return objects, source


def apply(cluster: Model, args: Args, files: Reader | None) -> KubectlResult:
    objects, source = load(cluster, args, files)
    try:
        applied = apply_objects(cluster, objects, actor="kubectl", source=source)
    except SimulationError as exc:
        raise server_error(exc) from None
    lines, changed = applied.lines, applied.changed
    if applied.error and not changed:
        # nothing was written: a plain failure, with what printed before it
        text = "\n".join([*lines, applied.error])
        raise SimulationError(text)
    return KubectlResult(
        error=applied.error,
        output="\n".join(lines),
        changed=bool(changed),
        summary=_summary("applied", changed) + policy_note(cluster, changed),
        type="kubectl.apply",
        concept="declarative",
        objects=_ids(objects),
    )


def create(cluster: Model, args: Args, files: Reader | None) -> KubectlResult:
    objects, _source = load(cluster, args, files)
    lines = []
    for obj in objects:
        try:
            made = cluster.api.create(obj, actor="kubectl")
        except SimulationError as exc:
            raise server_error(exc) from None
        lines.append(f"{for_object(made).display}/{made['metadata']['name']} created")
    return KubectlResult(
        output="\n".join(lines),
        changed=True,
        summary=_summary("created", lines) + policy_note(cluster, lines),
        type="kubectl.create",
        concept="api-server",
        objects=_ids(objects),
    )


def delete(cluster: Model, args: Args, files: Reader | None) -> KubectlResult:
    objects, source = load(cluster, args, files)
    lines = []
    for obj in objects:
        resource = for_object(obj)
        if resource is None:
            raise UsageError(
                f'error: the server doesn\'t have a resource type "{obj["kind"]}"'
            )
        meta = obj.get("metadata") or {}
        ns = (meta.get("namespace") or "default") if resource.namespaced else None
        try:
            cluster.api.delete(
                resource.plural, ns, str(meta.get("name")), actor="kubectl"
            )
        except NotFound as exc:
            if args.flag("ignore-not-found"):
                continue
            exc.args = (f'error when deleting "{source}": {exc}',)
            raise server_error(exc) from None
        except SimulationError as exc:
            raise server_error(exc) from None
        lines.append(f'{resource.display} "{meta.get("name")}" deleted')
    return KubectlResult(
        output="\n".join(lines),
        changed=True,
        summary=_summary("deleted", lines),
        type="kubectl.delete",
        concept="api-server",
        objects=_ids(objects),
    )


def _summary(verb: str, lines: list[str]) -> str:
    if not lines:
        return "Nothing changed: every object already matched."
    names = "; ".join(line.split(" ")[0].replace('"', "") for line in lines)
    return (
        f"kubectl {verb} {len(lines)} object{'s' if len(lines) != 1 else ''} through"
        f" the API server, which validated and stored each in etcd: {names}."
    )


def _ids(objects: list[dict]) -> list[str]:
    out = []
    for obj in objects:
        resource = for_object(obj)
        if resource is not None and isinstance(obj.get("metadata"), dict):
            if isinstance(obj["metadata"].get("name"), str):
                ident = view_id(resource, obj)
                if ident:
                    out.append(ident)
    return out
