"""Redis stops under a classroom on two processes: how soon does every tab see frames?

    .venv/bin/python bench/bench_redis_outage.py                    # 20 s outage
    .venv/bin/python bench/bench_redis_outage.py --followers 60 --outage 30

Starts its own redis-server and a throwaway PostgreSQL (the test suite's
`RedisServer` and `PostgresServer`, tests/conftest.py), and two Daphne processes on
them, as docs/deploy.md runs a school. A classroom is made on A; its presenter is on
A and a second presenter tab on B; the followers are spread over A and B. The
presenter sends `step` every `--interval` seconds the whole time (controls sent
while Redis is down are answered `unavailable`). After `--warm-up` seconds Redis is
stopped for `--outage` seconds and started again, empty.

It prints, for every tab, the seconds from Redis returning to its first frame (delta
or snapshot) of a step it had not seen, their median and maximum, the tabs that had
none within `--deadline` seconds, the tabs whose socket closed, how many were told
the classroom waits (`classroom.held`) and goes on (`classroom.resumed`), and
whether Redis holds every group of the classroom again. Exit status 1 if a tab took
longer than 10 s or closed. It contacts nothing but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from bench_fanout import (  # noqa: E402
    WORK,
    Processes,
    kubeviz_env,
    start_classroom,
    start_daphne,
)

from tests.conftest import PostgresServer, RedisServer  # noqa: E402

TARGET = 10.0  # seconds: the promise in docs/security.md


class Tab:
    """One classroom tab that records when frames and notes arrive."""

    def __init__(self, name: str, ws) -> None:
        self.name = name
        self.ws = ws
        self.frames: list[tuple[float, int]] = []  # (monotonic time, step)
        self.notes: list[str] = []
        self.closed_at: float | None = None

    async def read(self) -> None:
        try:
            async for text in self.ws:
                message = json.loads(text)
                kind = message["type"]
                if kind == "delta":
                    self.frames.append((time.monotonic(), message["step"]))
                elif kind == "snapshot":
                    self.frames.append((time.monotonic(), message["state"]["step"]))
                elif kind == "event":
                    self.notes.append(message["event"].get("type", ""))
        except websockets.ConnectionClosed:
            pass
        self.closed_at = time.monotonic()

    def last_step_before(self, moment: float) -> int:
        steps = [step for at, step in self.frames if at <= moment]
        return max(steps, default=-1)

    def first_new_frame_after(self, moment: float, seen: int) -> float | None:
        for at, step in self.frames:
            if at > moment and step > seen:
                return at - moment
        return None


async def open_tab(name: str, url: str, origin: str, cookie: str | None) -> Tab:
    headers = {"Cookie": cookie} if cookie else None
    ws = await websockets.connect(
        url, origin=origin, additional_headers=headers, max_size=None
    )
    await ws.send(json.dumps({"type": "hello", "lastSeq": None}))
    return Tab(name, ws)


async def present(tab: Tab, interval: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            await tab.ws.send(json.dumps({"type": "step"}))
        except websockets.ConnectionClosed:
            return
        await asyncio.sleep(interval)


async def run(args: argparse.Namespace, procs: Processes, workdir: Path) -> int:
    redis = RedisServer(workdir / "redis")
    redis.workdir.mkdir()
    redis.start()
    postgres = PostgresServer(Path(tempfile.mkdtemp(prefix="kubeviz-postgres-")))
    try:
        postgres.start()
        env = {
            **kubeviz_env(workdir, redis.url),
            "DATABASE_URL": postgres.new_database(),
        }
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        ports = [start_daphne(procs, env), start_daphne(procs, env)]
        return await measure(args, redis, ports)
    finally:
        procs.stop_all()
        redis.stop()
        postgres.stop()
        shutil.rmtree(postgres.folder, ignore_errors=True)


async def measure(args: argparse.Namespace, redis: RedisServer, ports) -> int:
    code, token = start_classroom(ports[0])
    cookie = f"kv_presenter_{code}={token}"

    def url(port: int) -> str:
        return f"ws://127.0.0.1:{port}/ws/classroom/{code}/"

    def origin(port: int) -> str:
        return f"http://127.0.0.1:{port}"

    presenter = await open_tab(
        "presenter on A", url(ports[0]), origin(ports[0]), cookie
    )
    # Enough work for the presenter to step the whole time.
    steps = int((args.warm_up + args.outage + args.deadline) / args.interval) + 50
    yaml = WORK.replace("REPLICAS", str(min(1000, steps // 4)))
    await presenter.ws.send(json.dumps({"type": "apply_manifest", "yaml": yaml}))
    tabs = [
        presenter,
        await open_tab("presenter on B", url(ports[1]), origin(ports[1]), cookie),
    ]
    for index in range(args.followers):
        port = ports[index % 2]
        side = "AB"[index % 2]
        tabs.append(
            await open_tab(f"follower {index} on {side}", url(port), origin(port), None)
        )
    readers = [asyncio.create_task(tab.read()) for tab in tabs]
    stop = asyncio.Event()
    stepping = asyncio.create_task(present(presenter, args.interval, stop))

    await asyncio.sleep(args.warm_up)
    print(f"{len(tabs)} tabs; stopping Redis for {args.outage:g} s", flush=True)
    redis.stop()
    stopped_at = time.monotonic()
    await asyncio.sleep(args.outage)
    redis.start()
    back_at = time.monotonic()
    print("Redis is back (empty)", flush=True)
    await asyncio.sleep(args.deadline)
    stop.set()
    await stepping

    groups = {
        suffix: redis.command("ZCARD", f"asgi:group:classroom.{code}{suffix}")
        for suffix in ("", ".all", ".owner")
    }
    for tab in tabs:
        await tab.ws.close()
    await asyncio.gather(*readers, return_exceptions=True)

    waits, late, closed = [], [], []
    for tab in tabs:
        if tab.closed_at is not None and tab.closed_at < back_at + args.deadline:
            closed.append(tab.name)
        wait = tab.first_new_frame_after(back_at, tab.last_step_before(back_at))
        if wait is None:
            late.append(tab.name)
        else:
            waits.append(wait)
    held = sum("classroom.held" in tab.notes for tab in tabs)
    resumed = sum("classroom.resumed" in tab.notes for tab in tabs)
    frames_during = sum(
        1 for tab in tabs for at, _ in tab.frames if stopped_at + 1 < at < back_at
    )
    print(f"tabs: {len(tabs)} (2 presenters, {args.followers} followers, 2 processes)")
    if waits:
        print(
            "seconds from Redis returning to each tab's next frame: "
            f"median {statistics.median(waits):.1f}, max {max(waits):.1f}"
        )
    print(f"tabs with no new frame within {args.deadline:g} s: {len(late)} {late[:5]}")
    print(f"tabs whose socket closed: {len(closed)} {closed[:5]}")
    print(f"frames during the outage: {frames_during}")
    print(f"told it waits / goes on: {held} / {resumed} of {len(tabs)}")
    print(
        f"Redis group members after: frames {groups['']} (one relay per process), "
        f"notices {groups['.all']}, owner {groups['.owner']}"
    )
    slow = [w for w in waits if w > TARGET]
    return 1 if late or closed or slow else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--followers", type=int, default=30)
    parser.add_argument("--outage", type=float, default=20.0)
    parser.add_argument("--warm-up", type=float, default=5.0)
    parser.add_argument("--deadline", type=float, default=30.0)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        with open(workdir / "servers.log", "wb") as log:
            procs = Processes(log)
            status = asyncio.run(run(args, procs, workdir))
    sys.exit(status)


if __name__ == "__main__":
    main()
