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
