"""The page says what happens to play when Redis goes away, and play goes on."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import LiveServer, RedisServer

pytestmark = pytest.mark.browser

STEP = (
    "() => Number(/step (\\d+)/.exec(document.querySelector("
    "'[data-part=readout]').textContent)[1])"
)


@dataclass
class RedisLiveServer(LiveServer):
    redis_url: str = ""

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, "REDIS_URL": self.redis_url}


@pytest.fixture
def server_on_redis(
    tmp_path: Path, restartable_redis: RedisServer
) -> Iterator[RedisLiveServer]:
    server = RedisLiveServer(tmp_path, redis_url=restartable_redis.url)
    server.migrate()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_play_says_it_waits_for_redis_and_goes_on_when_it_is_back(
    server_on_redis, restartable_redis, page
) -> None:
    page.goto(server_on_redis.url + "/")
    page.wait_for_selector("body[data-ready=true]")
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(f"() => ({STEP})() >= 3")

    restartable_redis.stop()
    page.wait_for_function(
        "() => /Redis/.test(document.querySelector('#narration').textContent)",
        timeout=10_000,
    )
    narration = page.locator("#narration").text_content()
    assert "play waits until it is back" in narration
    held_at = page.evaluate(f"({STEP})()")
    page.wait_for_timeout(2_000)
    assert page.evaluate(f"({STEP})()") == held_at, "play waits while Redis is down"
    assert page.get_by_role("button", name="Pause").is_visible()

    restartable_redis.start()
    page.wait_for_function(f"() => ({STEP})() > {held_at}", timeout=10_000)
    assert page.get_by_role("button", name="Pause").is_visible(), "still playing"
    refused = "ERR_CONNECTION_REFUSED"
    assert [error for error in page.errors if refused not in error] == []
