"""A tab that does not read what it is sent costs the server a bounded amount.

Daphne writes every frame to the Twisted transport at once, and the transport keeps
what the kernel cannot take, without a bound (twisted/internet/abstract.py
`FileDescriptor.write`; daphne issue #170). A real Daphne process on 127.0.0.1 and
the raw-socket client of bench/slow_reader.py, whose 4 KB receive buffer is never
read: ~1 MB `kubectl get cm -o yaml` answers at the rate limit's 20 a second grew
the process by about 19 MB a second until it was killed.
"""

from __future__ import annotations

import json
import time

import pytest

from bench.slow_reader import DeafSocket, fill, never_read, new_session, rss_mb
from kubeviz import limits, outbound
from tests.conftest import LiveServer

SECONDS = 10.0
GROWTH_MB = 40  # over SECONDS; unbounded, it was about 190


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory):
    """A server and a session whose `kubectl get cm -o yaml` is about 1 MB."""
    server = LiveServer(tmp_path_factory.mktemp("slow-reader"))
    server.migrate()
    server.start()
    try:
        session_id = new_session(server.url)
        fill(server.port, session_id)
        yield server, session_id
    finally:
        server.stop()


def test_a_socket_that_never_reads_is_closed_and_memory_stays_bounded(big) -> None:
    server, session_id = big
    pid = server.process.pid
    time.sleep(1.0)
    before = rss_mb(pid)
    run = never_read(server.port, session_id, SECONDS, rss=lambda: rss_mb(pid))
    peak = max(mb for _, mb in run.samples)
    assert run.dropped >= 1, f"{run.sent} requests unread and the socket kept open"
    assert peak - before < GROWTH_MB, (
        f"RSS {before:.0f} → {peak:.0f} MB in {SECONDS:g} s of a tab reading nothing"
    )


def test_a_tab_that_reads_again_finds_4408_after_its_frames(big) -> None:
    """The close waits behind what was queued (SLOW_READER_WAIT s), so a frozen
    tab that wakes up gets whole frames and then the documented code."""
    server, session_id = big
    tab = DeafSocket(server.port, f"/ws/session/{session_id}/", rcvbuf=65536)
    tab.send({"type": "hello", "lastSeq": None})
    for i in range(20):
        tab.send({"type": "kubectl", "id": i, "command": "kubectl get cm -o yaml"})
    time.sleep(3.0)
    texts, code = tab.read_all(timeout=limits.SLOW_READER_WAIT + 5)
    tab.close()
    assert code == limits.SLOW_READER_CLOSE
    answers = [json.loads(t) for t in texts if '"kubectl_output"' in t[:40]]
    assert 0 < len(answers) < 20  # some answered, then nothing more was sent
    assert all(len(a["output"]) > 900_000 for a in answers)


def test_a_tab_that_reads_is_never_closed_however_large_its_answers(big) -> None:
    server, session_id = big
    run = never_read(server.port, session_id, 5.0, reading=True)
    assert run.dropped == 0 and run.sent >= 90


# --- the accounting, in-process -----------------------------------------------------
class Held:
    """A connection with `mb` megabytes waiting."""

    def __init__(self, mb: float) -> None:
        self.mb = mb
        self.timeout = None

    def queued(self) -> int:
        return int(self.mb * outbound.MB)

    def wait_for_close(self, seconds: float) -> None:
        self.timeout = seconds


async def sent_through(connection: Held, size: int) -> list[dict]:
    messages: list[dict] = []

    async def send(message: dict) -> None:
        messages.append(message)

    guard = outbound.Guard(connection, None, send)
    await guard.send({"type": "websocket.send", "text": "x" * size})
    await guard.send({"type": "websocket.send", "text": "after"})
    return messages


def kubeviz(settings, **options) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, **options}


async def test_a_frame_past_the_sockets_bound_closes_it_and_nothing_follows(
    settings,
) -> None:
    kubeviz(settings, OUTBOUND_QUEUE_KB=4096, MAX_MEMORY_MB=0)
    held = Held(3.5)
    assert await sent_through(held, 1024 * 1024) == [
        {"type": "websocket.close", "code": limits.SLOW_READER_CLOSE}
    ]
    assert held.timeout == limits.SLOW_READER_WAIT


async def test_a_socket_that_keeps_up_is_sent_any_frame(settings) -> None:
    """Under Twisted's 64 KB buffer a tab is reading: a 2 MB snapshot still goes."""
    kubeviz(settings, OUTBOUND_QUEUE_KB=1024, MAX_MEMORY_MB=0)
    sent = await sent_through(Held(0.01), 2 * 1024 * 1024)
    assert [m["type"] for m in sent] == ["websocket.send", "websocket.send"]


async def test_every_sockets_queue_counts_against_the_memory_budget(settings) -> None:
    """All queues together may take a quarter of KUBEVIZ_MAX_MEMORY_MB (here 4 of 16
    MB): with 3.5 MB waiting elsewhere, 1 MB more for this socket is too much."""
    kubeviz(settings, OUTBOUND_QUEUE_KB=4096, MAX_MEMORY_MB=16)
    others = Held(3.5)
    outbound.OPEN.add(others)
    try:
        sent = await sent_through(Held(0.5), 1024 * 1024)
    finally:
        outbound.OPEN.discard(others)
    assert sent == [{"type": "websocket.close", "code": limits.SLOW_READER_CLOSE}]
    assert [m["type"] for m in await sent_through(Held(0.5), 1024 * 1024)] == [
        "websocket.send",
        "websocket.send",
    ]
