"""kubeviz/env.py and settings: the environment decides, a laptop needs nothing set."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from kubeviz import env

ROOT = Path(__file__).resolve().parents[2]


def test_no_database_url_means_the_sqlite_file(tmp_path: Path) -> None:
    config = env.database("", tmp_path / "db.sqlite3")
    assert config == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": tmp_path / "db.sqlite3",
    }


def test_a_postgres_url_is_taken_apart_by_hand() -> None:
    config = env.database(
        "postgres://kube%40viz:p%3Ass@db.internal:6543/kubeviz?sslmode=require",
        Path("unused"),
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == (
        "kubeviz",
        "kube@viz",
        "p:ss",
    )
    assert (config["HOST"], config["PORT"]) == ("db.internal", "6543")
    assert config["OPTIONS"] == {"sslmode": "require"}


def test_a_sqlite_url_names_an_absolute_file() -> None:
    assert env.database("sqlite:////var/lib/kubeviz.db", Path("x"))["NAME"] == (
        "/var/lib/kubeviz.db"
    )


@pytest.mark.parametrize("url", ["mysql://x/y", "postgres://host/", "sqlite:///"])
def test_an_unusable_database_url_stops_the_start(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        env.database(url, Path("x"))


def test_redis_url_switches_the_channel_layer_to_redis() -> None:
    assert env.channel_layer("", 50)["BACKEND"] == (
        "channels.layers.InMemoryChannelLayer"
    )
    layer = env.channel_layer("redis://127.0.0.1:6379/0", 50)
    assert layer["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    # A read timeout longer than channels-redis's 5 s wait, or quiet tabs get 1011.
    assert layer["CONFIG"]["hosts"] == [
        {"address": "redis://127.0.0.1:6379/0", "socket_timeout": 30}
    ]


def test_a_secret_key_is_generated_once_and_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DJANGO_SECRET_KEY", raising=False)
    path = tmp_path / ".secret_key"
    first = env.secret_key(path)
    assert len(first) >= 50
    assert env.secret_key(path) == first
    assert oct(path.stat().st_mode & 0o777) == "0o600"


def test_a_given_secret_key_wins_and_writes_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_SECRET_KEY", "from-the-environment")
    assert env.secret_key(tmp_path / ".secret_key") == "from-the-environment"
    assert not (tmp_path / ".secret_key").exists()


def test_the_secret_key_file_is_ignored_by_git() -> None:
    result = subprocess.run(["git", "check-ignore", "-q", ".secret_key"], cwd=ROOT)
    assert result.returncode == 0


@pytest.mark.parametrize(
    ("value", "expected"), [("1", True), ("yes", True), ("0", False), ("", False)]
)
def test_debug_is_off_unless_asked(
    value: str, expected: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DJANGO_DEBUG", value)
    assert env.flag("DJANGO_DEBUG") is expected


def settings_in_a_fresh_process(**environ: str) -> dict:
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
        "'apps': s.INSTALLED_APPS, 'layer': s.CHANNEL_LAYERS['default']['BACKEND'], "
        "'db': s.DATABASES['default']['ENGINE']}))"
    )
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "REDIS_", "DATABASE_"))
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "kubeviz.settings",
            "DJANGO_SECRET_KEY": "test",
            **environ,
        },
        check=True,
    )
    return json.loads(result.stdout)


def test_the_laptop_defaults() -> None:
    got = settings_in_a_fresh_process()
    assert got["debug"] is False
    assert got["hosts"] == ["localhost", "127.0.0.1", "[::1]"]
    assert got["layer"] == "channels.layers.InMemoryChannelLayer"
    assert got["db"] == "django.db.backends.sqlite3"
    assert got["apps"].index("daphne") < got["apps"].index("django.contrib.staticfiles")


def test_the_environment_adds_hosts_and_switches_backends() -> None:
    got = settings_in_a_fresh_process(
        DJANGO_ALLOWED_HOSTS="kubeviz.example.org, class.example.org",
        REDIS_URL="redis://127.0.0.1:6399/0",
        DATABASE_URL="postgres://u:p@127.0.0.1:5432/kubeviz",
        DJANGO_DEBUG="1",
    )
    assert got["debug"] is True
    assert got["hosts"][-2:] == ["kubeviz.example.org", "class.example.org"]
    assert got["layer"] == "channels_redis.core.RedisChannelLayer"
    assert got["db"] == "django.db.backends.postgresql"


def test_django_system_checks_pass() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SECRET_KEY": "x" * 60},
    )
    assert result.returncode == 0, result.stderr


def test_no_migration_is_missing() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_documented_production_settings_pass_the_deploy_check() -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "DJANGO_SECRET_KEY": "k3" * 30 + "-production-only",
            "DJANGO_ALLOWED_HOSTS": "kubeviz.school.example",
            "DJANGO_HTTPS": "1",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
