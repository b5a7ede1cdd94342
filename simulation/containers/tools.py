"""What nslookup, ping, hostname and `cat /etc/resolv.conf` print inside a pod.

Each tool takes the network adapter, the source (`ns/pod:container`), the pod and
argv, and returns a `Done`. Failures print the tool's own message followed by
kubectl's `command terminated with exit code N`, as a terminal shows them. curl and
wget are in http.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import UsageError
from ..network.dns import resolv_conf


@dataclass
class Done:
    """A tool's output and narration; `step` is False when nothing was traced."""

    output: str
    summary: str
    concept: str = "networking"
    trace: dict | None = None
    step: bool = True


def exit_with(lines: list[str], code: int) -> str:
    return "\n".join([*lines, f"command terminated with exit code {code}"])


def options(argv: list[str], with_value: set[str]) -> tuple[set[str], dict, list]:
    """Split argv into switches, valued options (`-m 5`, `-O-`) and operands."""
    switches: set[str] = set()
    values: dict[str, str] = {}
    operands: list[str] = []
    i = 0
    while i < len(argv):
        word = argv[i]
        if word.startswith("--") and len(word) > 2:
            name, eq, value = word.partition("=")
            if name not in with_value:
                switches.add(name)
            else:
                if not eq:
                    value, i = (argv[i + 1] if i + 1 < len(argv) else ""), i + 1
                values[name] = value
        elif word.startswith("-") and len(word) > 1:
            for pos, letter in enumerate(word[1:], start=1):
                flag = f"-{letter}"
                if flag in with_value:
                    value = word[pos + 1 :]
                    if not value:
                        value, i = (argv[i + 1] if i + 1 < len(argv) else ""), i + 1
                    values[flag] = value
                    break
                switches.add(flag)
        else:
            operands.append(word)
        i += 1
    return switches, values, operands


def nslookup(net, source: str, pod: dict, argv: list[str]) -> Done:
    operands = [a for a in argv[1:] if not a.startswith("-")]
    if not operands:
        raise UsageError("error: nslookup needs a name here: nslookup NAME")
    name = operands[0]
    trace = net.lookup(source, name)
    dns = trace.get("dns") or {}
    server = dns.get("server") or net.dns_ip
    head = ["Server:\t\t" + server, f"Address:\t{server}#53", ""]
    if trace["verdict"] in ("timeout", "dropped", "rejected", "refused"):
        lines = [head[0], ";; connection timed out; no servers could be reached", ""]
        why = f"The DNS query to {server} got no answer: {trace.get('reason', '')}"
        return Done(exit_with(lines, 1), why, "dns", trace)
    found = next((q for q in dns.get("queries") or [] if q[1] != "NXDOMAIN"), None)
    if trace["verdict"] != "delivered" or not dns.get("answer"):
        lines = [*head, f"** server can't find {name}: NXDOMAIN", ""]
        why = f"CoreDNS has no record for {name} (NXDOMAIN), even with the search list."
        return Done(exit_with(lines, 1), why, "dns", trace)
    fqdn = found[0] if found else name
    ips = found[1].split(", ") if found else [dns["answer"]]
    domain = f".svc.{net.domain}"
    lines = head + ([] if domain in fqdn else ["Non-authoritative answer:"])
    for ip in ips:
        lines += [f"Name:\t{fqdn}", f"Address: {ip}"]
    why = f"CoreDNS at {server} answered {fqdn} with {', '.join(ips)}."
    return Done("\n".join(lines), why, "dns", trace)


def ping(net, source: str, pod: dict, argv: list[str]) -> Done:
    _switches, values, operands = options(argv[1:], {"-c", "-W", "-w", "-i", "-s"})
    if not operands:
        usage = "ping: usage error: Destination address required"
        return Done(exit_with([usage], 1), "ping was given no address.", step=False)
    host = operands[0]
    count = values.get("-c", "3")
    count = max(1, min(int(count), 10)) if count.isdigit() else 3
    trace = net.trace(source, host, proto="icmp")
    summary = trace.get("reason") or f"ping {host}: {trace['verdict']}."
    dns = trace.get("dns") or {}
    if trace["verdict"] == "unresolved" or dns.get("verdict", "delivered") != (
        "delivered"
    ):
        return Done(
            exit_with([f"ping: bad address '{host}'"], 1), summary, "dns", trace
        )
    ip = dns.get("answer") or host
    lines = [f"PING {host} ({ip}): 56 data bytes"]
    ok = trace["verdict"] == "delivered"
    nodes = {h.get("node") for h in trace.get("hops") or [] if h.get("node")}
    ttl = 64 if len(nodes) <= 1 else 62  # each node that routes it decrements TTL
    base = 0.04 + 0.012 * len(trace.get("hops") or [])
    times = [round(base + 0.007 * ((i * 5) % 3), 3) for i in range(count)]
    if ok:
        lines += [
            f"64 bytes from {ip}: seq={i} ttl={ttl} time={t:.3f} ms"
            for i, t in enumerate(times)
        ]
    got = count if ok else 0
    lines += [
        "",
        f"--- {host} ping statistics ---",
        f"{count} packets transmitted, {got} packets received,"
        f" {100 - 100 * got // count}% packet loss",
    ]
    if not ok:
        return Done(exit_with(lines, 1), summary, trace=trace)
    avg = sum(times) / count
    lines.append(
        f"round-trip min/avg/max = {min(times):.3f}/{avg:.3f}/{max(times):.3f} ms"
    )
    return Done("\n".join(lines), summary, trace=trace)


def cat(net, source: str, pod: dict, argv: list[str]) -> Done:
    if argv[1:] != ["/etc/resolv.conf"]:
        raise UsageError("error: this simulation can only `cat /etc/resolv.conf`")
    text = resolv_conf(pod["metadata"]["namespace"], net.dns_ip, net.domain)
    why = "The pod's resolv.conf names the kube-dns Service and the search domains."
    return Done(text.rstrip("\n"), why, "dns", step=False)


def hostname(net, source: str, pod: dict, argv: list[str]) -> Done:
    return Done(pod["metadata"]["name"], "A pod's hostname is its name.", step=False)
