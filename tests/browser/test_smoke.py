"""The page a person opens: it draws the cluster and Step changes what they see."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser


def test_home_draws_the_cluster_and_step_changes_the_picture(
    daphne_server, page
) -> None:
    page.goto(daphne_server.url + "/")
    page.wait_for_selector("body[data-ready=true]")
    readout = page.locator("[data-part=readout]")
    before = readout.text_content()
    nodes = page.locator("#diagram").get_by_text(re.compile(r"^node-\d$"))
    assert nodes.count() >= 2, "both workers are drawn"
    pods_before = page.locator("#diagram").get_by_text("Pending").count()

    page.get_by_role("button", name=re.compile(r"^Step")).click()

    page.wait_for_function(
        "before => document.querySelector('[data-part=readout]').textContent"
        " !== before",
        arg=before,
    )
    step = int(re.search(r"step (\d+)", readout.text_content()).group(1))
    assert step == int(re.search(r"step (\d+)", before).group(1)) + 1
    assert page.locator("#narration [data-part=reason]").text_content().strip()
    for _ in range(4):
        page.get_by_role("button", name=re.compile(r"^Step")).click()
    page.wait_for_function(
        f"() => /step {step + 4}/.test("
        "document.querySelector('[data-part=readout]').textContent)"
    )
    assert page.locator("#diagram").get_by_text("Pending").count() > pods_before, (
        "the ReplicaSet's new pods appear, Pending"
    )
    assert page.errors == []


def test_a_new_blank_cluster_opens_its_own_session_page(daphne_server, page) -> None:
    page.goto(daphne_server.url + "/")
    page.get_by_role("button", name=re.compile("New blank cluster")).click()
    page.wait_for_url(re.compile(r"/s/[A-Za-z0-9]+$"))
    page.wait_for_selector("body[data-ready=true]")
    assert "step 0" in page.locator("[data-part=readout]").text_content()
    assert page.errors == []
