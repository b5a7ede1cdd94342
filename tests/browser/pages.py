"""What the session-page browser tests share: opening pages, reading the step, shots."""

from __future__ import annotations

import re

from tests.conftest import ARTIFACTS

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
