"""Reading YAML safely: no aliases, bounded size and count, clear errors."""

from __future__ import annotations

import pytest
import yaml

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


# --- the loaders, and text that is not Unicode ----------------------------------------
LOADERS = [manifests._Loader, manifests._PythonLoader]
POD_WITH_IMAGE = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n"
    "  - name: c\n    image: {image}\n"
)


def test_the_c_loader_is_used_where_pyyaml_has_it():
    """libyaml parses about ten times faster than PyYAML's pure-Python reader."""
    assert manifests.LOADER is (
        yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader
    )


@pytest.mark.parametrize("loader", LOADERS, ids=["c", "python"])
def test_both_loaders_read_the_same_objects(k8s, loader):
    """Duplicate keys keep the last value, as PyYAML always did."""
    assert manifests.load(k8s.guestbook_yaml(), loader=loader) == manifests.load(
        k8s.guestbook_yaml(), loader=manifests._PythonLoader
    )
    twice = "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nmetadata: {name: b}\n"
    assert manifests.load(twice, loader=loader)[0]["metadata"] == {"name": "b"}


@pytest.mark.parametrize("loader", LOADERS, ids=["c", "python"])
@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: &x 1\nb: *x\n", 2),
        ("a: *undefined\n", 1),
        ("base: &b {name: x}\nmetadata:\n  <<: *b\napiVersion: v1\nkind: Pod\n", 3),
        ("apiVersion: v1\nkind: Pod\n---\nlist: &l [1]\nagain: [*l]\n", 5),
    ],
    ids=["alias", "undefined", "merge-key", "second-document"],
)
def test_an_alias_is_refused_at_its_line_by_both_loaders(loader, text, line):
    with pytest.raises(ManifestError) as caught:
        manifests.load(text, loader=loader)
    assert str(caught.value) == (
        f"error: error parsing manifest: line {line}: YAML aliases (*name) are not"
        " accepted"
    )


@pytest.mark.parametrize("loader", LOADERS, ids=["c", "python"])
@pytest.mark.parametrize(
    "image",
    ['"nginx\\uD800"', '"nginx\\udfff"', '"\\uD83D\\uDE00"'],
    ids=["high", "low", "escaped-pair"],
)
def test_a_yaml_escape_of_a_surrogate_is_refused_at_its_line(loader, image):
    """libyaml's scanner (scanner.c, yaml_parser_scan_flow_scalar), and go-yaml's
    port of it that kubectl reads manifests with, refuse an escape of a code point
    from D800 to DFFF: "found invalid Unicode character escape code". PyYAML's own
    scanner would decode it into a lone surrogate, which no frame can carry."""
    with pytest.raises(ManifestError) as caught:
        manifests.load(POD_WITH_IMAGE.format(image=image), loader=loader)
    assert str(caught.value) == (
        "error: error parsing manifest: error converting YAML to JSON: yaml: line 8:"
        " found invalid Unicode character escape code"
    )


@pytest.mark.parametrize("loader", LOADERS, ids=["c", "python"])
def test_a_lone_surrogate_in_the_text_is_refused_at_its_line(loader):
    """Such text cannot be UTF-8: libyaml's reader (reader.c) says "invalid Unicode
    character" of its bytes. The C loader used to raise UnicodeEncodeError."""
    with pytest.raises(ManifestError) as caught:
        manifests.load(POD_WITH_IMAGE.format(image="nginx\ud800"), loader=loader)
    assert str(caught.value) == (
        "error: error parsing manifest: error converting YAML to JSON: yaml: line 8:"
        " invalid Unicode character"
    )


@pytest.mark.parametrize("loader", LOADERS, ids=["c", "python"])
@pytest.mark.parametrize("char", ["\x00", "\x07", "\x7f", "\ufffe"])
def test_a_control_character_is_refused_by_both_loaders(loader, char):
    """YAML's printable set (YAML 1.1, 5.1) leaves out C0 and C1 controls, DEL and
    U+FFFE; both readers refuse them rather than parse them."""
    with pytest.raises(ManifestError, match="^error: error parsing manifest: .*"):
        manifests.load(POD_WITH_IMAGE.format(image="nginx" + char), loader=loader)


def test_a_manifest_over_the_byte_limit_with_a_surrogate_is_refused_by_size():
    """Counting its bytes used to raise UnicodeEncodeError."""
    with pytest.raises(LimitExceeded, match="the limit is 1024 bytes"):
        manifests.load(POD + "# \ud800" + "x" * 2000, max_bytes=1024)


@pytest.mark.parametrize("loader", LOADERS, ids=["c", "python"])
def test_the_object_limit_stops_the_parse_at_the_limit(loader):
    """What follows the object past the limit is never read: a broken document
    after it does not change the answer (it used to be a parse error, after
    parsing everything)."""
    text = "\n---\n".join([POD] * 6) + "\n---\nkind: [unclosed\n"
    with pytest.raises(LimitExceeded, match="more than 5 objects"):
        manifests.load(text, max_objects=5, loader=loader)


def test_documents_are_counted_as_they_come_empty_ones_too():
    """Thousands of empty documents cost parsing but hold no object; past twice
    the object limit the manifest is refused without reading the rest."""
    text = "---\n" * 11 + "kind: [unclosed\n"
    with pytest.raises(LimitExceeded, match="more than 10 documents"):
        manifests.load(text, max_objects=5)
    assert len(manifests.load("---\n" * 9 + POD, max_objects=5)) == 1


def test_documents_are_read_in_order_as_kubectl_reads_them():
    """kubectl's StreamVisitor (k8s.io/cli-runtime resource/visitor.go) decodes and
    validates one document at a time, so the first problem in order is the one
    reported."""
    with pytest.raises(ManifestError, match="apiVersion not set"):
        manifests.load("kind: Pod\n---\nkind: [unclosed\n")
