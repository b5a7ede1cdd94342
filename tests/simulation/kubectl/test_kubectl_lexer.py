"""The console never runs a shell: metacharacters are refused, quotes must balance."""

from __future__ import annotations

import pytest

from simulation import kubectl
from simulation.errors import UsageError
from simulation.kubectl.lexer import MAX_LINE, lex


@pytest.mark.parametrize(
    "line",
    [
        "kubectl get pods; rm -rf /",
        "kubectl get pods && kubectl delete pods --all",
        "kubectl get pods | grep web",
        "kubectl get pods > /tmp/out",
        "kubectl get pods < /etc/passwd",
        "kubectl get pods $(whoami)",
        "kubectl get pods `whoami`",
        "kubectl get pods $HOME",
        "kubectl get pods ${HOME}",
        'kubectl get pods "$(whoami)"',
        'kubectl get pods "`id`"',
        "kubectl get pods &",
        "kubectl get pods (x)",
    ],
)
def test_shell_metacharacters_are_refused(cluster, line):
    """Each shell construct is refused with an error that says it is shell syntax."""
    with pytest.raises(UsageError, match="shell syntax is not supported"):
        kubectl.run(cluster, line)


def test_metacharacters_inside_single_quotes_are_literal():
    """`'a|b;c'` is one word, as a shell would pass it."""
    assert lex("kubectl get pods -l 'a in (x,y)'").words[-1] == "a in (x,y)"


def test_unbalanced_quotes_are_reported(cluster):
    """A quote that is never closed is an error naming the quote."""
    with pytest.raises(UsageError, match="unbalanced quotes"):
        kubectl.run(cluster, "kubectl get pods 'web")


def test_overlong_lines_are_refused(cluster):
    """A command line longer than the limit is refused before it is parsed."""
    with pytest.raises(UsageError, match=f"limit is {MAX_LINE}"):
        kubectl.run(cluster, "kubectl get pods " + "x" * MAX_LINE)


def test_a_second_command_on_another_line_is_refused(cluster):
    """Two commands separated by a newline are not run one after the other."""
    with pytest.raises(UsageError, match="one command at a time"):
        kubectl.run(cluster, "kubectl get pods\nkubectl delete pods --all")


def test_a_here_document_becomes_stdin():
    """Everything between `<<EOF` and `EOF` is the command's standard input."""
    line = lex("kubectl apply -f - <<EOF\nkind: A\n  x: 1\nEOF")
    assert line.words == ["kubectl", "apply", "-f", "-"]
    assert line.stdin == "kind: A\n  x: 1\n"


def test_quoted_and_dash_here_documents_are_accepted():
    """`<<'EOF'` and `<<-EOF` (tabs stripped) are the shell's other forms."""
    assert lex("kubectl apply -f - <<'END'\na: 1\nEND").stdin == "a: 1\n"
    assert lex("kubectl apply -f - <<-EOF\n\ta: 1\n\tEOF").stdin == "a: 1\n"


def test_a_here_document_without_its_terminator_is_refused(cluster):
    """A missing terminator line is an error, never a silent partial apply."""
    with pytest.raises(UsageError, match="never closed"):
        kubectl.run(cluster, "kubectl apply -f - <<EOF\nkind: Namespace\n")


def test_text_after_the_terminator_is_refused(cluster):
    """A here-document cannot smuggle a second command after its terminator."""
    with pytest.raises(UsageError, match="one command at a time"):
        kubectl.run(cluster, "kubectl apply -f - <<EOF\na: 1\nEOF\nkubectl get pods")


def test_a_shell_comment_ends_the_words():
    """`# …` after a command is a comment, as in a shell; `a#b` is one word."""
    assert lex("kubectl get pods  # list them").words == ["kubectl", "get", "pods"]
    assert lex("kubectl get pods a#b").words[-1] == "a#b"


@pytest.mark.parametrize(
    ("line", "where"),
    [
        ("kubectl run x --image=nginx\ud800", "column 28"),
        ("kubectl label pod p \udfff=x", "column 21"),
        ("kubectl apply -f - <<EOF\nkind: Pod\nx: \ud83d\nEOF", "line 3, column 4"),
    ],
    ids=["run-image", "label-key", "here-document"],
)
def test_a_lone_surrogate_is_refused_where_it_is(line, where):
    """A UTF-16 surrogate on its own (what a JSON `\\ud800` escape decodes to) is no
    Unicode character: a name or image holding one could be sent to no browser."""
    with pytest.raises(UsageError) as caught:
        lex(line)
    assert str(caught.value).startswith(
        f"error: the command is not valid Unicode text: {where} holds a lone UTF-16"
        " surrogate (U+"
    )


def test_kubectl_run_with_a_surrogate_in_the_image_changes_nothing(cluster):
    """The console line of issue 13 is refused before any pod is created."""
    before = cluster.store.revision
    result = cluster.act(
        {"op": "kubectl", "command": "kubectl run x --image=nginx\ud800"}
    )
    assert not result.ok and "not valid Unicode text" in result.error
    assert cluster.store.revision == before
    assert cluster.store.get("pods", "default", "x") is None
