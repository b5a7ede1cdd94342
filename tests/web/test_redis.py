"""With REDIS_URL set, frames travel through a real redis-server (channels-redis)."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers

from kubeviz import env

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def redis_layer(redis_server: str, settings) -> None:
    settings.CHANNEL_LAYERS = {"default": env.channel_layer(redis_server, 100)}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def test_two_tabs_stay_in_sync_over_redis(
    redis_layer, make_session, open_tab
) -> None:
    session_id = await make_session("deploy")
    first = await open_tab(session_id)
    second = await open_tab(session_id)
    while (await first.receive_until("status", 10))["session"]["viewers"] != 2:
        pass
    await first.send({"type": "step"})
    one = await first.receive_until("delta", 10)
    two = await second.receive_until("delta", 10)
    assert one == two


async def test_reconnect_over_redis_gets_exactly_what_was_missed(
    redis_layer, make_session, open_tab
) -> None:
    session_id = await make_session("deploy")
    stays = await open_tab(session_id)
    sent = []
    for _ in range(2):
        await stays.send({"type": "step"})
        sent.append(await stays.receive_until("delta", 10))
    back = await open_tab(session_id, hello=False)
    await back.send({"type": "hello", "lastSeq": stays.first["seq"]})
    assert [await back.receive(timeout=10) for _ in range(2)] == sent
    assert (await back.receive(timeout=10))["type"] == "status"
