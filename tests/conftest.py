"""Fixtures shared by every kind of test: free ports, a real redis-server, no skips."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Until something accepts connections on `port`, or fail with its output."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args[0]} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout)


@dataclass
class LiveServer:
    """A Daphne process serving KubeViz; `restart()` stops and starts it again."""

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    starts: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "kubeviz.settings",
            "DATABASE_URL": f"sqlite:///{self.workdir / 'db.sqlite3'}",
            "DJANGO_SECRET_KEY": "kubeviz-browser-tests-only",
            "DJANGO_DEBUG": "0",
            "REDIS_URL": "",
            "KUBEVIZ_SAVE_DELAY": "0.2",
            "PYTHONUNBUFFERED": "1",
        }

    def migrate(self) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=self.env,
            check=True,
        )

    def start(self) -> None:
        self.starts += 1
        ARTIFACTS.mkdir(exist_ok=True)
        log = open(ARTIFACTS / f"daphne-{self.port}-{self.starts}.log", "wb")
        self.process = subprocess.Popen(
            [
                str(BIN / "daphne"),
                "-b",
                "127.0.0.1",
                "-p",
                str(self.port),
                "kubeviz.asgi:application",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        wait_for_port(self.port, self.process, timeout=30)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


@dataclass
class RedisServer:
    """A real redis-server on a loopback port that `stop()` and `start()` keep.

    It keeps nothing on disk, so a restart loses every key, as a Redis without
    persistence does (channels-redis's groups and queued messages included).
    """

    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(binary):
            pytest.fail("redis-server is not installed: apt-get install redis-server")
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, self.process)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None

    def command(self, *args: str) -> str:
        """One redis-cli command's answer, e.g. command("ZCARD", "asgi:group:x")."""
        done = subprocess.run(
            ["redis-cli", "-p", str(self.port), *args],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        )
        return done.stdout.strip()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port; yields its redis:// URL."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture
def restartable_redis(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[RedisServer]:
    """A redis-server of this test's own, which the test may stop and start."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


def postgres_bin() -> Path:
    """The directory of Debian's PostgreSQL server programs (newest version)."""
    found = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/initdb"),
        key=lambda path: int(path.parts[-3]) if path.parts[-3].isdigit() else 0,
    )
    if not found:
        pytest.fail("PostgreSQL is not installed: apt-get install postgresql")
    return found[-1].parent


@dataclass
class PostgresServer:
    """A throwaway PostgreSQL server: `initdb` in a temporary folder, `pg_ctl` on a
    free loopback port, run by an unprivileged user (PostgreSQL refuses root).

    Set up as docs/deploy.md tells a school: a `kubeviz` role with a password,
    a database it owns per test, and the app connecting over TCP with a
    `postgres://kubeviz:…@127.0.0.1:port/name` DATABASE_URL.
    """

    PASSWORD = "kubeviz-tests-only"

    folder: Path
    bindir: Path = field(default_factory=postgres_bin)
    port: int = field(default_factory=free_port)
    databases: int = 0

    @property
    def runner(self) -> dict:
        """Popen arguments that run a program as the server's owner."""
        if os.geteuid() != 0:
            return {}
        import pwd

        name = "postgres"  # made by Debian's postgresql package
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            entry = pwd.getpwnam("nobody")
        return {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": []}

    def run(self, program: str, *args: str) -> str:
        done = subprocess.run(
            [str(self.bindir / program), *args],
            capture_output=True,
            text=True,
            cwd=self.folder,
            timeout=120,
            **self.runner,
        )
        if done.returncode:
            raise RuntimeError(f"{program} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def start(self) -> None:
        runner = self.runner
        if runner:
            os.chown(self.folder, runner["user"], runner["group"])
        self.run(
            "initdb",
            "-D",
            str(self.folder / "data"),
            "-U",
            "postgres",
            "--auth-local=trust",  # the socket is in a folder only its owner reads
            "--auth-host=scram-sha-256",  # TCP needs the password, as on a server
            "--encoding=UTF8",
            "--no-sync",
        )
        options = (
            f"-p {self.port} -h 127.0.0.1 -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        log = str(self.folder / "postgres.log")
        self.run(
            "pg_ctl",
            "-D",
            str(self.folder / "data"),
            "-l",
            log,
            "-w",
            "-o",
            options,
            "start",
        )
        self.psql(f"CREATE ROLE kubeviz LOGIN PASSWORD '{self.PASSWORD}'")

    def psql(self, command: str) -> str:
        return self.run(
            "psql",
            "-h",
            str(self.folder),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            command,
        )

    def new_database(self) -> str:
        """A new, empty database owned by `kubeviz`; returns its DATABASE_URL."""
        self.databases += 1
        name = f"kubeviz_{self.databases}"
        self.run(
            "createdb",
            "-h",
            str(self.folder),
            "-p",
            str(self.port),
            "-U",
            "postgres",
            "--owner",
            "kubeviz",
            name,
        )
        return f"postgres://kubeviz:{self.PASSWORD}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.run(
                "pg_ctl", "-D", str(self.folder / "data"), "-m", "fast", "-w", "stop"
            )


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL for the test run; each test takes a database."""
    # Not under pytest's own temporary folder: its parents are private to root.
    folder = Path(tempfile.mkdtemp(prefix="kubeviz-postgres-"))
    server = PostgresServer(folder)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_database(postgres_server: PostgresServer) -> str:
    """The DATABASE_URL of a new, empty PostgreSQL database for this test."""
    return postgres_server.new_database()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """With KUBEVIZ_NO_SKIP=1 (as `make test` sets it) a skipped test fails.

    CI must run the browser and Redis tests, not quietly pass without them.
    """
    report = yield
    if (
        os.environ.get("KUBEVIZ_NO_SKIP") == "1"
        and report.skipped
        and not hasattr(report, "wasxfail")
    ):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        report.outcome = "failed"
        report.longrepr = f"skipped, but make test runs every test: {reason}"
    return report
