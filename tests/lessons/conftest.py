"""A folder for broken lesson files, with the shipped web manifest beside them."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from lessons.catalog import DATA


@pytest.fixture
def lesson_folder(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a lesson file (dedented YAML) into a fresh folder; return the folder."""
    (tmp_path / "manifests").mkdir()
    web = (DATA / "manifests" / "web.yaml").read_text()
    (tmp_path / "manifests" / "web.yaml").write_text(web)

    def write(name: str, text: str) -> Path:
        (tmp_path / name).write_text(textwrap.dedent(text))
        return tmp_path

    return write
