"""The index built from the write log equals a full rebuild, whatever happened."""

from __future__ import annotations

import copy
import random

from hypothesis import given, settings
from hypothesis import strategies as st
from netbuilders import ClusterBuilder

from simulation.network import NetworkModel


def _view(m: NetworkModel) -> dict:
    idx = m.idx
    return {
        "pods": sorted(idx.pods.items()),
        "services": list(idx.services.items()),
        "slices": {k: list(v) for k, v in sorted(idx.slices.items())},
        "slice_rvs": sorted(idx.slice_rvs.items()),
        "pod_by_ip": sorted(idx.pod_by_ip.items()),
        "svc_by_ip": sorted(idx.svc_by_ip.items()),
        "pods_on_node": sorted(
            (n, [p.key for p in ps]) for n, ps in idx.pods_on_node.items()
        ),
        "nat": {n: m.iptables_save(n) for n in sorted(idx.nodes)},
        "edges": sorted(tuple(sorted(e)) for e in m.graph.edges),
        "macs": sorted(m.mac_owners().items()),
    }


OPS = st.lists(
    st.tuples(
        st.sampled_from(["add", "delete", "move", "relabel", "sync", "service"]),
        st.integers(0, 9),
    ),
    min_size=1,
    max_size=25,
)


@settings(max_examples=50, deadline=None)
@given(OPS)
def test_incremental_index_matches_a_full_rebuild(ops):
    b = ClusterBuilder()
    b.pod("p0", "node-1", labels={"app": "a"})
    b.service("a", {"app": "a"})
    live = b.model()
    live.refresh()
    first = b.store.revision
    for op, n in ops:
        name = f"p{n}"
        pod = b.store.get("pods", "default", name)
        if op == "add" and pod is None:
            b.pod(name, f"node-{n % 3 + 1}", labels={"app": "ab"[n % 2]})
        elif op == "delete" and pod is not None:
            b.store.delete("pods", "default", name)
        elif op == "relabel" and pod is not None:
            new = copy.deepcopy(pod)
            new["metadata"]["labels"] = {"app": "b" if n % 2 == 0 else "a"}
            b.store.put("pods", new)
        elif op == "move" and pod is not None:
            new = copy.deepcopy(pod)
            new["status"]["phase"] = "Succeeded" if n % 2 else "Running"
            b.store.put("pods", new)
        elif op == "sync":
            b.endpoints("a")
        elif op == "service" and b.store.get("services", "default", "b") is None:
            b.service("b", {"app": "b"}, type="NodePort")
        if n % 3 == 0:
            live.trace("node/node-1", "10.244.1.2:80", random.Random(n))
    if b.store.revision > first:  # a write happened: the log path was taken
        assert live.idx.base_revision is not None
    assert _view(live) == _view(b.model())


def test_a_different_history_at_a_higher_revision_forces_a_full_rebuild():
    """Step back, then new writes: same revision numbers, different objects."""
    b = ClusterBuilder()
    b.pod("p0", "node-1")
    m = b.model()
    m.refresh()
    saved_objects = copy.deepcopy(b.store.objects)
    saved = (b.store.revision, list(b.store.log))
    b.pod("old", "node-2")
    m.refresh()
    assert "default/old" in m.idx.pods
    b.store.revision, b.store.log = saved[0], saved[1]  # history restores a checkpoint
    b.store.objects = saved_objects
    b.pod("new", "node-3")
    b.pod("newer", "node-3")
    m.refresh()
    assert "default/old" not in m.idx.pods
    assert {"default/new", "default/newer"} <= set(m.idx.pods)
    assert m.idx.base_revision is None
