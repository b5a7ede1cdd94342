"""Soak: N clients stepping, tracing and scaling for D seconds; is RSS flat?

    .venv/bin/python bench/soak_sessions.py                    # 50 clients, 120 s
    .venv/bin/python bench/soak_sessions.py --clients 10 --seconds 60

Starts its own Daphne on 127.0.0.1 (scratch SQLite, in-memory channel layer, DEBUG
off; see bench_load.Server), opens one session per `--per-session` clients through
the home page, and runs every client in a closed loop: `step`, every
`--trace-every`th request a `trace`, every `--scale-every`th a `kubectl scale
deploy/web` between 2 and 6 replicas (so the model always has work, and records
Events), and every `--back-every`th a `back`. It prints the server's RSS every
`--rss-every` seconds and, at the end, each later sample's difference from the
sample at `--warm-up` seconds: the soak passes (exit 0) when every one is within
`--tolerance` (±10 %) and no client was disconnected. Only loopback addresses are
ever contacted; everything started is stopped at the end (also on Ctrl-C).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import signal
import sys
import tempfile
import time
from pathlib import Path

import websockets

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import Server, Tally, answer, new_session, percentiles  # noqa: E402


def request(n: int, args: argparse.Namespace) -> tuple[dict, set[str]]:
    """The n-th message a client sends, and the frame types that answer it."""
    if args.trace_every and n % args.trace_every == 0:
        return {"type": "trace", "from": "node/node-1", "to": args.trace_to}, {
            "trace",
            "error",
        }
    if args.scale_every and n % args.scale_every == 0:
        replicas = 2 + (n // args.scale_every) % 5
        command = f"kubectl scale deploy/web --replicas={replicas}"
        return {"type": "kubectl", "command": command, "id": n}, {
            "kubectl_output",
            "error",
        }
    if args.back_every and n % args.back_every == 0:
        return {"type": "back"}, {"delta", "ack", "error"}
    return {"type": "step"}, {"delta", "ack", "error"}


async def client(
    url: str, session_id: str, until: float, args: argparse.Namespace, tally: Tally
) -> None:
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
        await answer(ws, {"snapshot", "delta", "ack"}, tally)
        n = 0
        while time.monotonic() < until:
            n += 1
            message, expect = request(n, args)
            started = time.perf_counter()
            await ws.send(json.dumps(message))
            tally.sent += 1
            await answer(ws, expect, tally)
            tally.round_trips.append(time.perf_counter() - started)
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


async def sample(
    server: Server,
    started: float,
    every: float,
    tally: Tally,
    samples: list[tuple[float, float]],
) -> None:
    tick = 1
    while True:
        await asyncio.sleep(max(0.0, started + tick * every - time.monotonic()))
        at = time.monotonic() - started
        samples.append((at, server.rss()))
        print(
            f"  {at:5.0f} s  RSS {samples[-1][1]:6.0f} MB  "
            f"{tally.answered} answered, {sum(tally.errors.values())} errors, "
            f"{tally.disconnects} disconnects",
            flush=True,
        )
        tick += 1


def verdict(
    samples: list[tuple[float, float]], warm_up: float, tolerance: float
) -> tuple[bool, str]:
    """Every sample after `warm_up` against the one at `warm_up`."""
    later = [(at, mb) for at, mb in samples if at >= warm_up - 1]
    if len(later) < 2:
        return False, "too few samples after the warm-up"
    (t0, base), rest = later[0], later[1:]
    worst = max(rest, key=lambda s: abs(s[1] - base))
    change = (worst[1] - base) / base
    text = (
        f"at {t0:.0f} s {base:.0f} MB; after it {min(mb for _, mb in rest):.0f}"
        f"–{max(mb for _, mb in rest):.0f} MB; largest change {change:+.1%}"
        f" (at {worst[0]:.0f} s); end {rest[-1][1]:.0f} MB"
    )
    return abs(change) <= tolerance, text


async def run(args: argparse.Namespace, server: Server) -> int:
    start_rss = server.rss()
    sessions = [
        new_session(server.url)
        for _ in range(max(1, -(-args.clients // args.per_session)))
    ]
    print(
        f"{len(sessions)} sessions made; RSS {start_rss:.0f} → {server.rss():.0f} MB",
        flush=True,
    )
    tally = Tally()
    started = time.monotonic()
    until = started + args.seconds
    samples: list[tuple[float, float]] = [(0.0, server.rss())]
    sampler = asyncio.create_task(
        sample(server, started, args.rss_every, tally, samples)
    )
    await asyncio.gather(
        *(
            client(server.url, sessions[i // args.per_session], until, args, tally)
            for i in range(args.clients)
        )
    )
    sampler.cancel()
    elapsed = time.monotonic() - started
    samples.append((elapsed, server.rss()))
    ok, text = verdict(samples, args.warm_up, args.tolerance)
    print()
    print(
        f"clients {args.clients} on {len(sessions)} sessions for {args.seconds:g} s"
        f" (think {args.think:g} s; trace every {args.trace_every}, scale every"
        f" {args.scale_every}, back every {args.back_every})"
    )
    print(f"  connect failures  {tally.connect_failures}")
    print(f"  disconnects       {tally.disconnects}")
    print(f"  errors            {sum(tally.errors.values())} {dict(tally.errors)}")
    print(f"  answered          {tally.answered} ({tally.answered / elapsed:.0f}/s)")
    print(f"  round trip        {percentiles(tally.round_trips)}")
    print(
        "  RSS samples       "
        + ", ".join(f"{at:.0f} s {mb:.0f}" for at, mb in samples)
        + " MB"
    )
    print(f"  RSS after warm-up {text}")
    passed = ok and not (tally.connect_failures or tally.disconnects)
    print(f"  {'PASS' if passed else 'FAIL'}: within ±{args.tolerance:.0%}")
    return 0 if passed else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--per-session", type=int, default=1)
    parser.add_argument("--think", type=float, default=0.2)
    parser.add_argument("--trace-every", type=int, default=10)
    parser.add_argument("--scale-every", type=int, default=7)
    parser.add_argument("--back-every", type=int, default=9)
    parser.add_argument("--trace-to", default="svc/default/web:80")
    parser.add_argument("--save-delay", type=float, default=1.0)
    parser.add_argument("--rss-every", type=float, default=15.0)
    parser.add_argument("--warm-up", type=float, default=60.0)
    parser.add_argument("--tolerance", type=float, default=0.10)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="kubeviz-soak-") as workdir:
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
