"""A process's memory budget: idle sessions leave first, new ones wait if still over.

`KUBEVIZ_MAX_MEMORY_MB` bounds the process's RSS. The consumer tests use the real
RSS of the test process, which is far over a 1 MB budget and far under a 100 GB one.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from channels.db import database_sync_to_async

from kubeviz import persistence
from kubeviz.live import LiveSession
from kubeviz.models import SavedSession
from kubeviz.registry import MB, MemoryBudget, Registry, registry
from tests.hardening.conftest import ORIGIN, Tab, saved_position_once_evicted

SERVER_FULL = 4503
NO_BUDGET = 0
TINY = 1  # MB: the test process is always over it


def application():
    from kubeviz.asgi import application as app

    return app


async def connect(session_id: str) -> tuple[Tab, bool, int | None]:
    tab = Tab(application(), f"/ws/session/{session_id}/", headers=[ORIGIN])
    connected, code = await tab.connect(timeout=30)
    return tab, connected, code


def budget(settings, mb: int, **more) -> None:
    settings.KUBEVIZ = {**settings.KUBEVIZ, "MAX_MEMORY_MB": mb, **more}


# --- the accounting -----------------------------------------------------------------
class Readings:
    """RSS values in MB, one per read, the last one repeated."""

    def __init__(self, *mb: float) -> None:
        self.values = [int(v * MB) for v in mb]

    def __call__(self) -> int:
        return self.values.pop(0) if len(self.values) > 1 else self.values[0]


def test_an_eviction_counts_as_room_although_rss_does_not_fall():
    """Freed memory stays in the process for reuse: RSS less the evicted share."""
    memory = MemoryBudget(Readings(100, 300))  # baseline 100 MB, then 300 MB
    assert memory.over(250)
    memory.evicted(memory.share(live=4))  # (300 - 100) / 4 = 50 MB
    assert not memory.over(250)
    assert memory.use() == 250 * MB


def test_the_credit_is_used_up_when_rss_grows_or_a_session_opens():
    """The process never counts as free what it has taken from the system since."""
    memory = MemoryBudget(Readings(100, 300, 300, 320))
    memory.over(250)
    memory.evicted(50 * MB)
    assert memory.use() == 250 * MB  # RSS still 300
    assert memory.use() == 290 * MB  # RSS grew by 20 MB: 30 MB of credit left
    memory.opened(50 * MB)
    assert memory.use() == 320 * MB


def test_no_budget_is_never_over():
    assert not MemoryBudget(Readings(100, 5000)).over(0)


# --- through the sockets ------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
async def test_over_budget_idle_sessions_leave_and_a_new_one_is_refused(
    settings, make_session
) -> None:
    """Past MAX_MEMORY_MB an idle session is evicted (it is saved) before a new one
    is refused with 4503; the session with a viewer stays live."""
    budget(settings, NO_BUDGET)
    watched, idle, new = [await make_session("deploy") for _ in range(3)]
    tabs = []
    try:
        for session_id in (watched, idle):
            tab, connected, code = await connect(session_id)
            assert connected, code
            tabs.append(tab)
        await tabs.pop().disconnect()
        for _ in range(100):  # its save finishes, then it is idle
            if registry().sessions[idle].evict_task is not None:
                break
            await asyncio.sleep(0.02)

        budget(settings, TINY)
        third, connected, code = await connect(new)
        assert connected, "accepted first, so that the page can read why"
        refusal = json.loads(await third.receive_from())
        assert (refusal["type"], refusal["code"]) == ("error", "server_full")
        closed = await third.receive_output()
        assert closed == {"type": "websocket.close", "code": SERVER_FULL}
        assert idle not in registry().sessions, "the idle session was kept"
        assert watched in registry().sessions
        assert await database_sync_to_async(
            SavedSession.objects.filter(pk=idle).exists
        )()
    finally:
        for tab in tabs:
            await tab.disconnect()
        await registry().shutdown()


@pytest.mark.django_db(transaction=True)
async def test_over_budget_a_session_whose_last_tab_leaves_is_saved_and_evicted_at_once(
    settings, make_session
) -> None:
    """No wait of IDLE_SECONDS: over the budget, memory goes back as tabs close."""
    budget(settings, NO_BUDGET, IDLE_SECONDS=3600)
    session_id = await make_session("deploy")
    tab, connected, code = await connect(session_id)
    assert connected, code
    await tab.send({"type": "hello", "lastSeq": None})
    await tab.receive_until("snapshot")
    await tab.send({"type": "step"})
    await tab.receive_until("delta")
    step = registry().sessions[session_id].cluster.step_no
    budget(settings, TINY, IDLE_SECONDS=3600)
    await tab.disconnect()
    try:
        assert await saved_position_once_evicted(session_id) == step
    finally:
        await registry().shutdown()


@pytest.mark.django_db(transaction=True)
async def test_under_budget_a_new_session_opens(settings, make_session) -> None:
    budget(settings, 100_000)
    tab, connected, code = await connect(await make_session("deploy"))
    try:
        assert connected, code
    finally:
        await tab.disconnect()
        await registry().shutdown()


# --- the defaults -------------------------------------------------------------------
@pytest.mark.django_db(transaction=True)
async def test_by_default_three_hundred_watched_sessions_fit_in_one_process(
    make_session,
) -> None:
    """Issue #9: 300 students, each with a session of their own, on one process.
    (The sessions share one small model here, to keep the test quick; the limits
    count sessions and measure the process, not the model.)"""
    record = await persistence.aload(await make_session("deploy"))
    cluster = persistence.open_cluster(record)
    rooms = Registry()
    for n in range(300):
        rooms.make_room()  # raises Full when there is no room
        live = LiveSession(persistence.Record(id=f"s{n}"), cluster)
        live.viewers.add(f"tab-{n}")
        rooms.sessions[live.id] = live
    assert len(rooms.sessions) == 300
