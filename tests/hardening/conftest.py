"""Fixtures for the hardening tests, reusing the web and browser harnesses as they are.

The consumer fixtures (`make_session`, `open_tab`) come from tests/web, Chromium and
its page from tests/browser, and the Daphne process from `tests.conftest.LiveServer`,
so a hardening test drives exactly what the other tests drive.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from channels.db import database_sync_to_async

from kubeviz.models import SavedSession
from kubeviz.registry import registry
from tests.browser.conftest import (  # noqa: F401
    browser,
    page,
    pytest_runtest_makereport,
)
from tests.conftest import LiveServer
from tests.web.conftest import (  # noqa: F401
    ORIGIN,
    Tab,
    fresh_channel_layer,
    make_session,
    open_tab,
)


async def saved_position_once_evicted(session_id: str, tries: int = 100) -> int:
    """Wait for a session to leave this process's memory; its saved step."""
    for _ in range(tries):
        if session_id not in registry().sessions:
            break
        await asyncio.sleep(0.02)
    assert session_id not in registry().sessions, "the session stayed in memory"
    row = await database_sync_to_async(SavedSession.objects.get)(pk=session_id)
    return row.position


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    """A Daphne process of this test's own, free to be killed and restarted."""
    live = LiveServer(tmp_path)
    live.migrate()
    live.start()
    try:
        yield live
    finally:
        live.stop()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """One Daphne process for a module's tests that do not kill it."""
    live = LiveServer(tmp_path_factory.mktemp("hardening"))
    live.migrate()
    live.start()
    try:
        yield live
    finally:
        live.stop()


def new_session(server: LiveServer) -> str:
    """The id of the session the home page starts for a visitor."""
    with urllib.request.urlopen(server.url + "/", timeout=30) as response:
        html = response.read().decode()
    found = re.search(r'"sessionId":\s*"([A-Za-z0-9_-]+)"', html)
    assert found, "the home page carries no session id"
    return found.group(1)


def frames(messages: list[str]) -> list[dict]:
    return [json.loads(m) for m in messages]
