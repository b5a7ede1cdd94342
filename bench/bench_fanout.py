"""One presenter step reaching many classroom followers, against a bare broadcast.

Run: .venv/bin/python bench/bench_fanout.py [--followers 200] [--rounds 30]
     [--no-redis]

Everything runs on loopback and is started here: a Daphne process serving
KubeViz (in-memory channel layer); a bare `websockets` server that broadcasts one
pre-encoded text of the same size as KubeViz's step frame to every client (the
floor: no Django, no channel layer, no model); and, unless --no-redis, a
redis-server with two Daphne processes, the presenter on one and every follower
on the other. For each round the presenter sends one `step`; the time from that
send until each follower has the frame is one sample. Prints p50, p99 and max of
those samples, and of the time until the last follower of a round has it.
All clients run in this process's event loop, for the baseline too.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROUND_TIMEOUT = 15.0
# Work for the steps to show: each replica is several steps (create, schedule,
# kubelet, endpoints), so a scenario never settles in the middle of a run.
WORK = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: bench}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: bench}}
  template:
    metadata: {labels: {app: bench}}
    spec:
      containers: [{name: app, image: nginx:1.27}]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port}")


class Processes:
    """The servers this run started; all are stopped at the end."""

    def __init__(self, log) -> None:
        self.running: list[subprocess.Popen] = []
        self.log = log

    def start(self, args: list[str], env: dict | None = None) -> subprocess.Popen:
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.running.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.running):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()


def kubeviz_env(workdir: Path, redis_url: str = "") -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kubeviz.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "DJANGO_SECRET_KEY": "kubeviz-bench-only",
        "REDIS_URL": redis_url,
        "KUBEVIZ_LOG_LEVEL": "WARNING",
        "KUBEVIZ_IDLE_SECONDS": "600",
    }


def start_daphne(procs: Processes, env: dict[str, str]) -> int:
    port = free_port()
    process = procs.start(
        [
            str(BIN / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "kubeviz.asgi:application",
        ],
        env,
    )
    wait_for_port(port, process)
    return port


def start_classroom(port: int) -> tuple[str, str]:
    """The presenter's form post; returns (code, presenter token)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/c/")
    page = conn.getresponse()
    html = page.read().decode()
    cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie"))[1]
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]
    conn.request(
        "POST",
        "/c/new",
        body=f"csrfmiddlewaretoken={csrf}&scenario=deploy",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie}",
            "Origin": f"http://127.0.0.1:{port}",
        },
    )
    created = conn.getresponse()
    created.read()
    code = created.getheader("Location").split("/")[2]
    token = re.search(rf"kv_presenter_{code}=([^;]+)", created.getheader("Set-Cookie"))
    conn.close()
    return code, token[1]


# --- the bare baseline -------------------------------------------------------------
async def bare_server(port: int, size: int) -> None:
    """Broadcast one pre-encoded text to every other client on each `step`."""
    clients: set = set()
    payload = json.dumps({"type": "delta", "pad": "x" * max(0, size - 30)})

    async def handler(ws) -> None:
        clients.add(ws)
        try:
            async for message in ws:
                if '"step"' in message:
                    websockets.broadcast(clients - {ws}, payload)
        finally:
            clients.discard(ws)

    async with websockets.serve(handler, "127.0.0.1", port, max_queue=None):
        await asyncio.Future()


# --- measuring ----------------------------------------------------------------------
async def follower(url: str, origin: str, hello: bool):
    ws = await websockets.connect(url, origin=origin, max_size=None, open_timeout=60)
    if hello:
        await ws.send(json.dumps({"type": "hello", "lastSeq": None}))
        while '"snapshot"' not in (await ws.recv())[:40]:
            pass
    return ws


async def next_frame(ws, kind: str = '"delta"') -> float:
    while True:
        message = await ws.recv()
        if kind in message[:40]:
            return time.perf_counter()


class Setup:
    """A presenter and its followers, connected and ready to time steps."""

    def __init__(self, name: str, presenter, followers: list) -> None:
        self.name = name
        self.presenter = presenter
        self.followers = followers
        self.samples: list[float] = []
        self.lasts: list[float] = []

    @classmethod
    async def open(
        cls,
        name: str,
        presenter_url: str,
        follower_url: str,
        origin: str,
        followers: int,
        cookie: str | None = None,
        hello: bool = True,
        replicas: int = 10,
    ) -> Setup:
        headers = {"Cookie": cookie} if cookie else None
        presenter = await websockets.connect(
            presenter_url, origin=origin, additional_headers=headers, max_size=None
        )
        if hello:
            await presenter.send(json.dumps({"type": "hello", "lastSeq": None}))
            yaml = WORK.replace("REPLICAS", str(replicas))
            await presenter.send(json.dumps({"type": "apply_manifest", "yaml": yaml}))
        sockets = []
        for start in range(0, followers, 50):  # connect in batches
            batch = min(50, followers - start)
            sockets += await asyncio.gather(
                *(follower(follower_url, origin, hello) for _ in range(batch))
            )
        return cls(name, presenter, sockets)

    async def drain(self) -> None:
        """Drop what arrived while others joined (status notes, counts)."""
        for ws in [self.presenter, *self.followers]:
            while True:
                try:
                    await asyncio.wait_for(ws.recv(), 0.005)
                except TimeoutError:
                    break

    async def round(self) -> None:
        """One step: the time from the presenter's send to each follower's frame."""
        waits = [asyncio.create_task(next_frame(ws)) for ws in self.followers]
        await asyncio.sleep(0)
        sent = time.perf_counter()
        await self.presenter.send(json.dumps({"type": "step"}))
        _done, missing = await asyncio.wait(waits, timeout=ROUND_TIMEOUT)
        if missing:
            for task in missing:
                task.cancel()
            raise TimeoutError(
                f"{self.name}: {len(missing)} of {len(waits)} followers had no "
                f"frame after {ROUND_TIMEOUT:g} s (round {len(self.lasts) + 1})"
            )
        times = [(task.result() - sent) * 1000 for task in waits]
        self.samples += times
        self.lasts.append(max(times))

    async def frame_size(self) -> int:
        """The median size of the step frames the presenter received."""
        sizes = []
        while True:
            try:
                text = await asyncio.wait_for(self.presenter.recv(), 0.2)
            except TimeoutError:
                break
            if '"delta"' in text[:40]:
                sizes.append(len(text))
        return int(statistics.median(sizes)) if sizes else 2000

    async def close(self) -> None:
        sockets = [self.presenter, *self.followers]
        closing = [asyncio.create_task(ws.close()) for ws in sockets]
        await asyncio.wait(closing, timeout=5)


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(setup: Setup) -> str:
    s, last = setup.samples, setup.lasts
    return (
        f"{setup.name:<34} p50 {pct(s, 50):7.2f} ms  p99 {pct(s, 99):7.2f} ms  "
        f"max {max(s):7.2f} ms | all arrived p50 {pct(last, 50):7.2f} "
        f"p99 {pct(last, 99):7.2f} ms"
    )


async def run(args: argparse.Namespace, procs: Processes, workdir: Path) -> None:
    """Start every server, connect every setup, then interleave their rounds.

    Interleaving (bare, one Daphne, two Daphne, bare, ...) spreads any load from
    other programs on the machine over all three alike.
    """
    env = kubeviz_env(workdir)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    port = start_daphne(procs, env)
    code, token = start_classroom(port)
    url = f"ws://127.0.0.1:{port}/ws/classroom/{code}/"
    origin = f"http://127.0.0.1:{port}"
    one = await Setup.open(
        "KubeViz classroom, 1 Daphne",
        url,
        url,
        origin,
        args.followers,
        f"kv_presenter_{code}={token}",
        replicas=args.rounds,
    )
    await one.drain()
    await one.round()  # a step frame for the baseline's payload size
    size = await one.frame_size()
    print(f"step frame: {size} bytes (the bare server sends this many)")

    bare_port = free_port()
    bare = procs.start(
        [sys.executable, __file__, "--bare", str(bare_port), "--size", str(size)]
    )
    wait_for_port(bare_port, bare)
    bare_url = f"ws://127.0.0.1:{bare_port}/"
    baseline = await Setup.open(
        "bare websockets.broadcast",
        bare_url,
        bare_url,
        origin,
        args.followers,
        hello=False,
    )
    setups = [baseline, one]
    if not args.no_redis:
        redis_port = free_port()
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        redis = procs.start(
            [
                binary,
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(workdir),
            ]
        )
        wait_for_port(redis_port, redis)
        renv = kubeviz_env(workdir, f"redis://127.0.0.1:{redis_port}/0")
        port_a, port_b = start_daphne(procs, renv), start_daphne(procs, renv)
        code, token = start_classroom(port_a)
        setups.append(
            await Setup.open(
                "KubeViz classroom, 2 Daphne+Redis",
                f"ws://127.0.0.1:{port_a}/ws/classroom/{code}/",
                f"ws://127.0.0.1:{port_b}/ws/classroom/{code}/",
                f"http://127.0.0.1:{port_a}",
                args.followers,
                f"kv_presenter_{code}={token}",
                replicas=args.rounds,
            )
        )
    await asyncio.sleep(0.5)
    for setup in setups:
        await setup.drain()
    one.samples.clear()
    one.lasts.clear()
    for _ in range(args.rounds):
        for setup in setups:
            await setup.round()
            await asyncio.sleep(0.05)
    print(f"load average after the run: {os.getloadavg()[0]:.2f}")
    for setup in setups:
        print(report(setup))
        await setup.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--followers", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--no-redis", action="store_true")
    parser.add_argument("--bare", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=2000, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.bare:
        asyncio.run(bare_server(args.bare, args.size))
        return
    if not 1 <= args.followers <= 2000 or not 1 <= args.rounds <= 200:
        parser.error("--followers 1..2000 and --rounds 1..200")

    workdir = Path(tempfile.mkdtemp(prefix="kubeviz-bench-"))
    log = open(workdir / "servers.log", "wb")  # noqa: SIM115
    procs = Processes(log)
    finished = False
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}  "
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, websockets {websockets.__version__}"
    )
    print(f"{args.followers} followers, {args.rounds} steps; latency = send to frame")
    try:
        asyncio.run(run(args, procs, workdir))
        finished = True
    finally:
        procs.stop_all()
        log.close()
        if finished:
            shutil.rmtree(workdir, ignore_errors=True)
        else:
            print(f"server logs kept in {workdir / 'servers.log'}", file=sys.stderr)


if __name__ == "__main__":
    main()
