"""curl and wget inside a pod: a traced connection, printed as the tool prints it."""

from __future__ import annotations

from . import bodies
from .tools import Done, exit_with, options

CURL_VALUES = {"-m", "--max-time", "--connect-timeout", "-o", "--output", "-H"}
CURL_VALUES |= {"-X", "-d", "-A", "-u", "--header", "--request", "--data"}
CURL_VALUES |= {"-w", "--write-out"}
WGET_USAGE = [
    "BusyBox v1.36.1 (2023-05-18 22:34:17 UTC) multi-call binary.",
    "",
    "Usage: wget [-cqS] [--spider] [-O FILE] [-o LOGFILE] [--header STR]",
    "\t[--post-data STR | --post-file FILE] [-Y on/off]",
    "\t[-P DIR] [-U AGENT] [-T SEC] URL...",
]


def host_port(url: str) -> tuple[str, int]:
    scheme, sep, rest = url.partition("://")
    if not sep:
        scheme, rest = "http", url
    hostport = rest.split("/", 1)[0]
    host, _, port = hostport.partition(":")
    default = 443 if scheme == "https" else 80
    return host, int(port) if port.isdigit() else default


def failure(trace: dict) -> str | None:
    """How the connection failed: refused | timeout | unresolved, or None."""
    dns = trace.get("dns") or {}
    if trace["verdict"] == "unresolved":
        return "unresolved"
    if dns and dns.get("verdict") not in (None, "delivered"):
        return "unresolved"
    if trace["verdict"] in ("refused", "rejected"):
        return "refused"
    if trace["verdict"] in ("dropped", "timeout"):
        return "timeout"
    return None


def _seconds(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def curl(net, source: str, pod: dict, argv: list[str]) -> Done:
    switches, values, operands = options(argv[1:], CURL_VALUES)
    if not operands:
        usage = "curl: try 'curl --help' or 'curl --manual' for more information"
        return Done(exit_with([usage], 2), "curl was given no URL.", step=False)
    url = operands[0]
    host, port = host_port(url)
    trace = net.trace(source, url)
    summary = trace.get("reason") or f"curl {url}: {trace['verdict']}."
    failed = failure(trace)
    if failed == "unresolved":
        line = f"curl: (6) Could not resolve host: {host}"
        return Done(exit_with([line], 6), summary, "dns", trace)
    if failed == "refused":
        line = (
            f"curl: (7) Failed to connect to {host} port {port} after 0 ms:"
            " Connection refused"
        )
        return Done(exit_with([line], 7), summary, trace=trace)
    if failed == "timeout":
        limit = _seconds(
            values.get("-m")
            or values.get("--max-time")
            or values.get("--connect-timeout")
        )
        line = (
            f"curl: (28) Connection timed out after {int(limit * 1000) + 1}"
            " milliseconds"
            if limit is not None
            else f"curl: (28) Failed to connect to {host} port {port} after 130000"
            " ms: Connection timed out"
        )
        return Done(exit_with([line], 28), summary, trace=trace)
    reply = bodies.response(net, trace, url)
    if reply is None:
        line = "curl: (52) Empty reply from server"
        return Done(exit_with([line], 52), summary, trace=trace)
    status, headers, body = reply
    if "-f" in switches and status >= 400:
        line = f"curl: (22) The requested URL returned error: {status}"
        return Done(exit_with([line], 22), summary, trace=trace)
    head = "-I" in switches or "--head" in switches
    out = headers + [""] if head or {"-i", "--include"} & switches else []
    if not head and not (values.get("-o") or values.get("--output")):
        out.append(body)
    text = "\n".join(out).rstrip("\n")
    written = values.get("-w") or values.get("--write-out")
    if written:
        text += _write_out(written, status, trace)
    return Done(text, summary, trace=trace)


def _write_out(template: str, status: int, trace: dict) -> str:
    """curl's `-w`: the variables scripts use, and `\\n`."""
    last = (trace.get("hops") or [{}])[-1]
    ip = str(last.get("dst") or "").rpartition(":")[0]
    port = str(host_port(str(trace.get("destination", "")))[1])
    first = (trace.get("hops") or [{}])[0]
    values = {
        "http_code": str(status),
        "response_code": str(status),
        "remote_ip": (trace.get("dns") or {}).get("answer") or ip,
        "remote_port": port,
        "local_ip": str(first.get("src") or "").rpartition(":")[0],
        "time_total": f"{0.001 * len(trace.get('hops') or []):.6f}",
    }
    text = template.replace("\\n", "\n").replace("\\t", "\t")
    for name, value in values.items():
        text = text.replace("%{" + name + "}", value)
    return text


def wget(net, source: str, pod: dict, argv: list[str]) -> Done:
    switches, values, operands = options(argv[1:], {"-O", "-T", "--timeout"})
    if not operands:
        return Done(exit_with(WGET_USAGE, 1), "wget was given no URL.", step=False)
    url = operands[0]
    host, port = host_port(url)
    trace = net.trace(source, url)
    summary = trace.get("reason") or f"wget {url}: {trace['verdict']}."
    failed = failure(trace)
    ip = (trace.get("dns") or {}).get("answer") or host
    shown = host if port == 80 else f"{host}:{port}"
    hello = [] if "-q" in switches else [f"Connecting to {shown} ({ip}:{port})"]
    if failed == "unresolved":
        return Done(
            exit_with([f"wget: bad address '{host}'"], 1), summary, "dns", trace
        )
    if failed == "refused":
        line = f"wget: can't connect to remote host ({ip}): Connection refused"
        return Done(exit_with([*hello, line], 1), summary, trace=trace)
    if failed == "timeout":
        line = "wget: download timed out"
        return Done(exit_with([*hello, line], 1), summary, trace=trace)
    reply = bodies.response(net, trace, url)
    if reply is None:
        line = "wget: error getting response: Connection reset by peer"
        return Done(exit_with([*hello, line], 1), summary, trace=trace)
    status, _headers, body = reply
    if status >= 400:
        reason = bodies.REASONS.get(status, "")
        line = f"wget: server returned error: HTTP/1.1 {status} {reason}"
        return Done(exit_with([*hello, line], 1), summary, trace=trace)
    if values.get("-O") == "-":
        return Done(body.rstrip("\n"), summary, trace=trace)
    name = values.get("-O") or "index.html"
    size = len(body.encode())
    bar = "*" * 32
    lines = [
        *hello,
        f"saving to '{name}'",
        f"{name:<20} 100% |{bar}|   {size}  0:00:00 ETA",
        f"'{name}' saved",
    ]
    return Done("" if "-q" in switches else "\n".join(lines), summary, trace=trace)
