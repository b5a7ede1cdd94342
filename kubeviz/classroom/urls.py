"""Classroom pages, under /c/ (see kubeviz/urls.py)."""

from __future__ import annotations

from django.urls import path, re_path

from kubeviz.classroom import views

CODE = r"(?P<code>[A-Za-z0-9]{4,8})"

urlpatterns = [
    path("", views.index, name="classroom-index"),
    path("join", views.join, name="classroom-join"),
    path("new", views.new, name="classroom-new"),
    re_path(rf"^{CODE}$", views.follow, name="classroom-follow"),
    re_path(rf"^{CODE}/present$", views.present, name="classroom-present"),
    re_path(rf"^{CODE}/qr\.svg$", views.qr_svg, name="classroom-qr"),
    re_path(r"^(?P<text>[^/]{1,40})/?$", views.not_a_code, name="classroom-unknown"),
]
