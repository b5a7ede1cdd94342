"""`kubectl create namespace` (`create deployment` is in workloads.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...errors import SimulationError, UsageError
from ..objects import server_error
from ..parser import Args
from ..result import KubectlResult

if TYPE_CHECKING:
    from ...context import Model


def create_namespace(cluster: Model, args: Args) -> KubectlResult:
    if len(args.words) != 1:
        raise UsageError(f"error: exactly one NAME is required, got {len(args.words)}")
    name = args.words[0]
    try:
        cluster.api.create(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
            actor="kubectl",
        )
    except SimulationError as exc:
        raise server_error(exc) from None
    return KubectlResult(
        output=f"namespace/{name} created",
        changed=True,
        summary=f"kubectl created namespace {name}, a scope for names and policies.",
        type="kubectl.create",
        concept="namespaces",
    )
