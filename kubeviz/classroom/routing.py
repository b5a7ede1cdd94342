"""The classroom websocket route (included by kubeviz/routing.py)."""

from __future__ import annotations

from django.urls import re_path

from kubeviz.classroom.consumers import ClassroomConsumer

websocket_urlpatterns = [
    re_path(r"^ws/classroom/(?P<code>[A-Za-z0-9]{4,8})/$", ClassroomConsumer.as_asgi()),
]
