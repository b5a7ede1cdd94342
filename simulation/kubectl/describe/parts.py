"""Sections `kubectl describe` shares between kinds: containers, conditions, volumes,
a node's pods and resources, Service ports, and the Events table."""

from __future__ import annotations

import weakref
from datetime import timedelta
from typing import TYPE_CHECKING

from ... import clock, recorder
from ...names import pod_template_hash
from ..printers.columns import NONE, age, endpoints_text

if TYPE_CHECKING:
    from ...context import Model


def when(stamp: str | None) -> str:
    """RFC 1123 with a zone, as describe prints times: `Thu, 01 Jan 2026 …`."""
    seconds = clock.parse(stamp)
    if seconds is None:
        return "<unset>"
    return (clock.EPOCH + timedelta(seconds=seconds)).strftime(
        "%a, %d %b %Y %H:%M:%S +0000"
    )


def multi(title: str, items: list[str]) -> list[str]:
    """`Labels:  a=b` then continuation lines aligned under the first value."""
    if not items:
        return [f"{title}\t<none>"]
    return [f"{title}\t{items[0]}"] + [f"\t{x}" for x in items[1:]]


def labels(obj: dict) -> list[str]:
    labels = obj["metadata"].get("labels") or {}
    return [f"{k}={v}" for k, v in sorted(labels.items())]


def annotations(obj: dict) -> list[str]:
    notes = obj["metadata"].get("annotations") or {}
    return [f"{k}: {v}" for k, v in sorted(notes.items())]


def _ports(c: dict) -> tuple[str, str]:
    ports = c.get("ports") or []
    if not ports:
        return "<none>", "<none>"
    port = ",".join(f"{p['containerPort']}/{p.get('protocol', 'TCP')}" for p in ports)
    host = ",".join(f"{p.get('hostPort', 0)}/{p.get('protocol', 'TCP')}" for p in ports)
    return port, host


def container(c: dict, status: dict | None, when) -> list[str]:
    status = status or {}
    port, host = _ports(c)
    out = [f"  {c['name']}:"]
    if status.get("containerID"):
        out.append(f"    Container ID:\t{status['containerID']}")
    out.append(f"    Image:\t{c.get('image', '')}")
    if status:
        out.append(f"    Image ID:\t{status.get('imageID', '')}")
    out += [f"    Port:\t{port}", f"    Host Port:\t{host}"]
    if c.get("command"):
        out += ["    Command:"] + [f"      {a}" for a in c["command"]]
    if c.get("args"):
        out += ["    Args:"] + [f"      {a}" for a in c["args"]]
    if status:  # kubectl prints state only once the kubelet has reported it
        out += _state("State", status.get("state") or {"waiting": {}}, when)
        if status.get("lastState"):
            out += _state("Last State", status["lastState"], when)
        out += [
            f"    Ready:\t{str(bool(status.get('ready'))).capitalize()}",
            f"    Restart Count:\t{status.get('restartCount', 0)}",
        ]
    res = c.get("resources") or {}
    for title in ("Limits", "Requests"):
        values = res.get(title.lower())
        if values:
            out.append(f"    {title}:")
            out += [f"      {k}:\t{v}" for k, v in sorted(values.items())]
    env = c.get("env") or []
    if env:
        out.append("    Environment:")
        out += [f"      {e['name']}:\t{e.get('value', '')}" for e in env]
    else:
        out.append("    Environment:\t<none>")
    mounts = c.get("volumeMounts") or []
    if mounts:
        out.append("    Mounts:")
        for m in mounts:
            mode = "ro" if m.get("readOnly") else "rw"
            out.append(f"      {m['mountPath']} from {m['name']} ({mode})")
    else:
        out.append("    Mounts:\t<none>")
    return out


def _state(title: str, state: dict, when) -> list[str]:
    if "running" in state:
        return [
            f"    {title}:\tRunning",
            f"      Started:\t{when(state['running'].get('startedAt'))}",
        ]
    if "terminated" in state:
        t = state["terminated"]
        out = [f"    {title}:\tTerminated", f"      Reason:\t{t.get('reason', '')}"]
        out.append(f"      Exit Code:\t{t.get('exitCode', 0)}")
        if t.get("finishedAt"):
            out.append(f"      Finished:\t{when(t['finishedAt'])}")
        return out
    waiting = state.get("waiting") or {}
    out = [f"    {title}:\tWaiting"]
    out.append(f"      Reason:\t{waiting.get('reason', 'ContainerCreating')}")
    return out


def pod_conditions(status: dict) -> list[str]:
    conds = status.get("conditions") or []
    if not conds:
        return []
    return ["Conditions:", "  Type\tStatus"] + [
        f"  {c['type']} \t{c['status']} " for c in conds
    ]


def volumes(spec: dict) -> list[str]:
    vols = spec.get("volumes") or []
    if not vols:
        return ["Volumes:\t<none>"]
    out = ["Volumes:"]
    for v in vols:
        out.append(f"  {v['name']}:")
        if "projected" in v:
            sources = v["projected"].get("sources") or []
            token = next(
                (
                    s["serviceAccountToken"]
                    for s in sources
                    if "serviceAccountToken" in s
                ),
                {},
            )
            cm = next((s["configMap"] for s in sources if "configMap" in s), {})
            out += [
                "    Type:\tProjected (a volume that contains injected data from"
                " multiple sources)",
                f"    TokenExpirationSeconds:\t{token.get('expirationSeconds', 3607)}",
                f"    ConfigMapName:\t{cm.get('name', '')}",
                "    Optional:\tfalse",
                "    DownwardAPI:\t"
                + str(any("downwardAPI" in s for s in sources)).lower(),
            ]
        elif "emptyDir" in v:
            out += [
                "    Type:\tEmptyDir (a temporary directory that shares a pod's"
                " lifetime)",
                f"    Medium:\t{(v['emptyDir'] or {}).get('medium', '')}",
                f"    SizeLimit:\t{(v['emptyDir'] or {}).get('sizeLimit', '<unset>')}",
            ]
        elif "configMap" in v:
            out += [
                "    Type:\tConfigMap (a volume populated by a ConfigMap)",
                f"    Name:\t{v['configMap'].get('name', '')}",
                "    Optional:\tfalse",
            ]
        else:
            out.append(f"    Type:\t{next(iter(k for k in v if k != 'name'), '')}")
    return out


def tolerations(spec: dict) -> list[str]:
    out = []
    for t in spec.get("tolerations") or []:
        text = t.get("key", "")
        if t.get("value"):
            text += f"={t['value']}"
        if t.get("effect"):
            text += f":{t['effect']}"
        if t.get("operator") == "Exists":
            text += " op=Exists"
        if t.get("tolerationSeconds") is not None:
            text += f" for {t['tolerationSeconds']}s"
        out.append(text)
    return out


def service_port(p: dict, ep: dict | None) -> list[str]:
    name = p.get("name") or "<unset>"
    proto = p.get("protocol", "TCP")
    target = p.get("targetPort", p.get("port"))
    out = [
        f"Port:\t{name}  {p['port']}/{proto}",
        f"TargetPort:\t{target}/{proto}",
    ]
    if p.get("nodePort"):
        out.append(f"NodePort:\t{name}  {p['nodePort']}/{proto}")
    subsets = []
    for s in (ep or {}).get("subsets") or []:
        ports = [
            q for q in s.get("ports") or [] if q.get("name", "") == p.get("name", "")
        ]
        subsets.append({"addresses": s.get("addresses") or [], "ports": ports})
    text = endpoints_text(subsets, limit=10**6)
    out.append(f"Endpoints:\t{'' if text == NONE else text}")
    return out


def template(tpl: dict) -> list[str]:
    labels = (tpl.get("metadata") or {}).get("labels") or {}
    spec = tpl.get("spec") or {}
    items = [f"{k}={v}" for k, v in sorted(labels.items())]
    out = ["Pod Template:"]
    out += [f"  Labels:\t{items[0] if items else '<none>'}"] + [
        f"\t{x}" for x in items[1:]
    ]
    out.append("  Containers:")
    for c in spec.get("containers") or []:
        port, host = _ports(c)
        out += [f"   {c['name']}:", f"    Image:\t{c.get('image', '')}"]
        out += [f"    Port:\t{port}", f"    Host Port:\t{host}"]
        res = c.get("resources") or {}
        for title in ("Limits", "Requests"):
            if res.get(title.lower()):
                out.append(f"    {title}:")
                out += [
                    f"      {k}:\t{v}" for k, v in sorted(res[title.lower()].items())
                ]
        env = c.get("env") or []
        if env:
            out.append("    Environment:")
            out += [f"      {e['name']}:\t{e.get('value', '')}" for e in env]
        else:
            out.append("    Environment:\t<none>")
        out.append("    Mounts:\t<none>")
    out += [
        "  Volumes:\t<none>",
        f"  Node-Selectors:\t{NONE}",
        f"  Tolerations:\t{NONE}",
    ]
    return out


def deployment_tail(cluster: Model, d: dict) -> list[str]:
    conds = (d.get("status") or {}).get("conditions") or []
    out = []
    if conds:
        out += ["Conditions:", "  Type\tStatus\tReason", "  ----\t------\t------"]
        out += [f"  {c['type']}\t{c['status']}\t{c.get('reason', '')}" for c in conds]
    uid = d["metadata"].get("uid")
    owned = [
        rs
        for rs in cluster.store.list("replicasets", d["metadata"]["namespace"])
        if any(r.get("uid") == uid for r in rs["metadata"].get("ownerReferences") or [])
    ]
    current = pod_template_hash(d["spec"]["template"])
    new = [
        r
        for r in owned
        if r["metadata"].get("labels", {}).get("pod-template-hash") == current
    ]
    old = [r for r in owned if r not in new and r["spec"].get("replicas", 0)]

    def text(rs):
        return (
            f"{rs['metadata']['name']} ({rs.get('status', {}).get('replicas', 0)}/"
            f"{rs['spec'].get('replicas', 0)} replicas created)"
        )

    out.append(f"OldReplicaSets:\t{', '.join(text(r) for r in old) or '<none>'}")
    out.append(f"NewReplicaSet:\t{', '.join(text(r) for r in new) or '<none>'}")
    return out


# cluster → ((epoch, revision), index): one index per state of the store, so that
# describing a thousand pods reads the events once, not once per pod
_EVENT_INDEX: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def events_by_object(cluster: Model) -> dict[tuple, list[dict]]:
    """Events keyed by (namespace, kind, name) of the object they are about.

    Cached until the store or the clock changes (an Event past its TTL is no
    longer read): the revision only grows within an epoch, and every step back
    or restore starts a new epoch.
    """
    state = (cluster.epoch, cluster.store.revision, cluster.time)
    cached = _EVENT_INDEX.get(cluster)
    if cached is not None and cached[0] == state:
        return cached[1]
    index: dict[tuple, list[dict]] = {}
    for e in recorder.live(cluster.store.list("events"), cluster.time):
        involved = e.get("involvedObject") or {}
        key = (
            e["metadata"].get("namespace") or "default",
            involved.get("kind"),
            involved.get("name"),
        )
        index.setdefault(key, []).append(e)
    _EVENT_INDEX[cluster] = (state, index)
    return index


def events(cluster: Model, obj: dict) -> list[str]:
    """DescribeEvents (kubectl pkg/describe): oldest last-seen first; Age is the
    first time seen, or `<last> (x<count> over <first>)` for a repeated Event."""
    meta = obj["metadata"]
    key = (meta.get("namespace") or "default", obj.get("kind"), meta["name"])
    found = list(events_by_object(cluster).get(key, ()))
    if not found:
        return ["Events:\t<none>"]
    found.sort(key=lambda e: (e.get("lastTimestamp") or "", e["metadata"]["name"]))
    out = [
        "Events:",
        "  Type\tReason\tAge\tFrom\tMessage",
        "  ----\t------\t----\t----\t-------",
    ]
    for e in found:
        when = age(cluster, e.get("firstTimestamp"))
        if (e.get("count") or 1) > 1:
            last = age(cluster, e.get("lastTimestamp"))
            when = f"{last} (x{e['count']} over {when})"
        source = (e.get("source") or {}).get("component", "")
        out.append(
            f"  {e.get('type', '')}\t{e.get('reason', '')}\t{when}\t{source}\t"
            f"{str(e.get('message', '')).strip()}"
        )
    return out
