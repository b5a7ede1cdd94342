"""Every kind of presenter action, and what a follower must see of it.

One table, run by the same-process transcripts (tests/web/test_classroom_actions.py)
and across two processes over Redis (tests/multiprocess/test_classroom_actions.py):
a follower's tab receives exactly the broadcast messages the presenter's tab does
(the same delta, snapshot, trace, spotlight, lesson frame), and the presenter gets
its answers (acks, kubectl output, its trace with its request's id), never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

# A message that reaches every member is the very same for each; these types are.
BROADCAST = ("delta", "snapshot", "status", "spotlight", "lesson", "lesson_answer")
WEB_LESSON = "10-pod-to-pod-same-node"  # position 1 shows a packet trace
QUIZ_LESSON = "01-tour"  # position 0 asks a prediction question


@dataclass(frozen=True)
class Want:
    """A message of type `kind` for which `test` holds (any, by default)."""

    kind: str
    test: Callable[[dict], bool] = lambda message: True

    def matches(self, message: dict) -> bool:
        return message["type"] == self.kind and self.test(message)


@dataclass
class Seen:
    """What each tab received while the action was carried out."""

    step: int  # the presenter's step before the action
    presenter: list[dict] = field(default_factory=list)  # everything, in order
    follower: list[dict] = field(default_factory=list)
    wanted: list[dict] = field(default_factory=list)  # the follower's matches

    def follower_got(self, kind: str) -> dict:
        return next(m for m in self.wanted if m["type"] == kind)


@dataclass(frozen=True)
class Action:
    """One presenter action: what is sent, then what each tab must receive."""

    name: str
    make: Callable[[dict], dict]  # the message, from the state the presenter sees
    follower: tuple[Want, ...]
    presenter: tuple[Want, ...]
    check: Callable[[Seen], None] = lambda seen: None
    # Sent first, each with the message types the presenter and the follower
    # wait for after it.
    before: tuple[tuple[dict, str, str], ...] = ()
    scenario: str = "web"
    lesson: str = ""


def web_pods(state: dict) -> list[str]:
    """The network model's endpoints of the web Deployment's pods."""
    return [
        "pod/" + pod["id"].split("/", 1)[1]
        for pod in state["pods"]
        if pod["id"].startswith("pods/default/web-")
    ]


def fixed(message: dict) -> Callable[[dict], dict]:
    return lambda state: message


def playing(flag: bool) -> Want:
    return Want("status", lambda m: m["session"]["playing"] is flag)


def trace_of(request_op: str) -> Want:
    return Want("trace", lambda m: m["request"]["op"] == request_op)


def same_as_presenter(seen: Seen) -> None:
    """The follower's copy of each broadcast is the presenter's, byte for byte
    (a trace: but for the asker's `id`)."""
    for message in seen.wanted:
        if message["type"] in BROADCAST:
            assert message in seen.presenter, message["type"]
        elif message["type"] == "trace":
            copies = [
                {k: v for k, v in m.items() if k != "id"}
                for m in seen.presenter
                if m["type"] == "trace"
            ]
            assert message in copies
            assert "id" not in message


def delivered(seen: Seen) -> None:
    trace = seen.follower_got("trace")["trace"]
    assert trace["verdict"] == "delivered", trace["summary"]
    assert trace["hops"], "a packet with no hops draws nothing"
    mine = next(m for m in seen.presenter if m["type"] == "trace")
    assert mine["id"] == 5, "the presenter's own answer carries its request's id"


def step_is(offset: int) -> Callable[[Seen], None]:
    def check(seen: Seen) -> None:
        assert seen.follower_got("delta")["step"] == seen.step + offset

    return check


def event_is(kind: str) -> Callable[[Seen], None]:
    def check(seen: Seen) -> None:
        assert seen.follower_got("delta")["event"]["type"] == kind

    return check


def two_steps_in_a_row(seen: Seen) -> None:
    deltas = [m for m in seen.wanted if m["type"] == "delta"]
    assert [d["step"] for d in deltas] == [seen.step + 1, seen.step + 2]


def nodes_are(workers: int) -> Callable[[Seen], None]:
    def check(seen: Seen) -> None:
        nodes = seen.follower_got("snapshot")["state"]["nodes"]
        assert len([n for n in nodes if n["id"] != "nodes/control-plane"]) == workers

    return check


def lesson_at(position: int, trace: bool) -> Callable[[Seen], None]:
    def check(seen: Seen) -> None:
        frame = seen.follower_got("lesson")["frame"]
        assert frame["position"] == position and frame["narration"]
        snapshot = seen.follower_got("snapshot")
        assert snapshot["state"]["step"] == frame["clusterStep"]
        if trace:
            assert seen.follower_got("trace")["trace"]["hops"]

    return check


def answered(seen: Seen) -> None:
    result = seen.follower_got("lesson_answer")["result"]
    assert {"correct", "answer", "why"} <= set(result)


def poll_is(open_: bool, revealed: bool) -> Callable[[Seen], None]:
    def check(seen: Seen) -> None:
        poll = seen.follower_got("poll")["poll"]
        assert poll["question"] == "Which node?"
        assert (poll["open"], poll["revealed"]) == (open_, revealed)
        # A follower sees the tally only once it is revealed.
        assert ("counts" in poll) is revealed

    return check


POD_MANIFEST = (
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hello\nspec:\n"
    "  containers:\n  - name: app\n    image: busybox:1.36\n"
)
POLL = {"type": "poll_open", "question": "Which node?", "options": ["n1", "n2"]}
SCALE = "kubectl scale deploy/web --replicas=4"
STEP = ({"type": "step"}, "delta", "delta")

ACTIONS = (
    Action(
        "step",
        fixed({"type": "step"}),
        (Want("delta"),),
        (Want("delta"),),
        step_is(1),
        scenario="deploy",
    ),
    Action(
        "back",
        fixed({"type": "back"}),
        (Want("delta"),),
        (Want("delta"),),
        step_is(-1),
        before=(STEP,),
        scenario="deploy",
    ),
    Action(
        "seek",
        lambda state: {"type": "seek", "step": state["step"]},
        (Want("delta"),),
        (Want("delta"),),
        step_is(-2),
        before=(STEP, STEP),
        scenario="deploy",
    ),
    Action(
        "play",
        fixed({"type": "play", "speed": 20}),
        (playing(True), Want("delta"), Want("delta")),
        (playing(True), Want("delta"), Want("delta")),
        two_steps_in_a_row,
        scenario="deploy",
    ),
    Action(
        "pause",
        fixed({"type": "pause"}),
        (playing(False),),
        (playing(False),),
        before=(({"type": "play", "speed": 2}, "delta", "delta"),),
        scenario="deploy",
    ),
    Action(
        "trace pod to pod",
        lambda state: {
            "type": "trace",
            "id": 5,
            "from": web_pods(state)[0],
            "to": web_pods(state)[1],
        },
        (Want("delta"), trace_of("trace")),
        (Want("delta"), trace_of("trace")),
        delivered,
    ),
    Action(
        "trace pod to service",
        lambda state: {
            "type": "trace",
            "id": 5,
            "from": web_pods(state)[0],
            "to": "svc/default/web:80",
        },
        (Want("delta"), trace_of("trace")),
        (Want("delta"), trace_of("trace")),
        delivered,
    ),
    Action(
        "kubectl scale",
        fixed({"type": "kubectl", "id": 5, "command": SCALE}),
        (Want("delta"),),
        (Want("delta"), Want("kubectl_output", lambda m: m["ok"] and m["id"] == 5)),
        event_is("kubectl.scale"),
    ),
    Action(
        "kubectl exec curl",
        fixed(
            {
                "type": "kubectl",
                "id": 5,
                "command": "kubectl exec deploy/web -- curl -sI http://web",
            }
        ),
        (Want("delta"), trace_of("kubectl")),
        (Want("delta"), Want("kubectl_output", lambda m: m["ok"]), trace_of("kubectl")),
        delivered,
    ),
    Action(
        "apply_manifest",
        fixed({"type": "apply_manifest", "yaml": POD_MANIFEST}),
        (
            Want(
                "delta",
                lambda m: any(c["id"] == "pods/default/hello" for c in m["changes"]),
            ),
        ),
        (Want("delta"),),
    ),
    Action(
        "fault fail_node",
        fixed({"type": "fault", "action": "fail_node", "target": "node-1"}),
        (Want("delta"),),
        (Want("delta"),),
        event_is("node.failed"),
    ),
    Action(
        "set nodes",
        fixed({"type": "set", "nodes": 3}),
        (Want("snapshot"),),
        (Want("snapshot"),),
        nodes_are(3),
    ),
    Action(
        "reset",
        fixed({"type": "reset"}),
        (Want("snapshot"),),
        (Want("snapshot"),),
        before=(STEP,),
        scenario="deploy",
    ),
    Action(
        "load_scenario",
        fixed({"type": "load_scenario", "scenario": "deploy"}),
        (Want("snapshot", lambda m: m["session"]["scenario"] == "deploy"),),
        (Want("snapshot"),),
    ),
    Action(
        "lesson_next",
        fixed({"type": "lesson_next"}),
        (Want("snapshot"), Want("lesson"), Want("trace")),
        (Want("lesson"), Want("trace"), Want("ack")),
        lesson_at(1, trace=True),
        lesson=WEB_LESSON,
    ),
    Action(
        "lesson_back",
        fixed({"type": "lesson_back"}),
        (Want("snapshot"), Want("lesson")),
        (Want("lesson"), Want("ack")),
        lesson_at(0, trace=False),
        before=(({"type": "lesson_next"}, "lesson", "lesson"),),
        lesson=WEB_LESSON,
    ),
    Action(
        "lesson_goto",
        fixed({"type": "lesson_goto", "position": 2}),
        (Want("snapshot"), Want("lesson"), Want("trace")),
        (Want("lesson"), Want("trace"), Want("ack")),
        lesson_at(2, trace=True),
        lesson=WEB_LESSON,
    ),
    Action(
        "reset in a lesson",  # the lesson's first step, for everyone
        fixed({"type": "reset"}),
        (Want("snapshot"), Want("lesson")),
        (Want("lesson"),),
        lesson_at(0, trace=False),
        before=(({"type": "lesson_next"}, "lesson", "lesson"),),
        lesson=WEB_LESSON,
    ),
    Action(
        "lesson_answer",
        fixed({"type": "lesson_answer", "choice": 0}),
        (Want("lesson_answer"),),
        (Want("lesson_answer"), Want("ack")),
        answered,
        lesson=QUIZ_LESSON,
    ),
    Action(
        "spotlight",
        fixed({"type": "spotlight", "target": "nodes/node-1"}),
        (Want("spotlight", lambda m: m["target"] == "nodes/node-1"),),
        (Want("spotlight"), Want("ack")),
    ),
    Action(
        "lock",
        fixed({"type": "lock", "locked": True}),
        (Want("classroom", lambda m: m.get("locked") is True),),
        (Want("ack"),),
    ),
    Action(
        "poll_open",
        fixed(POLL),
        (Want("poll"),),
        (Want("poll", lambda m: "counts" in m["poll"]), Want("ack")),
        poll_is(open_=True, revealed=False),
    ),
    Action(
        "poll_reveal",
        fixed({"type": "poll_reveal"}),
        (Want("poll"),),
        (Want("ack"),),
        poll_is(open_=False, revealed=True),
        before=((POLL, "ack", "poll"),),
    ),
    Action(
        "poll_close",
        fixed({"type": "poll_close"}),
        (Want("poll"),),
        (Want("ack"),),
        poll_is(open_=False, revealed=False),
        before=((POLL, "ack", "poll"),),
    ),
)


def match(wants: tuple[Want, ...], received: list[dict], found: list[dict]) -> bool:
    """Add to `found` the messages of `received` that meet `wants` in order; True
    once every want is met."""
    found.clear()
    for message in received:
        if len(found) < len(wants) and wants[len(found)].matches(message):
            found.append(message)
    return len(found) == len(wants)


def judge(action: Action, seen: Seen) -> None:
    """The assertions every action shares, then the action's own."""
    errors = [m for m in seen.presenter if m["type"] == "error"]
    assert not errors, errors
    same_as_presenter(seen)
    action.check(seen)
