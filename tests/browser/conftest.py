"""The browser-test harness: a live Daphne server and headless Debian Chromium.

`daphne_server` runs `daphne kubeviz.asgi:application` in a subprocess on a free
loopback port, with its own migrated SQLite file; `page` is a Playwright page of
/usr/bin/chromium whose screenshot lands in test-artifacts/ when its test fails.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from tests.conftest import ARTIFACTS, LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]


@pytest.fixture(scope="session")
def daphne_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = LiveServer(tmp_path_factory.mktemp("live"))
    server.migrate()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """Chromium for one test module.

    Sync Playwright keeps its event loop marked as running in this thread while it
    lives, which stops any asyncio test from starting; so it lives no longer than
    the module that asked for it.
    """
    if not os.path.exists(CHROMIUM):
        pytest.fail("Chromium is not installed: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):
    """A fresh 1280x800 page; `page.errors` collects the page's JavaScript errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    new_page = context.new_page()
    new_page.errors = []
    new_page.on("pageerror", lambda error: new_page.errors.append(str(error)))
    new_page.on(
        "console",
        lambda m: new_page.errors.append(m.text) if m.type == "error" else None,
    )
    # Generous: a loaded 2-core machine runs Chromium and Daphne side by side.
    new_page.set_default_timeout(20_000)
    try:
        yield new_page
    finally:
        report = request.node.stash.get(REPORTS, {}).get("call")
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
            try:
                new_page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
            except Exception as error:  # the page may have crashed
                print(f"no screenshot of {name}: {error}")
        context.close()


REPORTS = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Keep each phase's report on the test, so `page` knows if its test failed."""
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report
