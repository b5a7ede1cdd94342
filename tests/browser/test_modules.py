"""The front end's pure modules, run in Chromium on the static harness: slot layout,
the store's sequence checks, names, graph vertices and console completion."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest

from tests.browser.pages import static_root

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def modules_page(browser) -> Iterator:
    """A blank page on the project root, so tests can import /static/js/*.js."""
    with static_root() as url:
        context = browser.new_context()
        page = context.new_page()
        page.goto(f"{url}/tests/browser/fixtures/")
        try:
            yield page
        finally:
            context.close()


def run(page, body: str, arg=None):
    """Evaluate an async function body with `layout`, `store`, `shapes`, `packets`."""
    return page.evaluate(
        """async ([body, arg]) => {
          const layout = await import('/static/js/diagram/layout.js');
          const store = await import('/static/js/store.js');
          const shapes = await import('/static/js/diagram/shapes.js');
          const packets = await import('/static/js/packets/packets.js');
          const consoleModule = await import('/static/js/panels/console.js');
          const AsyncFunction = (async () => {}).constructor;
          const fn = new AsyncFunction('layout', 'store', 'shapes', 'packets',
                                  'consoleModule', 'arg', body);
          return await fn(layout, store, shapes, packets, consoleModule, arg);
        }""",
        [body, arg],
    )


def test_slots_never_move_while_pods_come_and_go(modules_page):
    """500 random adds and removes on 4 nodes: a pod's rectangle never changes while
    it exists, and no two pods share a slot."""
    moved = run(
        modules_page,
        """
        let seed = 7;
        const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
        const s = new store.Store();
        const node = i => ({id: `nodes/node-${i}`, name: `node-${i}`});
        const nodes = [1, 2, 3, 4].map(node);
        s.applySnapshot(1, {step: 0, nodes, pods: []});
        const l = new layout.Layout();
        l.sync(s);
        const seen = new Map();
        let seq = 1, next = 0, problems = 0;
        for (let round = 0; round < 500; round++) {
          const pods = s.list('pods');
          const changes = [];
          if (pods.length && random() < 0.4) {
            const gone = pods[Math.floor(random() * pods.length)];
            changes.push({op: 'remove', id: gone.id});
            seen.delete(gone.id);
          } else {
            const name = `p-${next++}`;
            const node = random() < 0.1 ? null : `node-${1 + Math.floor(random() * 4)}`;
            changes.push({op: 'upsert', id: `pods/default/${name}`,
                          object: {id: `pods/default/${name}`, name, node}});
          }
          s.applyDelta(++seq, {step: round + 1, changes});
          l.sync(s);
          const taken = new Set();
          for (const pod of s.list('pods')) {
            const rect = l.podRect(pod);
            const key = rect ? `${rect.x},${rect.y}` : `hidden ${pod.id}`;
            if (rect && taken.has(key)) problems++;
            taken.add(key);
            const before = seen.get(pod.id);
            if (before !== undefined && before !== key) problems++;
            seen.set(pod.id, key);
          }
        }
        return problems;
        """,
    )
    assert moved == 0


def test_a_new_node_does_not_move_the_others(modules_page):
    moved = run(
        modules_page,
        """
        const s = new store.Store();
        const node = i => ({id: `nodes/node-${i}`, name: `node-${i}`});
        s.applySnapshot(1, {step: 0, nodes: [1, 2, 3, 4, 5, 6].map(node)});
        const l = new layout.Layout();
        l.sync(s);
        const rect = i => JSON.stringify(l.nodeRect(`node-${i}`));
        const before = [1, 2, 3, 4, 5, 6].map(rect);
        s.applyDelta(2, {step: 1, changes: [{op: 'upsert', id: 'nodes/node-7',
                                             object: node(7)}]});
        l.sync(s);
        return [1, 2, 3, 4, 5, 6].filter(i => rect(i) !== before[i - 1]).length;
        """,
    )
    assert moved == 0


def test_the_store_refuses_a_gap_in_sequence_numbers(modules_page):
    result = run(
        modules_page,
        """
        const s = new store.Store();
        s.applySnapshot(10, {step: 3, pods: []});
        const gap = s.applyDelta(12, {step: 4, changes: []});
        const next = s.applyDelta(11, {step: 4, changes: []});
        const duplicate = s.applyDelta(11, {step: 4, changes: []});
        return {gap, next, duplicate, seq: s.seq};
        """,
    )
    assert result == {"gap": False, "next": True, "duplicate": True, "seq": 11}


def test_a_new_action_after_going_back_drops_the_old_future(modules_page):
    steps = run(
        modules_page,
        """
        const s = new store.Store();
        const event = (step, reason) => ({step, type: 'x', reason, actor: 'a'});
        s.applySnapshot(1, {step: 3, lastStep: 3,
                            events: [event(1, 'a'), event(2, 'b'), event(3, 'c')]});
        s.applyDelta(2, {step: 1, horizon: 3, event: null, changes: []});
        s.applyDelta(3, {step: 2, horizon: 2, event: event(2, 'new'), changes: []});
        return s.eventList().map(e => `${e.step}${e.reason}`);
        """,
    )
    assert steps == ["1a", "2new"]


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("web-7d4b9c5f6-x2kqz", "web-…-x2kqz"),
        ("coredns-587ddf544c-4vf7h", "cored…-4vf7h"),
        ("etcd-control-plane", "etcd-…-plane"),
        ("hello", "hello"),
    ],
)
def test_pod_names_keep_their_unique_suffix(modules_page, name, short):
    assert run(modules_page, "return shapes.shortName(arg);", name) == short


def test_graph_vertices_name_pods_nodes_and_places(modules_page):
    parsed = run(
        modules_page,
        """
        return ['pod/default/web-x/eth0', 'pod/default/web-x/c/nginx',
                'node/node-1/flannel.1', 'lan'].map(packets.parseVertex);
        """,
    )
    assert parsed == [
        {"kind": "pod", "pod": "pods/default/web-x", "device": "eth0"},
        {"kind": "pod", "pod": "pods/default/web-x", "device": "socket"},
        {"kind": "node", "node": "node-1", "device": "flannel.1"},
        {"kind": "lan"},
    ]


def test_console_completion_offers_names_of_the_typed_kind(modules_page):
    offered = run(
        modules_page,
        """
        const s = new store.Store();
        s.applySnapshot(1, {step: 0,
          pods: [{id: 'pods/default/web-a', namespace: 'default', name: 'web-a'},
                 {id: 'pods/kube-system/dns-b', namespace: 'kube-system',
                  name: 'dns-b'}],
          nodes: [{id: 'nodes/node-1', name: 'node-1'}]});
        const root = document.createElement('div');
        const form = document.createElement('form');
        const input = document.createElement('input');
        input.dataset.part = 'input';
        const output = document.createElement('div');
        output.dataset.part = 'output';
        form.append(input);
        root.append(output, form);
        const c = new consoleModule.KubectlConsole(root, s);
        return {
          pods: c.candidates(['kubectl', 'get', 'pods', '']),
          system: c.candidates(['get', 'pods', '-n', 'kube-system', '']),
          nodes: c.candidates(['cordon', '']),
          verbs: c.candidates(['de']).filter(v => v.startsWith('de')),
        };
        """,
    )
    assert offered == {
        "pods": ["web-a"],
        "system": ["dns-b"],
        "nodes": ["node-1"],
        "verbs": ["describe", "delete"],
    }


@pytest.mark.parametrize(
    "text", ["", "default/web-766f8f6986-2mprh", "kube-system/" + "x" * 120, "ü/ß"]
)
def test_veth_names_match_the_models_sha256(modules_page, text):
    digest = run(
        modules_page,
        "const {sha256Hex} = await import('/static/js/sha256.js');"
        " return sha256Hex(arg);",
        text,
    )
    assert digest == hashlib.sha256(text.encode()).hexdigest()


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/api/v1/namespaces/default/pods/web-x/binding", "pods/binding"),
        ("/apis/apps/v1/namespaces/default/replicasets", "replicasets"),
        ("/api/v1/nodes/node-1/status", "nodes/status"),
        (
            "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/web-1",
            "endpointslices",
        ),
    ],
)
def test_the_timeline_names_the_resource_an_api_call_touched(
    modules_page, path, resource
):
    short = run(
        modules_page,
        "const {resourceOf} = await import('/static/js/panels/timeline.js');"
        " return resourceOf(arg);",
        path,
    )
    assert short == resource


def test_a_slot_chosen_by_the_server_is_used_when_free(modules_page):
    slots = run(
        modules_page,
        """
        const s = new store.Store();
        const pod = (name, slot) => ({id: `pods/default/${name}`, name,
                                      node: 'node-1', slot});
        s.applySnapshot(1, {step: 0, nodes: [{id: 'nodes/node-1', name: 'node-1'}],
                            pods: [pod('a', 4), pod('b', undefined), pod('c', 4)]});
        const l = new layout.Layout();
        l.sync(s);
        const slots = l.podSlots.get('node-1');
        return ['a', 'b', 'c'].map(n => slots.slotOf(`pods/default/${n}`));
        """,
    )
    assert slots == [4, 0, 1], "a takes its slot; b the lowest free; c's is taken"
