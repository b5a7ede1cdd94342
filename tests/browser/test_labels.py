"""Labels are cut by measured width, never by character count, and keep the part that
tells objects apart: measured in Chromium with the picture's own stylesheet.

The names are the ones kubeadm gives its static pods (`<component>-<node name>`,
kubernetes/cmd/kubeadm/app/phases/controlplane) and ingress-nginx's Service
(`ingress-nginx-controller`, its deploy manifests); the taint is kubeadm's
`node-role.kubernetes.io/control-plane:NoSchedule`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.browser.pages import static_root

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def styled_page(browser) -> Iterator:
    """The project root with kubeviz.css loaded: text measures as in the picture."""
    with static_root() as url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/tests/browser/fixtures/")
        page.evaluate(
            """() => new Promise(resolve => {
              const link = document.createElement('link');
              link.rel = 'stylesheet';
              link.href = '/static/css/kubeviz.css';
              link.onload = resolve;
              document.head.append(link);
            })"""
        )
        try:
            yield page
        finally:
            context.close()


def run(page, body: str, arg=None):
    """Evaluate `body` with `fit` (textfit.js) and `shapes` (shapes.js) in scope."""
    return page.evaluate(
        """async ([body, arg]) => {
          const fit = await import('/static/js/diagram/textfit.js');
          const shapes = await import('/static/js/diagram/shapes.js');
          const layout = await import('/static/js/diagram/layout.js');
          const AsyncFunction = (async () => {}).constructor;
          return await new AsyncFunction('fit', 'shapes', 'layout', 'arg', body)(
            fit, shapes, layout, arg);
        }""",
        [body, arg],
    )


def test_a_static_pod_is_named_by_its_component(styled_page):
    names = run(
        styled_page,
        """return ['kube-scheduler', 'etcd', 'kube-controller-manager',
                   'kube-apiserver'].map(c => fit.fitText(
                     fit.nameCandidates(`${c}-control-plane`, 'control-plane'),
                     'pod-name', 100));""",
    )
    assert names == ["scheduler", "etcd", "ctrl-mgr", "apiserver"]


def test_a_replicaset_pod_keeps_its_workload_and_its_own_suffix(styled_page):
    wide, narrow = run(
        styled_page,
        """const c = fit.nameCandidates('web-766f8f6986-5ftj6');
           return [400, 100].map(room => fit.fitText(c, 'pod-name', room));""",
    )
    assert wide == "web-766f8f6986-5ftj6"
    assert narrow.startswith("web") and narrow.endswith("5ftj6")


def test_no_label_of_a_service_or_component_spills_out_of_its_box(styled_page):
    """Every text of the Service box and the cloud-controller-manager's box ends
    inside its box, and a port list loses whole ports, never half of one."""
    result = run(
        styled_page,
        """const ns = 'http://www.w3.org/2000/svg';
           const svgRoot = document.createElementNS(ns, 'svg');
           svgRoot.setAttribute('class', 'diagram');
           document.body.append(svgRoot);
           const service = shapes.serviceShape({
             id: 'services/ingress-nginx/ingress-nginx-controller',
             namespace: 'ingress-nginx', name: 'ingress-nginx-controller',
             type: 'NodePort', clusterIP: '10.96.200.17', endpoints: [],
             ports: [{port: 80, nodePort: 31080, targetPort: 80, protocol: 'TCP'},
                     {port: 443, nodePort: 31443, targetPort: 443, protocol: 'TCP'}]});
           const rect = {x: 0, y: 0, w: 218, h: 70};
           const ccm = shapes.componentBox('component:cloud-controller-manager', rect,
             'cloud-controller-manager', 'load balancers, nodes');
           svgRoot.append(service, ccm);
           const spill = [];
           const boxes = [[service, layout.sizes.edgeW], [ccm, rect.w]];
           for (const [group, width] of boxes) {
             for (const text of group.querySelectorAll('text')) {
               const x = Number(text.getAttribute('x'));
               const end = x + text.getComputedTextLength();
               if (end > width) spill.push(`${text.textContent} ends at ${end}`);
             }
           }
           const texts = [...service.querySelectorAll('text')];
           return {spill, texts: texts.map(t => t.textContent),
                   title: ccm.querySelector('.component-title').textContent};""",
    )
    assert result["spill"] == []
    name, _, ports = result["texts"][:3]
    # The whole name, or "controller" as people shorten it: never "ingress-nginx-contr…"
    assert name in (
        "svc ingress-nginx-controller",
        "ingress-nginx-controller",
        "ingress-nginx-ctrl",
    )
    assert ports in (
        "80:31080→80/TCP, 443:31443→443/TCP",
        "80:31080→80/TCP +1 more",
    ), ports
    assert result["title"] in (
        "cloud-controller-manager",
        "cloud-controller-mgr",
        "cloud-ctrl-mgr",
    )


def test_the_control_plane_taint_reads_as_its_name(styled_page):
    text = run(
        styled_page,
        """const taints = [{key: 'node-role.kubernetes.io/control-plane',
                            effect: 'NoSchedule'}];
           return fit.fitText(fit.taintCandidates(taints), 'node-taint',
                              layout.sizes.nodeW - 2 * layout.sizes.nodePad);""",
    )
    assert text in (
        "taint node-role.kubernetes.io/control-plane:NoSchedule",
        "taint control-plane:NoSchedule",
    )
