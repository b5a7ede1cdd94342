"""Real Daphne processes: one, or two sharing Redis and a PostgreSQL database.

`Server` is the shared `LiveServer` with a DATABASE_URL and a REDIS_URL of our
choosing. These tests run as docs/deploy.md tells a school to run several
processes: on a real PostgreSQL (tests/conftest.py starts a throwaway one) and a
real Redis. The helpers speak to a server the way a browser does (a form post for
the presenter's cookie, websockets with an Origin header).
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
    database: Path | None = None  # a SQLite file, unless database_url is set
    redis_url: str = ""
    database_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        env = super().env
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        elif self.database is not None:
            env["DATABASE_URL"] = f"sqlite:///{self.database}"
        env["REDIS_URL"] = self.redis_url
        env["KUBEVIZ_IDLE_SECONDS"] = "60"
        return env


@pytest.fixture
def one_server(tmp_path: Path, postgres_database: str) -> Iterator[Server]:
    server = Server(tmp_path, database_url=postgres_database)
    server.migrate()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def pair(
    tmp_path: Path, database_url: str, redis_url: str
) -> Iterator[tuple[Server, Server]]:
    """Two Daphne processes, one PostgreSQL, one Redis: a small deployment."""
    first = Server(tmp_path, database_url=database_url, redis_url=redis_url)
    second = Server(tmp_path, database_url=database_url, redis_url=redis_url)
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
def two_servers(
    tmp_path: Path, postgres_database: str, redis_server: str
) -> Iterator[tuple[Server, Server]]:
    with pair(tmp_path, postgres_database, redis_server) as servers:
        yield servers


@pytest.fixture
def two_servers_and_redis(
    tmp_path: Path, postgres_database: str, restartable_redis: RedisServer
) -> Iterator[tuple[Server, Server, RedisServer]]:
    """Two Daphne processes on a Redis of their own, which the test may restart."""
    with pair(tmp_path, postgres_database, restartable_redis.url) as (first, second):
        yield first, second, restartable_redis


@pytest.fixture
def one_server_and_redis(
    tmp_path: Path, postgres_database: str, restartable_redis: RedisServer
) -> Iterator[tuple[Server, RedisServer]]:
    """One Daphne process on a Redis of its own, which the test may restart."""
    server = Server(
        tmp_path, database_url=postgres_database, redis_url=restartable_redis.url
    )
    server.migrate()
    server.start()
    try:
        yield server, restartable_redis
    finally:
        server.stop()


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
