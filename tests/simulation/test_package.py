"""The model is pure: importing it pulls in no web framework."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_simulation_leaves_django_out_of_sys_modules():
    """`import simulation` (and a step) never imports django, channels or asyncio."""
    code = (
        "import sys, simulation\n"
        "c = simulation.Cluster(seed=1)\n"
        "c.act({'op': 'kill_pod', 'pod': 'kube-system/' + "
        "c.store.list('pods', 'kube-system')[-1]['metadata']['name']})\n"
        "c.settle()\n"
        "bad = sorted(m for m in ('django', 'channels', 'asyncio', 'daphne')"
        " if m in sys.modules)\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == ""
