"""The lesson pages: the gallery at /lessons/ and one lesson at /lessons/<id>/."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kubeviz import protocol, scenarios
from kubeviz.lessons import guide as catalog

MAX_STEP_PARAM = 4  # digits


@require_GET
def gallery(request: HttpRequest) -> HttpResponse:
    """Every lesson: title, goal, length and concepts (progress is the browser's)."""
    lessons = [
        {**info, "url": reverse("lesson", args=[info["id"]])}
        for info in catalog.catalog()
    ]
    return render(request, "lessons/gallery.html", {"lessons": lessons})


@never_cache
@require_GET
def lesson_page(request: HttpRequest, lesson_id: str) -> HttpResponse:
    """One lesson; `?step=N` opens it at its step N (counted from 1, as shown)."""
    info = next((i for i in catalog.catalog() if i["id"] == lesson_id), None)
    if info is None:
        raise Http404("There is no lesson with that id.")
    step = step_param(request.GET.get("step"), info["steps"])
    position = step - 1 if step else 0
    url = reverse("lesson", args=[lesson_id])
    initial = {
        "protocol": protocol.VERSION,
        "sessionId": lesson_id,
        "wsPath": f"/ws/lesson/{lesson_id}/?position={position}",
        "scenarios": scenarios.gallery(),
        "limits": {
            "minSpeed": protocol.MIN_SPEED,
            "maxSpeed": protocol.MAX_SPEED,
            "maxNodes": protocol.MAX_NODES,
            "maxMessageBytes": protocol.MAX_MESSAGE_BYTES,
        },
        "lesson": {
            **info,
            "position": position,
            "fromLink": step is not None,
            "url": url,
            "galleryUrl": reverse("lessons"),
        },
    }
    context = {"lesson": info, "position": position, "initial": initial}
    return render(request, "lessons/lesson.html", context)


def step_param(value: str | None, steps: int) -> int | None:
    """A step number from the URL, within 1..steps; None if absent or not a number."""
    if not value or not value.isdigit() or len(value) > MAX_STEP_PARAM:
        return None
    return min(max(int(value), 1), steps)
