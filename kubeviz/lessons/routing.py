"""The lesson websocket route (included by kubeviz/routing.py)."""

from __future__ import annotations

from django.urls import re_path

from kubeviz.lessons.consumers import LessonConsumer
from kubeviz.lessons.urls import LESSON_ID

websocket_urlpatterns = [
    re_path(rf"^ws/lesson/{LESSON_ID}/$", LessonConsumer.as_asgi()),
]
