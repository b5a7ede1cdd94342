"""A learner in Chromium: the lesson gallery, a whole lesson, a step link.

Screenshots of each moment a teacher would project land in test-artifacts/
(lessons-*.png), taken at 1280x720.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import ARTIFACTS

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1280, "height": 720}
LESSON = "03-self-healing"


def shot(page: Page, name: str) -> None:
    """A screenshot once the step's flash (1.2 s) is over, as a class would see it."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.wait_for_timeout(1300)
    page.screenshot(path=str(ARTIFACTS / f"lessons-{name}.png"))


def at_step(page: Page, position: int) -> None:
    """Wait until the lesson panel shows `position` (0-based)."""
    try:
        expect(page.locator("body")).to_have_attribute(
            "data-lesson-position", str(position), timeout=30_000
        )
    except AssertionError as exc:
        raise AssertionError(f"not at step {position + 1}: {page.errors}") from exc
    expect(page.locator("#lesson [data-part=where]")).to_contain_text(
        f"Step {position + 1} of"
    )


def test_the_gallery_lists_every_lesson_with_goal_length_and_concepts(
    daphne_server, page: Page
):
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{daphne_server.url}/lessons/")
    cards = page.locator(".lesson-card")
    expect(cards).to_have_count(18)
    card = page.locator(f'.lesson-card[data-lesson="{LESSON}"]')
    expect(card.locator("h2")).to_contain_text("Self-healing")
    expect(card.locator(".goal")).to_contain_text("a deleted pod is replaced")
    expect(card.locator(".length")).to_have_text("8 min · 6 steps")
    expect(card.locator(".concepts li")).to_have_text(
        ["replicaset", "self-healing", "kubelet"]
    )
    expect(card.locator(".state")).to_have_text("Not started")
    shot(page, "gallery")
    assert page.errors == []


def test_a_learner_walks_through_a_whole_lesson(daphne_server, page: Page):
    """Predict wrong, predict right, step with the keys, do the task, finish."""
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{daphne_server.url}/lessons/")
    page.locator(f'.lesson-card[data-lesson="{LESSON}"] h2 a').click()
    at_step(page, 0)
    panel = page.locator("#lesson")
    expect(panel.locator("[data-part=title]")).to_have_text("Three replicas")
    # The three web pods the step talks about are marked on the picture.
    expect(page.locator("#diagram .pod.lesson-mark")).to_have_count(3)
    expect(panel.locator(".look-chip")).to_have_count(4)  # and their ReplicaSet
    # Guided: no play controls, and the cluster cannot be changed from here.
    expect(page.locator("[data-command=toggle-play]")).to_be_hidden()
    shot(page, "01-first-step")

    # A wrong prediction: feedback names the right answer and says why.
    choices = panel.locator(".lesson-choice")
    expect(choices).to_have_count(2)
    choices.nth(0).click()
    feedback = panel.locator("[data-part=feedback]")
    expect(feedback).to_contain_text("Not quite")
    expect(feedback).to_contain_text("new random suffix")
    expect(choices.nth(0)).to_have_class(re.compile(r"\bwrong\b"))
    expect(choices.nth(1)).to_have_class(re.compile(r"\bright\b"))
    shot(page, "02-wrong-prediction")

    page.keyboard.press("ArrowRight")
    at_step(page, 1)
    assert page.url.endswith("?step=2")
    expect(panel.locator(".lesson-kubectl")).to_contain_text("deleted")
    new_pod = page.locator("#diagram .pod.lesson-mark")
    expect(new_pod).to_have_count(1)

    # A right prediction.
    panel.locator(".lesson-choice", has_text="No, it gets an IP of its own").click()
    expect(feedback).to_contain_text("Right.")
    expect(feedback).to_contain_text("sandbox is created")
    shot(page, "03-right-prediction")

    # Writes are refused while guided: kubectl says to try it yourself.
    console = page.locator("#kubectl-input")
    console.fill("scale deployment web --replicas=5")
    console.press("Enter")
    expect(page.locator("#console .console-line.error")).to_contain_text(
        "Try it yourself"
    )
    console.fill("get pods")
    console.press("Enter")
    expect(page.locator("#console .console-line.out").last).to_contain_text("web-")

    page.locator("#lesson [data-lesson=next]").click()
    at_step(page, 2)
    page.locator("#diagram").focus()
    page.keyboard.press("ArrowLeft")
    at_step(page, 1)
    expect(feedback).to_contain_text("Right.")  # the answer given is remembered
    for position in (2, 3, 4, 5):
        page.keyboard.press("ArrowRight")
        at_step(page, position)

    # The task: try it yourself, delete the pod, let the cluster heal.
    task = panel.locator("[data-part=task]")
    expect(task).to_be_visible()
    victim = panel.locator("[data-part=hint]").text_content().split()[-1]
    panel.locator("[data-lesson=sandbox]").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bmode-sandbox\b"))
    expect(panel.locator("[data-part=verdict]")).to_contain_text("Not yet")
    panel.locator(".lesson-hint summary").click()
    panel.locator("[data-lesson=use-hint]").click()  # the hint's command, not run
    expect(console).to_have_value(f"delete pod {victim}")
    expect(console).to_be_focused()
    console.press("Enter")
    expect(page.locator("#console .console-line.out").last).to_contain_text("deleted")
    page.locator("[data-part=speed]").select_option("20")
    page.locator("[data-command=toggle-play]").click()
    verdict = panel.locator("[data-part=verdict]")
    expect(verdict).to_have_attribute("data-passed", "true", timeout=30_000)
    expect(verdict).to_contain_text("Done:")
    shot(page, "04-task-passed")

    panel.locator("[data-lesson=guide]").click()
    expect(page.locator("body")).to_have_class(re.compile(r"\bmode-guide\b"))
    expect(panel.locator("[data-lesson=finish]")).to_have_text("Finish ▶")
    shot(page, "05-last-step")

    progress = page.evaluate(
        "JSON.parse(localStorage.getItem('kubeviz.lessons'))['03-self-healing']"
    )
    assert progress["done"] is True and progress["position"] == 5
    assert progress["answers"] == {
        "0": {"choice": 0, "correct": False},
        "1": {"choice": 1, "correct": True},
    }
    assert progress["tasks"] == {"5": True}

    panel.locator("[data-lesson=finish]").click()
    card = page.locator(f'.lesson-card[data-lesson="{LESSON}"]')
    expect(card.locator(".state")).to_have_text("✓ Finished · 1 of 2 predictions right")
    shot(page, "06-gallery-progress")
    assert page.errors == []


def test_a_step_link_opens_the_lesson_at_that_step_with_its_hop(
    daphne_server, page: Page
):
    page.set_viewport_size(PROJECTOR)
    page.emulate_media(reduced_motion="reduce")  # the trace is drawn at once
    page.goto(f"{daphne_server.url}/lessons/13-clusterip/?step=3")
    at_step(page, 2)
    panel = page.locator("#lesson")
    expect(panel.locator("[data-part=title]")).to_have_text("DNAT on the source node")
    link = panel.locator("[data-part=link]")
    expect(link).to_have_text(re.compile(r"/lessons/13-clusterip/\?step=3$"))
    # The step points at hop 5 (index 4) of the trace: DNAT in PREROUTING.
    hop = page.locator('#diagram .hop-mark.lesson-hop[data-target="4"]')
    expect(hop).to_have_count(1)
    expect(page.locator("#diagram .hop-mark.lesson-hop")).to_have_count(1)
    expect(page.locator("#packet-panel")).to_contain_text("DNAT")
    shot(page, "07-trace-hop")
    # The next step points at a hop of the reply: the picture turns to it.
    page.keyboard.press("ArrowRight")
    at_step(page, 3)
    expect(page.locator("#packet-panel [data-part=summary]")).to_contain_text("(reply)")
    expect(
        page.locator('#diagram .hop-mark.lesson-hop[data-target="16"]')
    ).to_have_count(1)
    assert page.errors == []


def test_a_returning_learner_finds_their_step_and_answers(daphne_server, page):
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{daphne_server.url}/lessons/{LESSON}/")
    at_step(page, 0)
    page.locator("#lesson .lesson-choice").first.click()
    feedback = page.locator("#lesson [data-part=feedback]")
    expect(feedback).to_contain_text("Not quite")
    page.locator("#lesson [data-goto='3']").click()  # the step dots
    at_step(page, 3)

    page.goto(f"{daphne_server.url}/lessons/{LESSON}/")
    at_step(page, 0)
    # The answer given last time comes back with its explanation.
    expect(feedback).to_contain_text("Not quite")
    resume = page.locator("#lesson [data-part=resume]")
    expect(resume).to_contain_text("Last time you were at step 4.")
    resume.locator("button").click()
    at_step(page, 3)
    expect(resume).to_be_hidden()
    assert page.errors == []


def test_focus_mode_puts_the_step_under_the_picture(daphne_server, page: Page):
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{daphne_server.url}/lessons/{LESSON}/?step=2")
    at_step(page, 1)
    page.keyboard.press("f")
    caption = page.locator(".focus-narration")
    expect(caption).to_be_visible()
    expect(caption).to_contain_text("2/6 · One pod missing: kubectl deleted")
    expect(page.locator("#lesson")).to_be_hidden()
    page.keyboard.press("ArrowRight")  # the lesson still moves on
    at_step(page, 2)
    expect(caption).to_contain_text("3/6 · Healed")
    shot(page, "08-focus")
    assert page.errors == []


def test_after_a_server_restart_the_lesson_carries_on_at_its_step(
    daphne_server, page: Page
):
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{daphne_server.url}/lessons/{LESSON}/")
    at_step(page, 0)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # queued until the first move is drawn
    at_step(page, 2)
    daphne_server.restart()
    expect(page.locator("#connection")).to_have_text("live", timeout=30_000)
    at_step(page, 2)
    page.keyboard.press("ArrowRight")
    at_step(page, 3)
    # Chromium logs each retry that the stopped server refused or reset.
    assert [error for error in page.errors if "ERR_CONNECTION_" not in error] == []


# Makes the page's `window.kubeviz = app` a no-op, as if main.js published nothing.
NO_GLOBAL_APP = """
Object.defineProperty(window, 'kubeviz', {get: () => undefined, set: () => {}});
"""


def test_the_lesson_takes_the_page_app_by_import_not_a_global(
    daphne_server, page: Page
):
    """With nothing published on `window`, the lesson still opens at its first step
    and steps on: lessons/lesson.js imports main.js's `app` (issue 15)."""
    page.add_init_script(NO_GLOBAL_APP)
    page.set_viewport_size(PROJECTOR)
    page.goto(f"{daphne_server.url}/lessons/{LESSON}/")
    at_step(page, 0)
    assert page.evaluate("() => window.kubeviz") is None
    expect(page.locator("#diagram .pod.lesson-mark")).to_have_count(3)
    page.keyboard.press("ArrowRight")
    at_step(page, 1)
    assert page.errors == []
