"""The lesson engine stays inside the pure model: no web framework on import."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_running_a_lesson_imports_no_web_framework():
    code = (
        "import sys\n"
        "from lessons import LessonRun\n"
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


def test_lessons_do_not_depend_on_the_hash_seed():
    """Frames and answers are the same in processes with different hash seeds."""
    code = (
        "import hashlib, json\n"
        "from lessons import LessonRun\n"
        "h = hashlib.sha256()\n"
        "for lesson in ('04-node-failure', '16-ingress', '18-four-ways-in'):\n"
        "    c = LessonRun(lesson)._compiled\n"
        "    h.update(json.dumps([c.frames, sorted(c.answers.items())],"
        " sort_keys=True, default=str).encode())\n"
        "print(h.hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "PYTHONHASHSEED": s},
        ).stdout
        for s in ("1", "2")
    }
    assert len(digests) == 1


def test_the_command_line_validates_and_names_a_broken_file(tmp_path):
    """`python -m lessons FOLDER` exits 1 with the file and step."""
    (tmp_path / "01-broken.yaml").write_text(
        "title: Broken\ngoal: g\nminutes: 1\nconcepts: [c]\n"
        "steps:\n  - say: s\n    concept: c\n    do: [{fly: away}]\n"
    )
    ok = subprocess.run(
        [sys.executable, "-m", "lessons"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    broken = subprocess.run(
        [sys.executable, "-m", "lessons", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    assert ok.returncode == 0 and ok.stdout.count("ok  ") == 18
    assert broken.returncode == 1
    assert "01-broken.yaml, step 1: unknown action 'fly'" in broken.stderr
