"""What the tools a learner types would print for a trace: curl, nslookup, ping,
and the hop table behind `sim trace FROM TO`.

The numbers curl and ping print (times, TTLs) are derived from the hop count, never
from a clock, so the same trace always prints the same text.
"""

from __future__ import annotations

from .trace import TraceResult


def _target(res: TraceResult) -> tuple[str, str]:
    dest = res.destination.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = dest.rpartition(":")
    if not host:
        host, port = dest, "443" if res.destination.startswith("https") else "80"
    return host, port


def curl_text(res: TraceResult) -> str:
    """`curl -sS <destination>` output (a one-line summary of the response)."""
    host, port = _target(res)
    if res.verdict == "unresolved":
        return f"curl: (6) Could not resolve host: {host}\n"
    if res.verdict in ("refused", "rejected"):
        return (
            f"curl: (7) Failed to connect to {host} port {port} after "
            f"{_ms(res)} ms: Connection refused\n"
        )
    if res.verdict in ("timeout", "dropped"):
        return (
            f"curl: (28) Failed to connect to {host} port {port} after 130000 ms: "
            "Connection timed out\n"
        )
    status = (res.http or {}).get("status", 200)
    reason = {
        200: "OK",
        404: "Not Found",
        502: "Bad Gateway",
        503: "Service Temporarily Unavailable",
    }.get(status, "")
    last = res.hops[-1] if res.hops else {}
    served = last.get("at", "").split("/c/")[0].removeprefix("pod/")
    return (
        f"HTTP/1.1 {status} {reason}\n"
        f"(answered by {served or last.get('dst')} at {last.get('dst')}; "
        f"it saw the client as {last.get('src')})\n"
    )


def nslookup_text(res: TraceResult) -> str:
    """`nslookup <name>` output."""
    dns = res.dns or {}
    server = dns.get("server") or "127.0.0.53"
    head = f"Server:\t\t{server}\nAddress:\t{server}#53\n\n"
    if res.verdict != "delivered" or not dns.get("answer"):
        if res.verdict in ("timeout", "dropped"):
            return (
                head.split("\n")[0] + "\n;; connection timed out; no servers could "
                "be reached\n"
            )
        return (
            head + f"** server can't find {dns.get('name', res.destination)}: "
            "NXDOMAIN\n"
        )
    found = next((q for q in dns.get("queries", []) if q[1] != "NXDOMAIN"), None)
    name = found[0] if found else dns["name"]
    lines = (
        "".join(f"Name:\t{name}\nAddress: {ip}\n" for ip in found[1].split(", "))
        if found
        else f"Name:\t{name}\nAddress: {dns['answer']}\n"
    )
    auth = "" if name.endswith(".svc.cluster.local") else "Non-authoritative answer:\n"
    return head + auth + lines


def ping_text(res: TraceResult) -> str:
    """`ping -c 1 <destination>` output."""
    host, _ = _target(res)
    ip = res.hops[-1]["dst"] if res.hops else host
    stats = f"\n--- {host} ping statistics ---\n1 packets transmitted, "
    if res.verdict != "delivered":
        return (
            f"PING {host} ({ip}) 56(84) bytes of data.\n{stats}0 received, "
            "100% packet loss, time 0ms\n"
        )
    ttl = 64 - len({h["node"] for h in res.hops if h["hook"] == "FORWARD"})
    ms = _ms(res) / 10
    return (
        f"PING {host} ({ip}) 56(84) bytes of data.\n64 bytes from {ip}: icmp_seq=1 "
        f"ttl={ttl} time={ms:.3f} ms\n{stats}1 received, 0% packet loss, time 0ms\n"
    )


def trace_table(res: TraceResult) -> str:
    """The hop-by-hop table `sim trace FROM TO` prints."""
    rows = [f"trace {res.source} -> {res.destination}: {res.verdict.upper()}"]
    if res.dns and res.dns.get("hops"):
        rows.append(
            f"DNS {res.dns['name']} -> {res.dns.get('answer')} via {res.dns['server']}"
        )
        rows += _rows(res.dns["hops"])
    rows.append("request:")
    rows += _rows(res.hops)
    if res.reply:
        rows.append("reply:")
        rows += _rows(res.reply)
    rows.append(res.reason)
    return "\n".join(rows) + "\n"


def _rows(hops: list[dict]) -> list[str]:
    out = []
    for n, h in enumerate(hops, 1):
        extra = ""
        if h["nat"]:
            extra = f"  {h['nat']['type']} {h['nat']['from']} -> {h['nat']['to']}"
        if h["outer"]:
            o = h["outer"]
            extra += f"  [outer {o['src']} -> {o['dst']} udp/{o['dport']}"
            extra += f" vni {o['vni']}]"
        out.append(
            f"{n:>3}  {h['node'] or '-':<12} {h['netns'] or h['at']:<28} "
            f"{h['device'] or '':<12} {h['hook'] or '':<11} "
            f"{h['src']} -> {h['dst']} {h['proto']}{extra}"
        )
    return out


def _ms(res: TraceResult) -> int:
    return max(1, len(res.hops) // 4)
