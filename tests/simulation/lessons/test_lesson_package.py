"""The lesson engine stays inside the pure model: no web framework on import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_running_a_lesson_imports_no_web_framework():
    code = (
        "import sys\n"
        "from simulation.lessons import LessonRun\n"
        "run = LessonRun('03-self-healing'); run.goto(run.steps - 1)\n"
        "print(','.join(m for m in ('django', 'channels', 'asyncio', 'daphne')"
        " if m in sys.modules))\n"
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
