"""Database work for classrooms: creating one, the presenter's token, ownership.

Everything here is synchronous Django ORM code; the `a…` names are the same
functions for async callers (consumers and the classroom host).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from channels.db import database_sync_to_async
from django.db import IntegrityError, transaction

from kubeviz import persistence, scenarios
from kubeviz.classroom.models import Classroom, new_code, normal_code
from kubeviz.models import new_session_id

COOKIE_PREFIX = "kv_presenter_"
TOKEN_BYTES = 32


def cookie_name(code: str) -> str:
    """The HttpOnly cookie that holds the presenter's token for one classroom."""
    return COOKIE_PREFIX + code


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def is_presenter(classroom: Classroom, token: str | None) -> bool:
    """Does `token` (from the presenter's cookie) open this classroom's controls?"""
    if not token or len(token) > 200:
        return False
    return hmac.compare_digest(digest(token), classroom.presenter_digest)


def copy_record(record: persistence.Record) -> persistence.Record:
    """The same session (inputs, actions, step) under a new, unguessable id."""
    return persistence.Record(
        id=new_session_id(),
        scenario=record.scenario,
        seed=record.seed,
        settings=copy.deepcopy(record.settings),
        actions=copy.deepcopy(record.actions),
        position=record.position,
    )


@dataclass
class Created:
    classroom: Classroom
    token: str


def create(
    record: persistence.Record | None = None,
    scenario: str = scenarios.BLANK,
    title: str = "",
    lesson: str = "",
) -> Created:
    """A classroom driving its own copy of `record` (or a new session of `scenario`).

    The classroom gets a copy so that the presenter's own session link and the
    classroom never drive one saved session from two live models. A lesson
    classroom's cluster comes from the lesson; its session row holds a blank one.
    """
    if record is None:
        row = persistence.create(scenario)
        session_id = row.id
    else:
        session_copy = copy_record(record)
        persistence.save(session_copy)
        session_id = session_copy.id
    token = secrets.token_urlsafe(TOKEN_BYTES)
    for _attempt in range(20):
        try:
            with transaction.atomic():
                classroom = Classroom.objects.create(
                    code=new_code(),
                    session_id=session_id,
                    presenter_digest=digest(token),
                    title=title[:120],
                    lesson=lesson,
                )
            return Created(classroom, token)
        except IntegrityError:
            continue  # that code is taken: draw another
    raise RuntimeError("could not find a free classroom code")


def get(code: str) -> Classroom | None:
    return Classroom.objects.filter(pk=normal_code(code)).first()


def record_for(session_id: str) -> persistence.Record | None:
    return persistence.load(session_id)


def save_private(record: persistence.Record) -> str:
    """Save a follower's private copy of the classroom's moment; returns its id."""
    private = copy_record(record)
    persistence.save(private)
    return private.id


def claim(code: str, expected: str, owner: str) -> bool:
    """Become the classroom's owner if the owner is still `expected` (compare and set).

    Two processes that both found `expected` gone race here; the database lets
    exactly one of them win.
    """
    return Classroom.objects.filter(pk=code, owner=expected).update(owner=owner) == 1


def release(code: str, owner: str) -> None:
    Classroom.objects.filter(pk=code, owner=owner).update(owner="")


def owner_of(code: str) -> str | None:
    """The owner's process id ("" for none); None when the classroom is gone."""
    return Classroom.objects.filter(pk=code).values_list("owner", flat=True).first()


def remember(code: str, **fields: object) -> None:
    """Save classroom state (locked, spotlight, poll) that must survive a restart."""
    Classroom.objects.filter(pk=code).update(**fields)


aget = database_sync_to_async(get)
arecord_for = database_sync_to_async(record_for)
asave_private = database_sync_to_async(save_private)
aclaim = database_sync_to_async(claim)
arelease = database_sync_to_async(release)
aowner_of = database_sync_to_async(owner_of)
aremember = database_sync_to_async(remember)
