"""The classroom pages: join or start one, the presenter's page, a follower's page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kubeviz import persistence, protocol, scenarios
from kubeviz.classroom import messages, qr, services, voters
from kubeviz.classroom.models import CODE_ALPHABET, CODE_LENGTH, Classroom, normal_code
from kubeviz.lessons import guide as lesson
from kubeviz.registry import registry

COOKIE_AGE = 14 * 24 * 3600


@never_cache
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Join a classroom by code, or start one from a scenario."""
    return start_page(request, request.GET.get("code", ""))


def start_page(
    request: HttpRequest, code: str, problem: list[str] | None = None, status=200
) -> HttpResponse:
    context = {
        "scenarios": scenarios.gallery(),
        "lessons": lesson.catalog(),
        "code": code,
        "problem": problem or [],
        # A session page can link here ("/c/?session=<id>") to present itself.
        "session": session_of(request.GET.get("session", "")),
    }
    return render(request, "classroom/index.html", context, status=status)


def unknown_code(request: HttpRequest, code: str) -> HttpResponse:
    """A code that names no classroom: say why it may be wrong, and ask again."""
    typed = normal_code(code)[:16]
    lines = [f"No classroom has the code {typed or '(empty)'}."]
    odd = sorted({c for c in typed if c not in CODE_ALPHABET})
    if odd:
        lines.append(
            f"Codes never contain {' or '.join(odd)}: they use letters and digits "
            "that cannot be mistaken for each other (no 0 or O, no 1, I or L), so "
            "check that character on the presenter's screen."
        )
    elif len(typed) != CODE_LENGTH:
        lines.append(f"Codes have {CODE_LENGTH} characters; this one has {len(typed)}.")
    lines.append(
        "Case and spaces do not matter. If the code is right, the classroom may "
        "have ended: ask the presenter for the current code or scan the QR code."
    )
    return start_page(request, typed, lines, status=404)


@require_GET
def join(request: HttpRequest) -> HttpResponse:
    """The join form's target: a code as typed, and an optional display name."""
    code = normal_code(request.GET.get("code", ""))
    if not code:
        return redirect("classroom-index")
    if not code.isalnum() or len(code) > 8 or services.get(code) is None:
        return unknown_code(request, code)
    url = reverse("classroom-follow", args=[code])
    name = messages.display_name(request.GET.get("name"))
    return redirect(f"{url}?{urlencode({'name': name})}" if name else url)


@require_POST
async def new(request: HttpRequest) -> HttpResponse:
    """Start a classroom from a session (its current step) or a scenario.

    The presenter's right is a token that only this response carries, in an
    HttpOnly cookie; followers' pages and URLs never contain it.
    """
    link = request.POST.get("session", "")
    session_id = session_of(link)
    record = None
    if session_id:
        live = registry().sessions.get(session_id)
        if live is not None:
            async with live.lock:
                record = live.record()
        else:
            record = await persistence.aload(session_id)
        if record is None:
            raise Http404("There is no session with that id.")
        step = re.search(r"[?&]step=(\d{1,6})(?:$|&|#)", link)
        if step:  # a saved link's step, as the session page would open it
            record.position = min(int(step[1]), protocol.MAX_SEEK)
    scenario = request.POST.get("scenario", "").strip() or scenarios.BLANK
    if record is None and scenarios.get(scenario) is None:
        raise Http404(f"There is no scenario {scenario!r}.")
    lesson_id = "" if record else request.POST.get("lesson", "").strip()
    if lesson_id and not await sync_to_async(lesson.exists)(lesson_id):
        raise Http404(f"There is no lesson {lesson_id!r}.")
    title = messages.display_name(request.POST.get("title")) or ""
    created = await sync_to_async(services.create)(record, scenario, title, lesson_id)
    code = created.classroom.code
    response = redirect("classroom-present", code)
    response.set_cookie(
        services.cookie_name(code),
        created.token,
        max_age=COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    return response


def session_of(text: str) -> str:
    """A session id from an id or a pasted session link (`…/s/<id>?step=3`)."""
    found = re.search(r"(?:^|/s/)([A-Za-z0-9_-]{1,32})(?:$|[?#/])", text.strip())
    return found[1] if found else ""


def page_context(request: HttpRequest, classroom: Classroom, role: str) -> dict:
    code = classroom.code
    name = messages.display_name(request.GET.get("name")) if role == "follower" else ""
    ws_path = f"/ws/classroom/{code}/"
    if name:
        ws_path += "?" + urlencode({"name": name})
    join_url = request.build_absolute_uri(reverse("classroom-follow", args=[code]))
    initial = {
        "protocol": protocol.VERSION,
        "sessionId": code,
        "wsPath": ws_path,
        "scenarios": scenarios.gallery(),
        "classroom": {
            "code": code,
            "role": role,
            "name": name,
            "joinUrl": join_url,
            "qrUrl": reverse("classroom-qr", args=[code]),
            "maxOptions": messages.MAX_OPTIONS,
        },
    }
    return {
        "classroom": classroom,
        "role": role,
        "name": name,
        "join_url": join_url,
        "initial": initial,
        "scenarios": scenarios.gallery(),
    }


@never_cache
@require_GET
def follow(request: HttpRequest, code: str) -> HttpResponse:
    """A follower's page: the presenter's cluster, live."""
    classroom = services.get(code)
    if classroom is None:
        return unknown_code(request, code)
    if classroom.code != code:
        return redirect(reverse("classroom-follow", args=[classroom.code]))
    context = page_context(request, classroom, "follower")
    response = render(request, "classroom/follow.html", context)
    voters.give(request, response)  # one vote per browser, kept across reconnects
    return response


@never_cache
@require_GET
def present(request: HttpRequest, code: str) -> HttpResponse:
    """The presenter's page; without the presenter's cookie, the follower's."""
    classroom = services.get(code)
    if classroom is None:
        return unknown_code(request, code)
    token = request.COOKIES.get(services.cookie_name(classroom.code))
    if not services.is_presenter(classroom, token):
        return redirect(reverse("classroom-follow", args=[classroom.code]))
    context = page_context(request, classroom, "presenter")
    return render(request, "classroom/present.html", context)


@require_GET
def not_a_code(request: HttpRequest, text: str) -> HttpResponse:
    """/c/<anything that cannot be a code>: the same help as an unknown code."""
    return unknown_code(request, text)


@require_GET
def qr_svg(request: HttpRequest, code: str) -> HttpResponse:
    """The join URL as a QR code, for the projector."""
    classroom = services.get(code)
    if classroom is None:
        raise Http404("There is no classroom with that code.")
    url = request.build_absolute_uri(reverse("classroom-follow", args=[classroom.code]))
    response = HttpResponse(qr.join_svg(url), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response
