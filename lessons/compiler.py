"""Running a lesson headless, once, into the frames a learner steps through.

Running it is also the proof that it can happen: every action must succeed, every
highlighted object must exist, every claim (`expect`) must hold, every prediction's
answer is computed here from the model and must be one of its choices, and every
check must fail before its solution and pass after it. Any failure is a LessonError
naming the file and the step.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from simulation.cluster import Cluster
from simulation.errors import SimulationError

from . import checks, refs
from .errors import LessonError, StepError
from .expressions import Scope, evaluate, prepare
from .schema import Lesson, Prediction, Step
from .script import Done, perform
from .text import fill
from .tracekinds import find_hops, resolve_where


@dataclass
class Compiled:
    """A lesson's frames, the model step each one ends at, and the hidden answers."""

    lesson: Lesson
    frames: list[dict] = field(default_factory=list)
    marks: list[int] = field(default_factory=list)
    answers: dict[int, dict] = field(default_factory=dict)  # position → answer
    envs: dict[int, dict] = field(default_factory=dict)  # position → values, for checks
    inputs: dict = field(default_factory=dict)
    actions: list[dict] = field(default_factory=list)


@contextmanager
def located(lesson: Lesson, step: Step | None) -> Iterator[None]:
    try:
        yield
    except LessonError:
        raise
    except SimulationError as exc:
        raise LessonError(
            lesson.file, str(exc), step=step.number if step else None
        ) from None
    except Exception as exc:  # a bug below us still names the lesson and step
        raise LessonError(
            lesson.file,
            f"{type(exc).__name__} while running: {exc}",
            step=step.number if step else None,
        ) from exc


def new_cluster(lesson: Lesson) -> Cluster:
    c = lesson.cluster
    return Cluster(
        seed=c["seed"],
        nodes=c["nodes"],
        platform=c["platform"],
        cni=c["cni"],
        proxy_mode=c["proxyMode"],
    )


def compile_lesson(lesson: Lesson) -> tuple[Compiled, Cluster]:
    """Run every step in order; return the frames and the cluster at the end."""
    with located(lesson, None):
        cluster = new_cluster(lesson)
        scope = Scope(cluster)
        for manifest in lesson.cluster["manifests"]:
            perform(cluster, {"apply": manifest}, scope, Done())
        cluster.settle()
    out = Compiled(lesson)
    pending: tuple[int, Prediction, dict] | None = None
    for position, step in enumerate(lesson.steps):
        with located(lesson, step):
            done = Done()
            for item in step.do:
                perform(cluster, item, scope, done)
            for name, expr in step.remember.items():
                scope.env[name] = evaluate(expr, scope)
            if pending is not None:
                asked_at, prediction, before = pending
                scope.before = before
                try:
                    out.answers[asked_at] = _answer(prediction, scope)
                except StepError as exc:  # the fault is in the question's step
                    raise LessonError(
                        lesson.file,
                        f"its prediction, answered once step {step.number} has"
                        f" run: {exc}",
                        step=lesson.steps[asked_at].number,
                    ) from None
                scope.before, pending = None, None
            for claim in step.expect:
                if evaluate(claim, scope) is not True:
                    raise StepError(
                        f"the step claims {claim} but the model disagrees"
                        + _values(claim, scope)
                    )
            frame = _frame(lesson, position, step, scope, done)
            if step.predict is not None:
                if step.predict.at == "now":
                    out.answers[position] = _answer(step.predict, scope)
                else:
                    pending = (
                        position,
                        step.predict,
                        prepare(step.predict.answer, scope),
                    )
            if step.check is not None:
                checks.prove(step.check, cluster, scope.env)
                out.envs[position] = dict(scope.env)
            out.frames.append(frame)
            out.marks.append(cluster.step_no)
    out.inputs = dict(cluster.inputs)
    out.actions = cluster.actions
    return out, cluster


def _answer(prediction: Prediction, scope: Scope) -> dict:
    """The choice the model says is right, and the explanation with values filled in."""
    value = evaluate(prediction.answer, scope)
    # A choice's value may itself be an expression ("the Service's ClusterIP").
    values = [
        fill(c["value"], scope.env)
        if isinstance(c["value"], str)
        else evaluate(c["value"], scope)
        for c in prediction.choices
    ]
    right = [i for i, v in enumerate(values) if _same(v, value)]
    if len(right) != 1:
        labels = ", ".join(c["label"] for c in prediction.choices)
        raise StepError(
            f"the model's answer {value!r} matches {len(right)} of the choices"
            f" ({labels}); it must match exactly one"
        )
    label = fill(prediction.choices[right[0]]["label"], scope.env)
    env = {**scope.env, "answer": label}
    return {
        "index": right[0],
        "value": value,
        "label": label,
        "why": fill(prediction.why, env),
        "wrong": {
            i: fill(c["why"], env)
            for i, c in enumerate(prediction.choices)
            if "why" in c
        },
    }


def _values(claim: Any, scope: Scope) -> str:
    """For a false `equal` claim, what each side actually is."""
    if isinstance(claim, dict) and isinstance(claim.get("equal"), list):
        return (
            " (the values are "
            + ", ".join(repr(evaluate(e, scope)) for e in claim["equal"])
            + ")"
        )
    return ""


def _same(choice: Any, value: Any) -> bool:
    if isinstance(choice, bool) or isinstance(value, bool):
        return choice is value
    if isinstance(choice, int | float) and isinstance(value, int | float):
        return choice == value
    return str(choice) == str(value)


def _frame(lesson: Lesson, position: int, step: Step, scope: Scope, done: Done) -> dict:
    cluster = scope.cluster
    highlights: list[str] = []
    hops: dict[str, list[int]] = {"hops": [], "reply": []}
    for item in step.highlight:
        if isinstance(item, dict) and "hops" in item:
            _hop_highlight(item["hops"], scope, hops)
            continue
        item = _filled(item, scope.env)
        for ident in refs.highlight_ids(cluster, item, lambda e: evaluate(e, scope)):
            if ident not in highlights:
                highlights.append(ident)
    trace = done.trace
    if trace is None and (hops["hops"] or hops["reply"]):
        trace = scope.trace
    prediction = step.predict
    return {
        "lesson": lesson.id,
        "position": position,
        "steps": len(lesson.steps),
        "title": step.title,
        "narration": fill(step.say, scope.env),
        "concept": step.concept,
        "highlights": highlights,
        "hops": hops["hops"],
        "replyHops": hops["reply"],
        "trace": trace,
        "prediction": None
        if prediction is None
        else {
            "question": fill(prediction.question, scope.env),
            "choices": [fill(c["label"], scope.env) for c in prediction.choices],
        },
        "check": None
        if step.check is None
        else {
            "task": fill(step.check.task, scope.env),
            "hint": fill(step.check.hint, scope.env),
        },
        "events": [
            {"step": e.step, "type": e.type, "actor": e.actor, "reason": e.reason}
            for e in done.events
        ],
        "output": done.outputs,
        "clusterStep": cluster.step_no,
        "time": round(cluster.time, 3),
    }


def _filled(item: Any, env: dict) -> Any:
    """Highlight ids and selectors may name remembered values: `nodes/{far_node}`."""
    if isinstance(item, str):
        return fill(item, env)
    if isinstance(item, list):
        return [_filled(i, env) for i in item]
    if isinstance(item, dict) and "var" not in item:
        return {k: _filled(v, env) for k, v in item.items()}
    return item


def _hop_highlight(arg: Any, scope: Scope, hops: dict[str, list[int]]) -> None:
    if scope.trace is None:
        raise StepError("highlights hops, but no packet trace has run yet")
    if arg == "all":
        hops["hops"] = list(range(len(scope.trace.get("hops") or [])))
        return
    if isinstance(arg, list) and all(isinstance(i, int) for i in arg):
        total = len(scope.trace.get("hops") or [])
        bad = [i for i in arg if not -total <= i < total]
        if bad:
            raise StepError(f"the trace has {total} hops; there is no hop {bad[0]}")
        hops["hops"] = [i % total for i in arg]
        return
    if not isinstance(arg, dict):
        raise StepError("highlight hops takes all, a list of indices or {where: …}")
    found = find_hops(scope.trace, resolve_where(scope, arg))
    if not found:
        raise StepError(f"no hop of the trace matches {arg}")
    hops["reply" if arg.get("in", "hops") != "hops" else "hops"] = found
