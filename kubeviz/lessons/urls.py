"""Lesson pages, under /lessons/ (see kubeviz/urls.py)."""

from __future__ import annotations

from django.urls import path, re_path

from kubeviz.lessons import views

LESSON_ID = r"(?P<lesson_id>\d\d-[a-z0-9]+(?:-[a-z0-9]+)*)"

urlpatterns = [
    path("", views.gallery, name="lessons"),
    re_path(rf"^{LESSON_ID}/$", views.lesson_page, name="lesson"),
]
