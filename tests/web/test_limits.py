"""The rate limit every socket shares (kubeviz/limits.py), in transcripts."""

from __future__ import annotations

import pytest

from kubeviz import limits

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_bucket_admits_a_burst_then_the_rate() -> None:
    bucket = limits.Bucket(rate=20, burst=40)
    assert all(bucket.admit() for _ in range(40))
    assert not bucket.admit()
    bucket.stamp -= 0.5  # half a second later: ten more
    assert sum(bucket.admit() for _ in range(20)) == 10


def test_a_flood_is_cut_off_after_200_dropped_within_10_seconds() -> None:
    bucket = limits.Bucket(rate=20, burst=40)
    for _ in range(40 + limits.CUT_OFF - 1):
        bucket.admit()
    assert not bucket.flooding
    bucket.admit()
    assert bucket.flooding


async def test_a_burst_over_the_limit_is_told_once_and_dropped(
    settings, make_session, open_tab
) -> None:
    settings.KUBEVIZ = {
        **settings.KUBEVIZ,
        "MESSAGE_BURST": 5,
        "MESSAGES_PER_SECOND": 1,
    }
    tab = await open_tab(await make_session("blank"))  # hello took one token
    for _ in range(10):
        await tab.send({"type": "back"})
    replies = [await tab.receive() for _ in range(5)]
    assert [r.get("code") for r in replies].count("rate_limited") == 1
    assert [r["type"] for r in replies].count("ack") == 4
    assert await tab.receive_nothing(0.2), "the frames over the limit are dropped"


async def test_a_page_pulling_at_max_speed_is_never_limited(
    settings, make_session, open_tab
) -> None:
    """One `ready` per frame drawn is free, however fast the display draws."""
    settings.KUBEVIZ = {
        **settings.KUBEVIZ,
        "MESSAGE_BURST": 3,
        "MESSAGES_PER_SECOND": 1,
    }
    tab = await open_tab(await make_session("deploy"))
    await tab.send({"type": "play", "speed": "max"})
    pulls = 0
    while True:
        frame = await tab.receive()
        assert frame["type"] != "error", frame
        if frame["type"] == "status" and frame["session"]["playing"] is False:
            break
        if frame["type"] == "delta":
            await tab.send({"type": "ready", "seq": frame["seq"]})
            pulls += 1
    assert pulls > 3, "the scenario settled before the limit could have mattered"
