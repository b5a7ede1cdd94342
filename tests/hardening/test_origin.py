"""A websocket is the site's own page's only: scheme, host and port all count.

The check follows Django's CSRF Origin check (`CsrfViewMiddleware._origin_verified`,
django/middleware/csrf.py): the Origin must be `scheme://Host` of the request itself,
with the Host one of ALLOWED_HOSTS, or one of CSRF_TRUSTED_ORIGINS. A browser sends
the page's origin and the Host of the server it connects to, so another page on the
same machine (another port) or the same name over another scheme is refused.
"""

from __future__ import annotations

import asyncio

import pytest
import websockets
from channels.testing import WebsocketCommunicator

from kubeviz.asgi import application
from tests.conftest import LiveServer, free_port
from tests.hardening.conftest import new_session
from tests.web.test_env import settings_in_a_fresh_process

pytestmark = pytest.mark.django_db(transaction=True)

SCHOOL = "kubeviz.school.example"


async def opens(session_id: str, origin: str, host: str, *more) -> bool:
    tab = WebsocketCommunicator(
        application,
        f"/ws/session/{session_id}/",
        headers=[(b"origin", origin.encode()), (b"host", host.encode()), *more],
    )
    connected, _ = await tab.connect(timeout=30)
    await tab.disconnect()
    return connected


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:9999",  # another server on the same machine
        "http://127.0.0.1",  # port 80, not 8000
        "https://127.0.0.1:8000",  # the same place over another scheme
        "http://localhost:8000",  # another name is another origin
    ],
)
async def test_a_page_of_another_origin_on_this_machine_is_refused(
    make_session, origin: str
) -> None:
    assert not await opens(await make_session(), origin, "127.0.0.1:8000")


async def test_the_sites_own_origin_with_its_port_is_accepted(make_session) -> None:
    assert await opens(await make_session(), "http://127.0.0.1:8000", "127.0.0.1:8000")


async def test_behind_a_tls_proxy_only_the_https_origin_is_accepted(
    settings, make_session
) -> None:
    """With DJANGO_HTTPS the proxy's X-Forwarded-Proto says the page was https."""
    settings.ALLOWED_HOSTS = [SCHOOL]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    proto = (b"x-forwarded-proto", b"https")
    session_id = await make_session()
    assert await opens(session_id, f"https://{SCHOOL}", SCHOOL, proto)
    assert not await opens(session_id, f"http://{SCHOOL}", SCHOOL, proto)
    assert not await opens(session_id, f"https://{SCHOOL}:8443", SCHOOL, proto)


async def test_a_forged_host_does_not_make_an_origin_its_own(
    settings, make_session
) -> None:
    settings.ALLOWED_HOSTS = [SCHOOL]
    assert not await opens(await make_session(), "http://evil.example", "evil.example")


async def test_an_origin_listed_in_csrf_trusted_origins_is_accepted(
    settings, make_session
) -> None:
    settings.ALLOWED_HOSTS = [SCHOOL]
    settings.CSRF_TRUSTED_ORIGINS = ["https://class.school.example", "https://*.lab"]
    session_id = await make_session()
    assert await opens(session_id, "https://class.school.example", SCHOOL)
    assert await opens(session_id, "https://room-4.lab", SCHOOL)
    assert not await opens(session_id, "http://class.school.example", SCHOOL)


def test_configured_hosts_are_the_only_hosts() -> None:
    """A server's ALLOWED_HOSTS does not quietly add localhost and 127.0.0.1."""
    got = settings_in_a_fresh_process(DJANGO_ALLOWED_HOSTS=SCHOOL)
    assert got["hosts"] == [SCHOOL]


def test_with_nothing_configured_a_laptop_is_served_by_its_own_names() -> None:
    assert settings_in_a_fresh_process()["hosts"] == ["localhost", "127.0.0.1", "[::1]"]


async def test_daphne_refuses_a_page_served_from_another_port(tmp_path) -> None:
    """The issue's case, on a real server: a page at 127.0.0.1:<other port>."""
    server = LiveServer(tmp_path)
    server.migrate()
    server.start()
    try:
        session_id = await asyncio.to_thread(new_session, server)
        url = f"ws://127.0.0.1:{server.port}/ws/session/{session_id}/"
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(url, origin=f"http://127.0.0.1:{free_port()}")
        assert refused.value.response.status_code == 403
        own = await websockets.connect(url, origin=server.url, open_timeout=30)
        await own.close()
    finally:
        server.stop()
