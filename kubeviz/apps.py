from __future__ import annotations

from django.apps import AppConfig


class KubevizConfig(AppConfig):
    """Registers KubeViz's models (saved sessions) with Django."""

    name = "kubeviz"
    verbose_name = "KubeViz"
    default_auto_field = "django.db.models.BigAutoField"
