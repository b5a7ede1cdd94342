"""The panels beside the picture: timeline, kubectl console, packet inspector, and
the packet animation over the picture."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import current_step, open_home, open_scenario, shot

pytestmark = pytest.mark.browser


def wait_for_step(page, number: int) -> None:
    page.wait_for_function(
        "n => new RegExp(`^step ${n} /`).test("
        "document.querySelector('[data-part=readout]').textContent)",
        arg=number,
    )


def step_to(page, number: int) -> None:
    """Press → one step at a time until the readout says `number`."""
    while current_step(page) < number:
        following = current_step(page) + 1
        page.keyboard.press("ArrowRight")
        wait_for_step(page, following)


def kubectl(page, command: str) -> str:
    """Type a command in the console and return what it printed."""
    outputs = page.locator(".console-line.out, .console-line.error")
    count = outputs.count()
    page.locator("#kubectl-input").fill(command)
    page.locator("#kubectl-input").press("Enter")
    outputs.nth(count).wait_for()
    return outputs.nth(count).text_content()


def test_clicking_a_timeline_row_seeks_to_that_step(daphne_server, page):
    open_home(page, daphne_server)
    step_to(page, 5)
    rows = page.locator("#timeline .event-row")
    assert rows.count() >= 4
    row = page.locator('#timeline .event-row[data-step="3"]')
    actor = row.locator(".ev-actor").text_content()
    row.click()
    wait_for_step(page, 3)
    assert (
        page.locator("#narration [data-part=step]").text_content().startswith("Step 3")
    )
    assert page.locator("#narration [data-part=actor]").text_content() == actor
    assert "current" in row.locator("xpath=..").get_attribute("class")
    assert "future" in page.locator('#timeline .event-row[data-step="5"]').locator(
        "xpath=.."
    ).get_attribute("class")
    shot(page, "timeline-seek")
    assert page.errors == []


def test_the_timeline_filters_by_component(daphne_server, page):
    open_home(page, daphne_server)
    step_to(page, 6)
    page.locator("#timeline [data-part=actor-filter]").select_option(
        "replicaset-controller"
    )
    actors = page.locator("#timeline .ev-actor").all_text_contents()
    assert actors and set(actors) == {"replicaset-controller"}


def test_the_console_prints_kubectl_get_pods(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    output = kubectl(page, "kubectl get pods")
    header = output.splitlines()[0].split()
    assert header == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert re.search(r"^web-\S+\s+1/1\s+Running", output, re.M)
    shot(page, "console-get-pods")


def test_the_console_completes_names_and_recalls_history(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    kubectl(page, "get nodes")
    field = page.locator("#kubectl-input")
    field.fill("get pods we")
    field.press("Tab")
    assert re.fullmatch(r"get pods web-[a-z0-9]+-", field.input_value()), (
        "completes to the pods' common prefix"
    )
    field.fill("desc")
    field.press("Tab")
    assert field.input_value() == "describe "
    field.fill("")
    field.press("ArrowUp")
    assert field.input_value() == "get nodes"


def start_trace(page, preset: str) -> None:
    page.locator("#tab-packet").click()
    page.locator(f"[data-preset={preset}]").click()
    page.locator("#packet-panel .hop-row").first.wait_for()


def test_a_cross_node_trace_shows_each_hop_and_the_tunnel(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    start_trace(page, "cross-node")
    hops = page.locator("#packet-panel .hop-row")
    where = hops.all_text_contents()
    assert any("flannel.1" in text for text in where)
    assert any("underlay" in text for text in where)
    assert (
        "delivered" in page.locator("#packet-panel [data-part=summary]").text_content()
    )
    encapsulated = page.locator("#packet-panel .hop-row.wrapped").first
    encapsulated.click()
    table = page.locator("#packet-panel table.headers")
    outer = table.locator("tbody[data-layer=outer] tr", has_text=re.compile("^dst"))
    assert re.fullmatch(r"192\.168\.10\.1\d", outer.locator("td .value").text_content())
    source = table.locator("tbody[data-layer=l3] tr", has_text=re.compile("^src")).first
    assert "changed" not in (source.get_attribute("class") or ""), (
        "the pod IP is never rewritten between pods"
    )
    marks = page.locator("#diagram .layer-packets .hop-mark")
    assert marks.count() >= 1
    page.wait_for_timeout(300)
    shot(page, "trace-cross-node")
    assert page.errors == []


def test_a_service_trace_marks_the_dnat_with_before_and_after(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    start_trace(page, "service")
    page.locator("#packet-panel .hop-row.nat").first.click()
    detail = page.locator("#packet-panel [data-part=detail]").text_content()
    assert re.search(r"DNAT 10\.\d+\.\d+\.\d+:80 → 10\.244\.\d+\.\d+:80", detail)
    assert "KUBE-SEP" in detail, "the matched rule is shown"
    changed = page.locator("#packet-panel table.headers tr.changed")
    assert changed.first.locator("th").text_content() == "dst"
    tag = page.locator("#diagram .nat-tag")
    assert re.search(r"DNAT .* → ", tag.first.text_content())
    shot(page, "trace-service-dnat")


def test_with_reduced_motion_a_trace_is_shown_at_once(daphne_server, browser):
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, reduced_motion="reduce"
    )
    page = context.new_page()
    try:
        open_scenario(page, daphne_server, "web")
        start_trace(page, "cross-node")
        hops = page.locator("#packet-panel .hop-row").count()
        assert page.locator("#diagram .layer-packets .hop-mark").count() == hops
    finally:
        context.close()


def test_the_page_reads_at_projector_sizes(daphne_server, page):
    for width, height in [(1280, 720), (1920, 1080)]:
        page.set_viewport_size({"width": width, "height": height})
        open_scenario(page, daphne_server, "web")
        pod = page.locator("#diagram .layer-pods .pod .pod-name").first
        size = pod.evaluate("el => el.getBoundingClientRect().height")
        assert size >= 7, "a pod's name is at least 7 px tall when everything is shown"
        shot(page, f"session-{width}x{height}")
        page.keyboard.press("f")
        page.wait_for_timeout(300)
        shot(page, f"session-{width}x{height}-focus")
        focused = pod.evaluate("el => el.getBoundingClientRect().height")
        assert focused > size, "focus mode gives the picture the whole screen"


def test_the_reduce_motion_switch_shows_a_trace_at_once(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    page.locator("#tab-cluster").click()
    page.get_by_label("Reduce motion").check()
    start_trace(page, "cross-node")
    hops = page.locator("#packet-panel .hop-row").count()
    assert page.locator("#diagram .layer-packets .hop-mark").count() == hops


def test_on_a_cloud_an_internet_client_reaches_pods_through_the_load_balancer(
    daphne_server, page
):
    open_scenario(page, daphne_server, "cloud")
    diagram = page.locator("#diagram")
    assert diagram.locator('[data-id="component:cloud-controller-manager"]').count()
    kubectl(
        page,
        "kubectl expose deployment web --type=LoadBalancer --name=web-lb --port=80",
    )
    page.locator("#diagram").focus()
    balancer = diagram.locator('[data-id="component:load-balancer"]')
    for _ in range(12):
        if re.search(r"\d+\.\d+\.\d+\.\d+", balancer.text_content()):
            break
        following = current_step(page) + 1
        page.keyboard.press("ArrowRight")
        wait_for_step(page, following)
    assert re.search(r"\d+\.\d+\.\d+\.\d+", balancer.text_content()), (
        "the cloud-controller-manager gave the Service an external IP"
    )
    start_trace(page, "internet")
    where = page.locator("#packet-panel .hop-row").all_text_contents()
    assert any("load balancer" in text for text in where)
    assert (
        "delivered" in page.locator("#packet-panel [data-part=summary]").text_content()
    )
    shot(page, "trace-internet-load-balancer")


def test_on_bare_metal_there_is_no_cloud_controller_manager(daphne_server, page):
    open_home(page, daphne_server)
    diagram = page.locator("#diagram")
    assert (
        diagram.locator('[data-id="component:cloud-controller-manager"]').count() == 0
    )
    assert (
        "<pending>"
        in diagram.locator('[data-id="component:load-balancer"]').text_content()
    )


def test_a_pod_reaching_the_internet_is_masqueraded_to_its_node_ip(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    start_trace(page, "egress")
    page.locator("#packet-panel .hop-row.nat").first.click()
    detail = page.locator("#packet-panel [data-part=detail]").text_content()
    assert re.search(
        r"MASQUERADE 10\.244\.\d+\.\d+:\d+ → 192\.168\.10\.\d+:\d+", detail
    )
    changed = page.locator(
        "#packet-panel table.headers tr.changed th"
    ).all_text_contents()
    assert changed == ["src"], "only the source is rewritten on the way out"


def test_containers_in_one_pod_talk_over_loopback(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    start_trace(page, "same-pod")
    where = page.locator("#packet-panel .hop-row").all_text_contents()
    assert any(text.endswith("lo") for text in where)
    assert "127.0.0.1" in page.locator("#packet-panel table.headers").text_content()


def test_the_scrubber_seeks_from_the_keyboard(daphne_server, page):
    open_home(page, daphne_server)
    step_to(page, 4)
    scrubber = page.locator("[data-part=scrubber]")
    scrubber.focus()
    at = (
        "text => document.querySelector('[data-part=scrubber]')"
        ".getAttribute('aria-valuetext') === text"
    )
    page.keyboard.press("Home")
    page.wait_for_function(at, arg="step 0 of 4")
    assert (
        page.locator("#narration [data-part=step]").text_content().startswith("Step 0")
    )
    page.keyboard.press("End")
    page.wait_for_function(at, arg="step 4 of 4")


HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 50}}
"""


def test_applied_yaml_shows_up_and_an_hpa_joins_its_deployment(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    page.locator("#tab-cluster").click()
    page.locator("#manifest-yaml").fill(HPA)
    page.get_by_role("button", name="kubectl apply").click()
    deployment = page.locator('#diagram [data-id="deployments/default/web"]')
    page.wait_for_function(
        "() => /HorizontalPodAutoscaler web: cpu \\S+\\/50% .*\\(2–10\\)/.test("
        "document.querySelector("
        "'#diagram [data-id=\"deployments/default/web\"]').textContent)"
    )
    assert "3/3" in deployment.text_content()


PARTLY_BAD = """\
apiVersion: v1
kind: ConfigMap
metadata: {name: settings}
data: {mode: fast}
---
apiVersion: v1
kind: Service
metadata: {name: web-extra}
spec:
  selector: {app: web}
  externalTrafficPolicy: Local
  ports: [{port: 80}]
"""


def test_a_partly_refused_apply_shows_what_was_created_and_what_was_refused(
    daphne_server, page
):
    """kubectl sends each object on its own: the ConfigMap is created, the
    Service refused, and the message says both, one line each."""
    open_scenario(page, daphne_server, "web")
    step = current_step(page)
    page.locator("#tab-cluster").click()
    page.locator("#manifest-yaml").fill(PARTLY_BAD)
    page.get_by_role("button", name="kubectl apply").click()
    toast = page.locator("#toast")
    toast.wait_for(state="visible")
    text = toast.text_content()
    assert "configmap/settings created" in text
    assert 'The Service "web-extra" is invalid: spec.externalTrafficPolicy' in text
    # one result a line, as kubectl prints them (innerText keeps rendered breaks)
    lines = toast.inner_text().split("\n")
    assert lines[0].endswith("configmap/settings created")
    assert lines[1].startswith('The Service "web-extra" is invalid')
    wait_for_step(page, step + 1)
