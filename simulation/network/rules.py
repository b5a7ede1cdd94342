"""An iptables rule as data: how iptables-save prints it and what it matches.

kube-proxy writes its arguments in its own order; iptables-save prints the address
and protocol fields first and then the match modules in the order they were given.
`rule()` takes the parts in kube-proxy's order and renders the iptables-save line.
"""

from __future__ import annotations

from dataclasses import dataclass

from . import addresses as ad


@dataclass(frozen=True, slots=True)
class Rule:
    """One `-A CHAIN ...` line, with the fields the evaluator needs."""

    chain: str
    target: str
    text: str
    src: str | None = None
    src_neg: bool = False
    dst: str | None = None
    dst_neg: bool = False
    proto: str | None = None
    dport: int | None = None
    probability: float | None = None
    src_local: bool = False
    dst_local: bool = False
    mark: bool | None = None
    ctstates: frozenset[str] | None = None
    ctstates_neg: bool = False
    to: str | None = None
    mark_op: str | None = None
    comment: str | None = None
    recent: tuple[str, str] | None = None  # ("set" | "rcheck", list name)

    def matches(self, pkt, local: frozenset[str], ctstate: str, rng, seen=()) -> bool:
        """Whether a packet matches (draws from rng only for a statistic match).

        `seen` holds the (list, source IP) pairs the `recent` module remembers.
        """
        if self.proto is not None and pkt.proto != self.proto:
            return False
        if self.dport is not None and pkt.dport != self.dport:
            return False
        if self.dst is not None and _in(pkt.dst, self.dst) == self.dst_neg:
            return False
        if self.src is not None and _in(pkt.src, self.src) == self.src_neg:
            return False
        if self.dst_local and pkt.dst not in local:
            return False
        if self.src_local and pkt.src not in local:
            return False
        if self.mark is not None and bool(pkt.mark) != self.mark:
            return False
        if self.ctstates is not None:
            if (ctstate in self.ctstates) == self.ctstates_neg:
                return False
        if self.recent and self.recent[0] == "rcheck":
            if (self.recent[1], pkt.src) not in seen:
                return False
        if self.probability is not None:
            return rng.random() < self.probability
        return True


def _in(ip: str, cidr: str) -> bool:
    if cidr.endswith("/32"):
        return ip == cidr[:-3]
    return ad.in_cidr(ip, cidr)


def rule(chain: str, target: str, *parts: tuple, args: str = "") -> Rule:
    """Build a Rule from kube-proxy-ordered parts; see the module docstring.

    Parts: ("s", cidr[, neg]), ("d", cidr[, neg]), ("p", proto),
    ("comment", text), ("m", proto[, dport]), ("statistic", probability text),
    ("addrtype", "src"|"dst"), ("mark", neg), ("ctstate", "NEW,..."[, neg]),
    ("recent", "set"|"rcheck", list name[, seconds]). An empty target is a rule
    with no `-j` (it only counts packets, as kube-proxy's KUBE-FW-… last rule).
    """
    head = {"s": "", "d": "", "p": ""}
    mods: list[str] = []
    f: dict = {}
    for part in parts:
        kind = part[0]
        if kind in ("s", "d"):
            neg = len(part) > 2 and part[2]
            cidr = ad.with_mask(part[1])
            head[kind] = f"{'! ' if neg else ''}-{kind} {cidr}"
            f["src" if kind == "s" else "dst"] = cidr
            f["src_neg" if kind == "s" else "dst_neg"] = neg
        elif kind == "p":
            head["p"] = f"-p {part[1]}"
            f["proto"] = part[1]
        elif kind == "comment":
            mods.append(f'-m comment --comment "{part[1]}"')
            f["comment"] = part[1]
        elif kind == "m":
            dport = part[2] if len(part) > 2 else None
            mods.append(f"-m {part[1]}" + (f" --dport {dport}" if dport else ""))
            f["proto"], f["dport"] = part[1], dport
            head["p"] = f"-p {part[1]}"
        elif kind == "statistic":
            mods.append(f"-m statistic --mode random --probability {part[1]}")
            f["probability"] = float(part[1])
        elif kind == "addrtype":
            mods.append(f"-m addrtype --{part[1]}-type LOCAL")
            f["src_local" if part[1] == "src" else "dst_local"] = True
        elif kind == "mark":
            neg = part[1]
            mods.append(
                f"-m mark {'! ' if neg else ''}--mark {ad.MASQ_MARK}/{ad.MASQ_MARK}"
            )
            f["mark"] = not neg
        elif kind == "recent":
            mode, name = part[1], part[2]
            when = f" --seconds {part[3]} --reap" if mode == "rcheck" else ""
            mods.append(
                f"-m recent --{mode}{when} --name {name} --mask 255.255.255.255 "
                "--rsource"
            )
            f["recent"] = (mode, name)
        elif kind == "ctstate":
            neg = len(part) > 2 and part[2]
            mods.append(f"-m conntrack {'! ' if neg else ''}--ctstate {part[1]}")
            f["ctstates"] = frozenset(part[1].split(","))
            f["ctstates_neg"] = neg
        else:
            raise ValueError(f"unknown rule part {kind!r}")
    words = [
        f"-A {chain}",
        head["s"],
        head["d"],
        head["p"],
        *mods,
        f"-j {target}" if target else "",
        args,
    ]
    if target == "DNAT":
        f["to"] = args.split()[-1]
    if target == "MARK":
        f["mark_op"] = "set" if args.endswith(f"/{ad.MASQ_MARK}") else "clear"
    text = " ".join(w for w in words if w)
    return Rule(chain=chain, target=target, text=text, **f)


def probability(n: int) -> str:
    """kube-proxy's text for a 1-in-n statistic match (`%0.10f`)."""
    return f"{1.0 / n:0.10f}"
