"""The cluster picture: who acts lights up, pods appear in place and never jump,
nodes open up, names are text, and a big cluster is drawn as counts."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator

import pytest

from tests.browser.pages import (
    current_step,
    open_home,
    open_scenario,
    shot,
    static_root,
)

pytestmark = pytest.mark.browser


def step(page) -> int:
    """Press → and wait until the picture has followed; returns the new step."""
    before = current_step(page)
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "n => /step (\\d+)/.exec(document.querySelector('[data-part=readout]')"
        ".textContent)[1] > n",
        arg=before,
    )
    return current_step(page)


def step_until_actor(page, actor: str, limit: int = 30) -> None:
    for _ in range(limit):
        step(page)
        if page.locator("#narration [data-part=actor]").text_content() == actor:
            return
    raise AssertionError(f"{actor} never acted within {limit} steps")


def web_pods(page):
    return page.locator("#diagram .layer-pods .pod[data-id^='pods/default/web-']")


def test_the_acting_component_lights_up_with_its_api_call(daphne_server, page):
    """When the ReplicaSet controller acts, its loop and the API server light up,
    an arrow carries its POST, and the pods it created appear."""
    open_home(page, daphne_server)
    assert web_pods(page).count() == 0
    step_until_actor(page, "replicaset-controller")
    replicaset = page.locator('#diagram [data-id="component:loop:replicaset"]')
    assert "active" in replicaset.get_attribute("class")
    apiserver = page.locator('#diagram [data-id="component:kube-apiserver"]')
    assert "active" in apiserver.get_attribute("class")
    assert page.locator("#diagram .layer-calls .call-arrow").count() >= 1
    assert "POST" in page.locator("#diagram .layer-calls").text_content()
    assert web_pods(page).count() >= 1, "the new pod is drawn"
    shot(page, "step-replicaset")
    assert page.errors == []


def test_the_scheduler_lights_up_and_shows_each_nodes_verdict(daphne_server, page):
    """Binding a pod: the scheduler lights up, the control-plane node is filtered out
    by its taint, the workers show their scores, and the chosen one says so."""
    open_home(page, daphne_server)
    step_until_actor(page, "kube-scheduler")
    scheduler = page.locator('#diagram [data-id="component:kube-scheduler"]')
    assert "active" in scheduler.get_attribute("class")
    assert "binding" in page.locator("#narration [data-part=calls]").text_content()
    badges = page.locator("#diagram .verdict")
    assert badges.count() == 3
    assert "taint" in page.locator("#diagram .verdict.failed").text_content()
    chosen = page.locator("#diagram .verdict.chosen").text_content()
    assert re.search(r"chosen · score \d+", chosen)
    table = page.locator("#narration table.verdicts")
    assert "bound here" in table.locator("tr.chosen").text_content()
    shot(page, "scheduler-verdicts")


def test_an_existing_pod_does_not_move_when_others_are_added(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    boxes = page.locator("#diagram .layer-pods .pod .pod-box")
    count = boxes.count()
    before = [boxes.nth(i).bounding_box() for i in range(count)]
    ids = [
        page.locator("#diagram .layer-pods .pod").nth(i).get_attribute("data-id")
        for i in range(count)
    ]
    page.locator("#kubectl-input").fill("kubectl scale deployment web --replicas=6")
    page.keyboard.press("Enter")
    page.locator(".console-line.out").first.wait_for()
    page.locator("#diagram").focus()
    for _ in range(10):
        step(page)
        if web_pods(page).count() >= 6:
            break
    assert page.locator("#diagram .layer-pods .pod").count() > count, "pods were added"
    page.wait_for_timeout(700)  # any transition has finished
    after = [
        page.locator(
            f'#diagram .layer-pods [data-id="{pod_id}"] .pod-box'
        ).bounding_box()
        for pod_id in ids
    ]
    assert after == before
    shot(page, "scaled-pods-stay-put")


def test_a_bound_pod_moves_from_the_queue_into_its_node(daphne_server, page):
    open_home(page, daphne_server)
    step_until_actor(page, "replicaset-controller")
    pod = web_pods(page).first
    pod_id = pod.get_attribute("data-id")
    queue = page.locator("#diagram .tray-box").bounding_box()
    box = pod.bounding_box()
    assert queue["y"] <= box["y"] <= queue["y"] + queue["height"], "waits in the queue"
    for _ in range(20):
        step(page)
        if (
            "Bound " + pod_id.split("/", 1)[1]
            in page.locator("#narration [data-part=reason]").text_content()
        ):
            break
    page.wait_for_timeout(800)
    box = page.locator(f'#diagram .layer-pods [data-id="{pod_id}"]').bounding_box()
    assert box["y"] > queue["y"] + queue["height"], "now drawn inside a node"


def test_markup_in_names_is_shown_as_text(daphne_server, page):
    """A pod named like an HTML tag is drawn, inspected and listed as plain text."""
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_home(page, daphne_server)
    evil = "<img src=x onerror=alert(1)>"
    page.evaluate(
        """evil => {
          const app = window.kubeviz;
          const pod = {id: `pods/default/${evil}`, namespace: "default", name: evil,
            node: "node-1", ip: "10.244.1.99", phase: "Running", status: evil,
            ready: "1/1", restarts: 0, hostNetwork: false, owner: null,
            labels: {app: evil},
            containers: [{name: evil, image: evil, state: "running", ready: true,
                          restarts: 0, ports: [80]}]};
          const event = {step: app.store.step + 1, time: 1, type: "pod.created",
            actor: evil, node: null, reason: evil, apiCalls: [], writes: [],
            objects: [pod.id], details: {}};
          app.socket.dispatchEvent(new CustomEvent("message", {detail: {
            type: "delta", seq: app.store.seq + 1, step: app.store.step + 1,
            time: 1, event, changes: [{op: "upsert", id: pod.id, object: pod}]}}));
        }""",
        evil,
    )
    drawn = page.locator(f'#diagram .layer-pods [data-id="pods/default/{evil}"]')
    drawn.click()
    assert evil in page.locator("#inspector").text_content()
    assert page.locator("#narration [data-part=reason]").text_content() == evil
    page.keyboard.press("Escape")
    assert page.locator("img").count() == 0
    assert dialogs == []
    shot(page, "markup-as-text")


def test_clicking_a_node_opens_its_plumbing(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    page.locator('#diagram .layer-nodes [data-id="nodes/node-1"] .node-box').click(
        position={"x": 60, "y": 6}
    )
    detail = page.locator("#diagram .node-detail")
    detail.wait_for()
    text = detail.text_content()
    assert "cni0 bridge" in text
    assert "flannel.1" in text
    pod_ids = [
        element.get_attribute("data-id")
        for element in detail.locator("[data-id^='pods/']").all()
    ]
    assert pod_ids, "the node's pods are drawn inside it"
    for pod_id in pod_ids:
        key = pod_id.removeprefix("pods/")
        veth = "veth" + hashlib.sha256(key.encode()).hexdigest()[:8]
        assert veth in text, f"{key}'s veth is named as the model names it"
    assert "Node node-1" in page.locator("#inspector").text_content()
    shot(page, "node-opened")
    page.locator("#diagram [data-action=close-detail]").click()
    assert detail.count() == 0


def test_everything_in_the_picture_is_reachable_by_keyboard(daphne_server, page):
    open_home(page, daphne_server)
    page.locator('#diagram [data-id="component:etcd"]').focus()
    page.keyboard.press("Enter")
    assert "etcd" in page.locator("#inspector [data-part=title]").text_content()
    page.keyboard.press("?")
    assert page.locator("#help").is_visible()
    page.keyboard.press("Escape")
    page.locator("body").click(position={"x": 5, "y": 5})
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('[data-command=toggle-play]')"
        ".getAttribute('aria-pressed') === 'true'"
    )
    page.keyboard.press("Space")
    page.wait_for_function(
        "() => document.querySelector('[data-command=toggle-play]')"
        ".getAttribute('aria-pressed') === 'false'"
    )


@pytest.fixture(scope="module")
def static_server() -> Iterator[str]:
    """The project root over plain HTTP, for the harness page with its mock socket."""
    with static_root() as url:
        yield url


def test_a_hundred_nodes_are_drawn_as_counts_until_zoomed(static_server, page):
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(
        static_server + "/tests/browser/fixtures/harness.html?nodes=100&pods=3000"
    )
    page.wait_for_selector("body[data-ready=true]")
    diagram = page.locator("#diagram")
    assert "lod-far" in diagram.get_attribute("class")
    assert diagram.locator(".layer-nodes .node").count() == 100
    assert diagram.get_by_text("30 pods").count() == 100
    assert not diagram.locator(".layer-pods").is_visible()
    shot(page, "hundred-nodes")
    node = diagram.locator('[data-id="nodes/node-1"] .node-box')
    box = node.bounding_box()
    for _ in range(8):
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.mouse.wheel(0, -400)
    assert "lod-near" in diagram.get_attribute("class")
    assert diagram.locator(".layer-pods").is_visible()
    shot(page, "hundred-nodes-zoomed")
    assert page.errors == []


def test_show_where_zooms_to_the_pod_a_step_touched(daphne_server, page):
    open_home(page, daphne_server)
    step_until_actor(page, "kube-scheduler")
    before = page.evaluate("() => window.kubeviz.diagram.view.k")
    page.locator("#narration").get_by_role("button", name="Show where").click()
    after = page.evaluate("() => window.kubeviz.diagram.view.k")
    assert after > before
    title = page.locator("#inspector [data-part=title]").text_content()
    assert title.startswith("Pod default/web-")
    selected = page.locator("#diagram .layer-pods .pod.selected")
    assert selected.count() == 1
    box = selected.bounding_box()
    size = page.viewport_size
    assert 0 < box["x"] < size["width"] and 0 < box["y"] < size["height"]


def test_the_deployment_and_its_replicaset_appear_beside_the_control_plane(
    daphne_server, page
):
    open_home(page, daphne_server)
    deployment = page.locator('#diagram [data-id="deployments/default/web"]')
    assert deployment.count() == 1
    step_until_actor(page, "deployment-controller")
    replicaset = page.locator(
        '#diagram .workload.rs[data-id^="replicasets/default/web-"]'
    )
    assert replicaset.count() == 1
    assert "0/3" in replicaset.text_content()
    replicaset.click()
    inspector = page.locator("#inspector").text_content()
    assert "Desiredreplicas3" in inspector.replace(" ", "")
    assert "Pods it owns" in inspector


def test_a_pods_inspector_lists_the_steps_that_touched_it(daphne_server, page):
    open_home(page, daphne_server)
    step_until_actor(page, "kube-scheduler")
    page.locator("#narration").get_by_role("button", name="Show where").click()
    history = page.locator("#inspector ul.recent").text_content()
    assert "kube-scheduler" in history
    assert "replicaset-controller" in history


def test_keyboard_focus_stays_on_a_pod_while_it_changes(daphne_server, page):
    open_home(page, daphne_server)
    step_until_actor(page, "replicaset-controller")
    pod = web_pods(page).first
    pod_id = pod.get_attribute("data-id")
    pod.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(300)
    focused = page.evaluate("() => document.activeElement?.dataset?.id")
    assert focused == pod_id
