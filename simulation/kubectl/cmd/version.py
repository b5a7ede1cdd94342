"""`kubectl version`: the client's and the server's versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...config import KUBERNETES_VERSION
from ..parser import Args
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model


def version(cluster: Model, args: Args) -> KubectlResult:
    lines = [f"Client Version: {KUBERNETES_VERSION}", "Kustomize Version: v5.4.2"]
    if not args.flag("client"):
        lines.append(f"Server Version: {KUBERNETES_VERSION}")
    return KubectlResult(output="\n".join(lines))
