"""The two interactive parts of a step: a prediction to answer and a task to check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import expressions, script
from .errors import StepError

PREDICT = {"question", "choices", "answer", "why", "at"}
CHECK_OWN = {"task", "hint", "solution"}
CHECK_COMPARE = {"that", "equals", "at_least", "at_most"}
CHECK_SUBJECTS = {"deployment", "service", "node", "pod"}


@dataclass(frozen=True)
class Prediction:
    question: str
    choices: tuple[dict, ...]  # {label, value, why?}
    answer: Any
    why: str
    at: str  # "next" (what the next step shows) or "now"


@dataclass(frozen=True)
class Check:
    task: str
    hint: str
    conditions: tuple[tuple[Any, str, Any], ...]  # (expression, comparison, value)
    solution: tuple[Any, ...]


def parse_prediction(raw: Any, last: bool) -> Prediction:
    if not isinstance(raw, dict):
        raise StepError("`predict` needs question, choices, answer and why")
    unknown = sorted(set(raw) - PREDICT)
    if unknown:
        raise StepError(f"`predict` has unknown field(s) {', '.join(unknown)}")
    for key in ("question", "why"):
        if not isinstance(raw.get(key), str):
            raise StepError(f"`predict` needs `{key}` (text)")
    if "answer" not in raw:
        raise StepError("`predict` needs an `answer` computed from the model")
    at = raw.get("at", "next")
    if at not in ("next", "now"):
        raise StepError("`predict.at` is `next` (default) or `now`")
    if at == "next" and last:
        raise StepError("the last step's prediction has no next step to reveal it")
    expressions.check(raw["answer"], at_now=at == "now")
    choices = raw.get("choices")
    if not isinstance(choices, list) or len(choices) < 2:
        raise StepError("`predict.choices` lists two or more choices")
    parsed = []
    for c in choices:
        label = c.get("label") if isinstance(c, dict) else c
        if isinstance(label, bool) or label is None:
            raise StepError(
                f"choice label {label!r} is not text: YAML reads Yes, No, on, off"
                " and null as other values, so put the label in quotes"
            )
        if isinstance(c, dict):
            if "label" not in c:
                raise StepError(f"choice {c!r} needs a `label`")
            if "value" not in c:
                raise StepError(f"choice {c['label']!r} needs a `value`")
            expressions.check(c["value"], at_now=at == "now")
            parsed.append({**c, "label": str(c["label"])})
        else:
            parsed.append({"label": str(c), "value": c})
    labels = [c["label"] for c in parsed]
    if len(set(labels)) != len(labels):
        raise StepError("two choices have the same label")
    return Prediction(
        question=" ".join(raw["question"].split()),
        choices=tuple(parsed),
        answer=raw["answer"],
        why=" ".join(raw["why"].split()),
        at=at,
    )


def parse_check(raw: Any, folder: Path) -> Check:
    if not isinstance(raw, dict) or not isinstance(raw.get("task"), str):
        raise StepError("`check` needs a `task` for the learner")
    if not isinstance(raw.get("solution"), list) or not raw["solution"]:
        raise StepError("`check` needs a `solution` (actions that pass it)")
    solution = [script.with_files(item, folder) for item in raw["solution"]]
    for item in solution:
        script.parse_item(item)
    rest = {k: v for k, v in raw.items() if k not in CHECK_OWN}
    conditions = []
    if "that" in rest:
        unknown = sorted(set(rest) - CHECK_COMPARE)
        if unknown:
            raise StepError(f"`check` has unknown field(s) {', '.join(unknown)}")
        expressions.check(rest["that"])
        for cmp in ("equals", "at_least", "at_most"):
            if cmp in rest:
                conditions.append((rest["that"], cmp, rest[cmp]))
        if not conditions:
            raise StepError("`check.that` needs equals, at_least or at_most")
    else:
        subjects = sorted(set(rest) & CHECK_SUBJECTS)
        if len(subjects) != 1:
            raise StepError(
                "`check` names one deployment, service, node or pod and what it"
                " must be (e.g. {deployment: web, ready_replicas: 5}), or uses"
                " `that` with an expression"
            )
        subject = rest.pop(subjects[0])
        if subjects[0] == "pod" and isinstance(subject, dict) and "pod" not in subject:
            subject = {"pod": subject}
        if not rest:
            raise StepError("`check` says nothing about its subject")
        for attribute, value in rest.items():
            expr = {attribute: subject}
            expressions.check(expr)
            conditions.append((expr, "equals", value))
    return Check(
        task=" ".join(raw["task"].split()),
        hint=" ".join(str(raw.get("hint", "")).split()),
        conditions=tuple(conditions),
        solution=tuple(solution),
    )
