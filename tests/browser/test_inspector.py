"""The inspector's depth: a node's network tables, the console's `sim` verbs, and a
hop's headers layer by layer with the event list, as a learner sees them."""

from __future__ import annotations

import re

import pytest

from tests.browser.pages import open_scenario, shot

pytestmark = pytest.mark.browser


def kubectl(page, command: str) -> str:
    outputs = page.locator(".console-line.out, .console-line.error, .console-line.hint")
    count = outputs.count()
    page.locator("#kubectl-input").fill(command)
    page.locator("#kubectl-input").press("Enter")
    outputs.nth(count).wait_for()
    return outputs.nth(count).text_content()


def open_node(page, name: str) -> None:
    page.locator(f'#diagram [data-id="nodes/{name}"]').first.click()
    page.locator("#inspector .node-table").wait_for()


def test_the_console_runs_sim_routes_and_iptables_save(daphne_server, page):
    """docs/cli.md's read-only verbs: `sim routes NODE`, `sim iptables-save NODE`."""
    open_scenario(page, daphne_server, "web")
    routes = kubectl(page, "sim routes node-1")
    assert routes.startswith("default via 192.168.10.1 dev eth0")
    assert "dev flannel.1 onlink" in routes
    rules = kubectl(page, "sim iptables-save node-1 nat")
    assert "-A KUBE-SERVICES" in rules
    refused = kubectl(page, "sim settle")
    assert "read-only sim verbs" in refused
    assert page.locator(".console-line.error").last.text_content() == refused
    assert page.errors == []


def test_the_node_inspector_shows_its_five_tables(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    open_node(page, "node-1")
    inspector = page.locator("#inspector")
    buttons = inspector.locator("button[data-table]")
    assert buttons.all_text_contents() == [
        "Routes",
        "kube-proxy rules",
        "Conntrack",
        "Neighbours",
        "FDB",
    ]
    table = inspector.locator(".node-table")
    page.wait_for_function(
        "() => document.querySelector('#inspector .node-table').textContent"
        ".startsWith('default via')"
    )
    assert "10.244.1.0/24 dev cni0" in table.text_content()
    inspector.get_by_role("button", name="kube-proxy rules").click()
    page.wait_for_function(
        "() => document.querySelector('#inspector .node-table').textContent"
        ".includes('KUBE-SERVICES')"
    )
    inspector.get_by_role("button", name="Neighbours").click()
    page.wait_for_function(
        "() => /PERMANENT/.test(document.querySelector('#inspector .node-table')"
        ".textContent)"
    )
    assert re.search(r"10\.244\.\d\.0 dev flannel\.1 lladdr", table.text_content())
    inspector.get_by_role("button", name="FDB").click()
    page.wait_for_function(
        "() => /dst 192\\.168\\.10\\.\\d+ self permanent/.test("
        "document.querySelector('#inspector .node-table').textContent)"
    )
    pressed = inspector.locator("button[data-table][aria-pressed=true]")
    assert pressed.all_text_contents() == ["FDB"]
    # A table's lines never wrap: the box scrolls sideways instead.
    assert table.evaluate("e => getComputedStyle(e).whiteSpace") == "pre"
    table.scroll_into_view_if_needed()
    shot(page, "inspector-node-tables")
    assert page.errors == []


def test_conntrack_in_the_inspector_fills_after_a_trace(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    open_node(page, "node-1")
    page.locator("#inspector").get_by_role("button", name="Conntrack").click()
    page.wait_for_function(
        "() => /empty/.test(document.querySelector('#inspector .node-table')"
        ".textContent)"
    )
    pod = page.evaluate(
        "() => window.kubeviz.store.list('pods').find(p => p.node === 'node-1' && "
        "p.namespace === 'default').name"
    )
    kubectl(page, f"kubectl exec {pod} -- curl -s http://web")
    page.locator("#side-tabs [data-tab=inspector]").click()
    page.wait_for_function(
        "() => /dport=80/.test(document.querySelector('#inspector .node-table')"
        ".textContent)"
    )
    assert page.errors == []


def start_trace(page, preset: str) -> None:
    page.locator("#tab-packet").click()
    page.locator(f"[data-preset={preset}]").click()
    page.locator("#packet-panel .hop-row").first.wait_for()


def pick_hop(page, text: str) -> None:
    page.locator("#packet-panel .hop-row", has_text=text).first.click()
    page.locator("#packet-panel table.headers").wait_for()


def row(page, layer: str, field: str):
    body = page.locator(f'#packet-panel table.headers tbody[data-layer="{layer}"]')
    return body.locator("tr", has=page.locator(f'th:text-is("{field}")'))


def cells_on_one_line(page) -> list[str]:
    """The header cells whose text takes more than one line box."""
    return page.evaluate(
        """() => [...document.querySelectorAll('#packet-panel table.headers td')]
        .filter(td => {
          const range = document.createRange();
          range.selectNodeContents(td);
          const tops = [...range.getClientRects()].map(r => r.top);
          const size = parseFloat(getComputedStyle(td).fontSize);
          return Math.max(...tops) - Math.min(...tops) > size * 0.8;
        }).map(td => td.textContent)"""
    )


def test_the_tunnel_hop_shows_outer_headers_and_the_mtu(daphne_server, page):
    """flannel's VXLAN: outer UDP 8472, VNI 1, flannel.1's MTU 1500 − 50 = 1450."""
    open_scenario(page, daphne_server, "web")
    start_trace(page, "cross-node")
    page.locator("#packet-panel .hop-row.wrapped").nth(1).click()  # leaving eth0
    outer = "outer"
    assert row(page, outer, "proto").locator("td").last.text_content() == ("UDP 8472")
    assert row(page, outer, "VNI").locator("td").last.text_content() == "1"
    assert row(page, outer, "MTU").locator("td").last.text_content() == (
        "1500 − 50 = 1450"
    )
    assert re.fullmatch(
        r"192\.168\.10\.1\d",
        row(page, outer, "dst").locator("td").last.text_content(),
    )
    inner = row(page, "l2", "dst MAC")
    assert re.fullmatch(r"02(:[0-9a-f]{2}){5}", inner.locator("td").last.text_content())
    assert row(page, "l4", "flags").locator("td").last.text_content() == "SYN"
    assert cells_on_one_line(page) == []
    shot(page, "inspector-pdu-tunnel")
    assert page.errors == []


def test_ttl_drops_by_one_where_the_node_routes(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    start_trace(page, "cross-node")
    pick_hop(page, "netfilter FORWARD")
    ttl = row(page, "l3", "TTL")
    assert ttl.locator("td").first.text_content() == "64"
    assert ttl.locator("td").last.text_content().startswith("63")
    assert "changed" in ttl.get_attribute("class")
    happened = page.locator("#packet-panel .hop-happened").text_content()
    assert "TTL 64 → 63" in happened


def test_the_syn_starts_a_three_way_handshake(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    start_trace(page, "cross-node")
    pick_hop(page, "eth0")
    packets = page.locator("#packet-panel .connection li .flags").all_text_contents()
    assert packets[:3] == ["→ SYN", "← SYN, ACK", "→ ACK"]


def test_a_service_trace_lists_dns_dnat_and_conntrack_events(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    start_trace(page, "service")
    events = page.locator("#packet-panel .event-list li")
    assert events.count() > 10
    kinds = set(events.evaluate_all("rows => rows.map(r => r.dataset.kind)"))
    assert {"route", "neighbour", "nat", "conntrack"} <= kinds
    page.locator("#packet-panel select[data-filter=kind]").select_option("nat")
    shown = page.locator("#packet-panel .event-list li")
    assert shown.count() >= 2
    assert set(shown.evaluate_all("rows => rows.map(r => r.dataset.kind)")) == {"nat"}
    assert "DNAT" in shown.first.text_content()
    page.locator("#packet-panel select[data-filter=kind]").select_option("")
    page.locator("#packet-panel select[data-filter=proto]").select_option("udp")
    protos = set(shown.evaluate_all("rows => rows.map(r => r.dataset.proto)"))
    assert protos == {"udp"}, "the DNS query's events only"
    # An event row opens its hop: the DNS query's first hop carries the question.
    shown.first.locator("button").click()
    question = row(page, "l7", "question").locator("td").last.text_content()
    assert re.fullmatch(r"web\.default\.svc\.cluster\.local A", question)
    shot(page, "inspector-event-list")
    assert page.errors == []


@pytest.mark.parametrize("size", [(1366, 768), (390, 844)], ids=["laptop", "phone"])
def test_hop_headers_never_wrap_a_value_at_projector_or_phone_size(
    daphne_server, browser, size
):
    """Today's bug: `10.244.1.3:3 / 8196` — a value broken across lines."""
    width, height = size
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        open_scenario(page, daphne_server, "web")
        start_trace(page, "service")
        pick_hop(page, "netfilter PREROUTING")
        table = page.locator("#packet-panel table.headers")
        table.scroll_into_view_if_needed()
        assert cells_on_one_line(page) == []
        changed = page.locator("#packet-panel table.headers tr.changed th")
        assert changed.first.text_content() == "dst"
        # A long value scrolls the table's own box; it never widens the panel.
        right = page.evaluate(
            "() => document.querySelector('#packet-panel .headers-scroll')"
            ".getBoundingClientRect().right"
        )
        panel = page.evaluate(
            "() => document.querySelector('#packet-panel')"
            ".getBoundingClientRect().right"
        )
        assert right <= min(panel, width) + 1
        shot(page, f"inspector-headers-{width}x{height}")
        page.locator("#packet-panel .event-list").scroll_into_view_if_needed()
        shot(page, f"inspector-events-{width}x{height}")
    finally:
        context.close()


def test_compare_overlay_and_routed_side_by_side(daphne_server, page):
    """The same cross-node request: VXLAN hops only under overlay; A/B switch."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_scenario(page, daphne_server, "web")
    start_trace(page, "cross-node")
    step = page.evaluate("() => window.kubeviz.store.step")
    box = page.locator("#packet-panel .compare-box")
    box.locator("summary").click()
    box.locator("select[name=variant]").select_option("cni")
    box.get_by_role("button", name="Compare").click()
    rows = box.locator(".compare-table tbody tr")
    rows.first.wait_for()
    only_a = box.locator(".compare-table tr[data-status=only-a]")
    assert only_a.count() >= 1
    assert "flannel.1" in " ".join(only_a.all_text_contents())
    assert box.locator(".compare-table tr[data-status=same]").count() >= 4
    summary = page.locator("#packet-panel [data-part=summary]")
    assert summary.text_content().startswith("[overlay (VXLAN)]")
    box.get_by_role("button", name=re.compile("^Show B")).click()
    assert summary.text_content().startswith("[routed (host-gw)]")
    hops = page.locator("#packet-panel .hop-row").all_text_contents()
    assert not any("flannel.1" in text for text in hops)
    assert page.evaluate("() => window.kubeviz.store.step") == step, "not a step"
    box.scroll_into_view_if_needed()
    shot(page, "inspector-compare-1366x768")
    assert page.errors == []


HPA = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: web
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 6
  metrics:
  - type: Resource
    resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}
"""

INGRESS = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: shop
spec:
  ingressClassName: nginx
  rules:
  - host: shop.example
    http:
      paths:
      - path: /cart
        pathType: Prefix
        backend: {service: {name: web, port: {number: 80}}}
"""


def apply_yaml(page, text: str) -> None:
    page.locator("#tab-cluster").click()
    page.locator("#manifest-yaml").fill(text)
    page.get_by_role("button", name="kubectl apply").click()


def test_the_inspector_shows_an_hpa_and_an_ingress(daphne_server, page):
    """kubectl describe hpa's facts: metric, target, current and desired replicas."""
    open_scenario(page, daphne_server, "web")
    apply_yaml(page, HPA)
    page.wait_for_function("() => window.kubeviz.store.list('hpas').length === 1")
    apply_yaml(page, INGRESS)
    page.wait_for_function("() => window.kubeviz.store.list('ingresses').length === 1")
    page.evaluate("() => window.kubeviz.inspector.show('deployments/default/web')")
    page.locator("#tab-inspector").click()
    inspector = page.locator("#inspector")
    assert "Scaled by HorizontalPodAutoscaler web" in inspector.text_content()
    inspector.get_by_role("button", name="Show the HPA").click()
    text = inspector.text_content()
    assert "CPU utilisation" in text
    assert "Target value60%" in text
    assert re.search(r"Replicas(\d+ now|not synced yet).*\(min 2, max 6\)", text)
    page.evaluate("() => window.kubeviz.inspector.show('ingresses/default/shop')")
    text = inspector.text_content()
    assert "shop.example/cart (Prefix) → web:80" in text
    assert "Classnginx" in text
    assert page.errors == []


def test_the_node_inspector_names_the_cni_plugin_and_its_agent(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    open_node(page, "node-1")
    text = page.locator("#inspector").text_content()
    assert "Network plugin on this node" in text
    assert "flanneld" in text and "backend vxlan" in text
    assert "1450 (1500 − 50" in text


def test_the_picture_draws_the_hpa_target_and_the_ingress_rule(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    apply_yaml(page, HPA)
    apply_yaml(page, INGRESS)
    page.wait_for_function(
        "() => /HorizontalPodAutoscaler web: cpu \\S+\\/60% .*\\(2–6\\)/.test("
        "document.querySelector('#diagram [data-id=\"deployments/default/web\"]')"
        ".textContent)"
    )
    page.wait_for_function(
        "() => document.querySelector('#diagram [data-id=\"component:ingress\"]')"
        ".textContent.includes('shop.example/cart → web:80')"
    )
    shot(page, "picture-hpa-ingress")
    assert page.errors == []


def test_the_prompt_drops_kubectl_for_a_sim_line(daphne_server, page):
    open_scenario(page, daphne_server, "web")
    field = page.locator("#kubectl-input")
    prompt = page.locator("#console label.prompt")
    assert prompt.text_content() == "$ kubectl"
    field.press_sequentially("sim rou")
    assert prompt.text_content() == "$"
    field.press("Tab")
    assert field.input_value() == "sim routes "
    field.press_sequentially("node-1")
    field.press("Enter")
    page.locator("#console .console-line.out").last.wait_for()
    assert prompt.text_content() == "$ kubectl"


def test_the_cni_device_opens_the_cni_and_its_agent(daphne_server, page):
    """flannel.1 on the picture leads to flannel, flanneld and the node's FDB."""
    open_scenario(page, daphne_server, "web")
    page.locator('#diagram [data-id="component:flannel@node-1"]').click()
    inspector = page.locator("#inspector")
    page.wait_for_function(
        "() => document.querySelector('#inspector [data-part=title]').textContent"
        " === 'flannel on node-1'"
    )
    assert "flanneld" in inspector.text_content()
    inspector.get_by_role("button", name="FDB").click()
    page.wait_for_function(
        "() => /dev flannel\\.1 dst 192\\.168\\.10\\.\\d+ self permanent/.test("
        "document.querySelector('#inspector .node-table').textContent)"
    )
    assert page.errors == []
