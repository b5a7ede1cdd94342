"""Saved sessions: inputs, recorded actions and position (see kubeviz/models.py)."""

from __future__ import annotations

from django.db import migrations, models

import kubeviz.models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="SavedSession",
            fields=[
                (
                    "id",
                    models.CharField(
                        default=kubeviz.models.new_session_id,
                        max_length=32,
                        primary_key=True,
                        serialize=False,
                    ),
                ),
                ("scenario", models.CharField(blank=True, default="", max_length=64)),
                ("seed", models.IntegerField(default=0)),
                ("settings", models.JSONField(blank=True, default=dict)),
                ("actions", models.JSONField(blank=True, default=list)),
                ("position", models.PositiveIntegerField(default=0)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
            ],
            options={"ordering": ["-updated"]},
        ),
    ]
