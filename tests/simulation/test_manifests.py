"""Reading YAML safely: no aliases, bounded size and count, clear errors."""

from __future__ import annotations

import pytest

from simulation import manifests
from simulation.errors import LimitExceeded, ManifestError

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers: []\n"


def test_a_multi_document_manifest_gives_every_object_in_order(k8s):
    """The guestbook's six documents, as published."""
    objects = manifests.load(k8s.guestbook_yaml())
    assert [(o["kind"], o["metadata"]["name"]) for o in objects] == [
        ("Service", "redis-master"),
        ("Deployment", "redis-master"),
        ("Service", "redis-replica"),
        ("Deployment", "redis-replica"),
        ("Service", "frontend"),
        ("Deployment", "frontend"),
    ]


def test_billion_laughs_aliases_are_refused():
    """Anchors and aliases are not accepted at all, so nothing can expand."""
    bomb = (
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    )
    with pytest.raises(ManifestError, match="aliases"):
        manifests.load(bomb)


def test_a_huge_manifest_is_refused_before_parsing():
    """Over the byte limit: LimitExceeded naming both sizes."""
    with pytest.raises(LimitExceeded, match="the limit is 1024 bytes"):
        manifests.load(POD + "#" * 2000, max_bytes=1024)


def test_too_many_objects_are_refused():
    """Over the object limit: LimitExceeded."""
    text = "\n---\n".join([POD] * 6)
    with pytest.raises(LimitExceeded, match="more than 5 objects"):
        manifests.load(text, max_objects=5)


@pytest.mark.parametrize("text", ["- a\n- b\n", "just text\n", "42\n"])
def test_a_document_that_is_not_an_object_is_refused(text):
    """Lists and scalars are not Kubernetes objects."""
    with pytest.raises(ManifestError, match="not an object"):
        manifests.load(text)


def test_missing_api_version_and_kind_are_named():
    """kubectl's validation wording for missing fields."""
    with pytest.raises(ManifestError) as caught:
        manifests.load("metadata:\n  name: a\n")
    assert str(caught.value) == (
        "error: error validating data: [apiVersion not set, kind not set]"
    )


def test_a_yaml_syntax_error_names_the_line():
    """Parse errors say where."""
    with pytest.raises(ManifestError, match="line 3"):
        manifests.load("apiVersion: v1\nkind: Pod\n  bad: [\n")


def test_an_empty_manifest_has_no_objects():
    """Only comments or blank documents: nothing to apply."""
    with pytest.raises(ManifestError, match="no objects passed to apply"):
        manifests.load("# nothing\n---\n")


def test_a_list_kind_is_flattened():
    """kind: List items become separate objects."""
    text = "apiVersion: v1\nkind: List\nitems:\n- " + POD.replace("\n", "\n  ")
    objects = manifests.load(text)
    assert [o["kind"] for o in objects] == ["Pod"]


def test_an_unknown_kind_parses_but_apply_refuses_it(cluster):
    """The loader accepts any kind; the API server reports the mapping error."""
    text = "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
    assert manifests.load(text)[0]["kind"] == "Widget"
    result = cluster.act({"op": "apply", "yaml": text})
    assert not result.ok and 'resource mapping not found for kind "Widget"' in (
        result.error
    )


def test_a_non_text_manifest_is_refused():
    """yaml must be a string."""
    with pytest.raises(ManifestError):
        manifests.load(b"apiVersion: v1")  # type: ignore[arg-type]


def test_deeply_nested_yaml_is_refused_cleanly(cluster):
    """A pathological nesting depth is an error, not a crash."""
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata: "
        + ("[" * 5000)
        + ("]" * 5000)
        + "\n"
    )
    result = cluster.act({"op": "apply", "yaml": text})
    assert not result.ok
