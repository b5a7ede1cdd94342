"""A classroom may follow a guided lesson: its id and the position in it."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("classroom", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="classroom",
            name="lesson",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.AddField(
            model_name="classroom",
            name="lesson_position",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
