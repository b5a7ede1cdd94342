"""Events as kubectl prints them: `get events` (-o wide) and describe's Events table.

Followed: kubernetes pkg/printers/internalversion/printers.go (eventColumnDefinitions
and printEvent: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; wide adds SUBOBJECT and
SOURCE before MESSAGE and FIRST SEEN, COUNT, NAME after it; SOURCE is
"component, host") and kubectl pkg/describe/describe.go (DescribeEvents: Age is
the first time seen, or "<last> (x<count> over <first>)").
"""

from __future__ import annotations

import re

from simulation.clock import age, parse

WIDE = [
    "LAST SEEN",
    "TYPE",
    "REASON",
    "OBJECT",
    "SUBOBJECT",
    "SOURCE",
    "MESSAGE",
    "FIRST SEEN",
    "COUNT",
    "NAME",
]


def columns(output: str) -> list[dict[str, str]]:
    """Rows of a kubectl table cut at the header's column starts (cells may be
    empty, so splitting on spaces is not enough)."""
    head, *lines = output.splitlines()
    names = re.findall(r"\S+(?: \S+)*", head)
    starts = [head.index(n) for n in names]
    ends = starts[1:] + [None]
    return [
        {n: line[s:e].strip() for n, s, e in zip(names, starts, ends, strict=True)}
        for line in lines
    ]


def scale_twice(web, kc) -> None:
    """Scale 3 → 4 → 3 → 4 → 3 a minute apart: "from 3 to 4" happens twice."""
    for replicas in (4, 3, 4, 3):
        web.run(until=web.time + 60)
        kc.ok(web, f"kubectl scale deploy/web --replicas={replicas}")
        web.settle()


def test_describe_shows_a_repeated_event_as_x_over(web, kc):
    """`kubectl describe deploy` prints the repeated ScalingReplicaSet Event once,
    aged by its last time, with "(x2 over <first>)"."""
    scale_twice(web, kc)
    event = next(
        e
        for e in web.store.list("events")
        if e["reason"] == "ScalingReplicaSet" and e["message"].endswith("from 3 to 4")
    )
    assert event["count"] == 2
    last = age(web.time - parse(event["lastTimestamp"]))
    first = age(web.time - parse(event["firstTimestamp"]))
    out = kc.ok(web, "kubectl describe deploy web")
    line = next(ln for ln in out.splitlines() if ln.endswith("from 3 to 4"))
    assert re.split(r"\s{2,}", line.strip()) == [
        "Normal",
        "ScalingReplicaSet",
        f"{last} (x2 over {first})",
        "deployment-controller",
        event["message"],
    ]
    assert first != last


def test_get_events_last_seen_is_the_last_time_only(web, kc):
    """`kubectl get events` shows no "(x2 over …)": that is describe's; the
    table's LAST SEEN is the age of lastTimestamp."""
    scale_twice(web, kc)
    out = kc.ok(web, "kubectl get events")
    assert kc.header(out) == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    row = next(r for r in columns(out) if r["MESSAGE"].endswith("from 3 to 4"))
    event = next(e for e in web.store.list("events") if e["message"] == row["MESSAGE"])
    assert row["LAST SEEN"] == age(web.time - parse(event["lastTimestamp"]))
    assert row["OBJECT"] == "deployment/web"
    assert "(x" not in out


def test_get_events_wide_has_the_real_columns(web, kc):
    """-o wide: SUBOBJECT and SOURCE before MESSAGE, FIRST SEEN, COUNT and NAME
    after it; a kubelet Event's SOURCE names its node."""
    scale_twice(web, kc)
    out = kc.ok(web, "kubectl get events -o wide")
    assert re.findall(r"\S+(?: \S+)*", out.splitlines()[0]) == WIDE
    rows = columns(out)
    started = next(r for r in rows if r["REASON"] == "Started")
    pod = web.store.get("pods", "default", started["OBJECT"].removeprefix("pod/"))
    assert started["SOURCE"] == f"kubelet, {pod['spec']['nodeName']}"
    assert started["SUBOBJECT"] == ""
    assert started["COUNT"] == "1"
    scaled = next(r for r in rows if r["MESSAGE"].endswith("from 3 to 4"))
    event = web.store.get("events", "default", scaled["NAME"])
    assert event is not None and event["message"] == scaled["MESSAGE"]
    assert scaled["COUNT"] == "2"
    assert scaled["SOURCE"] == "deployment-controller"
    assert scaled["FIRST SEEN"] == age(web.time - parse(event["firstTimestamp"]))
    assert scaled["LAST SEEN"] == age(web.time - parse(event["lastTimestamp"]))
