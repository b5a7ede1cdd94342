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


async def test_a_burst_over_the_limit_is_told_once_and_waits_its_turn(
    settings, make_session, open_tab
) -> None:
    settings.KUBEVIZ = {
        **settings.KUBEVIZ,
        "MESSAGE_BURST": 3,
        "MESSAGES_PER_SECOND": 5,
    }
    tab = await open_tab(await make_session("blank"))
    for i in range(8):
        await tab.send({"type": "back", "id": i})
    replies = [await tab.receive(timeout=5) for _ in range(9)]
    assert [r.get("code") for r in replies].count("rate_limited") == 1
    acks = [r["id"] for r in replies if r["type"] == "ack"]
    assert acks == list(range(8)), "every message is answered, in order"


async def test_a_flooding_tab_is_closed_with_4429(make_session, open_tab) -> None:
    """A full backlog drops what comes after it; CUT_OFF drops close the socket."""
    tab = await open_tab(await make_session("blank"))
    for _ in range(limits.BACKLOG + limits.CUT_OFF + 50):
        await tab.send("not json")
    while True:
        output = await tab.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            break
    assert output["code"] == limits.CLOSE_CODE


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
