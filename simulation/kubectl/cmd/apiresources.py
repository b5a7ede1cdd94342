"""`kubectl api-resources`: the kinds the API server serves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...resources import RESOURCES
from ..parser import Args
from ..printers.tabwriter import table
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model


def api_resources(cluster: Model, args: Args) -> KubectlResult:
    rows = [["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]]
    wanted = args.flag("namespaced")
    for r in sorted(RESOURCES, key=lambda r: (r.group, r.plural)):
        if wanted is not None and str(r.namespaced).lower() != str(wanted).lower():
            continue
        rows.append(
            [
                r.plural,
                ",".join(r.short_names),
                r.api_version,
                str(r.namespaced).lower(),
                r.kind,
            ]
        )
    return KubectlResult(output=table(rows))
