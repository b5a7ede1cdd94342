"""With REDIS_URL set, frames travel through a real redis-server (channels-redis)."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers

from kubeviz import env, persistence
from kubeviz.classroom import services
from tests.web.test_classroom import enter  # noqa: F401

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


async def test_a_classroom_whose_state_holds_a_lone_surrogate_reaches_its_followers(
    redis_layer,
    enter,  # noqa: F811 - the classroom tests' fixture
) -> None:
    """Issue 13: in a classroom the frames of such a session vanished for everyone,
    since channels-redis packs each message with msgpack, which (like UTF-8)
    cannot hold a lone surrogate. The state here comes from a saved session, as
    one saved before such text was refused would hold it."""
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "x"},
        "spec": {"containers": [{"name": "c", "image": "nginx\ud800"}]},
    }
    record = persistence.Record(
        id="unsaved",
        actions=[{"step": 1, "action": {"op": "apply", "objects": [pod]}}],
        position=1,
    )
    created = await database_sync_to_async(services.create)(record)
    code, token = created.classroom.code, created.token
    presenter = await enter(code, token)
    follower = await enter(code, name="Ada")
    assert "x" in {p["name"] for p in follower.first["state"]["pods"]}
    await presenter.send({"type": "step", "id": 1})
    assert (await presenter.receive_until("delta", 10))["step"] == 2
    assert (await follower.receive_until("delta", 10))["step"] == 2
