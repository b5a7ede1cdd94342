"""Reading KubeViz's settings from the environment, with safe defaults for a laptop."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key

TRUE_WORDS = {"1", "true", "yes", "on"}
REDIS_SOCKET_TIMEOUT = 30  # seconds; see channel_layer()


def flag(name: str, default: bool = False) -> bool:
    """An on/off environment variable: 1, true, yes or on mean on."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in TRUE_WORDS


def words(name: str) -> list[str]:
    """A comma-separated environment variable as a list of non-empty words."""
    return [w.strip() for w in os.environ.get(name, "").split(",") if w.strip()]


def integer(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"{name} must be a whole number, not {value!r}"
        ) from exc


def number(name: str, default: float) -> float:
    """A number (whole or not) from the environment, e.g. a rate a second."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, not {value!r}") from exc


def secret_key(path: Path) -> str:
    """DJANGO_SECRET_KEY, or a key generated once into `path` and kept there.

    The file is created with O_EXCL so that two processes starting together agree on
    one key, and with mode 0600 because the key signs cookies.
    """
    given = os.environ.get("DJANGO_SECRET_KEY", "").strip()
    if given:
        return given
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if not key:
            raise ImproperlyConfigured(
                f"{path} is empty: delete it to make a new key"
            ) from None
        return key
    key = get_random_secret_key()
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    return key


def database(url: str, default_sqlite: Path) -> dict:
    """Django's DATABASES["default"] for a DATABASE_URL.

    Understood: `postgres://user:password@host:port/name?sslmode=require` (also
    `postgresql://`) and `sqlite:///relative/or/absolute/path.sqlite3`; an empty
    URL means the SQLite file `default_sqlite`.
    """
    if not url:
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": default_sqlite}
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///db.sqlite3 is relative, sqlite:////var/db.sqlite3 absolute.
        name = unquote(parts.path[1:] if parts.path.startswith("/") else parts.path)
        if not name:
            raise ImproperlyConfigured("DATABASE_URL sqlite:/// needs a file path")
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": name}
    if parts.scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL needs a database name")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": unquote(parts.hostname or ""),
            "PORT": str(parts.port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported: use postgres:// or "
        "sqlite:///"
    )


def channel_layer(redis_url: str, capacity: int) -> dict:
    """In-memory for one process; channels-redis when REDIS_URL is set."""
    if not redis_url:
        return {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": capacity, "expiry": 60},
        }
    # channels-redis waits in BZPOPMIN for up to 5 s, and redis-py 8 times a read out
    # after 5 s by default: a tab whose channel stays quiet that long was closed with
    # 1011. A read may take as long as it needs, well past that wait.
    host = {"address": redis_url, "socket_timeout": REDIS_SOCKET_TIMEOUT}
    return {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [host], "capacity": capacity, "expiry": 60},
    }
