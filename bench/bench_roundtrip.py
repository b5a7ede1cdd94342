"""A step's round trip through KubeViz, next to a bare `websockets` echo.

    .venv/bin/python bench/bench_roundtrip.py              # 400 steps each way
    .venv/bin/python bench/bench_roundtrip.py --steps 1000

Starts its own Daphne (scratch SQLite, in-memory channel layer) and a bare
`websockets` echo server in a second process, both on 127.0.0.1 only. One tab grows
its session to 10 worker nodes, creates a 300-replica Deployment (so thousands of
steps are waiting), then sends `step` and waits for that step's `delta`, one at a
time, pausing `--pause` seconds between steps (the per-tab rate limit). The echo
client, paced the same way, sends a message of the same size as the median delta and
waits for it to come back. It prints p50/p90/p99 of both, their ratio, and the
sizes of the deltas (the ones for a one-pod change listed separately).

For scale it also times, paced the same way, two echoes under Daphne: a bare ASGI
application, and a Channels `AsyncWebsocketConsumer` behind the same middleware as
KubeViz's sockets. They are the floor that anything served by Daphne and Channels
stands on (`--no-floors` leaves them out).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import (  # noqa: E402
    BIN,
    LOOPBACK,
    ROOT,
    Server,
    free_port,
    new_session,
)

ECHO = """
import asyncio, sys, websockets
async def echo(ws):
    async for message in ws:
        await ws.send(message)
async def main():
    async with websockets.serve(
        echo, "127.0.0.1", int(sys.argv[1]), max_size=None, compression=None
    ):
        await asyncio.Future()
asyncio.run(main())
"""

# An ASGI echo served by Daphne: Daphne's own cost, with no Channels at all.
ASGI_ECHO = """
async def application(scope, receive, send):
    while scope["type"] == "websocket":
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message.get("text")})
        else:
            return
"""

# A Channels echo consumer, routed through the middleware KubeViz's sockets use.
CHANNELS_ECHO = """
import django
django.setup()
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.routing import ProtocolTypeRouter, URLRouter
from channels.security.websocket import AllowedHostsOriginValidator
from django.urls import path

class Echo(AsyncWebsocketConsumer):
    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=text_data)

application = ProtocolTypeRouter(
    {"websocket": AllowedHostsOriginValidator(URLRouter([path("", Echo.as_asgi())]))}
)
"""


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def until_type(ws, kinds: set[str]) -> tuple[dict, int]:
    """The next frame of one of `kinds` (acks count only when they answer a step)."""
    while True:
        text = await asyncio.wait_for(ws.recv(), 60)
        frame = json.loads(text)
        if frame["type"] == "error":
            raise RuntimeError(f"the server refused a step: {frame}")
        if frame["type"] == "ack" and frame.get("for") != "step":
            continue
        if frame["type"] in kinds:
            return frame, len(text.encode())


async def kubeviz_round_trips(
    server: Server, steps: int, pause: float
) -> tuple[list, list, list]:
    session = new_session(server.url)
    url = server.url.replace("http", "ws", 1) + f"/ws/session/{session}/"
    async with websockets.connect(url, origin=server.url, max_size=None) as ws:
        await ws.send(json.dumps({"type": "hello", "lastSeq": None}))
        await until_type(ws, {"snapshot"})
        await ws.send(json.dumps({"type": "set", "nodes": 10}))
        await until_type(ws, {"snapshot", "delta"})
        command = "kubectl create deployment bench --image=nginx:1.27 --replicas=300"
        await ws.send(json.dumps({"type": "kubectl", "command": command, "id": 1}))
        reply, _ = await until_type(ws, {"kubectl_output"})
        print("$", command, "\n" + reply.get("output", ""))
        frame, _ = await until_type(ws, {"delta"})  # the kubectl command's own step
        current = frame["step"]
        times, sizes, one_pod = [], [], []
        for _ in range(steps):
            await asyncio.sleep(pause)  # stay under the per-connection rate limit
            started = time.perf_counter()
            await ws.send(json.dumps({"type": "step"}))
            frame, size = await until_type(ws, {"delta", "ack"})
            if frame["type"] != "delta":
                break
            if frame["step"] != current + 1:
                raise RuntimeError(f"expected step {current + 1}, got {frame['step']}")
            current = frame["step"]
            times.append(time.perf_counter() - started)
            sizes.append(size)
            changes = frame["changes"]
            if [c["id"].split("/")[0] for c in changes] == ["pods"]:
                one_pod.append(size)
        return times, sizes, one_pod


async def echo_round_trips(
    port: int, size: int, count: int, pause: float
) -> list[float]:
    payload = json.dumps({"type": "step", "pad": "x" * max(0, size - 30)})
    url = f"ws://{LOOPBACK}:{port}/"
    origin = f"http://{LOOPBACK}:{port}"
    async with websockets.connect(
        url, max_size=None, compression=None, origin=origin
    ) as ws:
        times = []
        for _ in range(count):
            await asyncio.sleep(pause)
            started = time.perf_counter()
            await ws.send(payload)
            await ws.recv()
            times.append(time.perf_counter() - started)
        return times


def line(name: str, values: list[float]) -> str:
    ms = [v * 1000 for v in values]
    return (
        f"{name:<28} p50 {pct(ms, 50):7.3f} ms   p90 {pct(ms, 90):7.3f} ms"
        f"   p99 {pct(ms, 99):7.3f} ms   (n={len(ms)})"
    )


def floor_round_trips(
    server: Server, workdir: Path, size: int, count: int, pause: float
) -> dict[str, list[float]]:
    """The two Daphne echoes, each in a Daphne process of its own."""
    (workdir / "asgi_echo.py").write_text(ASGI_ECHO)
    (workdir / "channels_echo.py").write_text(CHANNELS_ECHO)
    env = {**server.env, "PYTHONPATH": f"{workdir}:{ROOT}"}
    times = {}
    for name, module in (
        ("Daphne ASGI echo", "asgi_echo"),
        ("Daphne + Channels echo", "channels_echo"),
    ):
        port = free_port()
        process = subprocess.Popen(
            [
                str(BIN / "daphne"),
                "-b",
                LOOPBACK,
                "-p",
                str(port),
                f"{module}:application",
            ],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for_port(port)
            times[name] = asyncio.run(echo_round_trips(port, size, count, pause))
        finally:
            process.terminate()
            process.wait(10)
    return times


def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection((LOOPBACK, port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listened on port {port} within {seconds} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument(
        "--pause",
        type=float,
        default=0.06,
        help="seconds between steps (the server allows 20 messages/s per tab)",
    )
    parser.add_argument(
        "--no-floors", action="store_true", help="skip the two Daphne echoes"
    )
    args = parser.parse_args()
    floors: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        server = Server(Path(tmp), save_delay=1.0)
        echo_port = free_port()
        echo = subprocess.Popen([sys.executable, "-c", ECHO, str(echo_port)])
        try:
            server.start()
            times, sizes, one_pod = asyncio.run(
                kubeviz_round_trips(server, args.steps, args.pause)
            )
            time.sleep(0.5)
            size = int(statistics.median(sizes))
            bare = asyncio.run(
                echo_round_trips(echo_port, size, len(times), args.pause)
            )
            if not args.no_floors:
                floors = floor_round_trips(
                    server, Path(tmp), size, len(times), args.pause
                )
        finally:
            server.stop()
            echo.terminate()
            echo.wait(10)
    print(line("KubeViz step -> delta", times))
    print(line(f"websockets echo ({size} B)", bare))
    print(f"ratio of medians: {pct(times, 50) / pct(bare, 50):.2f}x")
    for name, values in floors.items():
        print(
            line(name, values) + f"   {pct(values, 50) / pct(bare, 50):.2f}x the echo"
        )
    print(
        f"delta size: median {size} B, max {max(sizes)} B; one-pod deltas:"
        f" n={len(one_pod)}, max {max(one_pod, default=0)} B"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
