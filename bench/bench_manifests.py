"""What a manifest costs to read, and what hostile ones cost everybody else.

    .venv/bin/python bench/bench_manifests.py            # parse times, in process
    .venv/bin/python bench/bench_manifests.py --live     # plus a Daphne under attack

The first part times `simulation.manifests.load` (best of `--repeat`) on manifests
of the shapes that matter: ones the limits refuse (too many objects, thousands of
tiny or empty documents, all within the 256 KB frame) and ones a class really sends
(500 Deployments, the guestbook). It says which YAML loader is in use.

`--live` starts its own Daphne (scratch SQLite, in-memory channel layer, 127.0.0.1
only); `--attackers` sockets each send the manifest of 4,500 one-line objects
(refused by the 500-object limit) over and over, while one more socket of another
session runs `kubectl get pods` one at a time. It prints that socket's p50/p90
round trip with and without the attackers.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from simulation import manifests  # noqa: E402
from simulation.errors import SimulationError  # noqa: E402

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web-{n}
  labels: {{app: web-{n}}}
spec:
  replicas: 1
  selector:
    matchLabels: {{app: web-{n}}}
  template:
    metadata:
      labels: {{app: web-{n}}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""


def shapes() -> dict[str, str]:
    """Each shape's manifest text, every one within the 256 KB limit."""
    guestbook = Path("/work/shared/manifests/guestbook/guestbook-all-in-one.yaml")
    found = guestbook if guestbook.exists() else None
    return {
        "10,000 tiny documents": "kind: Pod\n---\n" * 10_000,
        "4,500 one-line objects": "".join(
            f"--- {{apiVersion: v1, kind: Pod, metadata: {{name: p{n}}}}}\n"
            for n in range(4_500)
        ),
        "65,000 empty documents": "---\n" * 65_000,
        "500 Deployments (accepted)": "---\n".join(
            DEPLOYMENT.format(n=n) for n in range(500)
        ),
        **({"guestbook (accepted)": found.read_text()} if found else {}),
    }


def time_load(text: str, repeat: int) -> tuple[float, str]:
    """Best wall time of `repeat` loads, and the outcome of the last one."""
    best, outcome = float("inf"), ""
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            outcome = f"{len(manifests.load(text))} objects"
        except SimulationError as exc:
            outcome = str(exc)[:70]
        best = min(best, time.perf_counter() - start)
    return best, outcome


def parse_times(repeat: int) -> None:
    loader = getattr(manifests, "LOADER", None) or "SafeLoader (pure Python)"
    print(f"loader: {getattr(loader, '__name__', loader)}")
    for name, text in shapes().items():
        seconds, outcome = time_load(text, repeat)
        size = len(text) / 1024
        print(f"{name:28} {size:6.0f} KB {seconds * 1000:8.1f} ms  {outcome}")


# --- live ---------------------------------------------------------------------------
async def connect(url: str, session_id: str):
    ws = await websockets.connect(
        url.replace("http", "ws", 1) + f"/ws/session/{session_id}/",
        origin=url,
        max_size=None,
        open_timeout=60,
        ping_interval=None,
    )
    await ws.send(json.dumps({"type": "hello", "lastSeq": None}))
    await until(ws, "status")
    return ws


async def until(ws, kind: str, rid=None) -> dict:
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == kind and (rid is None or message.get("id") == rid):
            return message
        if message["type"] == "error" and (rid is None or message.get("id") == rid):
            return message


async def attacker(url: str, session_id: str, text: str, stop: asyncio.Event) -> int:
    ws = await connect(url, session_id)
    sent = 0
    try:
        while not stop.is_set():
            sent += 1
            frame = {"type": "apply_manifest", "yaml": text, "id": sent}
            await ws.send(json.dumps(frame))
            await until(ws, "error", sent)
    finally:
        await ws.close()
    return sent


async def victim(url: str, session_id: str, count: int) -> list[float]:
    ws = await connect(url, session_id)
    times = []
    try:
        for n in range(count):
            start = time.perf_counter()
            await ws.send(
                json.dumps({"type": "kubectl", "id": n, "command": "kubectl get pods"})
            )
            await until(ws, "kubectl_output", n)
            times.append(time.perf_counter() - start)
            await asyncio.sleep(0.1)  # a person at a console, within the rate limit
    finally:
        await ws.close()
    return times


async def live(attackers: int, count: int) -> None:
    from bench_load import Server, new_session

    text = shapes()["4,500 one-line objects"]
    with tempfile.TemporaryDirectory() as scratch:
        server = Server(Path(scratch), save_delay=1.0)
        server.start()
        try:
            quiet = await victim(server.url, new_session(server.url), count)
            stop = asyncio.Event()
            tasks = [
                asyncio.create_task(
                    attacker(server.url, new_session(server.url), text, stop)
                )
                for _ in range(attackers)
            ]
            await asyncio.sleep(1.0)
            loud = await victim(server.url, new_session(server.url), count)
            stop.set()
            sent = sum(await asyncio.gather(*tasks))
        finally:
            server.stop()
    for label, times in (("alone", quiet), (f"with {attackers} attackers", loud)):
        ms = sorted(t * 1000 for t in times)
        p90 = ms[int(len(ms) * 0.9) - 1]
        print(
            f"kubectl get pods {label:20} p50 {statistics.median(ms):7.1f} ms"
            f"  p90 {p90:7.1f} ms  ({len(ms)} commands)"
        )
    print(f"manifests the attackers had refused meanwhile: {sent}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--live", action="store_true")
    parser.add_argument("--attackers", type=int, default=4)
    parser.add_argument("--commands", type=int, default=60)
    args = parser.parse_args()
    parse_times(args.repeat)
    if args.live:
        asyncio.run(live(args.attackers, args.commands))


if __name__ == "__main__":
    main()
