"""A presenter's packet trace animates on a follower's screen, in real Chromium.

The presenter traces pod → pod from the Packet tab, then runs `kubectl exec … --
curl` in the console; each time the follower's page opens its Packet tab on the
same hops and draws the packet's markers over its own diagram.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

HOPS = "#packet-panel .hop-row"
MARKS = "#diagram .layer-packets .hop-mark"
SUMMARY = "#packet-panel [data-part=summary]"


@pytest.fixture
def pair(browser, request: pytest.FixtureRequest) -> Iterator[list]:
    """A presenter's and a follower's page, in separate profiles (own cookies);
    screenshots of both on failure."""
    contexts, pages = [], []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error, p=page: p.errors.append(str(error)))
        page.set_default_timeout(20_000)
        contexts.append(context)
        pages.append(page)
    try:
        yield pages
    finally:
        if getattr(request.node, "trace_failed", True):
            ARTIFACTS.mkdir(exist_ok=True)
            for name, page in zip(("presenter", "follower"), pages, strict=True):
                try:
                    page.screenshot(path=str(ARTIFACTS / f"classroom-trace-{name}.png"))
                except Exception as error:
                    print(f"no screenshot of the {name}: {error}")
        for context in contexts:
            context.close()


def present(page, url: str, scenario: str) -> str:
    page.goto(url + "/c/")
    page.get_by_label("Scenario").select_option(scenario)
    page.get_by_role("button", name="Start presenting").click()
    page.wait_for_url(re.compile(r"/c/[A-Z0-9]{6}/present$"))
    page.wait_for_selector("body[data-ready=true][data-classroom=ready]")
    return page.url.split("/")[-2]


def follow(page, url: str, code: str) -> None:
    page.goto(f"{url}/c/{code}?name=Ada")
    page.wait_for_selector("body[data-ready=true][data-classroom=ready]")


def hop_texts(page) -> list[str]:
    return [" ".join(text.split()) for text in page.locator(HOPS).all_text_contents()]


def wait_for_hops(page, previous: list[str]) -> list[str]:
    """The Packet tab's hops, once they are there and differ from `previous`."""
    page.wait_for_function(
        "([selector, before]) => {"
        "  const rows = [...document.querySelectorAll(selector)]"
        "    .map(r => r.textContent.split(/\\s+/).filter(Boolean).join(' '));"
        "  return rows.length > 0 && rows.join('\\n') !== before.join('\\n');"
        "}",
        arg=[HOPS, previous],
    )
    return hop_texts(page)


def test_a_followers_diagram_animates_the_presenters_traces(
    daphne_server, pair, request
) -> None:
    request.node.trace_failed = True
    presenter, follower = pair
    code = present(presenter, daphne_server.url, "web")
    follow(follower, daphne_server.url, code)
    presenter.wait_for_function(
        "() => document.querySelector('[data-part=followers]').textContent === '1'"
    )
    assert follower.locator(MARKS).count() == 0
    # Everyone is in: the presenter puts the join code away (it covers the panel).
    presenter.get_by_role("button", name="Join code").click()
    presenter.wait_for_selector("[data-part=qr]", state="hidden")

    # The Packet tab's pod → pod, other node.
    presenter.locator("#tab-packet").click()
    presenter.locator("[data-preset=cross-node]").click()
    mine = wait_for_hops(presenter, [])
    theirs = wait_for_hops(follower, [])
    assert theirs == mine, "the follower's Packet tab shows the presenter's hops"
    assert any("flannel.1" in hop for hop in theirs), "across nodes, by the tunnel"
    assert "delivered" in follower.locator(SUMMARY).text_content()
    assert follower.locator("#tab-packet").get_attribute("aria-selected") == "true"
    follower.wait_for_selector(MARKS)
    assert follower.locator(MARKS).count() >= 1, "the packet moves on its diagram"

    # kubectl exec … -- curl in the presenter's console sends a packet too.
    presenter.locator("#kubectl-input").fill(
        "kubectl exec deploy/web -- curl -sI http://web"
    )
    presenter.locator("#kubectl-input").press("Enter")
    presenter.locator(".console-line.out", has_text="HTTP/1.1 200 OK").wait_for()
    curl = wait_for_hops(follower, theirs)
    assert curl != theirs and curl == wait_for_hops(presenter, mine)
    assert any("DNAT" in hop for hop in curl), "http://web goes through the Service"
    follower.wait_for_selector(MARKS)

    toast = presenter.locator("#toast")
    assert toast.is_hidden() or "failed" not in toast.text_content()
    for page in pair:
        assert page.errors == []
    request.node.trace_failed = False
