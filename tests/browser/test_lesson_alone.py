"""A student alone in a lesson: a task that waits on the cluster says so and offers
"Run until settled"; a prediction keeps its first answer and its narration in view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.pages import shot
from tests.browser.test_lessons import LESSON, at_step

pytestmark = pytest.mark.browser


def test_a_waiting_task_offers_run_until_settled(daphne_server, page: Page):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{daphne_server.url}/lessons/{LESSON}/?step=6")
    at_step(page, 5)
    panel = page.locator("#lesson")
    hint = panel.locator("[data-part=hint]").text_content()
    victim = re.search(r"web-[a-z0-9]+-[a-z0-9]+", hint)[0]
    panel.get_by_role("button", name="Try it yourself").click()
    expect(panel).to_have_attribute("data-mode", "sandbox")
    console = page.locator("#kubectl-input")
    console.fill(f"delete pod {victim}")
    console.press("Enter")
    verdict = panel.locator("[data-part=verdict]")
    expect(verdict).to_contain_text("has not settled yet")
    settle = panel.get_by_role("button", name="Run until settled")
    expect(settle).to_be_visible()
    shot(page, "lesson-run-until-settled")
    settle.click()
    expect(verdict).to_contain_text("Done:", timeout=30_000)
    expect(verdict).to_have_attribute("data-passed", "true")
    expect(settle).to_be_hidden()
    assert page.errors == []


def test_the_first_answer_is_kept_and_the_narration_stays_in_view(
    daphne_server, page: Page
):
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{daphne_server.url}/lessons/{LESSON}/")
    at_step(page, 0)
    panel = page.locator("#lesson")
    choices = panel.locator(".lesson-choice")
    choices.nth(0).click()
    expect(panel.locator("[data-part=feedback]")).to_contain_text("Not quite")
    # The answer is given: the choices cannot be changed any more.
    expect(choices.nth(1)).to_be_disabled()
    narration = panel.locator("[data-part=narration]")
    body = panel.locator("[data-part=body]")
    top = narration.evaluate("e => e.getBoundingClientRect().top")
    body_top = body.evaluate("e => e.getBoundingClientRect().top")
    assert top >= body_top - 1, "the narration's first line is still in view"
    feedback = panel.locator("[data-part=feedback]")
    under = narration.evaluate("e => e.getBoundingClientRect().bottom")
    assert feedback.evaluate("e => e.getBoundingClientRect().bottom") > under
    shot(page, "lesson-answered-narration")
    page.reload()
    at_step(page, 0)
    expect(panel.locator(".lesson-choice").nth(0)).to_have_class(
        re.compile(r"\bwrong\b")
    )
    assert page.errors == []
