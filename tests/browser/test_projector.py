"""The projector view and the packet path, measured as a back row would see them:
text heights and overlaps from getBoundingClientRect at 1366x768, hop stepping by
keyboard in every view, and a follower's phone at 390x844.

The hop order is the network model's (pod eth0 → veth → cni0 → netfilter hooks →
flannel.1 → eth0 → underlay), which follows the Linux path a flannel VXLAN packet takes
(flannel's backend/vxlan and kube-proxy's iptables proxier, pkg/proxy/iptables).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.pages import open_scenario, shot

pytestmark = pytest.mark.browser

PROJECTOR = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}

# Every visible text of the picture that is on screen, with its box.
VISIBLE_TEXTS = """() => {
  const svg = document.querySelector('#diagram');
  const view = svg.getBoundingClientRect();
  const out = [];
  for (const text of svg.querySelectorAll('text')) {
    if (!text.textContent.trim() || !text.checkVisibility()) continue;
    const r = text.getBoundingClientRect();
    if (!r.width || r.right < view.left || r.left > view.right
        || r.bottom < view.top || r.top > view.bottom) continue;
    out.push({text: text.textContent, cls: text.getAttribute('class') || '',
              h: r.height, x: r.x, y: r.y, w: r.width});
  }
  return out;
}"""

# [data-hop] boxes that meet a device, pod or node label (texts of nodes and pods).
HOP_OVERLAPS = """() => {
  const meet = (a, b) => a.left < b.right && a.right > b.left
    && a.top < b.bottom && a.bottom > b.top;
  const labels = [...document.querySelectorAll(
    '#diagram .layer-nodes text, #diagram .layer-pods text')]
    .filter(t => t.textContent.trim() && t.checkVisibility())
    .map(t => ({text: t.textContent, box: t.getBoundingClientRect()}))
    .filter(l => l.box.width > 0);
  const hits = [];
  for (const mark of document.querySelectorAll('#diagram [data-hop]')) {
    const box = mark.getBoundingClientRect();
    for (const label of labels) {
      if (meet(box, label.box)) {
        hits.push(`hop ${mark.dataset.hop} covers ${label.text}`);
      }
    }
  }
  return hits;
}"""

# Boxes of the nodes, pods and the top strips, and of the picture and what covers it.
CLUSTER_BOXES = """() => {
  const box = e => { const r = e.getBoundingClientRect();
    return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  return {
    svg: box(document.querySelector('#diagram')),
    foot: box(document.querySelector('.stage-foot')),
    parts: [...document.querySelectorAll(
      '#diagram .layer-nodes .node > .node-box, #diagram .layer-pods .pod,'
      + ' #diagram .layer-frame .component, #diagram .layer-services .service')]
      .map(e => ({id: e.closest('[data-id]').dataset.id, ...box(e)})),
  };
}"""


def with_workers(page, count: int) -> None:
    """Ask the model for `count` workers (the control-plane node comes on top)."""
    page.evaluate("n => window.kubeviz.socket.send({type: 'set', nodes: n})", count)
    page.wait_for_function(
        "n => window.kubeviz.store.list('nodes').length === n + 1", arg=count
    )


def trace(page, preset: str) -> int:
    """Send a preset packet (drawn at once: reduced motion); returns its hop count."""
    page.evaluate(
        "p => { window.shownTrace = window.kubeviz.packets.trace;"
        " document.querySelector(`[data-preset=${p}]`).click(); }",
        preset,
    )
    page.wait_for_function(
        "() => window.kubeviz.packets.trace && window.kubeviz.packets.trace !== "
        "window.shownTrace && document.querySelector("
        "'#diagram .hop-mark[aria-current=step]') && "
        "!document.querySelector('#packet-bar').hidden"
    )
    return page.evaluate("() => window.kubeviz.packets.trace.hops.length")


def open_projector(page, server, workers: int = 3) -> None:
    page.set_viewport_size(PROJECTOR)
    page.emulate_media(reduced_motion="reduce")
    open_scenario(page, server, "web")
    with_workers(page, workers)
    page.goto(page.url + "?view=projector")
    page.wait_for_selector("body[data-ready=true].projector")


def test_projector_text_is_18px_and_the_whole_cluster_fits(daphne_server, page):
    """At 1366x768 with three workers and a cross-node trace shown, every text of the
    picture is at least 18 px tall, and every node, pod and chip is on screen above
    the packet bar."""
    open_projector(page, daphne_server)
    assert page.locator("#diagram .layer-nodes .node").count() == 4
    trace(page, "cross-node")
    page.wait_for_timeout(300)
    shot(page, "projector-1366x768-cross-node")
    texts = page.evaluate(VISIBLE_TEXTS)
    assert len(texts) > 40
    small = [f"{t['text']!r} {t['h']:.1f}px ({t['cls']})" for t in texts if t["h"] < 18]
    assert small == [], small
    boxes = page.evaluate(CLUSTER_BOXES)
    screen, foot = boxes["svg"], boxes["foot"]
    assert len([p for p in boxes["parts"] if p["id"].startswith("pods/")]) >= 8
    for part in boxes["parts"]:
        assert part["l"] >= screen["l"] - 1 and part["r"] <= screen["r"] + 1, part
        assert part["t"] >= screen["t"] - 1 and part["b"] <= foot["t"] + 1, part
    assert page.errors == []


def test_projector_labels_keep_the_part_that_tells_them_apart(daphne_server, page):
    """The control plane's static pods read as their component, not `kube-…-plane`."""
    open_projector(page, daphne_server)
    names = page.locator(
        '#diagram .pod[data-id$="-control-plane"] .pod-name'
    ).all_text_contents()
    assert "scheduler" in names and "etcd" in names and "apiserver" in names
    assert not any("…-plane" in name for name in names)
    for text in page.evaluate(VISIBLE_TEXTS):
        assert not re.search(r"-…-plane|kube-…", text["text"]), text


def test_p_key_and_the_button_switch_the_view_and_keep_it_in_the_address(
    daphne_server, page
):
    page.set_viewport_size(PROJECTOR)
    open_scenario(page, daphne_server, "web")
    small = page.locator("#diagram .pod .pod-name").first.evaluate(
        "e => e.getBoundingClientRect().height"
    )
    page.keyboard.press("p")
    page.wait_for_selector("body.projector")
    assert "view=projector" in page.url
    big = page.locator("#diagram .pod .pod-name").first.evaluate(
        "e => e.getBoundingClientRect().height"
    )
    assert big >= 18 > small
    button = page.get_by_role("button", name="Projector")
    expect(button).to_have_attribute("aria-pressed", "true")
    button.click()
    page.wait_for_selector("body:not(.projector)")
    assert "view=projector" not in page.url
    expect(button).to_have_attribute("aria-pressed", "false")


def hop_overlaps_after(page, preset: str, name: str) -> list[str]:
    hops = trace(page, preset)
    assert page.locator("#diagram .hop-mark[data-hop]").count() == hops
    page.wait_for_timeout(200)
    shot(page, name)
    return page.evaluate(HOP_OVERLAPS)


@pytest.mark.parametrize("view", ["default", "projector"])
def test_hop_markers_and_nat_tags_never_cover_a_label(daphne_server, page, view):
    """Overlay and routed cross-node traces, a Service (DNAT) and egress (MASQUERADE):
    no [data-hop] box meets a device, pod or node label."""
    page.set_viewport_size(PROJECTOR)
    page.emulate_media(reduced_motion="reduce")
    open_scenario(page, daphne_server, "web")
    with_workers(page, 3)
    if view == "projector":
        page.keyboard.press("p")
        page.wait_for_selector("body.projector")
    if view == "default":
        page.locator("#tab-packet").click()
    for preset in ("cross-node", "service", "egress"):
        assert hop_overlaps_after(page, preset, f"hops-{view}-overlay-{preset}") == []
    assert page.locator("#diagram .nat-tag[data-hop]").count() >= 1
    page.evaluate("() => window.kubeviz.socket.send({type: 'set', cni: 'routed'})")
    page.wait_for_function("() => window.kubeviz.store.config.cni === 'routed'")
    assert hop_overlaps_after(page, "cross-node", f"hops-{view}-routed") == []


@pytest.mark.parametrize(
    "step,kind", [(3, "nodeport"), (4, "loadbalancer"), (5, "ingress")]
)
def test_hop_markers_clear_labels_in_the_four_ways_in(daphne_server, page, step, kind):
    """NodePort, LoadBalancer and Ingress traces of lesson 18 (ingress-nginx behind a
    NodePort or LoadBalancer Service, as its bare-metal and cloud installs are), in
    the projector view and then the default one."""
    page.set_viewport_size(PROJECTOR)
    page.emulate_media(reduced_motion="reduce")
    page.goto(
        f"{daphne_server.url}/lessons/18-four-ways-in/?step={step}&view=projector"
    )
    page.wait_for_selector("body.projector[data-lesson=ready]")
    page.wait_for_selector("#diagram .hop-mark[aria-current=step]", state="attached")
    assert re.search(rf"\?step={step}&view=projector$", page.url), "a reload keeps it"
    page.wait_for_timeout(300)
    shot(page, f"projector-lesson-{kind}")
    assert page.locator("#diagram .hop-mark[data-hop]").count() >= 10
    assert page.evaluate(HOP_OVERLAPS) == []
    small = [t for t in page.evaluate(VISIBLE_TEXTS) if t["h"] < 18]
    assert small == [], small
    page.keyboard.press("p")
    page.wait_for_selector("body:not(.projector)")
    page.wait_for_selector("#diagram .hop-mark[aria-current=step]", state="attached")
    page.wait_for_timeout(300)
    shot(page, f"default-lesson-{kind}")
    assert page.evaluate(HOP_OVERLAPS) == []


def current_hop(page) -> str:
    return page.locator("#diagram .hop-mark[aria-current=step]").get_attribute(
        "data-hop"
    )


def step_hops_by_keyboard(page) -> None:
    """. and , move the current hop, in the picture and in the packet bar."""
    page.evaluate("() => document.activeElement?.blur()")
    start = int(current_hop(page))
    page.keyboard.press(".")
    expect(page.locator("#diagram .hop-mark[aria-current=step]")).to_have_attribute(
        "data-hop", str(start + 1)
    )
    expect(page.locator("#packet-bar [data-part=hop]")).to_contain_text(
        f"hop {start + 1} /"
    )
    page.keyboard.press(".")
    page.keyboard.press(",")
    expect(page.locator("#diagram .hop-mark[aria-current=step]")).to_have_attribute(
        "data-hop", str(start + 1)
    )
    assert page.locator("#diagram .hop-mark[aria-current=step]").count() == 1
    expect(page.locator("#packet-bar [data-part=packet-speed]")).to_be_visible()


def test_keys_step_the_packet_in_the_default_focus_and_projector_views(
    daphne_server, page
):
    page.set_viewport_size(PROJECTOR)
    page.emulate_media(reduced_motion="reduce")
    open_scenario(page, daphne_server, "web")
    page.locator("#tab-packet").click()
    trace(page, "cross-node")
    step_hops_by_keyboard(page)
    page.keyboard.press("f")
    page.wait_for_selector("body.focus")
    step_hops_by_keyboard(page)
    page.keyboard.press("f")
    page.keyboard.press("p")
    page.wait_for_selector("body.projector")
    step_hops_by_keyboard(page)
    page.keyboard.press("?")
    help_text = page.locator("#help").text_content()
    assert "one hop forward / back" in help_text and "projector view" in help_text


def test_keys_step_the_packet_in_a_lesson(daphne_server, page):
    page.set_viewport_size(PROJECTOR)
    page.emulate_media(reduced_motion="reduce")
    page.goto(f"{daphne_server.url}/lessons/11-pod-to-pod-across-nodes/?step=2")
    page.wait_for_selector("body[data-lesson=ready]")
    page.wait_for_selector("#diagram .hop-mark[aria-current=step]", state="attached")
    position = page.locator("body").get_attribute("data-lesson-position")
    step_hops_by_keyboard(page)
    assert page.locator("body").get_attribute("data-lesson-position") == position


def test_followers_follow_the_presenters_hop(daphne_server, browser):
    """The presenter steps a trace with . and ,; a following tab's current hop is the
    presenter's (classroom message `hop`)."""
    pages = []
    try:
        for _ in range(2):
            context = browser.new_context(viewport=PROJECTOR, reduced_motion="reduce")
            page = context.new_page()
            page.set_default_timeout(20_000)
            pages.append(page)
        presenter, follower = pages
        presenter.goto(daphne_server.url + "/c/")
        presenter.get_by_label("Scenario").select_option("web")
        presenter.get_by_role("button", name="Start presenting").click()
        presenter.wait_for_url(re.compile(r"/c/[A-Z0-9]{6}/present$"))
        presenter.wait_for_selector("body[data-ready=true][data-classroom=ready]")
        code = presenter.url.split("/")[-2]
        follower.goto(f"{daphne_server.url}/c/{code}?view=projector")
        follower.wait_for_selector("body.projector[data-ready=true][data-classroom]")
        presenter.locator("#tab-packet").click()
        trace(presenter, "cross-node")
        follower.wait_for_selector(
            "#diagram .hop-mark[aria-current=step]", state="attached"
        )
        presenter.evaluate("() => document.activeElement?.blur()")
        for key, hop in ((".", "2"), (".", "3"), (",", "2")):
            presenter.keyboard.press(key)
            for page in (presenter, follower):
                expect(
                    page.locator("#diagram .hop-mark[aria-current=step]")
                ).to_have_attribute("data-hop", hop)
        shot(follower, "projector-follower-hop")
    finally:
        for page in pages:
            page.context.close()


# Visible pieces of the page that must not overlap (ancestors and their parts aside).
PHONE_OVERLAPS = """() => {
  const pieces = [...document.querySelectorAll(
    '.classroom-bar > *, .topbar > *, .playback > *, .view-tools > *, .legend li,'
    + ' #diagram, .packet-bar > *, #narration > *, .tabs > *, h2, .dock-head > *,'
    + ' .console-form > *')]
    .filter(e => e.checkVisibility() && e.getBoundingClientRect().width > 0);
  const hits = [];
  for (let i = 0; i < pieces.length; i += 1) {
    for (let j = i + 1; j < pieces.length; j += 1) {
      const a = pieces[i], b = pieces[j];
      if (a.contains(b) || b.contains(a)) continue;
      const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
      if (r.left < s.right - 1 && r.right > s.left + 1
          && r.top < s.bottom - 1 && r.bottom > s.top + 1) {
        hits.push(`${a.className || a.tagName} / ${b.className || b.tagName}`);
      }
    }
  }
  return hits;
}"""


def test_a_followers_phone_is_one_column_with_the_picture_full_width(
    daphne_server, browser
):
    """At 390x844 a follower's page scrolls in one column: no sideways scrolling, the
    picture as wide as the screen, nothing on top of anything else."""
    presenter_context = browser.new_context(viewport=PROJECTOR)
    phone = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, reduced_motion="reduce"
    )
    try:
        presenter = presenter_context.new_page()
        presenter.goto(daphne_server.url + "/c/")
        presenter.get_by_label("Scenario").select_option("web")
        presenter.get_by_role("button", name="Start presenting").click()
        presenter.wait_for_url(re.compile(r"/c/[A-Z0-9]{6}/present$"))
        presenter.wait_for_selector("body[data-ready=true][data-classroom=ready]")
        code = presenter.url.split("/")[-2]
        page = phone.new_page()
        page.goto(f"{daphne_server.url}/c/{code}?name=Ada")
        page.wait_for_selector("body[data-ready=true][data-classroom=ready]")
        trace(presenter, "cross-node")
        page.wait_for_selector("#diagram .hop-mark", state="attached")
        page.wait_for_selector("#packet-bar:not([hidden])")
        shot(page, "phone-follower-390x844")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"]
        svg = page.locator("#diagram").bounding_box()
        assert svg["width"] >= PHONE["width"] - 1 and svg["height"] >= 200
        assert page.evaluate(PHONE_OVERLAPS) == []
        # The parts come one under the other.
        tops = [
            page.locator(selector).bounding_box()["y"]
            for selector in ("#controls", "#diagram", "#narration", "#timeline")
        ]
        assert tops == sorted(tops)
    finally:
        presenter_context.close()
        phone.close()
