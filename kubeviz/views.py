"""The pages: the home page with the scenario gallery, and a session's page."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from kubeviz import persistence, protocol, scenarios
from kubeviz.models import SavedSession
from kubeviz.registry import registry


def initial_data(session: SavedSession, step: int | None) -> dict:
    """What a page hands its scripts through `json_script` (id "kubeviz-initial")."""
    return {
        "protocol": protocol.VERSION,
        "sessionId": session.id,
        "wsPath": f"/ws/session/{session.id}/",
        "sessionUrl": reverse("session", args=[session.id]),
        "newSessionUrl": reverse("session-new"),
        "scenario": session.scenario,
        "step": step,
        "scenarios": scenarios.gallery(),
        "limits": {
            "minSpeed": protocol.MIN_SPEED,
            "maxSpeed": protocol.MAX_SPEED,
            "maxNodes": protocol.MAX_NODES,
            "maxMessageBytes": protocol.MAX_MESSAGE_BYTES,
        },
    }


@never_cache
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The gallery, with a live session of a small running cluster of one's own."""
    persistence.tidy()  # each visit saves a session: bound what visits leave behind
    session = persistence.create(scenarios.HOME)
    return render(
        request,
        "home.html",
        {
            "scenarios": scenarios.gallery(),
            "session": session,
            "initial": initial_data(session, None),
        },
    )


@require_POST
def new_session(request: HttpRequest) -> HttpResponse:
    """Create a session for the chosen scenario ("blank" if none) and open it."""
    name = request.POST.get("scenario", "").strip() or scenarios.BLANK
    if scenarios.get(name) is None:
        raise Http404(f"There is no scenario {name!r}.")
    session = persistence.create(name)
    return redirect("session", session.id)


@never_cache
@require_GET
async def session_page(request: HttpRequest, session_id: str) -> HttpResponse:
    """A session's page; `?step=N` reopens it at step N."""
    session = await SavedSession.objects.filter(pk=session_id).afirst()
    if session is None:
        raise Http404("There is no session with that id.")
    step = step_param(request.GET.get("step"))
    if step is not None:
        live = registry().sessions.get(session_id)
        if live is not None:
            await live.seek(step)
        else:
            await persistence.aset_position(session_id, step)
    context = {
        "scenarios": scenarios.gallery(),
        "session": session,
        "initial": initial_data(session, step),
    }
    return await sync_to_async(render)(request, "session.html", context)


def step_param(value: str | None) -> int | None:
    if value is None or not value.isdigit() or len(value) > 6:
        return None
    return min(int(value), protocol.MAX_SEEK)


@require_GET
def scenario_list(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"scenarios": scenarios.gallery()})


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")
