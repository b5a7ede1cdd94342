"""client-go's event correlator (tools/record) and the API server's Event TTL.

Every component records core/v1 Events (`Context.record_event`) through
client-go's `EventCorrelator` (`events_cache.go`), which the model follows:

- **aggregation** (`EventAggregator`): events that differ only by message — same
  source, involved object, type and reason — are counted per 10-minute window; from
  the 10th distinct message on, they become one Event whose message starts with
  "(combined from similar events): ".
- **de-duplication** (`eventLogger`): an Event seen again (same source, object,
  type, reason and message, or the same combined group) is not created again: the
  existing one is PATCHed with `count` + 1 and a new `lastTimestamp`;
  `firstTimestamp` and the name stay those of the first occurrence.

The API server then deletes each Event `--event-ttl` (1 h) after its last write, as
the etcd lease it is stored with runs out (`Cluster` sweeps them as steps are
taken; readers hide any that are due, see `live`).

Where the model departs, deterministically: the logger's cache is the store itself
(the Event found by its correlation key, `Store.event_for`), so an Event repeated
after it expired starts again at count 1; the aggregator's record of messages is
kept in the recorder's memory (`State.memory[MEMORY]`, restored exactly on step
back) and, when it is
full, forgets its smallest message rather than a random one (Go's `PopAny`). The
source/object spam filter (25 events, then one per 5 minutes) is not modelled.
"""

from __future__ import annotations

from typing import Any

from .clock import parse

EVENT_TTL = 3600.0  # kube-apiserver --event-ttl (default 1h)
AGGREGATE_MAX_EVENTS = 10  # defaultAggregateMaxEvents
AGGREGATE_INTERVAL = 600.0  # defaultAggregateIntervalInSeconds
COMBINED = "(combined from similar events): "  # EventAggregatorByReasonMessageFunc
MEMORY = "event-recorder"  # the recorder's entry in State.memory, beside components'


def aggregate_key(event: dict) -> tuple:
    """EventAggregatorByReasonFunc: everything but the message."""
    source = event.get("source") or {}
    involved = event.get("involvedObject") or {}
    return (
        source.get("component", ""),
        source.get("host", ""),
        involved.get("kind", ""),
        involved.get("namespace") or "",
        involved.get("name", ""),
        involved.get("uid") or "",
        involved.get("apiVersion", ""),
        event.get("type", ""),
        event.get("reason", ""),
    )


def correlation_key(event: dict) -> tuple:
    """The key the recorder finds an Event again by (getEventKey, or the aggregate
    key for a combined Event, which later similar events patch)."""
    message = event.get("message", "")
    if isinstance(message, str) and message.startswith(COMBINED):
        return ("combined", *aggregate_key(event))
    involved = event.get("involvedObject") or {}
    return ("event", *aggregate_key(event), involved.get("fieldPath", ""), message)


def written_at(event: dict) -> float:
    """Simulated second of an Event's last write, from which its TTL runs.

    The recorder sets `lastTimestamp` on every write; an Event created some other
    way (kubectl apply) has at least its `creationTimestamp`.
    """
    times = []
    for stamp in (
        event["metadata"].get("creationTimestamp"),
        event.get("lastTimestamp"),
    ):
        try:
            value = parse(stamp) if isinstance(stamp, str) else None
        except ValueError:
            value = None
        if value is not None:
            times.append(value)
    return max(times, default=0.0)


def expired(event: dict, now: float) -> bool:
    return written_at(event) + EVENT_TTL <= now


def live(events: list[dict], now: float) -> list[dict]:
    """The Events a read at `now` sees: none past their TTL.

    Steps delete expired Events as they are taken; between steps (after
    `run(until=)`) the clock can be ahead of the last sweep.
    """
    return [e for e in events if not expired(e, now)]


def initial_memory() -> dict[str, Any]:
    """The aggregator's record of messages, and when it last forgot old ones."""
    return {"event_aggregates": {}, "event_aggregates_swept": 0.0}


def aggregate(memory: dict[str, Any], event: dict, now: float) -> dict:
    """EventAggregate: count the distinct messages of the event's group; from the
    10th within the interval, the event becomes the group's combined one (whose
    correlation key has no message, so later ones patch it)."""
    _forget_old(memory, now)
    records = memory["event_aggregates"]
    key = aggregate_key(event)
    messages, last = records.get(key, (frozenset(), None))
    if last is None or now - last > AGGREGATE_INTERVAL:
        messages = frozenset()
    messages = messages | {event["message"]}
    if len(messages) < AGGREGATE_MAX_EVENTS:
        records[key] = (messages, now)
        return event
    records[key] = (messages - {min(messages)}, now)
    return dict(event, message=COMBINED + event["message"])


def _forget_old(memory: dict[str, Any], now: float) -> None:
    """Drop group records past the interval (as good as absent) once per interval,
    so the map holds only the groups of the last ten minutes or so. The map is
    replaced, not changed, as the history's checkpoints share it."""
    if now - memory["event_aggregates_swept"] < AGGREGATE_INTERVAL:
        return
    memory["event_aggregates"] = {
        key: value
        for key, value in memory["event_aggregates"].items()
        if now - value[1] <= AGGREGATE_INTERVAL
    }
    memory["event_aggregates_swept"] = now
