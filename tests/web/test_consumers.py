"""Transcripts of one tab talking to its session: every message type, every refusal."""

from __future__ import annotations

import json

import pytest
from channels.testing import WebsocketCommunicator

from kubeviz.asgi import application
from kubeviz.models import SavedSession
from kubeviz.registry import registry
from tests.web.conftest import ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)


def pod_names(state: dict) -> set[str]:
    return {p["name"] for p in state["pods"]}


# --- connecting -----------------------------------------------------------------------
async def test_a_session_that_does_not_exist_is_closed_with_4404() -> None:
    """Accepted first, so that a browser sees the code and stops reconnecting."""
    tab = WebsocketCommunicator(
        application, "/ws/session/nosuchsession/", headers=[ORIGIN]
    )
    connected, _ = await tab.connect()
    assert connected
    error = await tab.receive_json_from()
    assert (error["type"], error["code"]) == ("error", "not_found")
    assert await tab.receive_output() == {"type": "websocket.close", "code": 4404}


async def test_a_socket_from_another_site_is_refused(make_session) -> None:
    session_id = await make_session()
    tab = WebsocketCommunicator(
        application,
        f"/ws/session/{session_id}/",
        headers=[(b"origin", b"http://evil.example")],
    )
    connected, _ = await tab.connect()
    assert not connected


async def test_hello_is_answered_with_a_snapshot_and_the_status(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("web"), hello=False)
    await tab.send({"type": "hello", "lastSeq": 0})
    snapshot = await tab.receive()
    assert snapshot["type"] == "snapshot" and snapshot["version"] == 1
    assert isinstance(snapshot["seq"], int)
    assert {n["name"] for n in snapshot["state"]["nodes"]} >= {"node-1", "node-2"}
    assert (
        len([p for p in snapshot["state"]["pods"] if p["name"].startswith("web-")]) == 3
    )
    assert snapshot["session"]["playing"] is False
    assert snapshot["state"]["step"] == snapshot["session"]["step"] > 0
    status = await tab.receive()
    assert status == {"type": "status", "session": snapshot["session"]}
    assert await tab.receive_nothing()


async def test_anything_before_hello_is_refused(make_session, open_tab) -> None:
    tab = await open_tab(await make_session(), hello=False)
    await tab.send({"type": "step", "id": 1})
    assert await tab.receive() == {
        "type": "error",
        "code": "hello_first",
        "for": "step",
        "id": 1,
        "message": "send hello before anything else",
    }


# --- stepping -------------------------------------------------------------------------
async def test_step_sends_the_next_numbered_delta(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("deploy"))
    await tab.send({"type": "step"})
    delta = await tab.receive()
    assert delta["type"] == "delta"
    assert delta["seq"] == tab.first["seq"] + 1
    assert delta["step"] == tab.first["state"]["step"] + 1
    assert delta["event"]["actor"] and delta["event"]["reason"]
    assert delta["event"]["apiCalls"], "a step says which API calls it made"
    assert delta["changes"] and all(
        c["op"] in ("upsert", "remove") for c in delta["changes"]
    )
    assert await tab.receive_nothing()


async def test_step_on_a_settled_cluster_is_acknowledged_as_no_change(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("blank"))
    await tab.send({"type": "step", "id": "s1"})
    ack = await tab.receive()
    assert ack["type"] == "ack" and ack["for"] == "step" and ack["id"] == "s1"
    assert ack["changed"] is False


async def test_back_undoes_a_step(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("deploy"))
    start = tab.first["state"]["step"]
    await tab.send({"type": "step"})
    await tab.receive()
    await tab.send({"type": "back"})
    delta = await tab.receive()
    assert delta["type"] == "delta" and delta["step"] == start
    assert delta["seq"] == tab.first["seq"] + 2


async def test_back_at_step_zero_changes_nothing(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("blank"))
    await tab.send({"type": "back"})
    ack = await tab.receive()
    assert (ack["type"], ack["for"], ack["changed"]) == ("ack", "back", False)


async def test_seek_goes_to_an_earlier_step_and_back_again(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("web"))
    last = tab.first["state"]["step"]
    await tab.send({"type": "seek", "step": 2})
    delta = await tab.receive()
    assert delta["type"] == "delta" and delta["step"] == 2
    await tab.send({"type": "seek", "step": last})
    delta = await tab.receive()
    assert delta["step"] == last


async def test_seek_past_the_last_step_stops_at_the_last_step(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("web"))
    await tab.send({"type": "seek", "step": 5000})
    delta = await tab.receive()
    assert delta["step"] == tab.first["state"]["lastStep"]


# --- play -----------------------------------------------------------------------------
async def test_play_steps_on_a_timer_and_pause_stops_it_at_once(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("deploy"))
    await tab.send({"type": "play", "speed": 20})
    status = await tab.receive()
    assert status["type"] == "status"
    assert status["session"]["playing"] is True and status["session"]["speed"] == 20
    deltas = [await tab.receive_until("delta") for _ in range(3)]
    assert [d["seq"] for d in deltas] == [tab.first["seq"] + i for i in (1, 2, 3)]
    await tab.send({"type": "pause"})
    while (message := await tab.receive())["type"] != "status":
        assert message["type"] == "delta"  # a step already under way finishes
    assert message["session"]["playing"] is False
    assert await tab.receive_nothing(0.3)


async def test_play_at_max_waits_for_the_browser_to_pull(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("deploy"))
    await tab.send({"type": "play", "speed": "max"})
    assert (await tab.receive())["type"] == "status"
    first = await tab.receive()
    assert first["type"] == "delta"
    assert await tab.receive_nothing(0.2), "no second frame before the pull"
    await tab.send({"type": "ready", "seq": first["seq"]})
    second = await tab.receive()
    assert second["seq"] == first["seq"] + 1
    await tab.send({"type": "pause"})
    assert (await tab.receive_until("status"))["session"]["playing"] is False


async def test_play_ends_by_itself_when_the_cluster_settles(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("blank"))
    await tab.send({"type": "play", "speed": 20})
    assert (await tab.receive())["session"]["playing"] is True
    assert (await tab.receive())["session"]["playing"] is False


# --- starting over --------------------------------------------------------------------
async def test_reset_starts_the_scenario_again_with_a_snapshot(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("deploy"))
    for _ in range(3):
        await tab.send({"type": "step"})
        await tab.receive()
    await tab.send({"type": "reset"})
    snapshot = await tab.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["state"]["step"] == tab.first["state"]["step"]
    assert snapshot["seq"] == tab.first["seq"] + 4


async def test_load_scenario_replaces_the_cluster(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("blank"))
    await tab.send({"type": "load_scenario", "scenario": "cloud"})
    snapshot = await tab.receive()
    assert snapshot["session"]["scenario"] == "cloud"
    assert snapshot["state"]["config"]["platform"] == "cloud"
    assert len([n for n in snapshot["state"]["nodes"] if n["role"] == "worker"]) == 3


async def test_an_unknown_scenario_is_refused(make_session, open_tab) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "load_scenario", "scenario": "no-such-thing"})
    error = await tab.receive()
    assert (error["type"], error["code"]) == ("error", "unknown_scenario")


# --- changing the cluster -------------------------------------------------------------
MANIFEST = """\
apiVersion: v1
kind: Pod
metadata:
  name: hello
spec:
  containers:
  - name: app
    image: busybox:1.36
"""


async def test_apply_manifest_is_one_step_with_its_event(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "apply_manifest", "yaml": MANIFEST})
    delta = await tab.receive()
    assert delta["event"]["type"] == "kubectl.apply"
    assert [c["id"] for c in delta["changes"]] == ["pods/default/hello"]


async def test_a_bad_manifest_is_refused_and_the_session_goes_on(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "apply_manifest", "yaml": "kind: [unclosed", "id": 9})
    error = await tab.receive()
    assert (error["type"], error["code"], error["for"], error["id"]) == (
        "error",
        "rejected",
        "apply_manifest",
        9,
    )
    assert error["message"].startswith("error")
    await tab.send({"type": "apply_manifest", "yaml": MANIFEST})
    assert (await tab.receive())["seq"] == tab.first["seq"] + 1


async def test_a_partly_refused_manifest_is_a_step_and_an_error(
    make_session, open_tab
) -> None:
    """kubectl sends each object on its own: the accepted pod is a delta for
    every tab, and the sender's error says what was created and what refused."""
    tab = await open_tab(await make_session())
    bad = MANIFEST.replace("name: hello", "name: Bad")
    await tab.send({"type": "apply_manifest", "yaml": MANIFEST + "---\n" + bad})
    got = {m["type"]: m for m in [await tab.receive(), await tab.receive()]}
    assert [c["id"] for c in got["delta"]["changes"]] == ["pods/default/hello"]
    error = got["error"]
    assert error["code"] == "rejected"
    created, refused = error["message"].split("\n", 1)
    assert created == "pod/hello created"
    assert refused.startswith('The Pod "Bad" is invalid: metadata.name')


async def test_fail_node_is_a_step_the_node_shows(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("web"))
    await tab.send({"type": "fault", "action": "fail_node", "target": "node-1"})
    delta = await tab.receive()
    assert delta["event"]["type"] == "node.failed"
    await tab.send({"type": "fault", "action": "restore_node", "target": "node-1"})
    assert (await tab.receive())["event"]["type"] == "node.restored"


async def test_kill_pod_deletes_it(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("web"))
    pod = next(p for p in tab.first["state"]["pods"] if p["name"].startswith("web-"))
    await tab.send(
        {"type": "fault", "action": "kill_pod", "target": f"default/{pod['name']}"}
    )
    delta = await tab.receive()
    assert delta["event"]["type"] == "pod.killed"
    assert pod["id"] in [c["id"] for c in delta["changes"]]


async def test_crash_container_names_pod_and_container(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("web"))
    pod = next(p for p in tab.first["state"]["pods"] if p["name"].startswith("web-"))
    await tab.send(
        {
            "type": "fault",
            "action": "crash_container",
            "target": f"default/{pod['name']}/nginx",
        }
    )
    assert (await tab.receive())["event"]["type"] == "container.crashed"


async def test_a_fault_on_a_missing_node_is_refused(make_session, open_tab) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "fault", "action": "fail_node", "target": "node-9"})
    error = await tab.receive()
    assert error["code"] == "rejected" and "node-9" in error["message"]


async def test_set_changes_the_cni_and_sends_a_snapshot(make_session, open_tab) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "set", "cni": "routed"})
    snapshot = await tab.receive()
    assert snapshot["type"] == "snapshot"
    assert snapshot["state"]["config"]["cni"] == "routed"


async def test_set_nodes_adds_workers(make_session, open_tab) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "set", "nodes": 4})
    snapshot = await tab.receive()
    assert len([n for n in snapshot["state"]["nodes"] if n["role"] == "worker"]) == 4


async def test_kubectl_output_goes_to_the_asker_with_its_id(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("web"))
    await tab.send({"type": "kubectl", "command": "kubectl get pods", "id": 7})
    output = await tab.receive()
    assert output["type"] == "kubectl_output" and output["id"] == 7
    assert output["ok"] is True
    assert output["output"].splitlines()[0].split()[:2] == ["NAME", "READY"]


async def test_a_failing_kubectl_command_prints_its_error(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session())
    await tab.send({"type": "kubectl", "command": "kubectl frobnicate", "id": "k"})
    output = await tab.receive()
    assert output["type"] == "kubectl_output" and output["ok"] is False
    assert output["output"]


async def test_kubectl_that_changes_the_cluster_is_a_step_for_everyone(
    make_session, open_tab
) -> None:
    session_id = await make_session("web")
    tab, other = await open_tab(session_id), await open_tab(session_id)
    await tab.receive_until("status")  # the second tab's arrival
    await tab.send(
        {
            "type": "kubectl",
            "command": "kubectl scale deployment web --replicas=4",
            "id": 1,
        }
    )
    got = [await tab.receive(), await tab.receive()]
    assert {m["type"] for m in got} == {"delta", "kubectl_output"}
    assert (await other.receive())["type"] == "delta"


async def test_trace_is_a_step_and_its_hops_go_to_every_viewer(
    make_session, open_tab
) -> None:
    session_id = await make_session("web")
    tab, other = await open_tab(session_id), await open_tab(session_id)
    pods = [p for p in tab.first["state"]["pods"] if p["name"].startswith("web-")]
    source, target = f"pod/default/{pods[0]['name']}", f"{pods[1]['ip']}:80"
    await tab.send({"type": "trace", "from": source, "to": target})
    delta = await tab.receive_until("delta")
    assert delta["event"]["type"] == "packet.trace"
    for viewer in (tab, other):
        trace = await viewer.receive_until("trace")
        assert trace["request"] == {"op": "trace", "from": source, "to": target}
        assert trace["trace"]["verdict"] == "delivered", trace["trace"]["reason"]
        assert trace["trace"]["hops"]


async def test_the_asker_gets_its_trace_once_with_its_id(
    make_session, open_tab
) -> None:
    """Straight to the tab that asked, after the step's delta; never via the group."""
    session_id = await make_session("web")
    tab = await open_tab(session_id)
    await tab.send({"type": "trace", "from": "node/node-1", "to": "internet", "id": 9})
    assert (await tab.receive())["type"] == "delta"
    trace = await tab.receive()
    assert (trace["type"], trace["id"]) == ("trace", 9)
    assert await tab.receive_nothing(0.2), "the group's copy reached the asker too"


async def test_a_trace_from_nowhere_is_refused(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("web"))
    await tab.send({"type": "trace", "from": "pod/default/ghost", "to": "web:80"})
    error = await tab.receive()
    assert (error["type"], error["code"], error["for"]) == (
        "error",
        "rejected",
        "trace",
    )


async def test_save_answers_with_the_link_and_writes_the_database(
    make_session, open_tab
) -> None:
    session_id = await make_session("deploy")
    tab = await open_tab(session_id)
    await tab.send({"type": "step"})
    delta = await tab.receive()
    await tab.send({"type": "save", "id": "s"})
    ack = await tab.receive()
    assert ack == {
        "type": "ack",
        "for": "save",
        "id": "s",
        "session": session_id,
        "step": delta["step"],
        "url": f"/s/{session_id}?step={delta['step']}",
    }
    row = await SavedSession.objects.aget(pk=session_id)
    assert row.position == delta["step"]
    assert row.actions and row.actions[0]["action"]["op"] == "apply"


# --- refusals -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ("{not json", "bad_json"),
        ("[]", "not_object"),
        ('{"type": "dance"}', "unknown_type"),
        ('{"type": "seek"}', "missing_field"),
        ('{"type": "seek", "step": "two"}', "bad_field"),
        ('{"type": "play", "speed": 100}', "out_of_range"),
        ('{"type": "step", "force": true}', "unknown_field"),
    ],
)
async def test_a_bad_message_gets_an_error_and_the_socket_stays_open(
    make_session, open_tab, frame: str, code: str
) -> None:
    tab = await open_tab(await make_session("deploy"))
    await tab.send(frame)
    error = await tab.receive()
    assert error["type"] == "error" and error["code"] == code and error["message"]
    await tab.send({"type": "step"})
    assert (await tab.receive())["type"] == "delta"


async def test_a_frame_over_256_kb_gets_an_error_and_the_socket_stays_open(
    make_session, open_tab
) -> None:
    tab = await open_tab(await make_session("deploy"))
    await tab.send(json.dumps({"type": "apply_manifest", "yaml": "#" * 300_000}))
    assert (await tab.receive())["code"] == "too_large"
    await tab.send({"type": "step"})
    assert (await tab.receive())["type"] == "delta"


async def test_a_binary_frame_is_read_as_json(make_session, open_tab) -> None:
    tab = await open_tab(await make_session("deploy"))
    await tab.send_to(bytes_data=b'{"type": "step"}')
    assert (await tab.receive())["type"] == "delta"


async def test_a_model_bug_is_an_internal_error_and_the_state_is_put_back(
    make_session, open_tab, monkeypatch
) -> None:
    session_id = await make_session("deploy")
    tab = await open_tab(session_id)
    live = registry().sessions[session_id]
    real_act = type(live.cluster).act

    def broken_act(cluster, action):
        assert cluster.step() is not None  # the model changes, then fails
        raise TypeError("a bug")

    monkeypatch.setattr(type(live.cluster), "act", broken_act)
    await tab.send({"type": "apply_manifest", "yaml": MANIFEST, "id": 2})
    error = await tab.receive()
    assert (error["code"], error["id"]) == ("internal", 2)
    monkeypatch.setattr(type(live.cluster), "act", real_act)
    await tab.send({"type": "hello", "lastSeq": 0})
    assert (await tab.receive())["state"] == tab.first["state"]
