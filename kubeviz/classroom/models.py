"""What a classroom keeps in the database, so that it survives a restart."""

from __future__ import annotations

import secrets

from django.db import models

from kubeviz.models import SavedSession

# No 0/O, 1/I/L: a code read off a projector is typed without guessing.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_code() -> str:
    """A short join code (31**6, about 887 million codes)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normal_code(text: str) -> str:
    """A code as typed ("k7q x3m") in its stored form ("K7QX3M")."""
    return "".join(text.split()).upper()


class Classroom(models.Model):
    """Is responsible for remembering a classroom: its code, session and state.

    The classroom drives its own copy of a session (`session`), so that its
    position is saved with that session and a restart reopens it at the same step.
    Only a digest of the presenter's token is kept; the token is in the
    presenter's HttpOnly cookie. `owner` names the process whose model is live.
    """

    code = models.CharField(primary_key=True, max_length=8)
    session = models.ForeignKey(
        SavedSession, on_delete=models.CASCADE, related_name="classrooms"
    )
    presenter_digest = models.CharField(max_length=64)
    title = models.CharField(max_length=120, blank=True, default="")
    locked = models.BooleanField(default=False)
    spotlight = models.CharField(max_length=400, blank=True, default="")
    poll = models.JSONField(null=True, blank=True, default=None)
    owner = models.CharField(max_length=64, blank=True, default="")
    # A lesson classroom follows a guided lesson (lessons/) instead.
    lesson = models.CharField(max_length=64, blank=True, default="")
    lesson_position = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"classroom {self.code} (session {self.session_id})"
