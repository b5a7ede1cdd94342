"""What KubeViz keeps in the database: sessions, saved as inputs plus actions."""

from __future__ import annotations

import secrets
import string

from django.db import models

ID_ALPHABET = string.ascii_letters + string.digits
ID_LENGTH = 12


def new_session_id() -> str:
    """A random, unguessable id for a session's URL (about 71 bits)."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(ID_LENGTH))


class SavedSession(models.Model):
    """Responsible for remembering a session so that its link reopens it exactly.

    The simulation is deterministic, so a session is its inputs (scenario, seed,
    settings), the user actions it recorded, and the step it was at; reopening
    replays them. Nothing derived (objects, events) is stored.
    """

    id = models.CharField(primary_key=True, max_length=32, default=new_session_id)
    scenario = models.CharField(max_length=64, blank=True, default="")
    seed = models.IntegerField(default=0)
    settings = models.JSONField(default=dict, blank=True)
    actions = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated"]

    def __str__(self) -> str:
        return f"session {self.id} ({self.scenario or 'blank'}, step {self.position})"

    def inputs(self) -> dict:
        """What `Cluster.replay` needs besides the actions."""
        return {"seed": self.seed, "scenario": self.scenario, **self.settings}
