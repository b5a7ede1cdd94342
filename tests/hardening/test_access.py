"""Who may talk to the server, and what a stranger's request can make it show.

Websockets from other sites are refused (the Origin check); every POST needs Django's
CSRF token; `manage.py check --deploy` passes with the production environment of
docs/deploy.md; with nothing set, DEBUG is off and an error page shows no traceback.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from channels.testing import WebsocketCommunicator
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from kubeviz.asgi import application
from tests.conftest import ROOT, LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

FOREIGN_ORIGINS = [
    b"http://evil.example",
    b"https://evil.example",
    b"null",
    b"http://localhost.evil.example",
    b"http://evil.example/localhost",
    b"http://127.0.0.1.evil.example",
    b"file://",
    b"",
]


# --- walking the routes -----------------------------------------------------------
SAMPLE_ARGS = {
    "session_id": "AAAAAAAAAAAA",
    "code": "ABCD",
    "lesson_id": "03-self-healing",
}


def every_url(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """One concrete URL per pattern, filling its parameters with sample values."""
    resolver = resolver or get_resolver()
    urls = []
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            urls += every_url(entry, pattern)
        elif isinstance(entry, URLPattern):
            urls.append("/" + fill(pattern))
    return sorted(set(urls))


def fill(pattern: str) -> str:
    """A route pattern with each named group or converter replaced by a sample."""
    text, out, i = pattern, [], 0
    while i < len(text):
        if text.startswith("(?P<", i):
            name = text[i + 4 : text.index(">", i)]
            depth, j = 0, i
            while True:
                depth += {"(": 1, ")": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            out.append(SAMPLE_ARGS.get(name, "x"))
            i = j + 1
        elif text[i] == "<":
            name = text[i + 1 : text.index(">", i)].rpartition(":")[2]
            out.append(SAMPLE_ARGS.get(name, "x"))
            i = text.index(">", i) + 1
        elif text[i] == "\\":
            out.append(text[i + 1])
            i += 2
        else:
            out.append("" if text[i] in "^$" else text[i])
            i += 1
    return "".join(out)


# --- websockets: the Origin check on every route ----------------------------------
def every_socket() -> list[str]:
    """One concrete path per websocket route (kubeviz/routing.py and its includes)."""
    from kubeviz.routing import websocket_urlpatterns

    return sorted("/" + fill(str(route.pattern)) for route in websocket_urlpatterns)


def test_the_socket_walk_finds_every_route() -> None:
    assert len(every_socket()) >= 2


@pytest.mark.parametrize("origin", FOREIGN_ORIGINS, ids=lambda o: o.decode() or "empty")
@pytest.mark.parametrize("path", every_socket())
async def test_a_socket_from_a_foreign_origin_is_refused(
    make_session, origin: bytes, path: str
) -> None:
    session_id = await make_session()
    tab = WebsocketCommunicator(
        application,
        path.replace(SAMPLE_ARGS["session_id"], session_id),
        headers=[(b"origin", origin)],
    )
    connected, _ = await tab.connect(timeout=10)
    assert not connected
    await tab.disconnect()


async def test_a_socket_without_an_origin_header_is_refused(make_session) -> None:
    tab = WebsocketCommunicator(application, f"/ws/session/{await make_session()}/")
    connected, _ = await tab.connect(timeout=10)
    assert not connected
    await tab.disconnect()


async def test_a_socket_from_the_sites_own_origin_is_accepted(make_session) -> None:
    tab = WebsocketCommunicator(
        application,
        f"/ws/session/{await make_session()}/",
        headers=[(b"origin", b"http://localhost")],
    )
    connected, _ = await tab.connect(timeout=30)
    assert connected
    await tab.disconnect()


# --- CSRF on every POST ---------------------------------------------------------------
def test_the_url_walk_finds_the_forms() -> None:
    urls = every_url()
    assert "/s/new" in urls and "/c/new" in urls


@pytest.mark.parametrize("url", every_url())
def test_a_post_without_a_csrf_token_is_refused(url: str) -> None:
    """No page accepts a cross-site form post (403), or POSTs at all (405)."""
    guarded = Client(enforce_csrf_checks=True)
    response = guarded.post(url, {"scenario": "web", "title": "x", "name": "x"})
    assert response.status_code in (403, 405), (url, response.status_code)


def test_a_post_with_the_token_from_the_form_is_accepted() -> None:
    guarded = Client(enforce_csrf_checks=True)
    home = guarded.get("/")
    token = home.cookies["csrftoken"].value if "csrftoken" in home.cookies else None
    assert token, "the home page sets no CSRF cookie for its form"
    response = guarded.post("/s/new", {"scenario": "web", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


# --- production settings --------------------------------------------------------------
def production_env(**extra: str) -> dict[str, str]:
    """The environment docs/deploy.md gives a server, on a scratch database."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "KUBEVIZ_")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="kubeviz.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="kubeviz.school.example",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://kubeviz.school.example",
        DATABASE_URL="sqlite:////tmp/kubeviz-check-deploy.sqlite3",
        **extra,
    )
    return env


def check_deploy(env: dict[str, str], level: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", level],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_passes_behind_https_as_documented() -> None:
    done = check_deploy(production_env(DJANGO_HTTPS="1"), "WARNING")
    assert done.returncode == 0, done.stderr + done.stdout


def test_check_deploy_on_plain_http_finds_nothing_but_the_https_warnings() -> None:
    """A school LAN without TLS: only the warnings HTTPS would answer remain."""
    done = check_deploy(production_env(), "ERROR")
    assert done.returncode == 0, done.stderr + done.stdout
    found = set(
        word.strip("():")
        for word in (done.stderr + done.stdout).split()
        if word.startswith("(security.")
    )
    https_only = {"security.W004", "security.W008", "security.W012", "security.W016"}
    assert found <= https_only, found - https_only


def test_https_turns_on_secure_cookies_and_hsts() -> None:
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
        "s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT)"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=production_env(DJANGO_HTTPS="1"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.split() == ["False", "True", "True", "True", "True"], done.stderr


def test_debug_is_off_when_nothing_is_set() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_DEBUG")}
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG)",
        ],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "kubeviz.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "False", done.stderr


class DefaultServer(LiveServer):
    """Daphne with no DJANGO_DEBUG in its environment at all: the default."""

    @property
    def env(self) -> dict[str, str]:
        env = dict(super().env)
        env.pop("DJANGO_DEBUG", None)
        return env


@pytest.fixture(scope="module")
def default_server(tmp_path_factory: pytest.TempPathFactory):
    server = DefaultServer(Path(tmp_path_factory.mktemp("default")))
    server.migrate()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize(
    "path",
    [
        "/no-such-page",
        "/s/nosuchsession",
        "/s/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/c/ZZZZ",
        "/static/../kubeviz/settings.py",
        "/static/js/../../../kubeviz/settings.py",
    ],
)
def test_an_error_page_shows_no_traceback_or_settings(
    default_server: LiveServer, path: str
) -> None:
    try:
        with urllib.request.urlopen(default_server.url + path, timeout=30) as reply:
            status, body = reply.status, reply.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        status, body = exc.code, exc.read().decode("utf-8", "replace")
    assert status == 404, status
    for leak in (
        "Traceback",
        "SECRET_KEY",
        "DEBUG = True",
        "Django tried these URL patterns",
        "INSTALLED_APPS",
        "<script>alert(1)</script>",
        str(ROOT),
    ):
        assert leak not in body, leak


def test_pages_send_the_security_headers(default_server: LiveServer) -> None:
    with urllib.request.urlopen(default_server.url + "/", timeout=30) as reply:
        headers = reply.headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_forbid_inline_script_with_a_content_security_policy(
    default_server: LiveServer,
) -> None:
    """Defence in depth: even if markup ever reached innerHTML, it could not run."""
    with urllib.request.urlopen(default_server.url + "/", timeout=30) as reply:
        policy = reply.headers.get("Content-Security-Policy", "")
    directives = {
        part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()
    }
    scripts = directives.get("script-src", directives.get("default-src"))
    assert scripts is not None, f"no script policy in {policy!r}"
    assert "'unsafe-inline'" not in scripts and "*" not in scripts
    assert directives.get("object-src") == ["'none'"]


@pytest.mark.parametrize("host", ["evil.example", "localhost.evil.example", "[::2]"])
def test_a_request_for_a_host_not_served_is_refused(host: str) -> None:
    """ALLOWED_HOSTS: a forged Host never reaches a view or a join URL built from it."""
    response = Client().get("/c/", HTTP_HOST=host)
    assert response.status_code == 400
