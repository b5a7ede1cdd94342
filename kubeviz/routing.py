"""Websocket URLs: one socket per browser tab, at /ws/session/<id>/."""

from __future__ import annotations

from django.urls import re_path

from kubeviz.classroom.routing import websocket_urlpatterns as classroom_routes
from kubeviz.consumers import SessionConsumer
from kubeviz.lessons.routing import websocket_urlpatterns as lesson_routes

websocket_urlpatterns = [
    re_path(
        r"^ws/session/(?P<session_id>[A-Za-z0-9_-]{1,32})/$", SessionConsumer.as_asgi()
    ),
    *classroom_routes,
    *lesson_routes,
]
