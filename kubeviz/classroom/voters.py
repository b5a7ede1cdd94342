"""Who votes in a poll: an identity the server issued and signed, one per browser.

A follower's page (`views.follow`) sets the cookie `kv_voter` to a random id signed
with the site's secret key and the time it was issued (`django.core.signing.
TimestampSigner`). The classroom socket checks it with the same signer: a vote from
a socket whose cookie is missing, made up or altered is refused (`no_voter`), so a
script gets one vote for each page it fetched, not one for each name it invents.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "kv_voter"
SALT = "kubeviz.classroom.voter"
AGE = 14 * 24 * 3600  # seconds: a fortnight of lessons on one browser


def signer() -> signing.TimestampSigner:
    """Keyed by SECRET_KEY, so every process of a site verifies what another issued."""
    return signing.TimestampSigner(salt=SALT)


def signed(voter: str) -> str:
    """The cookie value that carries `voter`."""
    return signer().sign(voter)


def verify(value: str | None) -> str:
    """The voter a cookie value names; "" unless this server signed it."""
    if not value or len(value) > 200:
        return ""
    try:
        return signer().unsign(value, max_age=AGE)
    except signing.BadSignature:  # SignatureExpired is one too
        return ""


def give(request: HttpRequest, response: HttpResponse) -> None:
    """Give a browser without a valid identity a new one; keep a valid one."""
    if verify(request.COOKIES.get(COOKIE)):
        return
    response.set_cookie(
        COOKIE,
        signed(secrets.token_hex(12)),
        max_age=AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
