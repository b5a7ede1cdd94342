"""A reader that never reads: how much of the server's memory one such tab can take.

    .venv/bin/python bench/slow_reader.py                  # 90 s, 20 requests a second
    .venv/bin/python bench/slow_reader.py --seconds 20 --once

It starts its own Daphne on 127.0.0.1 (`tests.conftest.LiveServer`: a scratch SQLite
database, the in-memory channel layer), saves a session holding five ConfigMaps of
200 KB each, so that `kubectl get cm -o yaml` answers with about 1 MB (the output
cap), and opens a websocket with a 4 KB receive buffer that asks for that output
`--rate` times a second (the rate limit allows 20) and never reads a byte of the
answers. When the server drops the socket it opens another and goes on, as a script
would; with `--once` it stops there. Every second it prints the server's RSS; at the
end, the growth over the baseline (RSS once the session is made), the peak, and how
many sockets the server dropped. Extra environment variables for the server (e.g.
KUBEVIZ_OUTBOUND_QUEUE_KB) pass through from the caller. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import socket
import struct
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import LiveServer  # noqa: E402

LOOPBACK = "127.0.0.1"
CONFIGMAPS = 5
CONFIGMAP_BYTES = 200_000
COMMAND = "kubectl get cm -o yaml"


def rss_mb(pid: int) -> float:
    """Resident memory of a process, from /proc (Linux)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class DeafSocket:
    """A websocket client that sends and never reads.

    A raw socket, so that no library reads ahead into its own buffer: with a receive
    buffer of `rcvbuf` bytes, what the server sends piles up on the server's side.
    """

    def __init__(self, port: int, path: str, rcvbuf: int = 4096) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.settimeout(30)
        self.sock.connect((LOOPBACK, port))
        key = base64.b64encode(os.urandom(16)).decode()
        origin = f"http://{LOOPBACK}:{port}"
        self.sock.sendall(
            (
                f"GET {path} HTTP/1.1\r\nHost: {LOOPBACK}:{port}\r\n"
                "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: {origin}\r\n\r\n"
            ).encode()
        )
        head = b""
        while not head.endswith(b"\r\n\r\n"):  # byte by byte: not one frame byte
            byte = self.sock.recv(1)
            if not byte:
                raise ConnectionError("closed during the handshake")
            head += byte
        if b" 101 " not in head.split(b"\r\n", 1)[0]:
            raise ConnectionError(head.split(b"\r\n", 1)[0].decode("latin-1"))

    def send(self, message: dict) -> None:
        """One masked text frame, as a browser sends it."""
        payload = json.dumps(message).encode()
        mask = os.urandom(4)
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x81, 0x80 | length)
        elif length < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, length)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, length)
        repeated = (mask * (length // 4 + 1))[:length]
        masked = (
            int.from_bytes(payload, "big") ^ int.from_bytes(repeated, "big")
        ).to_bytes(length, "big")
        self.sock.sendall(header + mask + masked)

    def read_all(self, timeout: float = 10.0) -> tuple[list[str], int | None]:
        """Read at last: the text frames, and the close code if a close frame came."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
        self.sock.settimeout(timeout)
        data = b""
        try:
            while chunk := self.sock.recv(1 << 20):
                data += chunk
        except (TimeoutError, ConnectionError):
            pass
        texts, code, i = [], None, 0
        while i + 2 <= len(data):
            opcode, length = data[i] & 0x0F, data[i + 1] & 0x7F
            i += 2
            if length == 126:
                (length,) = struct.unpack_from("!H", data, i)
                i += 2
            elif length == 127:
                (length,) = struct.unpack_from("!Q", data, i)
                i += 8
            if i + length > len(data):
                break  # cut off mid-frame
            body, i = data[i : i + length], i + length
            if opcode == 1:
                texts.append(body.decode())
            elif opcode == 8 and len(body) >= 2:
                (code,) = struct.unpack_from("!H", body)
        return texts, code

    def drain(self) -> None:
        """Read and forget everything, in a thread: a tab that keeps up."""

        def read() -> None:
            try:
                while self.sock.recv(1 << 20):
                    pass
            except OSError:
                pass

        threading.Thread(target=read, daemon=True).start()

    def close(self) -> None:
        self.sock.close()


def new_session(url: str) -> str:
    """The session the home page makes for a visitor."""
    with urllib.request.urlopen(url + "/", timeout=60) as response:
        html = response.read().decode()
    return re.search(r'"sessionId":\s*"([A-Za-z0-9_-]+)"', html).group(1)


def configmap(i: int) -> str:
    return (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        f"  name: big-{i}\ndata:\n  blob: {'x' * CONFIGMAP_BYTES}\n"
    )


def fill(port: int, session_id: str) -> None:
    """Save the ConfigMaps through a socket that does read (each reply awaited)."""
    tab = DeafSocket(port, f"/ws/session/{session_id}/", rcvbuf=1 << 20)
    tab.send({"type": "hello", "lastSeq": None})
    for i in range(CONFIGMAPS):
        tab.send({"type": "apply_manifest", "yaml": configmap(i)})
    tab.send({"type": "kubectl", "id": "done", "command": "kubectl get cm big-0"})
    tab.sock.settimeout(60)
    seen = b""
    while b'"id":"done"' not in seen:
        chunk = tab.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("the server closed the setup socket")
        seen = seen[-64:] + chunk
    tab.close()


@dataclass
class Run:
    """What one run of deaf sockets saw."""

    sent: int = 0
    dropped: int = 0  # sockets the server closed under us
    seconds: float = 0.0  # how long it ran
    samples: list[tuple[float, float]] = field(default_factory=list)  # (s, MB)


def never_read(
    port: int,
    session_id: str,
    seconds: float,
    rate: float = 20.0,
    once: bool = False,
    rss=None,
    sample_every: float = 1.0,
    echo=None,
    reading: bool = False,
) -> Run:
    """Ask for ~1 MB answers `rate` times a second for `seconds`, reading none.

    `rss()`, if given, is sampled every `sample_every` seconds into `Run.samples`.
    With `reading`, the same requests come from a tab that reads every answer: what
    the session itself grows by, for comparison.
    """
    run = Run()
    started = time.monotonic()
    next_sample = started
    path = f"/ws/session/{session_id}/"
    tab = DeafSocket(port, path, rcvbuf=1 << 20 if reading else 4096)
    if reading:
        tab.drain()
    tab.send({"type": "hello", "lastSeq": None})
    while (now := time.monotonic()) - started < seconds:
        if rss is not None and now >= next_sample:
            run.samples.append((now - started, rss()))
            if echo:
                echo(f"{now - started:5.0f} s  RSS {run.samples[-1][1]:7.1f} MB")
            next_sample += sample_every
        try:
            tab.send({"type": "kubectl", "id": run.sent, "command": COMMAND})
            run.sent += 1
        except OSError:  # reset or broken pipe: the server dropped this socket
            run.dropped += 1
            tab.close()
            if once:
                break
            tab = DeafSocket(port, path)
            tab.send({"type": "hello", "lastSeq": None})
        time.sleep(max(0.0, started + run.sent / rate - time.monotonic()))
    tab.close()
    run.seconds = time.monotonic() - started
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90.0)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--once", action="store_true", help="stop when dropped")
    parser.add_argument(
        "--reading",
        action="store_true",
        help="the same requests from a tab that reads (a control run)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kubeviz-slow-reader-") as scratch:
        server = LiveServer(Path(scratch))
        server.migrate()
        server.start()
        try:
            session_id = new_session(server.url)
            fill(server.port, session_id)
            time.sleep(2.0)
            pid = server.process.pid
            baseline = rss_mb(pid)
            print(f"RSS with the session made: {baseline:.1f} MB")
            run = never_read(
                server.port,
                session_id,
                args.seconds,
                args.rate,
                args.once,
                rss=lambda: rss_mb(pid),
                echo=print,
                reading=args.reading,
            )
            time.sleep(2.0)
            end = rss_mb(pid)
            peak = max([mb for _, mb in run.samples] + [end])
            print(
                f"{run.sent} requests in {run.seconds:.0f} s, "
                f"{'all' if args.reading else 'none'} read; the server "
                f"dropped {run.dropped} socket(s)"
            )
            print(
                f"RSS {baseline:.1f} → peak {peak:.1f} → end {end:.1f} MB: "
                f"{peak - baseline:+.1f} MB at the peak, {end - baseline:+.1f} MB "
                "at the end"
            )
        finally:
            server.stop()


if __name__ == "__main__":
    main()
