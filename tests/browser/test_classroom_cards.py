"""The lesson card and the poll card in a lesson classroom: they stack beside the
picture, never over what the step points at nor over the presenter's buttons, and a
closed poll goes away on every screen."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import shot

pytestmark = pytest.mark.browser

COVERED = """sel => {
  const e = document.querySelector(sel);
  const b = e.getBoundingClientRect();
  const top = document.elementFromPoint(b.left + b.width / 2, b.top + b.height / 2);
  return !(top === e || e.contains(top));
}"""

BOX = """sel => [...document.querySelectorAll(sel)].map(e => {
  const b = e.getBoundingClientRect();
  return [b.left, b.top, b.right, b.bottom];
}).filter(b => b[2] > b[0] && b[3] > b[1])"""


def meets(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def present_lesson(page, url: str) -> str:
    page.goto(url + "/c/")
    page.get_by_label("Lesson").select_option("01-tour")
    page.get_by_role("button", name="Present a lesson").click()
    page.wait_for_url(re.compile(r"/c/[A-Z0-9]{6}/present$"))
    page.wait_for_selector("body[data-ready=true][data-classroom=ready]")
    page.wait_for_selector("#diagram .lesson-highlight")
    return page.url.split("/")[-2]


def open_prediction_poll(page) -> None:
    for _ in range(10):
        if page.locator("[data-lesson=poll]").is_enabled():
            break
        page.get_by_role("button", name="Lesson step ▶").click()
        page.wait_for_timeout(300)
    page.get_by_role("button", name="Poll this prediction").click()
    page.locator("[data-part=poll] [data-part=poll-live]").wait_for()


@pytest.fixture
def pages(browser):
    made = []

    def make(width: int = 1366, height: int = 768):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda error, p=page: p.errors.append(str(error)))
        page.set_default_timeout(20_000)
        made.append(context)
        return page

    yield make
    for context in made:
        context.close()


def test_the_poll_card_never_covers_the_lessons_buttons(daphne_server, pages):
    """Today a poll card blocks "Show the answer"."""
    page = pages()
    present_lesson(page, daphne_server.url)
    open_prediction_poll(page)
    page.wait_for_timeout(300)
    for button in ("[data-lesson=answer]", "[data-lesson=lesson_next]"):
        assert not page.evaluate(COVERED, button), f"{button} is covered"
    for name in ("Reveal", "Close"):
        assert page.locator("[data-part=poll]").get_by_role("button", name=name).count()
    assert not page.evaluate(COVERED, "[data-classroom=poll_close]")
    (lesson,) = page.evaluate(BOX, "[data-part=lesson]")
    (poll,) = page.evaluate(BOX, "[data-part=poll]")
    assert not meets(lesson, poll)
    shot(page, "classroom-cards-1366x768")
    assert page.errors == []


def test_the_cards_never_cover_what_the_step_points_at(daphne_server, pages):
    page = pages()
    present_lesson(page, daphne_server.url)
    open_prediction_poll(page)
    page.wait_for_timeout(300)
    marked = page.evaluate(BOX, "#diagram .lesson-highlight")
    assert marked, "the step points at something"
    cards = page.evaluate(BOX, ".card-dock > :not([hidden])")
    for card in cards:
        for target in marked:
            assert not meets(card, target)
    # ...nor the presenter's bars.
    for bar in page.evaluate(BOX, "#classroom, #controls"):
        for card in cards:
            assert not meets(card, bar)


def test_a_closed_poll_disappears_for_everyone(daphne_server, pages):
    presenter, follower = pages(), pages()
    code = present_lesson(presenter, daphne_server.url)
    follower.goto(f"{daphne_server.url}/c/{code}")
    follower.wait_for_selector("body[data-ready=true][data-classroom=ready]")
    open_prediction_poll(presenter)
    follower.locator("[data-part=poll] button[data-choice]").first.click()
    presenter.get_by_role("button", name="Reveal").click()
    follower.locator("[data-part=poll] .results").wait_for()
    presenter.get_by_role("button", name="Close").click()
    for page in (presenter, follower):
        page.wait_for_function(
            "() => document.querySelector('[data-part=poll]').hidden"
        )
    # The presenter can still show the answer the class leaned to.
    presenter.get_by_role("button", name="Show the answer").click()
    presenter.wait_for_function(
        "() => /^Answer: /.test(document.querySelector('[data-part=lesson-answer]')"
        ".textContent)"
    )
    # A new poll opens the form again.
    presenter.get_by_role("button", name="Poll…").click()
    assert presenter.locator("[data-part=poll-form]").is_visible()
    assert presenter.errors == [] and follower.errors == []
