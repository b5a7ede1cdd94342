"""Classrooms: join code, presenter token digest, lock, spotlight, poll, owner."""

from __future__ import annotations

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("kubeviz", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Classroom",
            fields=[
                (
                    "code",
                    models.CharField(max_length=8, primary_key=True, serialize=False),
                ),
                ("presenter_digest", models.CharField(max_length=64)),
                ("title", models.CharField(blank=True, default="", max_length=120)),
                ("locked", models.BooleanField(default=False)),
                ("spotlight", models.CharField(blank=True, default="", max_length=400)),
                ("poll", models.JSONField(blank=True, default=None, null=True)),
                ("owner", models.CharField(blank=True, default="", max_length=64)),
                ("created", models.DateTimeField(auto_now_add=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="classrooms",
                        to="kubeviz.savedsession",
                    ),
                ),
            ],
            options={
                "ordering": ["-created"],
            },
        ),
    ]
