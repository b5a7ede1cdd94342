"""The manifest edge of the model: any text in, a kubectl error or a clean apply out.

`cluster.act({"op": "apply", "yaml": …})` is what the browser's apply box and
`kubectl apply -f -` reach. Whatever the text, a manifest that does not parse is
refused whole with a SimulationError worded like kubectl, and that refusal changes
nothing (store revision, step, recorded actions and view all as before). Once it
parses, each object is sent on its own, as kubectl sends them: the accepted ones are
written in one step, the refused ones reported. An apply that wrote anything leaves
a cluster that can still step and be drawn.
"""

from __future__ import annotations

import contextlib
import json
import signal
import subprocess
import sys
import textwrap

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from simulation import Cluster, manifests
from simulation.config import Limits
from simulation.errors import LimitExceeded, ManifestError, SimulationError
from simulation.resources import RESOURCES
from tests.conftest import ROOT
from tests.hardening.fuzzing import INVALID_TEXT, any_bytes, any_text, fuzz_settings

LIMITS = Limits()
FUZZ = fuzz_settings(50)
# Stepping an accepted apply may take this long before the cluster counts as stuck.
STEP_BUDGET = 10.0
MARKUP = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "a b",
    "UPPER",
    "-leading",
    "trailing-",
    "dot..dot",
    "x" * 254,
    "",
    "名前",
]


@contextlib.contextmanager
def time_limit(seconds: float, what: str):
    """Fail (not hang) when the block runs longer than `seconds` of wall time."""

    def expired(signum, frame):
        raise TimeoutError(f"{what} ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def base() -> Cluster:
    return Cluster(seed=7)


def fresh() -> Cluster:
    return Cluster(seed=7)


def state(cluster: Cluster) -> tuple:
    """Everything a refused apply must leave as it was."""
    return (
        cluster.store.revision,
        len(cluster.store.log),
        cluster.step_no,
        cluster.actions,
        cluster.history.horizon,
        cluster.snapshot(),
    )


def refused(cluster: Cluster, text: str) -> str:
    """Apply `text`, assert it was refused with nothing changed; return the error."""
    before = state(cluster)
    ok, message = act(cluster, {"op": "apply", "yaml": text})
    assert not ok, f"applied: {message}"
    assert message.strip()
    assert state(cluster) == before, "a refused apply changed the cluster"
    return message


def apply_or_refuse(cluster: Cluster, text: str) -> None:
    """The fuzz property: refused with nothing changed, or (partly) applied as one
    step, and the cluster still runs."""
    before = state(cluster)
    ok, message = act(cluster, {"op": "apply", "yaml": text})
    if not ok:
        assert message and "Traceback" not in message
        if cluster.store.revision == before[0]:
            assert state(cluster) == before, "a refused apply changed the cluster"
            return
        # some objects were accepted: they are one step, the rest reported
        assert cluster.step_no == before[2] + 1
    with time_limit(STEP_BUDGET, "stepping after the apply"):
        for _ in range(40):
            try:
                if cluster.step() is None:
                    break
            except SimulationError:
                pytest.fail("a step after an accepted apply raised SimulationError")
        cluster.snapshot()


def pod(name: str = "p", **spec) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "c", "image": "nginx"}], **spec},
    }


def deployment(name: str = "d", replicas: int = 1, labels: dict | None = None) -> dict:
    labels = labels or {"app": "d"}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]},
            },
        },
    }


class NoAliasDumper(yaml.SafeDumper):
    """Writes shared dicts out in full: the loader refuses anchors and aliases."""

    def ignore_aliases(self, data) -> bool:
        return True


def dump(*objects: dict) -> str:
    return yaml.dump_all(objects, Dumper=NoAliasDumper, sort_keys=False)


def act(cluster: Cluster, action: dict) -> tuple[bool, str]:
    """(ok, output or error): a refusal may be returned or raised as SimulationError."""
    try:
        result = cluster.act(action)
    except SimulationError as exc:
        return False, str(exc)
    return result.ok, (result.output if result.ok else result.error) or ""


# --- the loader on its own ------------------------------------------------------------
LOADERS = [manifests._Loader, manifests._PythonLoader]


def loaded_or_refused(text: str, loader: type) -> None:
    """The loader property: objects that are all text, or a kubectl-worded error."""
    try:
        objects = manifests.load(text, loader=loader)
    except SimulationError as exc:
        assert str(exc).startswith("error:"), str(exc)
        str(exc).encode("utf-8")
        return
    assert objects and all(isinstance(o, dict) and o.get("kind") for o in objects)
    # Every string read is text a frame can carry as UTF-8.
    json.dumps(objects, ensure_ascii=False, default=str).encode("utf-8")


@pytest.mark.parametrize("loader", LOADERS, ids=["c", "python"])
@FUZZ
@given(text=any_text(400))
def test_any_text_loads_or_raises_a_kubectl_worded_error(text: str, loader) -> None:
    loaded_or_refused(text, loader)


# A double-quoted scalar holding an escape of any code point YAML can write.
escapes = st.one_of(
    st.integers(0, 0xFFFF).map(lambda c: f"\\u{c:04X}"),
    st.integers(0xD800, 0xDFFF).map(lambda c: f"\\u{c:04x}"),
    st.integers(0, 0x10FFFF + 5).map(lambda c: f"\\U{c:08X}"),
    st.integers(0, 0xFF).map(lambda c: f"\\x{c:02X}"),
)
quoted_manifests = st.builds(
    lambda parts, key: (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n"
        f'  "{key}": "{"".join(parts)}"\n'
    ),
    st.lists(escapes | st.sampled_from(["a", "名", " "]), max_size=6),
    st.sampled_from(["k", "\\ud800", "\\uD83D\\uDE00"]),
)


@pytest.mark.parametrize("loader", LOADERS, ids=["c", "python"])
@FUZZ
@given(
    text=quoted_manifests
    | st.lists(st.sampled_from(INVALID_TEXT)).map(
        lambda chars: (
            "apiVersion: v1\nkind: Pod\nmetadata: {name: '" + "".join(chars) + "'}\n"
        )
    )
)
def test_escapes_and_invalid_characters_load_as_text_or_are_refused(
    text: str, loader
) -> None:
    """YAML escapes of surrogates (`\\uD800`) decode to no character: refused, as
    libyaml refuses them, never loaded into the model."""
    loaded_or_refused(text, loader)


@FUZZ
@given(any_bytes(400))
def test_any_bytes_decoded_load_or_raise_a_kubectl_worded_error(data: bytes) -> None:
    with contextlib.suppress(SimulationError):
        manifests.load(data.decode("utf-8", "replace"))
    with pytest.raises(SimulationError):
        manifests.load(data)  # not text at all


def test_billion_laughs_is_refused_before_it_expands() -> None:
    lol = ["a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']"]
    for n, prev in zip("bcdefghi", "abcdefgh", strict=True):
        lol.append(f"{n}: &{n} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]")
    with time_limit(2, "loading billion laughs"):
        with pytest.raises(ManifestError, match="aliases"):
            manifests.load("\n".join(lol))


def test_a_merge_key_alias_is_refused_too() -> None:
    text = "base: &b {name: x}\nmetadata:\n  <<: *b\napiVersion: v1\nkind: Pod\n"
    with pytest.raises(ManifestError, match="aliases"):
        manifests.load(text)


@pytest.mark.parametrize("depth", [200, 5_000, 50_000])
def test_deep_nesting_is_refused_without_a_recursion_crash(depth: int) -> None:
    text = "apiVersion: v1\nkind: Pod\nmetadata: " + "[" * depth + "]" * depth
    with time_limit(5, "loading deep nesting"):
        error = refused(fresh(), text)
    assert error.startswith("error:")


def test_a_document_over_the_byte_limit_is_refused_by_size() -> None:
    text = dump(pod()) + "# " + "x" * LIMITS.manifest_bytes + "\n"
    with pytest.raises(LimitExceeded, match=str(LIMITS.manifest_bytes)):
        manifests.load(text, LIMITS.manifest_bytes)


def test_python_tags_are_refused_not_constructed() -> None:
    for text in (
        "!!python/object/apply:os.system ['touch /tmp/kubeviz-pwned']",
        "!!python/name:os.system",
        "a: !!binary aGVsbG8=",
        "a: !!set {x}",
    ):
        with pytest.raises(SimulationError):
            manifests.load(text)


@pytest.mark.parametrize(
    "text",
    [
        "just a string",
        "- a\n- list\n",
        "42",
        "{a: 1}",
        "apiVersion: v1\n",
        "kind: Pod\n",
        "apiVersion: v1\nkind: List\nitems: [1, 2]\n",
        "---\n---\n",
    ],
    ids=[
        "string",
        "list",
        "number",
        "no-kind",
        "no-kind-2",
        "no-version",
        "list-of-ints",
        "empty",
    ],
)
def test_a_document_that_is_not_a_kubernetes_object_is_refused(text: str) -> None:
    assert refused(fresh(), text).startswith("error:")


# --- apply: kubectl's messages, and nothing half-applied ------------------------------
def test_an_unknown_kind_gets_kubectls_resource_mapping_message() -> None:
    text = "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\n"
    assert 'no matches for kind "Gadget"' in refused(fresh(), text) or (
        'resource mapping not found for kind "Gadget"' in refused(fresh(), text)
    )


@pytest.mark.parametrize("name", MARKUP)
@pytest.mark.parametrize("kind", ["Pod", "Deployment", "Service", "Namespace"])
def test_a_name_breaking_dns_1123_is_refused_with_kubectls_message(
    kind: str, name: str
) -> None:
    objects = {
        "Pod": pod(name),
        "Deployment": deployment(name),
        "Service": {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": name},
            "spec": {"ports": [{"port": 80}]},
        },
        "Namespace": {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name},
        },
    }
    error = refused(fresh(), dump(objects[kind]))
    assert error.startswith(f'The {kind} "') and "is invalid" in error
    assert "metadata.name" in error


@pytest.mark.parametrize("value", MARKUP[:3])
def test_markup_in_a_label_is_refused_with_kubectls_message(value: str) -> None:
    labelled = pod("fine")
    labelled["metadata"]["labels"] = {"app": value}
    error = refused(fresh(), dump(labelled))
    assert 'The Pod "fine" is invalid' in error and "metadata.labels" in error


def test_a_valid_object_before_an_invalid_one_is_applied_alone() -> None:
    """kubectl sends each parsed object on its own (apply.go): the good pod is
    created, the bad one reported, and the apply is not ok."""
    cluster = fresh()
    ok, message = act(cluster, {"op": "apply", "yaml": dump(pod("good"), pod("BAD"))})
    assert not ok and 'The Pod "BAD" is invalid' in message
    assert cluster.store.get("pods", "default", "good") is not None
    assert cluster.store.get("pods", "default", "BAD") is None


def test_a_valid_object_before_a_malformed_one_is_applied_alone() -> None:
    cluster = fresh()
    broken = deployment("broken")
    broken["spec"]["template"] = ["not", "a", "template"]
    ok, message = act(cluster, {"op": "apply", "yaml": dump(pod("good"), broken)})
    assert not ok and "broken" in message
    assert cluster.store.get("pods", "default", "good") is not None
    assert cluster.store.get("deployments", "default", "broken") is None


def test_a_manifest_that_does_not_parse_is_refused_whole() -> None:
    """kubectl decodes the whole stream before it sends anything."""
    cluster = fresh()
    text = dump(pod("good")) + "---\nkind: Pod\nmetadata: {name: [unclosed\n"
    refused(cluster, text)
    assert cluster.store.get("pods", "default", "good") is None


def test_more_objects_than_the_limit_are_refused_by_count() -> None:
    text = dump(*[pod(f"p{i}") for i in range(LIMITS.objects_per_apply + 1)])
    error = refused(fresh(), text)
    assert str(LIMITS.objects_per_apply) in error


def test_more_replicas_than_the_pod_limit_are_refused_with_the_limit() -> None:
    error = refused(fresh(), dump(deployment(replicas=LIMITS.pods + 1)))
    assert str(LIMITS.pods) in error and "limit" in error


def test_replicas_split_over_many_deployments_are_counted_together() -> None:
    share = LIMITS.pods // 4 + 1
    text = dump(*[deployment(f"d{i}", share, {"app": f"d{i}"}) for i in range(4)])
    assert str(LIMITS.pods) in refused(fresh(), text)


def test_more_nodes_than_the_node_limit_are_refused_when_applied_as_objects() -> None:
    nodes = [
        {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"extra-{i}"}}
        for i in range(LIMITS.nodes + 1)
    ]
    error = refused(fresh(), dump(*nodes))
    assert str(LIMITS.nodes) in error and "limit" in error


def test_more_nodes_than_the_node_limit_are_refused_by_set() -> None:
    cluster = fresh()
    before = state(cluster)
    ok, message = act(cluster, {"op": "set", "nodes": LIMITS.nodes + 1})
    assert not ok and str(LIMITS.nodes) in message
    assert state(cluster) == before


def test_scaling_past_the_pod_limit_with_kubectl_is_refused() -> None:
    cluster = fresh()
    assert cluster.act({"op": "apply", "yaml": dump(deployment())}).ok
    before = state(cluster)
    ok, message = act(
        cluster,
        {"op": "kubectl", "command": f"kubectl scale deployment d --replicas={10**9}"},
    )
    assert not ok and str(LIMITS.pods) in message
    assert state(cluster) == before


MALFORMED = {
    "deployment-spec-list": {**deployment(), "spec": [1]},
    "deployment-template-list": {
        **deployment(),
        "spec": {**deployment()["spec"], "template": [1]},
    },
    "pod-node-name-list": pod(nodeName=[1]),
    "pod-tolerations-number": pod(tolerations=5),
    "pod-affinity-number": pod(affinity=5),
    "pod-resources-number": {
        **pod(),
        "spec": {"containers": [{"name": "c", "image": "i", "resources": 5}]},
    },
    "pod-cpu-word": {
        **pod(),
        "spec": {
            "containers": [
                {"name": "c", "image": "i", "resources": {"requests": {"cpu": "lots"}}}
            ]
        },
    },
    "node-taints-number": {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": "n9"},
        "spec": {"taints": 5},
    },
    "service-node-port-word": {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": "s"},
        "spec": {"type": "NodePort", "ports": [{"port": 80, "nodePort": "x"}]},
    },
    "ingress-rules-number": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "i"},
        "spec": {"rules": 5},
    },
    "ingress-path-number": {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "i"},
        "spec": {"rules": [{"http": {"paths": [5]}}]},
    },
    "hpa-target-number": {
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {"name": "h"},
        "spec": {"scaleTargetRef": 5, "maxReplicas": 3},
    },
    "list-items-number": {"apiVersion": "v1", "kind": "List", "items": 5},
    "kind-list": {"apiVersion": "v1", "kind": [1]},
}


@pytest.mark.parametrize("obj", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_object_is_refused_or_applied_cleanly(obj: dict) -> None:
    """Refused with kubectl's words (no AttributeError/TypeError), or harmless."""
    cluster = fresh()
    before = state(cluster)
    try:
        ok, _ = act(cluster, {"op": "apply", "yaml": dump(obj)})
    except Exception as exc:
        changed = "; the store changed" if state(cluster) != before else ""
        pytest.fail(f"{type(exc).__name__} escaped the model: {exc}{changed}")
    if not ok:
        assert state(cluster) == before
        return
    apply_or_refuse(cluster, "")  # refused (empty) — the cluster is still usable
    with time_limit(STEP_BUDGET, "stepping after the apply"):
        try:
            for _ in range(40):
                if cluster.step() is None:
                    break
            cluster.snapshot()
        except Exception as exc:
            pytest.fail(
                f"the apply was accepted but the next steps raise "
                f"{type(exc).__name__}: {exc} — the session is stuck"
            )


def test_an_hpa_for_a_missing_deployment_does_not_hang_step() -> None:
    """One apply must never make `step()` spin forever (it blocks the whole server)."""
    script = textwrap.dedent(
        """
        from simulation import Cluster
        c = Cluster(seed=7)
        hpa = '''apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: h}
        spec: {scaleTargetRef: {kind: Deployment, name: nowhere}, maxReplicas: 3}
        '''
        assert c.act({"op": "apply", "yaml": hpa}).ok
        for _ in range(20):
            c.step()
        print("stepped")
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=15,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("20 steps after applying an HPA took more than 15 s (step hangs)")
    assert "stepped" in done.stdout, done.stderr[-2000:]


# --- hypothesis over Kubernetes-shaped objects -------------------------------------
names = st.sampled_from(["web", "a", "db-1", *MARKUP[:4]])
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=10**12)
    | st.sampled_from(["", "x", "100m", "lots", "1Gi", "80", "TCP", "<b>x</b>"])
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "name",
                    "image",
                    "containers",
                    "ports",
                    "port",
                    "targetPort",
                    "nodePort",
                    "containerPort",
                    "replicas",
                    "selector",
                    "matchLabels",
                    "template",
                    "metadata",
                    "labels",
                    "spec",
                    "resources",
                    "requests",
                    "cpu",
                    "memory",
                    "nodeName",
                    "nodeSelector",
                    "tolerations",
                    "taints",
                    "type",
                    "rules",
                    "http",
                    "paths",
                    "backend",
                    "service",
                    "scaleTargetRef",
                    "maxReplicas",
                    "minReplicas",
                    "items",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)
API_VERSIONS = {r.kind: r.api_version for r in RESOURCES}
objects = st.builds(
    lambda kind, name, labels, spec: {
        "apiVersion": API_VERSIONS[kind],
        "kind": kind,
        "metadata": {"name": name, "labels": labels},
        "spec": spec,
    },
    st.sampled_from(sorted(API_VERSIONS)),
    names,
    st.none() | st.dictionaries(st.sampled_from(["app", "<x>"]), scalars, max_size=2),
    values,
)


@FUZZ
@given(st.lists(objects, min_size=1, max_size=3))
def test_any_kubernetes_shaped_apply_is_refused_whole_or_per_object(
    docs: list[dict],
) -> None:
    cluster = fresh()
    try:
        apply_or_refuse(cluster, dump(*docs))
    except Exception as exc:
        if isinstance(exc, AssertionError | pytest.fail.Exception):
            raise
        pytest.fail(f"{type(exc).__name__} escaped the model: {exc}")


@FUZZ
@given(st.lists(st.sampled_from(list(MALFORMED.values()) + [pod("ok")]), max_size=3))
def test_applies_in_any_order_never_leave_the_cluster_unusable(docs) -> None:
    cluster = fresh()
    for doc in docs:
        try:
            apply_or_refuse(cluster, dump(doc))
        except (AssertionError, pytest.fail.Exception):
            raise
        except Exception as exc:
            pytest.fail(f"{type(exc).__name__} escaped the model: {exc}")
