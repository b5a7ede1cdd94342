"""Real Daphne processes for classroom tests: one, or two sharing Redis and a database.

`Server` is the shared `LiveServer` with a database file and a REDIS_URL of our
choosing; the helpers speak to it the way a browser does (a form post for the
presenter's cookie, websockets with an Origin header).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from websockets.sync.client import ClientConnection, connect

from tests.conftest import LiveServer, RedisServer


@dataclass
class Server(LiveServer):
    database: Path | None = None
    redis_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        if self.database is not None:
            env["DATABASE_URL"] = f"sqlite:///{self.database}"
        env["REDIS_URL"] = self.redis_url
        env["KUBEVIZ_IDLE_SECONDS"] = "60"
        return env


@pytest.fixture
def one_server(tmp_path: Path) -> Iterator[Server]:
    server = Server(tmp_path, database=tmp_path / "db.sqlite3")
    server.migrate()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def pair(tmp_path: Path, redis_url: str) -> Iterator[tuple[Server, Server]]:
    """Two Daphne processes, one database, one Redis: a small deployment."""
    database = tmp_path / "db.sqlite3"
    first = Server(tmp_path, database=database, redis_url=redis_url)
    second = Server(tmp_path, database=database, redis_url=redis_url)
    first.migrate()
    first.start()
    try:
        second.start()
        try:
            yield first, second
        finally:
            second.stop()
    finally:
        first.stop()


@pytest.fixture
def two_servers(tmp_path: Path, redis_server: str) -> Iterator[tuple[Server, Server]]:
    with pair(tmp_path, redis_server) as servers:
        yield servers


@pytest.fixture
def two_servers_and_redis(
    tmp_path: Path, restartable_redis: RedisServer
) -> Iterator[tuple[Server, Server, RedisServer]]:
    """Two Daphne processes on a Redis of their own, which the test may restart."""
    with pair(tmp_path, restartable_redis.url) as (first, second):
        yield first, second, restartable_redis


def start_classroom(
    server: LiveServer, scenario: str = "deploy", lesson: str = ""
) -> tuple[str, str]:
    """Start a classroom through the form (of a scenario, or of a lesson); returns
    (code, presenter token)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request("GET", "/c/")
    page = conn.getresponse()
    html = page.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie")).group(1)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    body = f"csrfmiddlewaretoken={csrf}&scenario={scenario}&lesson={lesson}"
    conn.request(
        "POST",
        "/c/new",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf_cookie}",
            "Origin": server.url,
        },
    )
    created = conn.getresponse()
    created.read()
    assert created.status == 302, created.status
    code = created.getheader("Location").split("/")[2]
    token = re.search(rf"kv_presenter_{code}=([^;]+)", created.getheader("Set-Cookie"))
    conn.close()
    return code, token.group(1)


def open_classroom(
    server: LiveServer, code: str, token: str | None = None
) -> ClientConnection:
    headers = {"Cookie": f"kv_presenter_{code}={token}"} if token else None
    return connect(
        f"ws://127.0.0.1:{server.port}/ws/classroom/{code}/",
        origin=server.url,
        additional_headers=headers,
        open_timeout=30,
    )


def until(socket: ClientConnection, kind: str, timeout: float = 15) -> dict:
    """The next message of type `kind`, skipping others."""
    while True:
        message = json.loads(socket.recv(timeout=timeout))
        if message["type"] == kind:
            return message


def hello(socket: ClientConnection, last_seq: int | None = None) -> dict:
    """Say hello; returns the first frame (snapshot or delta) and the role."""
    socket.send(json.dumps({"type": "hello", "lastSeq": last_seq}))
    first = until(socket, "snapshot")
    first["classroom"] = until(socket, "classroom")
    return first
