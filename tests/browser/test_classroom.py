"""A classroom in real Chromium: one presenter and two followers, each in a browser."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest

from tests.conftest import ARTIFACTS, LiveServer

pytestmark = pytest.mark.browser

STEP = re.compile(r"step (\d+)")


@pytest.fixture
def people(browser, request: pytest.FixtureRequest) -> Iterator[list]:
    """Three separate browser profiles (own cookies), screenshots on failure."""
    contexts, pages = [], []
    for _ in range(3):
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error, p=page: p.errors.append(str(error)))
        page.set_default_timeout(15_000)
        contexts.append(context)
        pages.append(page)
    try:
        yield pages
    finally:
        report = getattr(request.node, "classroom_failed", None)
        if report is None or report:
            ARTIFACTS.mkdir(exist_ok=True)
            for index, page in enumerate(pages):
                try:
                    page.screenshot(path=str(ARTIFACTS / f"classroom-{index}.png"))
                except Exception as error:
                    print(f"no screenshot of page {index}: {error}")
        for context in contexts:
            context.close()


def step_of(page) -> int:
    return int(STEP.search(page.locator("[data-part=readout]").text_content())[1])


def wait_step(page, step: int) -> None:
    page.wait_for_function(
        "n => new RegExp(`step ${n} `).test("
        "document.querySelector('[data-part=readout]').textContent + ' ')",
        arg=step,
    )


def join(page, url: str, code: str, name: str) -> None:
    page.goto(url + "/c/")
    page.get_by_label("Code").fill(code.lower())
    page.get_by_label("Your name (optional)").fill(name)
    page.get_by_role("button", name="Join").click()
    page.wait_for_url(re.compile(rf"/c/{code}\?name="))
    page.wait_for_selector("body[data-ready=true][data-classroom=ready]")


def test_a_presenter_leads_two_followers(daphne_server, people, request) -> None:
    request.node.classroom_failed = True
    presenter, ada, bob = people
    url = daphne_server.url
    presenter.goto(url + "/c/")
    presenter.get_by_label("Scenario").select_option("deploy")
    presenter.get_by_role("button", name="Start presenting").click()
    presenter.wait_for_url(re.compile(r"/c/[A-Z0-9]{6}/present$"))
    presenter.wait_for_selector("body[data-ready=true][data-classroom=ready]")
    code = presenter.url.split("/")[-2]
    qr = presenter.locator("[data-part=qr] img")
    presenter.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=qr.element_handle()
    )
    assert code in presenter.locator("[data-part=qr]").text_content()

    join(ada, url, code, "<b>Ada</b>")
    join(bob, url, code, "Bob")
    assert ada.locator("[data-part=name]").text_content() == "<b>Ada</b>"
    presenter.wait_for_function(
        "() => document.querySelector('[data-part=followers]').textContent === '2'"
    )
    start = step_of(presenter)
    assert step_of(ada) == step_of(bob) == start
    assert not ada.get_by_role("button", name=re.compile(r"^Step")).is_visible()

    # Following: the presenter's step reaches both followers.
    presenter.get_by_role("button", name=re.compile(r"^Step")).click()
    for page in (presenter, ada, bob):
        wait_step(page, start + 1)

    # Breaking away: Ada explores her own copy; Bob still follows.
    ada.get_by_role("button", name="Break away").click()
    ada.wait_for_selector("body.mode-away")
    ada.get_by_role("button", name=re.compile(r"^Step")).click()
    wait_step(ada, start + 2)
    presenter.wait_for_function(
        "() => document.querySelector('[data-part=away]').textContent.includes('1')"
    )
    assert step_of(bob) == step_of(presenter) == start + 1
    presenter.get_by_role("button", name=re.compile(r"^Step")).click()
    presenter.get_by_role("button", name=re.compile(r"^Step")).click()
    wait_step(bob, start + 3)
    ada.reload()  # a reload (or a reconnect) goes back to her own copy
    ada.wait_for_selector("body.mode-away[data-classroom=ready]")
    wait_step(ada, start + 2)
    ada.get_by_role("button", name="Rejoin the class").click()
    ada.wait_for_selector("body.mode-following")
    wait_step(ada, start + 3)

    # Spotlight: the presenter picks a node; it glows on the followers' screens.
    presenter.locator('#diagram [data-id="nodes/node-1"]').first.click()
    presenter.get_by_role("button", name="Spotlight selected").click()
    for page in (ada, bob):
        page.wait_for_selector('#diagram .spotlight[data-id="nodes/node-1"]')

    # A poll: the presenter sees answers come in; followers see them when revealed.
    presenter.get_by_role("button", name="Poll…").click()
    presenter.get_by_label("Question").fill("Which node gets the next pod?")
    presenter.get_by_label("Answers, one a line").fill("node-1\nnode-2")
    presenter.get_by_role("button", name="Open the poll").click()
    bob.locator(".poll-card").get_by_role("button", name="node-2", exact=True).click()
    presenter.wait_for_function(
        "() => document.querySelector('[data-part=answered]').textContent === '1'"
    )
    ada.wait_for_selector("text=Which node gets the next pod?")
    assert ada.locator(".poll-card .count").count() == 0
    presenter.get_by_role("button", name="Reveal").click()
    ada.wait_for_selector(".poll-card .count")
    counts = ada.locator(".poll-card .count").all_text_contents()
    assert [c.strip() for c in counts] == ["0", "1"]

    # Lock: nobody can break away any more.
    presenter.get_by_label("lock breaking away").check()
    for page in (ada, bob):
        page.wait_for_selector('[data-classroom="break_away"]:disabled')
    for page in people:
        assert page.errors == []
    request.node.classroom_failed = False


def test_followers_read_the_lesson_the_presenter_walks(
    daphne_server, people, request
) -> None:
    request.node.classroom_failed = True
    presenter, ada, _ = people
    presenter.goto(daphne_server.url + "/c/")
    presenter.get_by_label("Lesson").select_option("01-tour")
    presenter.get_by_role("button", name="Present a lesson").click()
    presenter.wait_for_url(re.compile(r"/c/[A-Z0-9]{6}/present$"))
    presenter.wait_for_selector("body[data-ready=true][data-classroom=ready]")
    code = presenter.url.split("/")[-2]
    join(ada, daphne_server.url, code, "Ada")
    ada.wait_for_function(
        "() => document.querySelector('[data-part=lesson-position]')"
        ".textContent === 'lesson step 1 of 10'"
    )
    first = ada.locator("[data-part=lesson-narration]").text_content()
    assert first.strip()
    ada.wait_for_selector("#diagram .lesson-highlight")

    presenter.get_by_role("button", name="Lesson step ▶").click()
    ada.wait_for_function(
        "() => document.querySelector('[data-part=lesson-position]')"
        ".textContent.includes('step 2 of')"
    )
    assert ada.locator("[data-part=lesson-narration]").text_content() != first
    assert not ada.get_by_role("button", name="Lesson step ▶").count()
    for page in (presenter, ada):
        assert page.errors == []
    request.node.classroom_failed = False


def test_presenter_and_follower_pages_come_back_after_a_restart(
    tmp_path, people, request
) -> None:
    """Daphne stops and starts: both pages reconnect by themselves, same step."""
    request.node.classroom_failed = True
    server = LiveServer(tmp_path)
    server.migrate()
    server.start()
    try:
        presenter, ada, _ = people
        presenter.goto(server.url + "/c/")
        presenter.get_by_label("Scenario").select_option("deploy")
        presenter.get_by_role("button", name="Start presenting").click()
        presenter.wait_for_selector("body[data-ready=true][data-classroom=ready]")
        code = presenter.url.split("/")[-2]
        join(ada, server.url, code, "Ada")
        start = step_of(presenter)
        for _ in range(3):
            presenter.get_by_role("button", name=re.compile(r"^Step")).click()
        wait_step(ada, start + 3)
        time.sleep(0.6)  # the position is saved within KUBEVIZ_SAVE_DELAY

        server.restart()
        for page in (presenter, ada):
            page.wait_for_selector("#connection[data-state=open]", timeout=30_000)
            wait_step(page, start + 3)
        presenter.get_by_role("button", name=re.compile(r"^Step")).click()
        wait_step(ada, start + 4)
        assert presenter.locator("[data-part=followers]").text_content() == "1"
        request.node.classroom_failed = False
    finally:
        server.stop()


def test_the_classroom_bar_takes_the_page_app_by_import(daphne_server, page) -> None:
    """With nothing published on `window`, the presenter's bar still comes up with
    its join code and follower count: classroom/classroom.js imports main.js's `app`
    (issue 15)."""
    page.add_init_script(
        "Object.defineProperty(window, 'kubeviz', {get: () => undefined, set() {}})"
    )
    page.set_default_timeout(15_000)
    page.goto(daphne_server.url + "/c/")
    page.get_by_label("Scenario").select_option("deploy")
    page.get_by_role("button", name="Start presenting").click()
    page.wait_for_url(re.compile(r"/c/[A-Z0-9]{6}/present$"))
    page.wait_for_selector("body[data-ready=true][data-classroom=ready]")
    assert page.evaluate("() => window.kubeviz") is None
    code = page.url.split("/")[-2]
    assert code in page.locator("[data-part=qr]").text_content()
    page.wait_for_function(
        "() => document.querySelector('[data-part=followers]').textContent === '0'"
    )
    assert page.errors == []
