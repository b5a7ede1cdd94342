"""Checking what a learner did in the sandbox against the model's state."""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.cluster import Cluster

from .errors import StepError
from .expressions import Scope, evaluate
from .script import Done, perform
from .text import fill

if TYPE_CHECKING:
    from .schema import Check

_WORDS = {"equals": "to be", "at_least": "to be at least", "at_most": "to be at most"}


def sandbox_of(cluster: Cluster) -> Cluster:
    """A free copy of `cluster` at this moment, with no recorded future to replay."""
    now = cluster.step_no
    past = [a for a in cluster.actions if a["step"] <= now]
    copy = Cluster.replay(cluster.inputs, past, until=now)
    copy.history.truncate_future(copy.step_no)
    return copy


def evaluate_check(check: Check, cluster: Cluster, env: dict | None = None) -> dict:
    """{passed, message}: every condition holds, or the first one that does not.

    `env` holds the values the lesson remembered up to this step (`{var: …}`).
    """
    scope = Scope(cluster, env=dict(env or {}))
    task = fill(check.task, scope.env)
    for expr, cmp, want in check.conditions:
        try:
            got = evaluate(expr, scope)
        except StepError as exc:
            return {"passed": False, "message": f"Not yet: {exc}."}
        if not _holds(got, cmp, want):
            kind, subject = (
                next(iter(expr.items()))
                if isinstance(expr, dict)
                else (
                    None,
                    None,
                )
            )
            if isinstance(got, bool) and isinstance(want, bool):
                return {"passed": False, "message": f"Not yet: {task}"}
            what = f"{kind} of {subject}" if isinstance(subject, str) else "it"
            return {
                "passed": False,
                "message": f"Not yet: {what} is {got!r}; the task needs it"
                f" {_WORDS[cmp]} {want!r}.",
            }
    return {"passed": True, "message": f"Done: {task}"}


def _holds(got, cmp: str, want) -> bool:
    if cmp == "equals":
        return got == want
    if not isinstance(got, int | float):
        return False
    return got >= want if cmp == "at_least" else got <= want


def prove(check: Check, cluster: Cluster, env: dict) -> None:
    """The task must not be done already, and its solution must do it."""
    sandbox = sandbox_of(cluster)
    if evaluate_check(check, sandbox, env)["passed"]:
        raise StepError(f"the check {check.task!r} passes before the learner acts")
    scope = Scope(sandbox, env=dict(env))
    for item in check.solution:
        perform(sandbox, item, scope, Done())
    result = evaluate_check(check, sandbox, env)
    if not result["passed"]:
        raise StepError(f"the check's solution does not pass it: {result['message']}")
