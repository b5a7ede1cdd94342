"""What Django 5.2 does not do by itself: the response headers the pages need, and
the websocket Origin check by scheme, host and port."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.request import is_same_domain, split_domain_port, validate_host

# Everything from this server only: scripts are ES modules from /static/, no inline
# code or handlers, no plugins, no framing. A name carrying markup could not run
# even if it ever reached innerHTML.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # The diagram sets style attributes (positions, colours); styles cannot
        # run code, so inline ones are allowed while scripts stay locked down.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    """Is responsible for the Content-Security-Policy header of every response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response


def scheme(scope: dict, headers: dict[bytes, bytes]) -> str:
    """The scheme the page was served with: `https` for wss, or behind a TLS proxy
    that says so in the header `SECURE_PROXY_SSL_HEADER` names (as Django's
    `HttpRequest.is_secure` reads it)."""
    if scope.get("scheme") in ("wss", "https"):
        return "https"
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        name, secure = proxy
        header = name.removeprefix("HTTP_").replace("_", "-").lower().encode()
        value = headers.get(header, b"").decode("latin-1")
        if value.split(",", 1)[0].strip() == secure:
            return "https"
    return "http"


def origin_allowed(scope: dict) -> bool:
    """Is the page that opens this socket from this site?

    As Django's CSRF check compares a POST's Origin (`CsrfViewMiddleware.
    _origin_verified`): the Origin must be this request's own, scheme and Host with
    its port, the Host being one of ALLOWED_HOSTS; or one of CSRF_TRUSTED_ORIGINS
    (`https://*.school.example` for every subdomain). A browser always sends Host;
    a handshake without one (the in-process test client) is held to ALLOWED_HOSTS
    alone, as Channels' `AllowedHostsOriginValidator` holds every socket.
    """
    headers = dict(scope.get("headers", []))
    raw = headers.get(b"origin")
    if not raw:
        return False
    origin = raw.decode("latin-1")
    try:
        parsed = urlsplit(origin)
    except ValueError:
        return False
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return False
    host = headers.get(b"host")
    if host is not None:
        host = host.decode("latin-1")
        domain, _ = split_domain_port(host)
        if validate_host(domain, settings.ALLOWED_HOSTS) and (
            origin == f"{scheme(scope, headers)}://{host}"
        ):
            return True
    elif validate_host(split_domain_port(parsed.netloc)[0], settings.ALLOWED_HOSTS):
        return True
    trusted = settings.CSRF_TRUSTED_ORIGINS
    if origin in trusted:
        return True
    return any(
        parsed.scheme == urlsplit(pattern).scheme
        and is_same_domain(parsed.netloc, urlsplit(pattern).netloc.lstrip("*"))
        for pattern in trusted
        if "*" in pattern
    )


class SameOriginValidator:
    """Is responsible for refusing a websocket opened by another site's page."""

    def __init__(self, application) -> None:
        self.application = application

    async def __call__(self, scope, receive, send) -> None:
        if origin_allowed(scope):
            await self.application(scope, receive, send)
        else:
            await WebsocketDenier()(scope, receive, send)
