"""Group memberships outlive a Redis that restarts empty (kubeviz/memberships.py).

channels-redis's `group_add` is a `ZADD` to the sorted set `asgi:group:<name>`
(channels_redis/core.py), so a Redis without persistence that restarts has no
members in any group; a process must add its channels again.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from channels.layers import channel_layers, get_channel_layer

from kubeviz import env
from kubeviz.classroom.host import STALE, Host, Member
from kubeviz.classroom.live import owner_group
from kubeviz.classroom.owners import owners
from kubeviz.memberships import memberships


@pytest.fixture
def restartable_layer(restartable_redis, settings):
    settings.CHANNEL_LAYERS = {"default": env.channel_layer(restartable_redis.url, 100)}
    channel_layers.backends.clear()
    yield restartable_redis
    channel_layers.backends.clear()


async def until(condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


async def test_a_group_is_joined_again_and_its_listener_told_after_redis_restarts(
    restartable_layer,
) -> None:
    redis = restartable_layer
    layer = get_channel_layer()
    channel = await layer.new_channel()
    told: list[str] = []

    class Listener:
        async def layer_lost(self) -> None:
            told.append("lost")

        async def layer_returned(self) -> None:
            told.append("returned")

    listener = Listener()
    watch = memberships()
    watch.listen(listener)
    try:
        await watch.add("session.abc", channel)
        await asyncio.sleep(1.0)  # the watcher's first look puts its marker
        assert redis.command("ZCARD", "asgi:group:session.abc") == "1"

        await asyncio.to_thread(redis.stop)
        await until(lambda: told == ["lost"])
        await asyncio.to_thread(redis.start)
        await until(lambda: told == ["lost", "returned"])
        assert redis.command("ZCARD", "asgi:group:session.abc") == "1"

        # A frame sent to the group reaches the channel again.
        await layer.group_send("session.abc", {"type": "session.note", "text": "x"})
        message = await asyncio.wait_for(layer.receive(channel), 5)
        assert message["text"] == "x"
    finally:
        await watch.stop()


async def test_a_quick_restart_between_two_looks_is_noticed_by_the_marker(
    restartable_layer,
) -> None:
    """Redis gone and back before the watcher looked: the marker key is missing."""
    redis = restartable_layer
    layer = get_channel_layer()
    channel = await layer.new_channel()
    watch = memberships()
    try:
        await watch.add("classroom.QUICK1", channel)
        await asyncio.sleep(1.0)
        redis.command("FLUSHALL")  # what a restart without persistence leaves
        await until(
            lambda: redis.command("ZCARD", "asgi:group:classroom.QUICK1") == "1"
        )
    finally:
        await watch.stop()


async def test_the_owner_forgets_no_follower_in_the_first_roster_after_redis_returns(
    settings,
) -> None:
    """During an outage no roster reaches the owner: when Redis is back, the first
    process's roster must not make the owner drop the other process's tabs (the
    presenter would see the class shrink, then grow again)."""
    host = Host("ROSTER", "owner")
    now = time.monotonic()
    here = {"channel": "specific.a!1", "role": "presenter", "name": "", "voter": ""}
    host.members = {
        "specific.a!1": Member("presenter", seen=now - STALE - 10),
        "specific.b!1": Member("follower", seen=now - STALE - 10),
        "specific.b!2": Member("follower", seen=now - STALE - 10),
    }
    memberships().returned_at = now - 1.0  # Redis came back a second ago
    await host.on_roster({"members": [{**here, "away": False}]})
    assert sorted(host.members) == ["specific.a!1", "specific.b!1", "specific.b!2"]

    memberships().returned_at = now - STALE - 5  # long after: silence means gone
    await host.on_roster({"members": [{**here, "away": False}]})
    assert sorted(host.members) == ["specific.a!1"]
    for task in list(host.tasks):
        task.cancel()


async def test_an_owner_that_rejoins_its_group_late_is_not_taken_over() -> None:
    """Right after Redis returns, the owner's process may not have joined its
    group again yet (each process looks every 0.5 s): a ping then would go to
    nobody, and the asker would claim the classroom as a second owner. Pings wait
    until every process has had SETTLE seconds to re-join."""
    layer = get_channel_layer()
    owner_channel = await layer.new_channel()

    async def owner_back_late() -> None:
        await asyncio.sleep(0.8)  # its watcher has not looked yet
        await layer.group_add(owner_group("LATE01"), owner_channel)
        ping = await layer.receive(owner_channel)
        await layer.send(
            ping["reply_to"], {"type": "classroom.pong", "nonce": ping["nonce"]}
        )

    answering = asyncio.create_task(owner_back_late())
    memberships().returned_at = time.monotonic()  # Redis just came back
    try:
        assert await owners().alive("LATE01")
    finally:
        answering.cancel()
        await owners().shutdown()


async def test_memberships_are_renewed_before_channels_redis_expires_them(
    restartable_redis, settings
) -> None:
    """channels-redis's group_send drops members older than group_expiry (a day
    by default): a classroom open longer must still get its frames. Here the
    layer's group_expiry is 4 s and the test waits 7."""
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [restartable_redis.url], "group_expiry": 4},
        }
    }
    channel_layers.backends.clear()
    layer = get_channel_layer()
    channel = await layer.new_channel()
    watch = memberships()
    try:
        await watch.add("classroom.LONG01", channel)
        await asyncio.sleep(7)
        await layer.group_send(
            "classroom.LONG01", {"type": "session.note", "text": "y"}
        )
        message = await asyncio.wait_for(layer.receive(channel), 5)
        assert message["text"] == "y"
    finally:
        await watch.stop()
        channel_layers.backends.clear()
