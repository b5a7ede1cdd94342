"""Markup a student types comes back as text: nothing they send runs in anyone's page.

Each payload, if it were ever parsed as HTML, would push to `window.__pwned` (or call
`alert`, which is replaced to do the same). The tests put payloads everywhere user text
reaches a page (a container image, annotations, kubectl output, a refused name, a
classroom title and display name) and then assert the text is shown as typed and
`__pwned` stayed empty.
"""

from __future__ import annotations

import re

import pytest

from tests.conftest import LiveServer

pytestmark = pytest.mark.browser

WATCH = """
window.__pwned = [];
window.alert = (m) => window.__pwned.push("alert:" + m);
window.confirm = window.prompt = window.alert;
"""
IMG = "<img src=x onerror=__pwned.push('img')>"
SVG = "<svg onload=__pwned.push('svg')>"
SCRIPT = "<script>__pwned.push('script')</script>"
MANIFEST = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: xss
  annotations:
    note: "{SCRIPT}"
spec:
  replicas: 1
  selector:
    matchLabels: {{app: xss}}
  template:
    metadata:
      labels: {{app: xss}}
      annotations:
        note: "{SVG}"
    spec:
      containers:
      - name: c
        image: "{IMG}"
"""
BAD_NAME = f"""\
apiVersion: v1
kind: Pod
metadata:
  name: "{IMG}"
spec:
  containers:
  - name: c
    image: nginx
"""


def no_markup_ran(page) -> None:
    """Nothing pushed, and no element built from a payload is in the document."""
    page.wait_for_timeout(300)  # an <img onerror> fires after its failed load
    assert page.evaluate("window.__pwned") == []
    built = page.evaluate(
        "document.querySelectorAll('[onerror], [onload], img[src=x]').length"
    )
    assert built == 0


def open_workspace(page, server: LiveServer) -> None:
    page.add_init_script(WATCH)
    page.on("dialog", lambda dialog: dialog.dismiss())
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready=true]")


def apply_yaml(page, text: str) -> None:
    page.locator("#tab-cluster").click()
    page.locator("#manifest-yaml").fill(text)
    page.locator("form[data-form=manifest] [type=submit]").click()


def kubectl(page, command: str) -> str:
    """Run a console command; the text of the output block it printed."""
    output = page.locator("#console [data-part=output]")
    before = output.locator("pre").count()
    page.locator("#kubectl-input").fill(command)
    page.locator("#kubectl-input").press("Enter")
    page.wait_for_function(
        "n => document.querySelectorAll('#console [data-part=output] pre').length"
        " >= n + 2",
        arg=before,
    )
    return output.locator("pre").last.text_content()


def test_markup_in_an_image_and_annotations_shows_as_text_in_the_inspector(
    shared_server: LiveServer, page
) -> None:
    open_workspace(page, shared_server)
    apply_yaml(page, MANIFEST)
    pod = page.locator('#diagram [data-id^="pods/default/xss-"]').first
    for _ in range(80):
        if pod.count():
            break
        page.get_by_role("button", name=re.compile(r"^Step")).click()
        page.wait_for_timeout(50)
    assert pod.count(), "the Deployment's pod never appeared"
    pod.click()
    page.wait_for_function(
        "() => document.querySelector('#inspector').textContent.includes('xss-')"
    )
    assert IMG in page.locator("#inspector").text_content()
    no_markup_ran(page)


def test_markup_in_kubectl_output_shows_as_text_in_the_console(
    shared_server: LiveServer, page
) -> None:
    open_workspace(page, shared_server)
    apply_yaml(page, MANIFEST)
    page.wait_for_timeout(500)
    described = kubectl(page, "kubectl describe deployment xss")
    assert SCRIPT in described or IMG in described, described[:400]
    listed = kubectl(page, "kubectl get deployment xss -o yaml")
    assert SCRIPT in listed and IMG in listed, listed[:400]
    no_markup_ran(page)


def test_a_refused_markup_name_shows_kubectls_message_as_text(
    shared_server: LiveServer, page
) -> None:
    open_workspace(page, shared_server)
    apply_yaml(page, BAD_NAME)
    toast = page.locator("#toast")
    toast.wait_for(state="visible")
    page.wait_for_function(
        "() => document.querySelector('#toast').textContent.includes('is invalid')"
    )
    text = toast.text_content()
    assert f'The Pod "{IMG}" is invalid' in text, text
    plain = "<svg onload=__pwned.push(2)>"  # no quotes: the console's shell rules
    error = kubectl(page, f"kubectl create deployment '{plain}' --image=nginx")
    assert "is invalid" in error and plain in error, error
    no_markup_ran(page)


def test_a_classroom_title_and_display_name_show_as_text(
    shared_server: LiveServer, browser
) -> None:
    title = "<img src=x onerror=__pwned.push(1)>"
    name = "<svg onload=__pwned.push(2)>"
    presenter = browser.new_context().new_page()
    follower = browser.new_context().new_page()
    try:
        for page in (presenter, follower):
            page.add_init_script(WATCH)
            page.on("dialog", lambda dialog: dialog.dismiss())
        presenter.goto(shared_server.url + "/c/")
        start = presenter.locator("form", has=presenter.locator("[name=title]"))
        start.locator("[name=title]").fill(title)
        start.locator("[type=submit]").click()
        presenter.wait_for_url(re.compile(r"/c/[A-Za-z0-9]+/present$"))
        code = re.search(r"/c/([A-Za-z0-9]+)/present$", presenter.url).group(1)

        follower.goto(shared_server.url + "/c/")
        join = follower.locator("form", has=follower.locator("[name=code]"))
        join.locator("[name=code]").fill(code)
        join.locator("[name=name]").fill(name)
        join.locator("[type=submit]").click()
        follower.wait_for_url(re.compile(rf"/c/{code}"))
        follower.wait_for_load_state("domcontentloaded")
        assert title in follower.locator("body").text_content()
        assert name in follower.locator("body").text_content()

        names = presenter.locator("[data-part=names]")
        presenter.locator("details.names summary").click()
        presenter.wait_for_function(
            "n => document.querySelector('[data-part=names]').textContent.includes(n)",
            arg=name,
        )
        assert name in names.text_content()
        no_markup_ran(presenter)
        no_markup_ran(follower)
    finally:
        presenter.context.close()
        follower.context.close()
