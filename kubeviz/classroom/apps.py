from __future__ import annotations

from django.apps import AppConfig


class ClassroomConfig(AppConfig):
    """Registers classrooms (join code, presenter token, position) with Django."""

    name = "kubeviz.classroom"
    label = "classroom"
    verbose_name = "KubeViz classrooms"
    default_auto_field = "django.db.models.BigAutoField"
