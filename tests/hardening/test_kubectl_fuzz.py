"""The kubectl console under hostile lines: a clear error, never a crash or a shell.

A line reaches `simulation.kubectl` through `cluster.act({"op": "kubectl", …})`.
Whatever it holds, the answer is output or a SimulationError worded like kubectl's,
and an error changes nothing: not the store, not the step, not the recorded actions.
"""

from __future__ import annotations

import os
import uuid

import pytest
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from simulation import Cluster, kubectl
from simulation.errors import SimulationError
from tests.hardening.fuzzing import INVALID_TEXT, any_text, fuzz_settings

FUZZ = fuzz_settings(100, HealthCheck.function_scoped_fixture)
SHELL = [";", "|", "&&", "||", "&", "$(id)", "`id`", "${HOME}", "$HOME", ">", ">>",
         "<", "2>&1", "(", ")", "\n", "\r\n", "\x00", "\\"]  # fmt: skip
WORDS = [
    "kubectl",
    "get",
    "describe",
    "apply",
    "create",
    "delete",
    "scale",
    "exec",
    "logs",
    "drain",
    "cordon",
    "pods",
    "nodes",
    "all",
    "deploy/coredns",
    "node-1",
    "-n",
    "kube-system",
    "-A",
    "-o",
    "yaml",
    "json",
    "jsonpath={.items[*]}",
    "-l",
    "a in (b)",
    "--replicas=-1",
    "--replicas=99999999999999999999",
    "--image=<img src=x onerror=alert(1)>",
    "--",
    "-f",
    "-",
    "--bogus",
    "-Z",
    "--namespace=",
    "--all-namespaces=maybe",
    "--grace-period=NaN",
    "'quoted word'",
    '"unclosed',
    "<script>alert(1)</script>",
    "名前",
    "\u202e",
    "%s%n",
    "../../etc/passwd",
]
lines = st.lists(
    st.sampled_from(WORDS)
    | st.sampled_from(SHELL)
    | st.sampled_from(INVALID_TEXT)
    | any_text(12),
    max_size=8,
).map(" ".join)


def fresh() -> Cluster:
    return Cluster(seed=11)


def state(cluster: Cluster) -> tuple:
    return (
        cluster.store.revision,
        len(cluster.store.log),
        cluster.step_no,
        cluster.actions,
        cluster.snapshot(),
    )


def run(cluster: Cluster, line: str) -> tuple[bool, str]:
    """(ok, output or error) of one console line, asserting the failure contract."""
    before = state(cluster)
    try:
        result = cluster.act({"op": "kubectl", "command": line})
    except SimulationError as exc:
        ok, text = False, str(exc)
    else:
        ok = result.ok
        text = (result.output if ok else result.error) or ""
    # What comes back goes to a browser: it must be text UTF-8 can carry.
    text.encode("utf-8")
    if not ok:
        assert text.strip(), "an error without a message"
        assert "Traceback" not in text
        assert state(cluster) == before, (
            f"a failed command changed the cluster: {line!r}"
        )
    return ok, text


@pytest.fixture(scope="module")
def shared() -> Cluster:
    return fresh()


@FUZZ
@given(lines)
def test_any_line_is_output_or_a_kubectl_error_and_errors_change_nothing(
    shared: Cluster, line: str
) -> None:
    try:
        run(shared, line)
    except (AssertionError, pytest.fail.Exception):
        raise
    except Exception as exc:
        pytest.fail(f"{type(exc).__name__} escaped kubectl for {line!r}: {exc}")


@FUZZ
@given(any_text(200))
def test_any_text_after_kubectl_is_output_or_a_simulation_error(
    shared: Cluster, text: str
) -> None:
    try:
        output = kubectl.run(shared, "kubectl " + text)
    except SimulationError as exc:
        assert str(exc).strip()
        str(exc).encode("utf-8")
    else:
        str(output).encode("utf-8")


@pytest.mark.parametrize("operator", [";", "|", "&&", "||", "$(", "`", ">", "<"])
def test_shell_syntax_is_refused_and_nothing_is_executed(operator: str) -> None:
    marker = f"/tmp/kubeviz-hardening-{uuid.uuid4().hex}"
    tail = {"$(": f"touch {marker})", "`": f"touch {marker}`"}.get(
        operator, f" touch {marker}"
    )
    ok, text = run(fresh(), f"kubectl get pods {operator}{tail}")
    assert not ok
    assert "shell syntax is not supported" in text or "here-document" in text
    assert not os.path.exists(marker)


def test_a_line_far_over_the_limit_is_refused_by_length() -> None:
    ok, text = run(fresh(), "kubectl get pods " + "a" * (kubectl.MAX_LINE * 4))
    assert not ok and str(kubectl.MAX_LINE) in text


def test_an_unknown_command_is_named_as_kubectl_names_it() -> None:
    ok, text = run(fresh(), "kubectl frobnicate pods")
    assert not ok and 'unknown command "frobnicate" for "kubectl"' in text


def test_an_unknown_flag_is_named_as_kubectl_names_it() -> None:
    ok, text = run(fresh(), "kubectl get pods --frobnicate")
    assert not ok and "unknown flag: --frobnicate" in text


def test_a_here_document_of_bad_yaml_is_refused_and_changes_nothing() -> None:
    ok, text = run(fresh(), "kubectl apply -f - <<EOF\nkind: [\nEOF")
    assert not ok and text.startswith("error:")


def test_a_here_document_with_a_markup_name_gets_the_dns_1123_message() -> None:
    manifest = (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: <img src=x onerror=alert(1)>\n"
        "spec:\n  containers:\n  - {name: c, image: nginx}\n"
    )
    ok, text = run(fresh(), f"kubectl apply -f - <<EOF\n{manifest}EOF")
    assert not ok and "RFC 1123" in text


def test_a_here_document_with_an_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    ok, text = run(fresh(), f"kubectl apply -f - <<EOF\n{bomb}EOF")
    assert not ok and "aliases" in text


def test_text_after_a_here_document_terminator_is_refused() -> None:
    ok, text = run(fresh(), "kubectl get pods <<EOF\nEOF\nkubectl delete ns default")
    assert not ok and "one command at a time" in text


def test_create_deployment_with_more_replicas_than_the_pod_limit_is_refused() -> None:
    cluster = fresh()
    limit = cluster.config.limits.pods
    ok, text = run(
        cluster, f"kubectl create deployment big --image=nginx --replicas={limit + 1}"
    )
    assert not ok and str(limit) in text


def test_scale_to_more_replicas_than_the_pod_limit_is_refused() -> None:
    cluster = fresh()
    limit = cluster.config.limits.pods
    ok, text = run(
        cluster,
        f"kubectl scale deployment coredns -n kube-system --replicas={limit + 1}",
    )
    assert not ok and str(limit) in text


def test_a_negative_replica_count_is_refused() -> None:
    ok, text = run(
        fresh(), "kubectl scale deployment coredns -n kube-system --replicas=-3"
    )
    assert not ok


def test_deleting_the_system_namespaces_is_refused_or_harmless() -> None:
    """A student's `delete ns kube-system` must not leave a session that crashes."""
    cluster = fresh()
    for line in (
        "kubectl delete namespace kube-system",
        "kubectl delete namespace default",
        "kubectl delete node node-1",
        "kubectl delete pods --all -A",
        "kubectl drain node-1 --ignore-daemonsets --force --delete-emptydir-data",
    ):
        run(cluster, line)
        for _ in range(30):
            if cluster.step() is None:
                break
        cluster.snapshot()
