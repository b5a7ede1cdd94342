"""What the session-page browser tests share: opening pages, reading the step, shots."""

from __future__ import annotations

import contextlib
import re
import subprocess
import sys
from collections.abc import Iterator

from tests.conftest import ARTIFACTS, ROOT, free_port, stop, wait_for_port

READOUT = "[data-part=readout]"


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def open_home(page, server) -> None:
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready=true]")


def open_scenario(page, server, name: str) -> None:
    open_home(page, server)
    page.locator(f"form:has(input[value='{name}']) button").click()
    page.wait_for_url(re.compile(r"/s/[A-Za-z0-9]+$"))
    page.wait_for_selector("body[data-ready=true]")


def current_step(page) -> int:
    return int(re.search(r"step (\d+)", page.locator(READOUT).text_content()).group(1))


@contextlib.contextmanager
def static_root() -> Iterator[str]:
    """The project root over plain HTTP (the static harness and /static/js/*.js);
    yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, process)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(process)
