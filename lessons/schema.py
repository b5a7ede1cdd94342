"""The lesson file format, read and checked before anything runs.

A lesson is YAML written without code: a title, a goal, the cluster to start from,
and ordered steps that `do` things, `say` what happened, `highlight` objects, ask
the learner to `predict`, or `check` what the learner did in a sandbox. See
docs/lessons.md for the whole format with examples.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import expressions, script
from .errors import LessonError, StepError
from .questions import Check, Prediction, parse_check, parse_prediction
from .refs import COLLECTIONS, POD_REF_KEYS, SINGULAR

TOP = {"title", "goal", "minutes", "concepts", "cluster", "steps"}
CLUSTER = {"nodes", "platform", "cni", "seed", "proxyMode", "manifests"}
STEP = {"title", "do", "say", "concept", "highlight", "predict", "check"}
STEP |= {"remember", "expect"}
HIGHLIGHT_KEYS = {"component", "pod", "var", "hops", "namespace"}
HIGHLIGHT_KEYS |= set(COLLECTIONS) | set(SINGULAR) | POD_REF_KEYS


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as error messages and docs count
    title: str
    say: str
    concept: str
    do: tuple[Any, ...] = ()
    highlight: tuple[Any, ...] = ()
    remember: dict = field(default_factory=dict)
    expect: tuple[Any, ...] = ()
    predict: Prediction | None = None
    check: Check | None = None


@dataclass(frozen=True)
class Lesson:
    id: str
    file: str
    title: str
    goal: str
    minutes: int
    concepts: tuple[str, ...]
    cluster: dict
    steps: tuple[Step, ...]


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice (YAML would keep the last)."""


def _mapping(loader: _StrictLoader, node: yaml.MappingNode) -> dict:
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"the key {key!r} is given twice", key_node.start_mark
            )
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def read(path: Path) -> Lesson:
    """Parse and statically check one lesson file (running it is compile's job)."""
    name = path.name
    try:
        data = yaml.load(path.read_text(), Loader=_StrictLoader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise LessonError(name, f"is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise LessonError(name, "must be a mapping with title, goal, cluster, steps")
    _known(name, None, "the lesson", data, TOP)
    for key in ("title", "goal"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise LessonError(name, f"needs a `{key}` (text)")
    minutes = data.get("minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool) or minutes < 1:
        raise LessonError(name, "needs `minutes`, a whole number >= 1")
    concepts = data.get("concepts")
    if not isinstance(concepts, list) or not all(isinstance(c, str) for c in concepts):
        raise LessonError(name, "needs `concepts`, a list of names")
    folder = path.parent
    cluster = _cluster(name, data.get("cluster") or {}, folder)
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise LessonError(name, "needs `steps`, a non-empty list")
    steps = []
    for i, raw in enumerate(raw_steps, start=1):
        try:
            steps.append(_step(i, raw, set(concepts), i == len(raw_steps), folder))
        except StepError as exc:
            raise LessonError(name, str(exc), step=i) from None
    return Lesson(
        id=path.stem,
        file=name,
        title=data["title"].strip(),
        goal=data["goal"].strip(),
        minutes=minutes,
        concepts=tuple(concepts),
        cluster=cluster,
        steps=tuple(steps),
    )


def _known(file: str, step: int | None, what: str, data: dict, allowed: set) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise LessonError(
            file,
            f"{what} has unknown field(s) {', '.join(unknown)}"
            f" (allowed: {', '.join(sorted(allowed))})",
            step=step,
        )


def _cluster(file: str, data: Any, folder: Path) -> dict:
    if not isinstance(data, dict):
        raise LessonError(file, "`cluster` must be a mapping")
    _known(file, None, "`cluster`", data, CLUSTER)
    manifests = data.get("manifests") or []
    if not isinstance(manifests, list):
        raise LessonError(file, "`cluster.manifests` must be a list")
    try:
        texts = tuple(script.manifest_text(m, folder) for m in manifests)
    except StepError as exc:
        raise LessonError(file, f"cluster.manifests: {exc}") from None
    return {
        "seed": data.get("seed", 1),
        "nodes": data.get("nodes", 2),
        "platform": data.get("platform", "bare-metal"),
        "cni": data.get("cni", "overlay"),
        "proxyMode": data.get("proxyMode", "iptables"),
        "manifests": texts,
    }


def _step(number: int, raw: Any, concepts: set[str], last: bool, folder: Path) -> Step:
    if not isinstance(raw, dict):
        raise StepError("a step must be a mapping with at least `say` and `concept`")
    unknown = sorted(set(raw) - STEP)
    if unknown:
        raise StepError(f"unknown field(s) {', '.join(unknown)}")
    if not isinstance(raw.get("say"), str) or not raw["say"].strip():
        raise StepError("needs `say`: the narration for the learner")
    concept = raw.get("concept")
    if concept not in concepts:
        raise StepError(
            f"`concept` {concept!r} is not one of the lesson's concepts"
            f" ({', '.join(sorted(concepts))})"
        )
    do = [script.with_files(item, folder) for item in _list(raw.get("do"))]
    for item in do:
        script.parse_item(item)
    highlight = _list(raw.get("highlight"))
    for item in highlight:
        _check_highlight(item)
    remember = raw.get("remember") or {}
    if not isinstance(remember, dict):
        raise StepError("`remember` maps names to expressions")
    for expr in remember.values():
        expressions.check(expr)
    expect = _list(raw.get("expect"))
    expressions.check(expect)
    predict = parse_prediction(raw["predict"], last) if "predict" in raw else None
    check = parse_check(raw["check"], folder) if "check" in raw else None
    if predict and check:
        raise StepError("a step either asks a prediction or checks a task, not both")
    return Step(
        number=number,
        title=str(raw.get("title") or ""),
        say=" ".join(raw["say"].split()),
        concept=concept,
        do=tuple(do),
        highlight=tuple(highlight),
        remember=dict(remember),
        expect=tuple(expect),
        predict=predict,
        check=check,
    )


def _list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _check_highlight(item: Any) -> None:
    if isinstance(item, str):
        if item.split("/")[0] not in set(COLLECTIONS) | {"components"}:
            raise StepError(f"highlight {item!r} is not an id like pods/NS/NAME")
        return
    if not isinstance(item, dict) or not item:
        raise StepError(f"highlight {item!r} is neither an id nor a selector")
    unknown = set(item) - HIGHLIGHT_KEYS
    if unknown:
        raise StepError(f"highlight {item!r}: unknown kind(s) {sorted(unknown)}")
