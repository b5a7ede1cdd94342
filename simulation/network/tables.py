"""The read-only `sim` verbs: a node's network tables as the node's tools print them.

`sim iptables-save NODE [nat|filter]`, `sim routes NODE`, `sim conntrack NODE`,
`sim neigh NODE` and `sim fdb NODE` read the model and change nothing, so the CLI
and the web console (which refuses the verbs that step or change the cluster) share
them. `read(net, words)` takes the words after `sim`.
"""

from __future__ import annotations

from simulation.errors import UsageError

VERBS = ("iptables-save", "routes", "conntrack", "neigh", "fdb")
USAGE = {
    "iptables-save": "iptables-save NODE [nat|filter]",
    "routes": "routes NODE",
    "conntrack": "conntrack NODE",
    "neigh": "neigh NODE",
    "fdb": "fdb NODE",
}


def read(net, words: list[str]) -> str:
    """The text one read-only verb prints (an empty table prints nothing)."""
    verb, args = (words[0], words[1:]) if words else ("", [])
    if verb not in VERBS:
        raise UsageError(f"error: {verb!r} is not a read-only sim verb")
    most = 2 if verb == "iptables-save" else 1
    if not 1 <= len(args) <= most:
        raise UsageError(f"error: usage: sim {USAGE[verb]}")
    node = args[0]
    if verb == "iptables-save":
        table = args[1] if len(args) > 1 else None
        if table not in (None, "nat", "filter"):
            raise UsageError(f"error: unknown table {table!r} (nat or filter)")
        text = net.iptables_save(node, table)
    elif verb == "routes":
        text = net.routes_text(node)
    elif verb == "conntrack":
        text = net.conntrack_text(node)
    elif verb == "neigh":
        text = net.neigh_text(node)
    else:
        text = net.fdb_text(node)
    return text.rstrip("\n")
