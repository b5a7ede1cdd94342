"""The classroom websocket: one per presenter's or follower's tab.

The presenter and the followers all watch the classroom's frames, which come from
the owner process's model already encoded; the consumer forwards them as they are,
in sequence order. The presenter's controls travel to the owner; a follower's are
refused while following. A follower who breaks away drives a private copy through
the ordinary session machinery (this class is a SessionConsumer for that), and
rejoining returns to the classroom's current frame.
"""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs

from channels.layers import get_channel_layer
from django.http.cookie import parse_cookie

from kubeviz import protocol
from kubeviz.classroom import messages, services, voters
from kubeviz.classroom.live import owner_group
from kubeviz.classroom.models import normal_code
from kubeviz.classroom.owners import owners
from kubeviz.classroom.relay import Relay, relays
from kubeviz.consumers import NOT_FOUND, SessionConsumer
from kubeviz.memberships import LAYER_ERRORS, memberships
from kubeviz.registry import Full, registry
from kubeviz.transport import READY

log = logging.getLogger(__name__)

SYNC_RETRY = 3.0  # seconds to wait for the owner before asking again
SYNC_ATTEMPTS = 10  # a replay under load can take a while
VOTER_COOKIE = voters.COOKIE
BREAK_INTERVAL = 5.0
HELD = (
    "The server lost its connection to Redis, which carries the classroom between "
    "its processes: the picture waits until it is back."
)
RESUMED = "The server's connection to Redis is back: the classroom goes on."
UNREACHABLE = (
    "the server cannot reach Redis, which carries the classroom between its "
    "processes; try again in a moment"
)
# Requests that carry what a person did: never sent to an owner that is gone.
ACTS = ("control", "command", "answer", "breakaway")


class ClassroomConsumer(SessionConsumer):
    """Is responsible for one tab in a classroom, as presenter or as follower."""

    code = ""
    role = "follower"
    name = ""
    voter = ""
    away = False
    # While waiting for the owner's catch-up: frames that arrived meanwhile.
    pending: list[dict] | None = None
    sync_task: asyncio.Task | None = None
    relay: Relay | None = None
    last_break = float("-inf")
    locked = False  # as last told by the owner; the owner checks again
    classroom_session = ""
    # Over the rate a classroom tab's messages are dropped, not kept: a follower's
    # are refused anyway, and a presenter's travel on to the owner's process.
    backlog_limit = 0

    async def dispatch(self, message: dict) -> None:
        """Frames skip Channels' per-message database clean-up.

        `AsyncConsumer.dispatch` runs `close_old_connections` in the sync thread
        before every handler: one thread hop per follower per frame, which
        serialises a 200-follower fan-out on that one thread. Frame handlers never
        touch the database, so they are called directly.
        """
        handler = FAST.get(message["type"])
        if handler is not None:
            await handler(self, message)
        else:
            await super().dispatch(message)

    async def connect(self) -> None:
        self.code = normal_code(self.scope["url_route"]["kwargs"]["code"])
        classroom = await services.aget(self.code)
        if classroom is None or not await owners().ensure(self.code):
            await self.close(code=NOT_FOUND)
            return
        self.classroom_session = classroom.session_id
        cookies = self.cookies()
        token = cookies.get(services.cookie_name(self.code))
        self.role = (
            "presenter" if services.is_presenter(classroom, token) else "follower"
        )
        self.voter = voters.verify(cookies.get(VOTER_COOKIE))  # "" if not ours
        query = parse_qs(self.scope.get("query_string", b"").decode("latin-1"))
        self.name = messages.display_name((query.get("name") or [""])[0])
        self.relay = await relays().enter(self.code, self)
        await self.accept()
        await self.to_owner("join")

    def cookies(self) -> dict[str, str]:
        for name, value in self.scope.get("headers", []):
            if name == b"cookie":
                return parse_cookie(value.decode("latin-1"))
        return {}

    async def disconnect(self, code: int) -> None:
        """Leave this process's relay first: it needs no channel layer, so a
        layer that fails below cannot leave a dead member in it."""
        if not self.code:
            return
        if self.sync_task is not None:
            self.sync_task.cancel()
        await relays().leave(self.code, self)
        try:
            if self.away and self.live is not None:
                live, self.live = self.live, None
                await registry().leave(live, self.channel_name)
        finally:
            await self.to_owner("leave")

    def member(self) -> dict:
        """Who this tab is, for the owner's roster."""
        return {
            "channel": self.channel_name,
            "role": self.role,
            "name": self.name,
            "voter": self.voter,
            "away": self.away,
        }

    async def to_owner(self, kind: str, **fields) -> None:
        """A request for the classroom's owner process, wherever it is.

        Before something a person did (a control, a command, an answer, breaking
        away), make sure the owner still answers, so that it is not sent to a
        process that died; if none answers, this process becomes the owner.
        """
        if kind in ACTS and not await owners().alive(self.code):
            owners().forget(self.code)
            await owners().ensure(self.code)
        request = {"type": f"classroom.{kind}", **self.member(), **fields}
        await get_channel_layer().group_send(owner_group(self.code), request)

    async def to_owner_or_say(self, kind: str, about: str, rid, **fields) -> None:
        """`to_owner`, or, while the channel layer is down, an error saying so."""
        try:
            await self.to_owner(kind, **fields)
        except LAYER_ERRORS:
            memberships().trouble()
            await self.reply(protocol.error("unavailable", UNREACHABLE, rid, about))

    # --- from the browser ---------------------------------------------------------
    async def receive(
        self, text_data: str | None = None, bytes_data: bytes | None = None
    ) -> None:
        # A following tab's page pulls at max speed by itself; nothing to pull. (The
        # rate limit is SessionConsumer.dispatch's, before this.)
        ready = text_data is not None and READY.match(text_data) is not None
        if ready and self.role == "follower" and not self.away:
            return
        try:
            message = messages.parse(text_data, bytes_data)
        except protocol.ProtocolError as exc:
            await self.reply(protocol.error(exc.code, exc.message, exc.request_id))
            return
        kind, rid = message["type"], message.get("id")
        if kind in messages.CLASSROOM_MESSAGES:
            await self.classroom_request(message)
        elif self.away:
            await super().receive(text_data, bytes_data)
        elif kind == "hello":
            await self.sync(message.get("lastSeq"))
        elif self.role == "presenter":
            text = text_data if text_data is not None else bytes_data.decode()
            await self.to_owner_or_say("control", kind, rid, text=text)
        elif kind != "ready":  # a follower's page asks for frames; nothing to pull
            await self.reply(messages.refused(kind, rid))

    async def classroom_request(self, message: dict) -> None:
        kind, rid = message["type"], message.get("id")
        if kind in messages.PRESENTER_ONLY and self.role != "presenter":
            await self.reply(
                protocol.error(
                    "presenter_only", f"only the presenter can {kind}", rid, kind
                )
            )
        elif kind in messages.FOLLOWER_ONLY and self.role != "follower":
            await self.reply(
                protocol.error("followers_only", f"{kind} is for followers", rid, kind)
            )
        elif kind in messages.PRESENTER_ONLY:
            await self.to_owner_or_say("command", kind, rid, message=message)
        elif kind == "poll_answer" and not self.voter:
            await self.reply(messages.no_voter(rid))
        elif kind == "poll_answer":
            await self.to_owner_or_say("answer", kind, rid, message=message)
        elif kind == "break_away" and "resume" in message:
            await self.resume(message["resume"], rid)
        elif kind == "break_away":
            await self.break_away(rid)
        elif kind == "rejoin":
            await self.rejoin()

    # --- the channel layer going and coming back ------------------------------------
    async def layer_lost(self) -> None:
        """Redis is down: frames cannot travel from the owner; say so."""
        if self.away:
            await super().layer_lost()
            return
        self.held = True
        await self.reply(protocol.event(protocol.note("classroom.held", HELD)))

    async def layer_returned(self) -> None:
        """Redis is back: once every process has joined its groups again, ask
        the owner for what this tab missed."""
        if self.away:
            await super().layer_returned()
            return
        await memberships().settled()
        async with self.turn:
            await self.sync(self.seq)
            if self.held:
                self.held = False
                note = protocol.note("classroom.resumed", RESUMED)
                await self.reply(protocol.event(note))

    # --- following ------------------------------------------------------------------
    async def sync(self, last_seq: int | None) -> None:
        """Ask the owner for what follows `last_seq`; frames wait until it answers."""
        self.seq = None
        self.pending = []
        if self.sync_task is not None:
            self.sync_task.cancel()
        self.sync_task = asyncio.create_task(self.sync_until_answered(last_seq))

    async def sync_until_answered(self, last_seq: int | None) -> None:
        """The owner may have just stopped: after a silence, find or become it."""
        for attempt in range(SYNC_ATTEMPTS):
            try:
                if attempt:
                    owners().forget(self.code)
                    await owners().ensure(self.code)
                await self.to_owner("sync", last_seq=last_seq)
            except LAYER_ERRORS:
                # Redis is not answering (yet): ask again, as after a silence.
                memberships().trouble()
            await asyncio.sleep(SYNC_RETRY)
            if self.pending is None:
                return
        await self.reply(
            protocol.error("unavailable", "the classroom is not answering; reload")
        )

    async def classroom_catchup(self, event: dict) -> None:
        if self.away or self.pending is None:
            return  # an answer to a sync that is no longer wanted
        pending, self.pending = self.pending, None
        self.locked = event.get("locked", self.locked)
        if self.sync_task is not None:
            self.sync_task.cancel()
            self.sync_task = None
        for text in event["texts"]:
            await self.send(text_data=text)
        self.seq = event["seq"]
        if not event["texts"]:
            await self.reply(protocol.ack("hello", None, seq=self.seq))
        for text in event["after"]:
            await self.send(text_data=text)
        for frame in pending:
            await self.session_frame(frame)

    async def session_frame(self, event: dict) -> None:
        if self.away:
            await super().session_frame(event)
            return
        if self.pending is not None:
            self.pending.append(event)
            return
        if self.seq is None or event["seq"] <= self.seq:
            return
        if event["seq"] == self.seq + 1 or event["snapshot"]:
            self.seq = event["seq"]
            await self.send(text_data=event["text"])
            return
        await self.sync(self.seq)  # frames were dropped: the owner fills the gap

    async def classroom_reply(self, event: dict) -> None:
        await self.send(text_data=event["text"])

    async def classroom_message(self, event: dict) -> None:
        if event.get("locked") is not None:
            self.locked = event["locked"]
        if self.locked and self.away:
            await self.rejoin()
        await self.send(text_data=event["text"])

    # --- breaking away and rejoining ------------------------------------------------
    async def classroom_private(self, event: dict) -> None:
        """The owner saved a copy of this moment: drive it as an ordinary session."""
        try:
            live = await registry().join(event["session"], self.channel_name)
        except Full:
            await self.reply(
                protocol.error(
                    "full",
                    "the server is full: stay with the class and try again later",
                    None,
                    "break_away",
                )
            )
            return
        if live is None:
            await self.reply(
                protocol.error(
                    "gone", "the private copy was not found", None, "break_away"
                )
            )
            return
        self.relay.following.discard(self)
        if self.sync_task is not None:
            self.sync_task.cancel()
        self.away, self.live, self.pending = True, live, None
        await self.to_owner("away")
        await self.catch_up(None)
        await self.reply(protocol.status(live.info()))
        await self.reply({"type": "classroom", "mode": "away", "session": live.id})

    async def resume(self, session_id: str, rid) -> None:
        """Back to one's own copy after a reconnect (the page remembers its id).

        A session id is the right to drive that session anyway; only the
        classroom's own session, which followers never learn, is refused.
        """
        if self.away:
            await self.reply(protocol.ack("break_away", rid, changed=False))
        elif self.locked:
            await self.reply(messages.locked(rid))
        elif session_id == self.classroom_session:
            await self.reply(
                protocol.error("gone", "that is not a copy of yours", rid, "break_away")
            )
        else:
            await self.classroom_private({"session": session_id})

    async def break_away(self, rid) -> None:
        """Ask the owner for a private copy; at most one every BREAK_INTERVAL s.

        Each copy is a saved session and a replay, so a tab cannot ask in a loop.
        """
        if self.away:
            await self.reply(protocol.ack("break_away", rid, changed=False))
            return
        if self.locked:
            await self.reply(messages.locked(rid))
            return
        now = asyncio.get_running_loop().time()
        if now - self.last_break < BREAK_INTERVAL:
            await self.reply(
                protocol.error(
                    "too_soon",
                    f"wait {BREAK_INTERVAL:g} seconds between breaking away",
                    rid,
                    "break_away",
                )
            )
            return
        self.last_break = now
        await self.to_owner("breakaway", id=rid)

    async def rejoin(self) -> None:
        if not self.away:
            await self.reply(protocol.ack("rejoin", None, changed=False))
            return
        private, self.live, self.away = self.live, None, False
        if private is not None:
            await registry().leave(private, self.channel_name)
        self.relay.following.add(self)
        await self.reply({"type": "classroom", "mode": "following"})
        await self.sync(None)


# Channel-layer messages whose handlers use no database (see dispatch).
FAST = {
    "session.frame": ClassroomConsumer.session_frame,
    "session.note": ClassroomConsumer.session_note,
    "classroom.message": ClassroomConsumer.classroom_message,
    "classroom.reply": ClassroomConsumer.classroom_reply,
    "classroom.catchup": ClassroomConsumer.classroom_catchup,
}
