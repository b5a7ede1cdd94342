"""Run a script of kubectl commands and simulator verbs against a fresh cluster.

    python -m simulation [--nodes N] [--seed S] [--platform P] [--cni C] [--json] SCRIPT

SCRIPT is a file, or `-` for standard input. Each line is `kubectl …` (a
here-document spans lines up to its terminator) or `sim VERB …` (settle, step,
advance, fail-node, restore-node, kill-pod, crash, load, trace, iptables-save,
routes, conntrack, neigh, fdb, set). Writes go through `Cluster.act`, so each is a
recorded step.
The exit status is 1 when any command failed. See docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from dataclasses import fields
from pathlib import Path

from . import Cluster
from .config import CNI_MODES, PLATFORMS
from .errors import SimulationError, UsageError
from .kubectl import inline_files
from .kubectl.script import Command, split
from .network import tables

MAX_STEPS = 100_000
UNITS = {"s": 1, "m": 60, "h": 3600}


def read_path(path: str) -> str:
    """What `kubectl -f PATH` reads: a file, or a directory's manifests in order."""
    p = Path(path)
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.suffix in (".yaml", ".yml", ".json"))
        return "\n---\n".join(f.read_text(encoding="utf-8") for f in files)
    if not p.is_file():
        raise UsageError(f'error: the path "{path}" does not exist')
    return p.read_text(encoding="utf-8")


def duration(text: str) -> float:
    """`90s`, `5m`, `1h`, `2m30s` or a plain number of seconds."""
    total, number = 0.0, ""
    for ch in text:
        if ch.isdigit() or ch == ".":
            number += ch
        elif ch in UNITS and number:
            total, number = total + float(number) * UNITS[ch], ""
        else:
            raise UsageError(f"error: invalid duration {text!r} (try 90s, 5m or 1h)")
    if number:
        total += float(number)
    return total


def _events(events) -> str:
    return "\n".join(
        f"step {e.step} t={e.time:.1f}s {e.actor}: {e.reason}" for e in events
    )


def _act(cluster: Cluster, action: dict) -> dict:
    result = cluster.act(action)
    record = {"ok": result.ok, "output": result.output, "error": result.error}
    if result.trace is not None:
        record["trace"] = result.trace
    if result.event is not None:
        record["summary"] = result.event.reason
    return record


def _one(words: list[str], n: int, usage: str) -> list[str]:
    if len(words) != n:
        raise UsageError(f"error: usage: sim {usage}")
    return words


def sim(cluster: Cluster, words: list[str]) -> dict:
    """Carry out one `sim VERB …` line."""
    verb, args = (words[0], words[1:]) if words else ("", [])
    if verb == "settle":
        events = cluster.settle(max_steps=MAX_STEPS)
        text = f"settled after {len(events)} steps: step {cluster.step_no},"
        return {"ok": True, "output": f"{text} t={cluster.time:.1f}s"}
    if verb == "step":
        if len(args) > 1 or (args and not args[0].isdigit()):
            raise UsageError("error: usage: sim step [N]")
        count = int(args[0]) if args else 1
        events = [e for _ in range(min(count, MAX_STEPS)) if (e := cluster.step())]
        return {"ok": True, "output": _events(events) or "nothing left to do"}
    if verb in ("back", "seek"):
        if (
            len(args) > 1
            or (args and not args[0].isdigit())
            or (verb == "seek" and not args)
        ):
            raise UsageError(
                f"error: usage: sim {verb} {'[N]' if verb == 'back' else 'N'}"
            )
        if verb == "back":
            cluster.back(int(args[0]) if args else 1)
        else:
            cluster.seek(int(args[0]))
        text = f"at step {cluster.step_no} of {cluster.history.horizon}"
        return {"ok": True, "output": f"{text}, t={cluster.time:.1f}s"}
    if verb == "advance":
        (amount,) = _one(args, 1, "advance 90s|5m|1h")
        events = cluster.run(until=cluster.time + duration(amount))
        text = f"advanced to t={cluster.time:.1f}s: {len(events)} steps"
        return {"ok": True, "output": f"{text} (now step {cluster.step_no})"}
    if verb in ("fail-node", "restore-node"):
        (node,) = _one(args, 1, f"{verb} NODE")
        return _act(cluster, {"op": verb.replace("-", "_"), "node": node})
    if verb == "kill-pod":
        (pod,) = _one(args, 1, "kill-pod [NAMESPACE/]POD")
        return _act(cluster, {"op": "kill_pod", "pod": pod})
    if verb == "crash":
        if len(args) not in (1, 2):
            raise UsageError("error: usage: sim crash [NAMESPACE/]POD [CONTAINER]")
        action = {"op": "crash_container", "pod": args[0]}
        if len(args) == 2:
            action["container"] = args[1]
        return _act(cluster, action)
    if verb == "load":
        deploy, cores = _one(args, 2, "load DEPLOYMENT CORES")
        try:
            amount = float(cores)
        except ValueError:
            raise UsageError(f"error: CORES must be a number, not {cores!r}") from None
        return _act(cluster, {"op": "load", "deployment": deploy, "cores": amount})
    if verb == "trace":
        source, target = _one(args, 2, "trace FROM TO")
        record = _act(cluster, {"op": "trace", "from": source, "to": target})
        if record["ok"] and record.get("trace"):
            record["output"] = _trace_table(record["trace"])
        return record
    if verb in tables.VERBS:
        return {"ok": True, "output": tables.read(cluster.network, [verb, *args])}
    if verb == "set":
        return _act(cluster, _setting(args))
    raise UsageError(
        f"error: unknown simulator verb {verb!r} (settle, step, advance, back, seek,"
        " fail-node,"
        " restore-node, kill-pod, crash, load, trace, iptables-save, routes,"
        " conntrack, neigh, fdb, set)"
    )


def _trace_table(data: dict) -> str:
    """The network model's hop table for a trace given as its to_dict()."""
    # Deferred: importing simulation.network loads networkx (a quarter of a
    # second), which a script without traces does without.
    from .network.text import trace_table
    from .network.trace import TraceResult

    known = {f.name for f in fields(TraceResult)}
    result = TraceResult(**{k: v for k, v in data.items() if k in known})
    return trace_table(result).rstrip("\n")


def _setting(args: list[str]) -> dict:
    if len(args) != 2:
        raise UsageError(
            "error: usage: sim set cni|platform|proxy-mode|nodeport-addresses|nodes "
            "VALUE"
        )
    key, value = args
    keys = {"cni": "cni", "platform": "platform", "proxy-mode": "proxyMode"}
    if key == "nodeport-addresses":  # CIDR[,CIDR…], or "all" (kube-proxy's default)
        cidrs = [] if value == "all" else [c for c in value.split(",") if c]
        return {"op": "set", "nodePortAddresses": cidrs}
    if key == "nodes":
        if not value.isdigit():
            raise UsageError("error: nodes must be a whole number")
        return {"op": "set", "nodes": int(value)}
    if key not in keys:
        raise UsageError(
            f"error: unknown setting {key!r} ({', '.join(keys)}, nodeport-addresses, "
            "nodes)"
        )
    return {"op": "set", keys[key]: value}


def run_command(cluster: Cluster, command: Command) -> dict:
    """Run one script command; the record always has command/ok/output/error."""
    text = command.text
    record = {"command": text, "line": command.line}
    try:
        words = text.split()
        if words and words[0] == "sim":
            done = sim(cluster, shlex.split(command.first_line)[1:])
        elif words and words[0] == "kubectl":
            done = _act(cluster, {"op": "kubectl", "command": inline(text)})
        else:
            raise UsageError(
                f"error: unknown command {words[0]!r}: lines start with `kubectl`"
                " or `sim`"
            )
    except (SimulationError, ValueError) as exc:
        done = {"ok": False, "output": "", "error": str(exc)}
    record.update({"output": "", "error": None, **done})
    record.update(step=cluster.step_no, time=round(cluster.time, 3))
    return record


def inline(text: str) -> str:
    return inline_files(text, read_path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulation",
        description="Run kubectl commands and simulator verbs against a simulated"
        " cluster.",
        epilog="Script lines: `kubectl …` (a here-document spans lines) or `sim VERB`:"
        " settle, step [N], advance 90s|5m, back [N], seek N, fail-node NODE,"
        " restore-node NODE,"
        " kill-pod POD, crash POD [CONTAINER], load DEPLOYMENT CORES, trace FROM TO,"
        " iptables-save NODE, routes NODE, conntrack NODE, set cni|platform|nodes V."
        " Exit status 1 when any line failed. See docs/cli.md.",
    )
    parser.add_argument("--nodes", type=int, default=2, help="worker nodes (2)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (0)")
    parser.add_argument("--platform", choices=PLATFORMS, default="bare-metal")
    parser.add_argument("--cni", choices=CNI_MODES, default="overlay")
    parser.add_argument("--json", action="store_true", help="one JSON object a line")
    parser.add_argument(
        "--stop-on-error", action="store_true", help="stop at the first failure"
    )
    parser.add_argument("script", help="a script file, or - for standard input")
    opts = parser.parse_args(argv)
    try:
        script = (
            sys.stdin.read()
            if opts.script == "-"
            else Path(opts.script).read_text(encoding="utf-8")
        )
    except OSError as exc:
        print(f"error: cannot read {opts.script}: {exc.strerror}", file=sys.stderr)
        return 2
    try:
        cluster = Cluster(
            seed=opts.seed, nodes=opts.nodes, platform=opts.platform, cni=opts.cni
        )
    except SimulationError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    failed = False
    for command in split(script):
        record = run_command(cluster, command)
        failed = failed or not record["ok"]
        if opts.json:
            print(json.dumps(record, sort_keys=True))
        else:
            print(_transcript(record))
        sys.stdout.flush()
        if failed and opts.stop_on_error:
            break
    return 1 if failed else 0


def _transcript(record: dict) -> str:
    """The command as a terminal echoes it (`> ` for here-document lines), then
    its output or error."""
    first, *rest = record["command"].split("\n")
    lines = [f"$ {first}", *(f"> {line}" for line in rest)]
    if record["ok"]:
        text = record["output"]
    else:  # kubectl prints what it did write (stdout), then the errors (stderr)
        text = "\n".join(p for p in (record.get("output"), record["error"]) if p)
    if text:
        lines.append(text)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
