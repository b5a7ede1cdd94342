from __future__ import annotations

from django.urls import include, path

from kubeviz import views

urlpatterns = [
    path("", views.home, name="home"),
    path("s/new", views.new_session, name="session-new"),
    path("s/<slug:session_id>", views.session_page, name="session"),
    path("api/scenarios", views.scenario_list, name="scenarios"),
    path("healthz", views.healthz, name="healthz"),
    path("c/", include("kubeviz.classroom.urls")),
    path("lessons/", include("kubeviz.lessons.urls")),
]
