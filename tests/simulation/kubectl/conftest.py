"""Helpers for kubectl tests: run a line through `Cluster.act` as the console does."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from simulation import Cluster


def ok(cluster: Cluster, line: str) -> str:
    """Run a kubectl line that must succeed; its printed output."""
    result = cluster.act({"op": "kubectl", "command": line})
    assert result.ok, result.error
    return result.output


def fails(cluster: Cluster, line: str) -> str:
    """Run a kubectl line that must fail; its error message."""
    result = cluster.act({"op": "kubectl", "command": line})
    assert not result.ok, result.output
    return result.error


def header(output: str) -> list[str]:
    """The column names of a kubectl table (split on runs of 2+ spaces)."""
    import re

    return re.split(r"\s{2,}", output.splitlines()[0].strip())


def rows(output: str) -> list[list[str]]:
    import re

    return [re.split(r"\s{2,}", line.strip()) for line in output.splitlines()[1:]]


@pytest.fixture
def kc() -> SimpleNamespace:
    """ok/fails/header/rows by name."""
    return SimpleNamespace(ok=ok, fails=fails, header=header, rows=rows)


@pytest.fixture
def web(cluster: Cluster) -> Cluster:
    """Deployment web (nginx, 3 replicas, port 80) exposed as a NodePort, settled."""
    ok(
        cluster,
        "kubectl create deployment web --image=nginx:1.27 --replicas=3 --port=80",
    )
    ok(cluster, "kubectl expose deployment web --port=80 --type=NodePort")
    cluster.settle()
    return cluster
