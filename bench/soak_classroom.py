"""Soak: one classroom, N followers, a presenter stepping for D seconds.

    .venv/bin/python bench/soak_classroom.py                   # 300 followers, 300 s
    .venv/bin/python bench/soak_classroom.py --followers 50 --seconds 30

Starts its own Daphne on 127.0.0.1 (scratch SQLite, in-memory channel layer),
creates a classroom through the presenter's form, connects the followers, then has
the presenter send `step` every `--interval` seconds (the model is given enough
work to step the whole time). Every follower reads every frame. It prints, every
30 s and at the end: steps sent, frames each follower received (min/max), followers
that disconnected, and the server's RSS; then stops everything it started.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_fanout import (  # noqa: E402
    ROOT,
    Processes,
    Setup,
    kubeviz_env,
    start_classroom,
    start_daphne,
)
from bench_load import rss_mb  # noqa: E402


async def count_frames(ws, counts: list[int], index: int, closed: set[int]) -> None:
    try:
        async for message in ws:
            if '"delta"' in message[:40] or '"snapshot"' in message[:40]:
                counts[index] += 1
    except websockets.ConnectionClosed:
        pass
    closed.add(index)


async def soak(args: argparse.Namespace, procs: Processes, workdir: Path) -> int:
    import subprocess

    env = kubeviz_env(workdir)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = start_daphne(procs, env)
    server = procs.running[-1]
    code, token = start_classroom(port)
    url = f"ws://127.0.0.1:{port}/ws/classroom/{code}/"
    origin = f"http://127.0.0.1:{port}"
    steps_wanted = int(args.seconds / args.interval) + 50
    room = await Setup.open(
        "soak",
        url,
        url,
        origin,
        args.followers,
        f"kv_presenter_{code}={token}",
        replicas=min(1000, steps_wanted // 4),
    )
    counts = [0] * len(room.followers)
    closed: set[int] = set()
    readers = [
        asyncio.create_task(count_frames(ws, counts, i, closed))
        for i, ws in enumerate(room.followers)
    ]
    presenter_closed = False

    async def drain_presenter() -> None:
        nonlocal presenter_closed
        try:
            async for _ in room.presenter:
                pass
        except websockets.ConnectionClosed:
            pass
        presenter_closed = True

    drain = asyncio.create_task(drain_presenter())
    start = time.monotonic()
    rss = [rss_mb(server.pid)]
    sent = 0
    next_report = start + 30
    while time.monotonic() - start < args.seconds and not presenter_closed:
        await room.presenter.send(json.dumps({"type": "step"}))
        sent += 1
        await asyncio.sleep(args.interval)
        if time.monotonic() >= next_report:
            next_report += 30
            rss.append(rss_mb(server.pid))
            print(
                f"{time.monotonic() - start:5.0f} s: {sent} steps sent, frames per"
                f" follower {min(counts)}..{max(counts)}, disconnected {len(closed)},"
                f" RSS {rss[-1]:.0f} MB",
                flush=True,
            )
    await asyncio.sleep(2)
    rss.append(rss_mb(server.pid))
    print(
        f"end: {args.followers} followers, {args.seconds:g} s, {sent} steps sent;"
        f" frames per follower {min(counts)}..{max(counts)};"
        f" disconnected {len(closed)}; presenter closed {presenter_closed};"
        f" RSS {' → '.join(f'{r:.0f}' for r in rss)} MB"
    )
    for task in [*readers, drain]:
        task.cancel()
    await room.close()
    return 0 if not closed and not presenter_closed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--interval", type=float, default=0.5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with open(Path(tmp) / "servers.log", "wb") as log:
            procs = Processes(log)
            try:
                return asyncio.run(soak(args, procs, Path(tmp)))
            finally:
                procs.stop_all()


if __name__ == "__main__":
    sys.exit(main())
