"""What a lesson step `do`es to its cluster: the model's own actions, plus time.

Every item is one small dict, `{kill_pod: {pod: {app: web}}}`, or a bare word
(`settle`). Actions go through `Cluster.act`, so they are recorded and replayed
exactly as a learner's would be; `settle`, `advance`, `step` and `until` only let
the model run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import StepError
from .expressions import Scope, evaluate
from .text import fill

if TYPE_CHECKING:
    from simulation.cluster import Cluster
    from simulation.events import Event

DATA = Path(__file__).resolve().parent / "data"
ACTIONS = {
    "apply",
    "kubectl",
    "fail_node",
    "restore_node",
    "kill_pod",
    "crash_container",
    "set",
    "trace",
    "load",
}
TIME = {"settle", "advance", "step", "until"}
OPS = ACTIONS | TIME
MAX_UNTIL = 5000
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)\s*(s|m)?$")


@dataclass
class Done:
    """What a step's actions left behind for the learner to see."""

    events: list[Event] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    trace: dict | None = None


def parse_item(item: Any) -> tuple[str, Any]:
    """(op, argument) of one `do` item, or a StepError saying what is wrong."""
    if isinstance(item, str):
        op, arg = item, None
    elif isinstance(item, dict) and len(item) == 1:
        ((op, arg),) = item.items()
    else:
        raise StepError(f"each `do` item is one action like {{settle: true}}: {item!r}")
    if op not in OPS:
        raise StepError(f"unknown action {op!r} (known: {', '.join(sorted(OPS))})")
    if op in ("advance",):
        seconds(arg)
    if op == "step" and (not isinstance(arg, int) or isinstance(arg, bool) or arg < 1):
        raise StepError("`step` takes a whole number of steps >= 1")
    if op == "until" and (not isinstance(arg, dict) or "event" not in arg):
        raise StepError("`until` takes {event: TYPE, actor?, node?, max_steps?}")
    if op == "apply":
        manifest_text(arg)
    return op, arg


def seconds(arg: Any) -> float:
    if isinstance(arg, int | float) and not isinstance(arg, bool):
        return float(arg)
    m = _DURATION.match(str(arg).strip())
    if not m:
        raise StepError(f"`advance` takes a duration like 90s or 5m, not {arg!r}")
    return float(m.group(1)) * (60 if m.group(2) == "m" else 1)


def manifest_text(arg: Any, folder: Path = DATA) -> str:
    """Inline YAML, or `{file: manifests/x.yaml}` beside the lesson file."""
    if isinstance(arg, str):
        return arg
    if isinstance(arg, dict) and set(arg) == {"file"}:
        base = folder.resolve()
        path = (base / str(arg["file"])).resolve()
        if base not in path.parents or not path.is_file():
            raise StepError(f"manifest file {arg['file']!r} is not in {base.name}/")
        return path.read_text()
    raise StepError("`apply` takes inline YAML text or {file: manifests/NAME.yaml}")


def with_files(item: Any, folder: Path) -> Any:
    """An `apply: {file: …}` item with the file's text read in (others unchanged)."""
    if isinstance(item, dict) and set(item) == {"apply"}:
        return {"apply": manifest_text(item["apply"], folder)}
    return item


def _value(arg: Any, scope: Scope) -> Any:
    if isinstance(arg, str):
        return fill(arg, scope.env)
    return evaluate(arg, scope)


def perform(cluster: Cluster, item: Any, scope: Scope, done: Done) -> None:
    op, arg = parse_item(item)
    if op in TIME:
        done.events += _run_time(cluster, op, arg, scope.env)
        return
    action = _action(op, arg, scope)
    result = cluster.act(action)
    if not result.ok:
        raise StepError(f"{op} failed: {result.error}")
    if result.output:
        done.outputs.append(result.output)
    if result.event is not None:
        done.events.append(result.event)
    if result.trace is not None:
        done.trace = result.trace
        scope.trace = result.trace


def _action(op: str, arg: Any, scope: Scope) -> dict:
    if op == "apply":
        return {"op": "apply", "yaml": manifest_text(arg)}
    if op == "kubectl":
        return {"op": "kubectl", "command": _value(arg, scope)}
    if op in ("fail_node", "restore_node"):
        return {"op": op, "node": _value(arg, scope)}
    if op == "kill_pod":
        return {"op": op, "pod": _value(arg, scope)}
    if op == "crash_container":
        if not isinstance(arg, dict) or "pod" not in arg:
            raise StepError("crash_container takes {pod: REF, container?: NAME}")
        action = {"op": op, "pod": _value(arg["pod"], scope)}
        if "container" in arg:
            action["container"] = arg["container"]
        return action
    if op == "set":
        if not isinstance(arg, dict):
            raise StepError("set takes {cni|proxyMode|platform|nodes: VALUE}")
        return {"op": "set", **arg}
    if op == "trace":
        if not isinstance(arg, dict) or set(arg) != {"from", "to"}:
            raise StepError("trace takes {from: SOURCE, to: DESTINATION}")
        return {
            "op": "trace",
            "from": _value(arg["from"], scope),
            "to": _value(arg["to"], scope),
        }
    if not isinstance(arg, dict):
        raise StepError("load takes {deployment: NS/NAME, cores: NUMBER}")
    return {"op": "load", **arg}


def _run_time(cluster: Cluster, op: str, arg: Any, env: dict) -> list[Event]:
    if op == "settle":
        return cluster.settle()
    if op == "advance":
        return cluster.run(until=cluster.time + seconds(arg))
    if op == "step":
        events = []
        for _ in range(arg):
            event = cluster.step()
            if event is None:
                raise StepError(f"the model ran out of work after {len(events)} steps")
            events.append(event)
        return events
    if "object" in arg:
        arg = {**arg, "object": fill(str(arg["object"]), env)}
    limit = arg.get("max_steps", MAX_UNTIL)
    events = []
    while len(events) < limit:
        event = cluster.step()
        if event is None:
            break
        events.append(event)
        if _matches(event, arg):
            return events
    raise StepError(
        f"`until` {arg} never happened within {len(events)} steps of the model"
    )


def _matches(event: Event, want: dict) -> bool:
    if event.type != want["event"]:
        return False
    if "actor" in want and event.actor != want["actor"]:
        return False
    if "node" in want and event.node != want["node"]:
        return False
    return "object" not in want or any(want["object"] in o for o in event.objects)
