"""The etcd of the model: keys, revisions, the write log, indexes, undo."""

from __future__ import annotations

import copy

import pytest

from simulation.store import Store, plural_of_key


def _pod(name, node=None, labels=None, owner=None, cpu="100m"):
    meta = {"name": name, "namespace": "default", "labels": labels or {}}
    if owner:
        meta["ownerReferences"] = [{"kind": "ReplicaSet", "name": "rs", "uid": owner}]
    spec = {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu}}}]}
    if node:
        spec["nodeName"] = node
    return {"kind": "Pod", "metadata": meta, "spec": spec, "status": {}}


def test_keys_are_etcds():
    """Pods under /registry/pods/<ns>/<name>; nodes under minions; services/specs."""
    store = Store()
    assert store.key("pods", "default", "web") == "/registry/pods/default/web"
    assert store.key("nodes", None, "node-1") == "/registry/minions/node-1"
    assert (
        store.key("services", "default", "web")
        == "/registry/services/specs/default/web"
    )
    assert plural_of_key("/registry/minions/node-1") == "nodes"
    assert plural_of_key("/registry/services/specs/default/web") == "services"
    assert plural_of_key("/registry/services/endpoints/default/web") == "endpoints"


def test_every_write_gets_the_next_revision():
    """One counter for the whole store; resourceVersion is its string."""
    store = Store()
    a = store.put("pods", _pod("a"))
    b = store.put("pods", _pod("b"))
    assert (a.revision, b.revision, store.revision) == (1, 2, 2)
    assert store.get("pods", "default", "b")["metadata"]["resourceVersion"] == "2"
    assert [w.op for w in store.log] == ["ADDED", "ADDED"]


def test_the_log_keeps_the_object_and_the_one_it_replaced():
    """MODIFIED and DELETED writes carry the previous object."""
    store = Store()
    first = store.put("pods", _pod("a"))
    second = store.put("pods", _pod("a", labels={"x": "1"}))
    gone = store.remove("pods", "default", "a")
    assert second.op == "MODIFIED" and second.previous is first.object
    assert (
        gone.op == "DELETED" and gone.object is None and gone.previous is second.object
    )


def test_list_is_ordered_by_key_and_by_namespace():
    """list() sorts by etcd key, in one namespace or all."""
    store = Store()
    for name in ("c", "a", "b"):
        store.put("pods", _pod(name))
    other = _pod("z")
    other["metadata"]["namespace"] = "aaa"
    store.put("pods", other)
    assert [p["metadata"]["name"] for p in store.list("pods", "default")] == [
        "a",
        "b",
        "c",
    ]
    assert [p["metadata"]["name"] for p in store.list("pods")] == ["z", "a", "b", "c"]
    assert store.count("pods") == 4 and store.count("pods", "default") == 3


def test_pods_on_a_node_and_its_usage_follow_binding_and_deletion():
    """node_usage sums the requests of the pods bound to the node."""
    store = Store()
    store.put("pods", _pod("a", cpu="250m"))
    assert store.pods_on_node("n1") == []
    store.put("pods", _pod("a", node="n1", cpu="250m"))
    store.put("pods", _pod("b", node="n1", cpu="500m"))
    assert [p["metadata"]["name"] for p in store.pods_on_node("n1")] == ["a", "b"]
    assert store.node_usage("n1") == {"cpu": 0.75, "memory": 0.0, "pods": 2}
    store.remove("pods", "default", "a")
    assert store.node_usage("n1") == {"cpu": 0.5, "memory": 0.0, "pods": 1}


def test_owner_index_finds_dependents():
    """owned() lists what names a uid in its ownerReferences."""
    store = Store()
    store.put("pods", _pod("a", owner="u1", node="n1"))
    store.put("pods", _pod("b", owner="u1", node="n1"))
    store.put("pods", _pod("c", owner="u2"))
    assert [p["metadata"]["name"] for p in store.owned("pods", "u1")] == ["a", "b"]
    assert store.owned_on_node("n1", "u1") == 2
    store.remove("pods", "default", "a")
    assert [p["metadata"]["name"] for p in store.owned("pods", "u1")] == ["b"]
    assert store.owned_on_node("n1", "u1") == 1


def test_select_matches_labels_and_expressions():
    """select() uses the label index and checks the whole selector."""
    store = Store()
    store.put("pods", _pod("a", labels={"app": "web", "tier": "fe"}))
    store.put("pods", _pod("b", labels={"app": "web", "tier": "be"}))
    store.put("pods", _pod("c", labels={"app": "db"}))
    names = lambda objs: [o["metadata"]["name"] for o in objs]  # noqa: E731
    assert names(store.select("pods", "default", {"app": "web"})) == ["a", "b"]
    assert names(
        store.select(
            "pods",
            "default",
            {
                "matchLabels": {"app": "web"},
                "matchExpressions": [
                    {"key": "tier", "operator": "NotIn", "values": ["be"]}
                ],
            },
        )
    ) == ["a"]
    assert names(
        store.select(
            "pods",
            "default",
            {"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]},
        )
    ) == ["c"]
    store.put("pods", _pod("a", labels={"app": "db"}))
    assert names(store.select("pods", "default", {"app": "web"})) == ["b"]


def test_restore_undoes_every_later_write_and_index():
    """A checkpoint is (revision, log length); restore walks the log back."""
    store = Store()
    store.put("pods", _pod("a", node="n1", owner="u1", labels={"app": "web"}))
    mark = store.checkpoint()
    snapshot = {k: store.get("pods", "default", k) for k in ("a",)}
    store.put("pods", _pod("a", node="n2", owner="u2", labels={"app": "db"}))
    store.put("pods", _pod("b", node="n1", owner="u1"))
    store.remove("pods", "default", "a")
    undone = store.restore(mark)
    assert len(undone) == 3 and store.revision == 1 and len(store.log) == 1
    assert store.get("pods", "default", "a") is snapshot["a"]
    assert store.get("pods", "default", "b") is None
    assert [p["metadata"]["name"] for p in store.pods_on_node("n1")] == ["a"]
    assert store.pods_on_node("n2") == []
    assert store.owned_on_node("n1", "u1") == 1 and store.owned_on_node("n2", "u2") == 0
    assert [
        p["metadata"]["name"] for p in store.select("pods", "default", {"app": "web"})
    ] == ["a"]
    assert store.select("pods", "default", {"app": "db"}) == []
    assert store.node_usage("n1")["pods"] == 1


def test_a_checkpoint_cannot_restore_forwards():
    """Only earlier states can be restored by undoing."""
    store = Store()
    store.put("pods", _pod("a"))
    later = store.checkpoint()
    store.restore((0, 0))
    with pytest.raises(ValueError):
        store.restore(later)


def test_a_version_shares_its_unchanged_parts_with_the_one_it_replaces():
    """A write keeps, for step back, the version it replaces; the two share what
    did not change (here the containers and labels when only the node is set), so
    undo information is not a second copy of every pod (issue 13: RSS climbing
    in a soak)."""
    store = Store()
    store.put("pods", _pod("web", labels={"app": "web"}))
    changed = copy.deepcopy(store.get("pods", "default", "web"))
    changed["spec"]["nodeName"] = "node-1"
    write = store.put("pods", changed)
    new, old = write.object, write.previous
    assert new["spec"] is not old["spec"]
    assert new["spec"]["containers"] is old["spec"]["containers"]
    assert new["metadata"]["labels"] is old["metadata"]["labels"]
    assert new["metadata"]["resourceVersion"] == "2"
    assert old["metadata"]["resourceVersion"] == "1"
    assert "nodeName" not in old["spec"]
    store.restore((1, 1))
    assert store.get("pods", "default", "web") is old
