"""Saving in group commits: every save is on disk when it returns, the newest wins."""

from __future__ import annotations

import asyncio

import pytest
from channels.db import database_sync_to_async

from kubeviz import persistence
from kubeviz.models import SavedSession

pytestmark = pytest.mark.django_db(transaction=True)


def record(session_id: str, position: int) -> persistence.Record:
    return persistence.Record(id=session_id, scenario="deploy", position=position)


@database_sync_to_async
def positions() -> dict[str, int]:
    return dict(SavedSession.objects.values_list("id", "position"))


async def test_saves_made_together_are_all_on_disk_when_each_returns(
    monkeypatch,
) -> None:
    commits = []
    write = persistence.asave_all

    async def counted(records):
        commits.append(len(records))
        await write(records)

    monkeypatch.setattr(persistence, "asave_all", counted)
    saves = [persistence.asave(record(f"class{n:03d}", n)) for n in range(40)]
    await asyncio.gather(*saves)
    assert await positions() == {f"class{n:03d}": n for n in range(40)}
    assert sum(commits) <= 40 and len(commits) < 40, "one commit a save"


async def test_the_newest_record_of_a_session_wins() -> None:
    first = asyncio.ensure_future(persistence.asave(record("tab", 1)))
    await asyncio.sleep(0)  # the first batch is being written
    await asyncio.gather(
        persistence.asave(record("tab", 2)), persistence.asave(record("tab", 3))
    )
    await first
    assert await positions() == {"tab": 3}


async def test_a_failed_commit_is_reported_to_every_save_in_it(monkeypatch) -> None:
    async def broken(records):
        raise RuntimeError("disk full")

    monkeypatch.setattr(persistence, "asave_all", broken)
    results = await asyncio.gather(
        persistence.asave(record("a", 1)),
        persistence.asave(record("b", 1)),
        return_exceptions=True,
    )
    assert [str(r) for r in results] == ["disk full", "disk full"]
    monkeypatch.undo()
    await persistence.asave(record("a", 2))  # and the next save works again
    assert await positions() == {"a": 2}
