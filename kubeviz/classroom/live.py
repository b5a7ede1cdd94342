"""The classroom's model and the names its messages travel under.

`ClassroomLive` is a LiveSession whose frames go to the classroom's group and
whose status never shows the session id; `Executor` carries out a presenter's
control with the session consumer's own handlers, replying over the channel layer.
"""

from __future__ import annotations

from channels.layers import get_channel_layer

from kubeviz import persistence, protocol
from kubeviz.classroom import services
from kubeviz.consumers import SessionConsumer
from kubeviz.live import LiveSession

# Messages the host sends to a consumer's channel (see consumers.py).
REPLY = "classroom.reply"  # {"text"}: one pre-encoded message for that consumer
CATCHUP = "classroom.catchup"  # {"seq", "texts", "after"}: frames or a snapshot
PRIVATE = "classroom.private"  # {"session"}: a break-away copy is ready
NOTICE = "classroom.message"  # {"text", "locked"}: for every member, or presenters


def frames_group(code: str) -> str:
    """Numbered frames for everyone following (LiveSession.publish sends here)."""
    return f"classroom.{code}"


def members_group(code: str) -> str:
    """Classroom notices (spotlight, poll, lock) for every member, away or not."""
    return f"classroom.{code}.all"


def owner_group(code: str) -> str:
    """The owner's request channel: exactly one live host answers here."""
    return f"classroom.{code}.owner"


class ClassroomLive(LiveSession):
    """Is responsible for the classroom's model; tells followers, never its id.

    The session id is the capability to drive a session, so `info()` names the
    classroom's code instead and counts everyone in the classroom.
    """

    # Followers may be in other processes: every frame goes through the group.
    viewers_are_local = False
    # Hosts swap the model under a guided lesson; keep every step on demand.
    steps_ahead = False

    def __init__(self, record: persistence.Record, cluster, code: str, **kw) -> None:
        super().__init__(record, cluster, **kw)
        self.code = code
        self.group = frames_group(code)
        self.count = lambda: 0

    def info(self) -> dict:
        return {**super().info(), "id": self.code, "viewers": self.count()}


class Executor(SessionConsumer):
    """Carries out one presenter control as the presenter's own tab would.

    The session consumer's handlers run unchanged: to them this is the presenter's
    tab, named by the presenter's channel (`channel_name`, so a trace's note skips
    the tab that gets its own answer) and sending through it (`send`, over the
    channel layer, in whichever process the presenter is connected to).
    """

    def __init__(self, live: ClassroomLive, presenter: str) -> None:
        super().__init__()
        self.live = live
        self.seq = 0  # past hello: controls are carried out
        self.channel_name = presenter
        self.channel_layer = get_channel_layer()

    async def send(
        self,
        text_data: str | None = None,
        bytes_data: bytes | None = None,
        close: bool = False,
    ) -> None:
        """What a handler sends its own socket goes to the presenter's channel."""
        if text_data is not None:
            await send_text(self.channel_name, text_data)

    async def on_save(self, message: dict) -> None:
        """A saved link is a copy of this moment, never the classroom's session."""
        async with self.live.lock:
            record = self.live.record()
        private = await services.asave_private(record)
        await self.reply(
            protocol.ack(
                "save",
                message.get("id"),
                session=private,
                step=record.position,
                url=f"/s/{private}",
            )
        )


async def send_text(channel: str, text: str) -> None:
    await get_channel_layer().send(channel, {"type": REPLY, "text": text})
