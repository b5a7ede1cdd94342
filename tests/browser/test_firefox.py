"""The same page in Firefox: Debian's Firefox ESR, driven over WebDriver BiDi."""

from __future__ import annotations

import asyncio
import http.cookiejar
import importlib.util
import re
import shutil
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location(
    "firefox_check", HERE / "fixtures" / "firefox_check.py"
)
firefox_check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(firefox_check)


def new_session(base: str, scenario: str) -> str:
    """POST the gallery form as a browser would; returns the session page's URL."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    html = opener.open(base + "/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token, "scenario": scenario}
    ).encode()
    request = urllib.request.Request(
        base + "/s/new", data=form, headers={"Referer": base + "/"}
    )
    return opener.open(request).geturl()


def test_firefox_draws_the_cluster_steps_and_traces(daphne_server):
    if not (shutil.which("firefox-esr") or shutil.which("firefox")):
        pytest.skip("Firefox is not installed: apt-get install firefox-esr")
    ARTIFACTS.mkdir(exist_ok=True)
    url = new_session(daphne_server.url, "web")
    script = """
      const wait = ms => new Promise(resolve => setTimeout(resolve, ms));
      document.querySelector('#tab-packet').click();
      document.querySelector('[data-preset=service]').click();
      const nat = () => document.querySelector('.hop-row.nat');
      for (let i = 0; i < 50 && !nat(); i++) await wait(100);
      nat()?.click();
    """
    out = str(ARTIFACTS / "firefox-trace.png")
    # Playwright's sync API keeps an event loop in this thread: use a fresh one.
    with ThreadPoolExecutor(1) as pool:
        summary = pool.submit(
            asyncio.run, firefox_check.check(url, out, script, 1280, 720)
        ).result()
    assert summary["ready"], "the first picture was drawn"
    assert "Firefox" in summary["userAgent"]
    assert summary["nodes"] == 3
    assert summary["pods"] >= 3
    assert summary["hopDetail"] and "DNAT" in summary["hopDetail"]
    assert summary["errors"] == []
