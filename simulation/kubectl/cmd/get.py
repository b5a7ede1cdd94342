"""`kubectl get`: tables, `-o wide|yaml|json|name`, `-A`, `-l`, `--show-labels`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import UsageError
from ...resources import BY_PLURAL
from .. import selectors
from ..objects import fetch, listing, namespace_of, resource_type
from ..parser import Args, Flag
from ..printers import columns, jsonpath, output
from ..printers import tables as printers
from ..printers.tabwriter import table
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model

FLAGS = (
    Flag("output", "o", "str"),
    Flag("all-namespaces", "A"),
    Flag("selector", "l", "str"),
    Flag("show-labels"),
    Flag("watch", "w"),
    Flag("no-headers"),
    Flag("field-selector", kind="str"),
    Flag("sort-by", kind="str"),
)
FORMATS = ("wide", "yaml", "json", "name", "jsonpath", "custom-columns")
TEMPLATED = ("jsonpath", "custom-columns")
ALL = ("pods", "services", "deployments", "replicasets", "horizontalpodautoscalers")


def run(cluster: Model, args: Args) -> KubectlResult:
    if args.flag("watch"):
        raise UsageError(
            "error: --watch is not supported here: step or play the simulation and"
            " run `kubectl get` again"
        )
    fmt, _, template = str(args.flag("output") or "").partition("=")
    if fmt in TEMPLATED:
        if not template:
            raise UsageError(f"error: {fmt} format specified but no template given")
    elif template or (fmt and fmt not in FORMATS):
        fmt = str(args.flag("output"))
        raise UsageError(
            f'error: unable to match a printer suitable for the output format "{fmt}",'
            f" allowed formats are: {','.join(sorted(FORMATS))}"
        )
    groups = _requests(args.words)
    every_ns = bool(args.flag("all-namespaces"))
    if every_ns and any(names for _, names in groups):
        raise UsageError(
            "error: a resource cannot be retrieved by name across all namespaces"
        )
    ns = None if every_ns else namespace_of(args)
    test = selectors.parse(args.flag("selector")) if args.flag("selector") else None
    wanted = args.flag("field-selector")
    fields = selectors.parse_fields(str(wanted)) if wanted else None
    found = []
    named = False
    for resource, names in groups:
        if names:
            named = True
            items = [fetch(cluster, resource, ns, n) for n in names]
        else:
            items = listing(cluster, resource, ns)
        if test is not None:
            items = [o for o in items if test(o["metadata"].get("labels") or {})]
        if fields is not None:
            items = [o for o in items if fields(o)]
        if args.flag("sort-by"):
            items = sorted(items, key=selectors.sort_key(str(args.flag("sort-by"))))
        found.append((resource, items))
    objects = [o for _, items in found for o in items]
    single = named and len(objects) == 1 and len(groups) == 1
    if fmt == "jsonpath":
        root = output.clean(objects[0]) if single else output.as_list(objects)
        return KubectlResult(output=jsonpath.render(template, root))
    if fmt == "custom-columns":
        if not objects:
            return KubectlResult(output=_none_found(groups, ns))
        rows = jsonpath.columns(template, [output.clean(o) for o in objects])
        return KubectlResult(output=table(rows))
    if fmt in ("yaml", "json", "name"):
        if not objects and fmt == "name":
            return KubectlResult(output=_none_found(groups, ns))
        return KubectlResult(output=output.render(objects, fmt, single))
    if not objects:
        return KubectlResult(output=_none_found(groups, ns))
    prefix = len(groups) > 1
    blocks = [
        _table(cluster, resource, items, args, every_ns, prefix, fmt == "wide")
        for resource, items in found
        if items
    ]
    return KubectlResult(output="\n\n".join(blocks))


def _requests(words: list[str]) -> list[tuple]:
    """Split `pods,svc name…` or `pod/a svc/b` into [(resource, [names])]."""
    if not words:
        raise UsageError(
            "You must specify the type of resource to get. Use"
            ' "kubectl api-resources" for a complete list of supported resources.'
            "\n\nerror: Required resource not specified."
        )
    if "/" in words[0]:
        groups: dict = {}
        for word in words:
            kind, slash, name = word.partition("/")
            if not slash or not name:
                raise UsageError(
                    "error: there is no need to specify a resource type as a separate"
                    " argument when passing arguments in resource/name form (e.g."
                    " 'kubectl get resource/<resource_name>' instead of 'kubectl get"
                    " resource resource/<resource_name>'"
                )
            groups.setdefault(resource_type(kind), []).append(name)
        return list(groups.items())
    kinds = []
    for kind in words[0].split(","):
        if kind == "all":
            kinds += [BY_PLURAL[p] for p in ALL]
        elif kind:
            kinds.append(resource_type(kind))
    kinds = list(dict.fromkeys(kinds))
    return [(r, list(words[1:])) for r in kinds]


def _table(cluster, resource, items, args, every_ns, prefix, wide) -> str:
    headers, wide_headers, row = printers.PRINTERS.get(
        resource.plural, (["NAME", "AGE"], [], _name_age)
    )
    head = list(headers) + (list(wide_headers) if wide else [])
    if wide and resource.plural in printers.WIDE_ORDER:
        head = list(printers.WIDE_ORDER[resource.plural])
    with_ns = every_ns and resource.namespaced
    labels = bool(args.flag("show-labels"))
    rows = []
    for obj in items:
        cells = row(cluster, obj, wide)
        if prefix and resource.plural != "events":
            cells[0] = f"{resource.display}/{cells[0]}"
        if with_ns:
            cells.insert(0, obj["metadata"].get("namespace", ""))
        if labels:
            cells.append(columns.labels_text(obj["metadata"].get("labels")))
        rows.append(cells)
    if with_ns:
        head.insert(0, "NAMESPACE")
    if labels:
        head.append("LABELS")
    if not args.flag("no-headers"):
        rows.insert(0, head)
    return table(rows)


def _name_age(cluster, obj, wide):
    return [obj["metadata"]["name"], columns.created(cluster, obj)]


def _none_found(groups, ns: str | None) -> str:
    namespaced = any(r.namespaced for r, _ in groups)
    if ns is None or not namespaced:
        return "No resources found"
    return f"No resources found in {ns} namespace."
