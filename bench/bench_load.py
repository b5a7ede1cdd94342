"""Load test: N websocket clients step and trace against one Daphne process.

    .venv/bin/python bench/bench_load.py                      # 300 clients, 300 s
    .venv/bin/python bench/bench_load.py --seconds 30         # the quick run
    .venv/bin/python bench/bench_load.py --clients 30 --per-session 30   # one class

It starts its own Daphne on 127.0.0.1 (a scratch SQLite database, the in-memory
channel layer, DEBUG off), opens one session per `--per-session` clients through the
home page, and runs every client in a closed loop: send `step` (or `back`, or every
`--trace-every`th time a `trace`), wait for the answer, think `--think` seconds,
repeat, until the time is up. It prints errors by code, disconnects, messages per
second, round-trip percentiles, and the server's RSS at the start, after the
sessions are made, every `--rss-every` seconds while the clients run, and at the
end, with the growth from `--warm-up` seconds to the last sample: "flat" is judged
by that figure. Then it stops the server (also on Ctrl-C). Extra environment
variables for the server (e.g. KUBEVIZ_MAX_MEMORY_MB) pass through from the caller.
Only loopback addresses are ever contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
LOOPBACK = "127.0.0.1"


@dataclass
class Tally:
    """What every client saw, added up."""

    sent: int = 0
    received: int = 0
    answered: int = 0
    errors: Counter = field(default_factory=Counter)
    disconnects: int = 0
    connect_failures: int = 0
    connect_reasons: Counter = field(default_factory=Counter)
    round_trips: list[float] = field(default_factory=list)
    trace_round_trips: list[float] = field(default_factory=list)


# --- the server -------------------------------------------------------------------
def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Server:
    """A Daphne process of our own; `stop()` is safe to call any number of times."""

    def __init__(self, workdir: Path, save_delay: float) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen | None = None
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kubeviz.settings",
            "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
            "DJANGO_SECRET_KEY": "kubeviz-bench-only",
            "DJANGO_DEBUG": "0",
            "REDIS_URL": "",
            "KUBEVIZ_SAVE_DELAY": str(save_delay),
            "KUBEVIZ_LOG_LEVEL": "WARNING",
        }

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def start(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )
        log = open(self.workdir / "daphne.log", "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(BIN / "daphne"),
                "-b",
                LOOPBACK,
                "-p",
                str(self.port),
                "kubeviz.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"daphne exited: see {self.workdir / 'daphne.log'}")
            with contextlib.suppress(OSError):
                socket.create_connection((LOOPBACK, self.port), timeout=0.2).close()
                return
            time.sleep(0.1)
        raise TimeoutError("daphne did not start listening within 30 s")

    def rss(self) -> float:
        return rss_mb(self.process.pid) if self.process else float("nan")

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


# --- the clients ------------------------------------------------------------------
def new_session(url: str) -> str:
    with urllib.request.urlopen(url + "/", timeout=60) as response:
        html = response.read().decode()
    return re.search(r'"sessionId":\s*"([A-Za-z0-9_-]+)"', html).group(1)


async def client(
    url: str, session_id: str, until: float, args: argparse.Namespace, tally: Tally
) -> None:
    """One browser tab: hello, then step/back/trace in a closed loop until `until`."""
    try:
        ws = await websockets.connect(
            url.replace("http", "ws", 1) + f"/ws/session/{session_id}/",
            origin=url,
            max_size=None,
            open_timeout=60,
            ping_interval=None,
        )
    except (OSError, websockets.WebSocketException, TimeoutError) as exc:
        tally.connect_failures += 1
        tally.connect_reasons[type(exc).__name__] += 1
        return
    try:
        await ws.send(json.dumps({"type": "hello", "lastSeq": None}))
        tally.sent += 1
        await answer(ws, {"snapshot", "delta", "ack"}, tally)
        n = 0
        while time.monotonic() < until:
            n += 1
            if args.trace_every and n % args.trace_every == 0:
                message = {"type": "trace", "from": "node/node-1", "to": args.trace_to}
                expect, times = {"trace", "error"}, tally.trace_round_trips
            else:
                message = {"type": "step" if n % 4 else "back"}
                expect, times = {"delta", "ack", "error"}, tally.round_trips
            started = time.perf_counter()
            await ws.send(json.dumps(message))
            tally.sent += 1
            await answer(ws, expect, tally)
            times.append(time.perf_counter() - started)
            tally.answered += 1
            if args.think:
                await asyncio.sleep(args.think)
    except websockets.ConnectionClosed:
        tally.disconnects += 1
    except TimeoutError:
        tally.errors["client-timeout"] += 1
    finally:
        with contextlib.suppress(Exception):
            await ws.close()


async def answer(ws, kinds: set[str], tally: Tally) -> dict:
    """Read frames (other viewers' deltas, status notes) until one of `kinds`."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 120))
        tally.received += 1
        if frame["type"] == "error":
            tally.errors[frame.get("code", "?")] += 1
        if frame["type"] in kinds:
            return frame


def percentiles(values: list[float]) -> str:
    if not values:
        return "n/a"
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000

    return (
        f"p50 {at(0.50):.1f} ms  p95 {at(0.95):.1f} ms  p99 {at(0.99):.1f} ms  "
        f"max {ordered[-1] * 1000:.1f} ms"
    )


async def sample_rss(
    server: Server,
    started: float,
    args: argparse.Namespace,
    tally: Tally,
    samples: list[tuple[float, float]],
) -> None:
    """The server's RSS every `--rss-every` seconds while the clients run."""
    tick = 1
    while True:
        await asyncio.sleep(
            max(0.0, started + tick * args.rss_every - time.monotonic())
        )
        at = time.monotonic() - started
        samples.append((at, server.rss()))
        print(
            f"  … {at:4.0f} s: {tally.answered} answered, "
            f"{sum(tally.errors.values())} errors, {tally.disconnects} disconnects, "
            f"RSS {samples[-1][1]:.0f} MB",
            flush=True,
        )
        tick += 1


def growth(samples: list[tuple[float, float]], after: float) -> str:
    """RSS growth from the first sample at or past `after` seconds to the last."""
    later = [(at, mb) for at, mb in samples if at >= after - 1]
    if len(later) < 2:
        return "n/a (too few samples)"
    (t0, first), (t1, last) = later[0], later[-1]
    return (
        f"{last - first:+.0f} MB from {t0:.0f} s to {t1:.0f} s "
        f"({first:.0f} → {last:.0f} MB)"
    )


async def run(args: argparse.Namespace, server: Server) -> int:
    rss = {"start": server.rss()}
    sessions = [
        new_session(server.url)
        for _ in range(max(1, -(-args.clients // args.per_session)))
    ]
    rss["sessions made"] = server.rss()
    tally = Tally()
    started = time.monotonic()
    until = started + args.seconds
    tasks = [
        asyncio.create_task(
            client(server.url, sessions[i // args.per_session], until, args, tally)
        )
        for i in range(args.clients)
    ]
    samples: list[tuple[float, float]] = []
    sampler = asyncio.create_task(sample_rss(server, started, args, tally, samples))
    await asyncio.gather(*tasks)
    sampler.cancel()
    elapsed = time.monotonic() - started
    rss["end"] = server.rss()

    print()
    print(
        f"clients {args.clients} on {len(sessions)} sessions for {args.seconds:g} s "
        f"(think {args.think:g} s, trace every {args.trace_every})"
    )
    print(f"  connect failures  {tally.connect_failures} {dict(tally.connect_reasons)}")
    print(f"  disconnects       {tally.disconnects}")
    print(f"  errors            {sum(tally.errors.values())} {dict(tally.errors)}")
    print(
        f"  messages/s        {tally.sent / elapsed:.0f} sent, "
        f"{tally.received / elapsed:.0f} received "
        f"({tally.answered} answered requests)"
    )
    print(f"  step/back round trip  {percentiles(tally.round_trips)}")
    print(f"  trace round trip      {percentiles(tally.trace_round_trips)}")
    print(
        "  server RSS        "
        + ", ".join(f"{name} {mb:.0f} MB" for name, mb in rss.items())
    )
    print(
        "  RSS samples       "
        + ", ".join(f"{at:.0f} s {mb:.0f}" for at, mb in samples)
        + " MB"
    )
    print(f"  RSS after warm-up {growth(samples, args.warm_up)}")
    if tally.round_trips:
        print(f"  mean step/back    {statistics.mean(tally.round_trips) * 1000:.1f} ms")
    failed = tally.connect_failures + tally.disconnects
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument(
        "--per-session", type=int, default=1, help="clients sharing one session"
    )
    parser.add_argument(
        "--think", type=float, default=0.2, help="seconds between a client's requests"
    )
    parser.add_argument(
        "--trace-every", type=int, default=10, help="every Nth request is a trace"
    )
    parser.add_argument("--trace-to", default="svc/default/web:80")
    parser.add_argument("--save-delay", type=float, default=1.0)
    parser.add_argument(
        "--rss-every", type=float, default=30.0, help="seconds between RSS samples"
    )
    parser.add_argument(
        "--warm-up",
        type=float,
        default=60.0,
        help="seconds after which RSS growth is measured (to the last sample)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kubeviz-load-") as workdir:
        server = Server(Path(workdir), args.save_delay)

        def interrupted(signum, frame):
            server.stop()
            raise SystemExit(130)

        signal.signal(signal.SIGTERM, interrupted)
        try:
            server.start()
            print(f"daphne pid {server.process.pid} on {server.url}", flush=True)
            return asyncio.run(run(args, server))
        except KeyboardInterrupt:
            return 130
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())
