"""What a packet looks like at each hop, layer by layer, and what happened to it.

`annotate(net, result)` runs after a trace and gives every hop (request and reply,
in every leg) a `pdu` and a list of `events`:

* `pdu.l2` — the Ethernet frame's MACs on the link the hop is on (None inside a
  namespace's stack, where the kernel holds a packet, not a frame);
* `pdu.l3` — addresses and TTL: 64 when Linux sends (net.ipv4.ip_default_ttl),
  one less at each routing hop (ip_forward), unchanged when the bridge forwards
  by MAC; a packet from the internet arrives with a TTL the model cannot know,
  so its TTL is given as "lowered by n" from what it arrived with;
* `pdu.l4` — ports, and TCP flags: the hops a trace draws are the first packet of
  the connection (SYN; the reply SYN-ACK, or RST when refused), which is the packet
  kube-proxy's NAT decision is made on and conntrack remembers;
* `pdu.l7` — the DNS question and answer, and the HTTP request line when the
  trace's destination was a URL (TLS when https);
* `pdu.outer` — VXLAN's outer Ethernet, IP and UDP 8472 headers, the VNI, and the
  MTU arithmetic (1500 on eth0 − 50 bytes of headers = 1450 on flannel.1).

Events are what a learner would want listed as in Packet Tracer's simulation mode:
route and neighbour lookups, bridging, NAT, conntrack, filtering, VXLAN
encapsulation. Neighbour entries the kernel would learn go into the node's table
(`neighbours.py`). Each leg also gets `packets`: the TCP handshake, with sequence
numbers from a hash of the connection's addresses (Linux's are a keyed hash too).
"""

from __future__ import annotations

import hashlib

from . import addresses as ad
from .graph import CLIENT, INTERNET, LB, ROUTER

DEFAULT_TTL = 64
ETH_MTU = 1500
VXLAN_OVERHEAD = 50  # outer IPv4 20 + UDP 8 + VXLAN 8 + inner Ethernet 14
ICMP_TYPES = {"echo": (8, "echo request"), "echo-reply": (0, "echo reply")}


def annotate(net, result) -> None:
    """Add `pdu` and `events` to every hop of result, and `packets` to each leg."""
    for leg in result.legs:
        l7_req, l7_rep = _l7(result, leg)
        _direction(net, leg["hops"], leg, "request", l7_req)
        _direction(net, leg["reply"], leg, "reply", l7_rep)
        leg["packets"] = handshake(leg, l7_req, l7_rep)


# --- one direction of one leg ------------------------------------------------------
def _direction(net, hops: list[dict], leg: dict, direction: str, l7) -> None:
    if not hops:
        return
    g = net.graph
    inner = _fill_macs(hops)
    learn_ports(net, hops)
    ttl: int | None = DEFAULT_TTL
    lowered = 0
    flags = _flags(leg, direction)
    mode = "routed"
    for i, h in enumerate(hops):
        events: list[dict] = []
        at = h["at"]
        mode = h.get("forward", mode)
        routed = h.get("hook") == "FORWARD" and mode != "bridged"
        if at == ROUTER:
            routed = True
        if at == INTERNET and i > 0:
            ttl, lowered = None, 0  # any number of routers on the way
        if routed:
            if ttl is not None:
                ttl -= 1
            else:
                lowered += 1
        l2, outer = _l2(h), _outer(h)
        if outer is not None and h.get("device") != ad.FLANNEL_DEV:
            outer["mac"], l2 = l2, inner.get(i)
        h["pdu"] = {
            "l2": l2,
            "l3": {
                "src": _ip(h["src"]),
                "dst": _ip(h["dst"]),
                "ttl": ttl,
                "ttlLowered": lowered if ttl is None else None,
            },
            "l4": _l4(h, flags),
            "l7": l7,
            "outer": outer,
        }
        if routed:
            events.append(_ttl_event(h, ttl, lowered))
        events += _events(net, g, hops, i, direction)
        h["events"] = events


def _fill_macs(hops: list[dict]) -> dict[int, dict]:
    """Copy a frame's MACs to the other hops on the same link that lack them.

    The walker records the MACs where the sender picks them; a frame keeps them
    across the veth pair and the bridge, and over the LAN (the outer frame of a
    VXLAN datagram) until a namespace's stack takes the packet in. Returns, for
    the hops that carry a VXLAN datagram, the inner frame's MACs (flannel.1's).
    """
    inner: dict[int, dict] = {}
    runs: list[list[int]] = [[]]
    for i, h in enumerate(hops):
        if _stack(h):
            runs.append([])
        else:
            runs[-1].append(i)
    for run in runs:
        for layer in ("inner", "wire"):
            members = [i for i in run if _layer(hops[i]) == layer]
            known = [i for i in members if hops[i].get("mac")]
            for i in members:
                if hops[i].get("mac") or not known:
                    continue
                near = min(known, key=lambda k: (abs(k - i), k))
                hops[i]["mac"] = dict(hops[near]["mac"])
        tunnel = [i for i in run if _layer(hops[i]) == "inner" and hops[i].get("mac")]
        for i in run:
            if tunnel and hops[i].get("outer") and _layer(hops[i]) == "wire":
                near = min(tunnel, key=lambda k: (abs(k - i), k))
                inner[i] = dict(hops[near]["mac"])
    return inner


def _stack(h: dict) -> bool:
    """Whether the hop is inside a network stack (root netns, a socket, lo)."""
    at = str(h["at"])
    return (
        at.endswith("/root")
        or "/c/" in at
        or at.endswith("/lo")
        or at in (INTERNET, ROUTER, LB, CLIENT)
    )


def _layer(h: dict) -> str:
    return "inner" if h.get("device") == ad.FLANNEL_DEV else "wire"


def _l2(h: dict) -> dict | None:
    if _stack(h) and h["at"] not in (CLIENT, ROUTER):
        return None
    mac = h.get("mac")
    return {"src": mac.get("src"), "dst": mac.get("dst")} if mac else None


def _ip(text: str) -> str:
    host, _, port = str(text).rpartition(":")
    return host if host and port.isdigit() else str(text)


def _port(text: str) -> int | None:
    _, sep, port = str(text).rpartition(":")
    return int(port) if sep and port.isdigit() else None


def _flags(leg: dict, direction: str) -> str | None:
    if direction == "request":
        return "SYN"
    if leg["verdict"] == "refused":
        return "RST, ACK"
    return "SYN, ACK"


def _l4(h: dict, flags: str | None) -> dict:
    proto = h["proto"]
    out: dict = {"proto": proto, "sport": _port(h["src"]), "dport": _port(h["dst"])}
    if proto == "tcp":
        out["flags"] = flags
    elif proto == "icmp":
        kind = "echo" if flags == "SYN" else "echo-reply"
        if h.get("rejected") or str(h.get("explain", "")).startswith("REJECT"):
            out.update(type=3, code=3, name="destination unreachable (port)")
        else:
            code, name = ICMP_TYPES[kind]
            out.update(type=code, code=0, name=name)
        out.pop("sport"), out.pop("dport")
    return out


def _outer(h: dict) -> dict | None:
    o = h.get("outer")
    if not o:
        return None
    return {
        "mac": None,
        "src": o.get("src"),
        "dst": o.get("dst"),
        "ttl": DEFAULT_TTL,
        "proto": "udp",
        "dport": o.get("dport", ad.VXLAN_PORT),
        "vni": o.get("vni", ad.VXLAN_VNI),
        "mtu": {
            "link": ETH_MTU,
            "overhead": VXLAN_OVERHEAD,
            "inner": ETH_MTU - VXLAN_OVERHEAD,
        },
    }


def _l7(result, leg: dict) -> tuple[dict | None, dict | None]:
    """The application data a leg carries (its first request and answer)."""
    if leg["kind"] == "dns":
        dns = result.dns or {}
        queries = dns.get("queries") or []
        asked = queries[-1][0] if queries else dns.get("name")
        answer = dns.get("answer") or "NXDOMAIN"
        q = {"protocol": "DNS", "query": asked, "type": "A"}
        return q, {**q, "answer": answer}
    dest = str(result.destination)
    scheme, sep, rest = dest.partition("://")
    if not sep or scheme not in ("http", "https"):
        return None, None
    if scheme == "https" and leg["kind"] == "request":
        return {"protocol": "TLS", "note": "encrypted: HTTP travels inside TLS"}, {
            "protocol": "TLS",
            "note": "encrypted",
        }
    hostport, slash, path = rest.partition("/")
    req = {"protocol": "HTTP/1.1", "method": "GET", "host": hostport}
    req["path"] = "/" + path if slash else "/"
    http = result.http or {}
    rep = {"protocol": "HTTP/1.1"}
    if http.get("status") is not None:
        rep["status"] = http["status"]
    return req, rep


# --- events ------------------------------------------------------------------------
def _ttl_event(h: dict, ttl, lowered) -> dict:
    after = f"TTL {ttl + 1} → {ttl}" if ttl is not None else f"TTL lowered by {lowered}"
    where = "the router" if h["at"] == ROUTER else f"{h['node']} routes the packet"
    return {"kind": "route", "text": f"{where}: {after} (forwarded, so one less)."}


def _events(net, g, hops: list[dict], i: int, direction: str) -> list[dict]:
    h = hops[i]
    out: list[dict] = []
    nat, ct = h.get("nat"), h.get("conntrack")
    if ct:
        state = ct.get("state", "")
        if state == "NEW":
            text = f"conntrack creates an entry: {ct.get('entry', '')}"
        else:
            text = f"conntrack matches the connection ({state})"
        out.append({"kind": "conntrack", "text": text})
    if nat:
        out.append(
            {
                "kind": "nat",
                "nat": nat.get("type"),
                "text": f"{nat.get('type')} {nat.get('from')} → {nat.get('to')}",
            }
        )
    check = h.get("policy")
    if check:
        out.append(
            {"kind": "policy", "verdict": check["verdict"], "text": h["explain"]}
        )
    if h.get("route") and h.get("hook") is None:
        if h.get("forward") == "bridged":
            out.append({"kind": "bridge", "text": "bridged by MAC, not routed"})
        else:
            out.append({"kind": "route", "text": f"route lookup: {h['route']}"})
    if h.get("hook") in ("FORWARD", "INPUT", "OUTPUT") and h.get("rules"):
        verdict = "accepts" if "accept" in h.get("explain", "").lower() else "decides"
        text = f"filter {h['hook']} {verdict}: {h['rules'][-1]}"
        out.append({"kind": "filter", "text": text})
    dev = h.get("device")
    prev = hops[i - 1] if i else None
    if dev == ad.FLANNEL_DEV and h.get("outer"):
        o = h["outer"]
        out.append(
            {
                "kind": "encapsulation",
                "text": (
                    f"VXLAN: wrapped in UDP {o['src']} → {o['dst']}:{ad.VXLAN_PORT}, "
                    f"VNI {o.get('vni', ad.VXLAN_VNI)} (+{VXLAN_OVERHEAD} bytes: "
                    f"MTU {ETH_MTU} − {VXLAN_OVERHEAD} = {ETH_MTU - VXLAN_OVERHEAD})"
                ),
            }
        )
    elif dev == ad.FLANNEL_DEV and prev is not None and prev.get("outer"):
        out.append(
            {
                "kind": "encapsulation",
                "text": "VXLAN: outer headers removed (decapsulated)",
            }
        )
    out += _lookups(net, g, hops, i)
    if "/c/" in str(h["at"]) and i == len(hops) - 1 and i > 0:
        name = h["at"].split("/")[-1]
        out.append({"kind": "deliver", "text": f"delivered to {name}"})
    return out


def _lookups(net, g, hops: list[dict], i: int) -> list[dict]:
    """Neighbour and FDB lookups a sending device makes (learned ones are recorded
    in the node's table, as the kernel caches an ARP answer)."""
    h = hops[i]
    mac, at = h.get("mac"), str(h["at"])
    if not mac or at not in g or _stack(h):
        return []
    own = g.nodes[at].get("mac")
    dev, node = h.get("device"), h.get("node")
    dst = _owners(net).get(mac.get("dst") or "")
    if dst is None:
        return []
    after_stack = i > 0 and _stack(hops[i - 1])
    if mac.get("src") != own:
        if dev == ad.BRIDGE_DEV and mac.get("dst") != own and after_stack:
            port = _veth_of(g, dst)
            if port:
                text = f"bridge fdb: {mac['dst']} is behind port {port} (bridged)"
                return [_lookup("fdb", text)]
        return []
    ip = _next_hop_ip(net, g, h, dst)
    if at.startswith("pod/"):
        if not ip:
            return []
        text = f"the pod's ARP cache: {ip} is at {mac['dst']}"
        return [_lookup("neighbour", text)]
    if dev == ad.FLANNEL_DEV:
        far = g.nodes[dst].get("node")
        far_ip = net.idx.nodes[far].ip if far in net.idx.nodes else "?"
        return [
            _lookup(
                "neighbour",
                f"ip neigh: {ip} dev flannel.1 lladdr {mac['dst']} PERMANENT "
                "(written by flanneld, so no ARP crosses the wire)",
            ),
            _lookup(
                "fdb",
                f"bridge fdb: {mac['dst']} dev flannel.1 dst {far_ip}: the node "
                "behind that VTEP gets the UDP datagram",
            ),
        ]
    out = []
    if ip and node:
        net.neighbours.neighbour(node, ip, dev, mac["dst"])
        text = f"ip neigh: {ip} dev {dev} lladdr {mac['dst']}"
        out.append(_lookup("neighbour", text))
    if dev == ad.BRIDGE_DEV:
        port = _veth_of(g, dst)
        if port:
            text = f"bridge fdb: {mac['dst']} is behind port {port}"
            out.append(_lookup("fdb", text))
    return out


def learn_ports(net, hops: list[dict]) -> None:
    """The bridge learns each frame's source MAC on the port it came in by."""
    for i in range(1, len(hops)):
        h, prev = hops[i], hops[i - 1]
        if (
            h.get("device") == ad.BRIDGE_DEV
            and str(prev.get("device") or "").startswith("veth")
            and prev.get("node") == h.get("node")
            and prev.get("mac")
            and h.get("node")
        ):
            net.neighbours.bridge(h["node"], prev["mac"]["src"], prev["device"])


def _lookup(kind: str, text: str) -> dict:
    return {"kind": kind, "text": text}


def _owners(net) -> dict[str, str]:
    return net.mac_owners()


def _veth_of(g, vertex: str) -> str | None:
    for w in sorted(g.adj[vertex]):
        if g.nodes[w].get("kind") == "veth":
            return g.nodes[w]["device"]
    return None


def _next_hop_ip(net, g, h: dict, dst: str) -> str | None:
    """The address the sender resolved: the router's is the node's gateway."""
    if dst == ROUTER:
        node = net.idx.nodes.get(h.get("node") or "")
        if node is not None:
            return node.gateway
        return None
    return g.nodes[dst].get("ip")


# --- the connection's first packets ------------------------------------------------
def handshake(leg: dict, l7_req, l7_rep) -> list[dict]:
    """The first packets of the leg's connection, in order, with their flags."""
    hops = leg["hops"]
    if not hops:
        return []
    first = hops[0]
    proto = first["proto"]
    src, dst = first["src"], first["dst"]
    if proto != "tcp":
        out = [{"dir": "request", "proto": proto, "from": src, "to": dst}]
        if l7_req:
            out[0]["l7"] = l7_req
        if leg["reply"]:
            out.append({"dir": "reply", "proto": proto, "from": dst, "to": src})
            if l7_rep:
                out[-1]["l7"] = l7_rep
        return out
    isn = _isn(src, dst)
    isn_b = _isn(dst, src)
    syn = {"dir": "request", "flags": "SYN", "seq": isn, "from": src, "to": dst}
    if leg["verdict"] == "refused":
        rst = {"dir": "reply", "flags": "RST, ACK", "seq": 0, "ack": isn + 1}
        return [syn, {**rst, "from": dst, "to": src}]
    if leg["verdict"] != "delivered":
        return [syn, {**syn, "note": "no answer: the SYN is retransmitted"}]
    out = [
        syn,
        {"dir": "reply", "flags": "SYN, ACK", "seq": isn_b, "ack": isn + 1},
        {"dir": "request", "flags": "ACK", "seq": isn + 1, "ack": isn_b + 1},
    ]
    out[1].update({"from": dst, "to": src})
    out[2].update({"from": src, "to": dst})
    if l7_req and l7_req.get("protocol", "").startswith("HTTP"):
        out.append(
            {
                "dir": "request",
                "flags": "PSH, ACK",
                "seq": isn + 1,
                "ack": isn_b + 1,
                "from": src,
                "to": dst,
                "l7": l7_req,
            }
        )
        if l7_rep and l7_rep.get("status"):
            out.append(
                {
                    "dir": "reply",
                    "flags": "PSH, ACK",
                    "seq": isn_b + 1,
                    "from": dst,
                    "to": src,
                    "l7": l7_rep,
                }
            )
    return out


def _isn(a: str, b: str) -> int:
    digest = hashlib.sha256(f"{a}>{b}".encode()).digest()
    return int.from_bytes(digest[:4], "big")
