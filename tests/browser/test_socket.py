"""The page's websocket: it reconnects by itself and carries on where it was."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_after_a_server_restart_the_page_reconnects_and_resyncs(daphne_server, page):
    page.goto(daphne_server.url + "/")
    page.wait_for_selector("body[data-ready=true]")
    connection = page.locator("#connection")
    assert connection.text_content() == "live"
    readout = page.locator("[data-part=readout]")
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => /^step 2 /.test(document.querySelector('[data-part=readout]')"
        ".textContent)"
    )
    sent = []
    page.on(
        "websocket",
        lambda ws: ws.on("framesent", lambda payload: sent.append(payload)),
    )

    page.wait_for_timeout(600)  # the session saves its position within 0.2 s
    daphne_server.restart()

    page.wait_for_function(
        "() => document.querySelector('#connection').textContent === 'live'",
        timeout=30_000,
    )
    assert any(re.search(r'"type":\s*"hello".*"lastSeq":\s*\d', s) for s in sent), (
        "the new connection says which frame it had"
    )
    page.wait_for_function(
        "() => /^step 2 /.test(document.querySelector('[data-part=readout]')"
        ".textContent)"
    )
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "() => /^step 3 /.test(document.querySelector('[data-part=readout]')"
        ".textContent)"
    )
    assert "step 3" in readout.text_content()
    refused = "ERR_CONNECTION_REFUSED"  # Chromium logs each refused retry
    assert [error for error in page.errors if refused not in error] == []


def test_play_at_max_pulls_each_frame_with_ready(daphne_server, page):
    """At "max" the page sends ready{seq} after drawing each frame (backpressure)."""
    sent = []
    page.on(
        "websocket",
        lambda ws: ws.on("framesent", lambda payload: sent.append(payload)),
    )
    page.goto(daphne_server.url + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.locator("[data-part=speed]").select_option("max")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => Number(/step (\\d+)/.exec(document.querySelector("
        "'[data-part=readout]').textContent)[1]) >= 8"
    )
    page.get_by_role("button", name="Pause").click()
    assert any('"speed":"max"' in s.replace(" ", "") for s in sent)
    readies = [s for s in sent if '"type":"ready"' in s.replace(" ", "")]
    assert len(readies) >= 5, "one ready per drawn frame"
    assert page.errors == []
