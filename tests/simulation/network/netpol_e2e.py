"""The upstream NetworkPolicy e2e suite's world and truth tables, for the model.

kubernetes test/e2e/network/netpol: namespaces x, y and z, each with pods a, b
and c labelled `pod=<name>`, every pod serving ports 80 and 81 over TCP and UDP
from containers `cont-<port>-<proto>` whose ports are named
`serve-<port>-<proto>` (model.go). A test applies policies, then compares the
connectivity of every pair of pods with the Reachability it expects
(reachability.go: Expect, ExpectPeer, ExpectAllIngress, ExpectAllEgress);
loopback pairs are ignored (network_policy.go's ignoreLoopback).
"""

from __future__ import annotations

from simulation import Cluster
from simulation.network import model_for

NAMESPACES = ("x", "y", "z")
PODS = tuple(f"{ns}/{p}" for ns in NAMESPACES for p in "abc")
IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.53"


def world(seed: int = 1) -> Cluster:
    """The e2e suite's nine pods in three namespaces, running."""
    cluster = Cluster(seed=seed, nodes=3)
    namespaces = [
        f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {ns}\n"
        for ns in NAMESPACES
    ]
    apply(cluster, "---\n".join(namespaces))
    cluster.settle()  # each namespace's default ServiceAccount
    pods = []
    for key in PODS:
        ns, name = key.split("/")
        containers = "".join(
            f"  - name: cont-{port}-{proto.lower()}\n    image: {IMAGE}\n"
            f"    ports:\n    - containerPort: {port}\n"
            f"      name: serve-{port}-{proto.lower()}\n      protocol: {proto}\n"
            for port in (80, 81)
            for proto in ("TCP", "UDP")
        )
        pods.append(
            f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n"
            f"  namespace: {ns}\n  labels:\n    pod: {name}\n"
            f"spec:\n  containers:\n{containers}"
        )
    apply(cluster, "---\n".join(pods))
    cluster.settle()
    return cluster


def apply(cluster: Cluster, text: str) -> None:
    done = cluster.act({"op": "apply", "yaml": text})
    assert done.ok, done.error


def kubectl(cluster: Cluster, line: str) -> str:
    done = cluster.act({"op": "kubectl", "command": line})
    assert done.ok, done.error
    return done.output


def pod(cluster: Cluster, key: str):
    return model_for(cluster).idx.pods[key]


class Reachability:
    """What a test expects between every pair of pods (True: connected)."""

    def __init__(self, default: bool = True) -> None:
        self.table = {(a, b): default for a in PODS for b in PODS if a != b}

    def _set(self, test, ok: bool) -> Reachability:
        for pair in self.table:
            if test(*pair):
                self.table[pair] = ok
        return self

    def expect(self, src: str, dst: str, ok: bool) -> Reachability:
        return self._set(lambda a, b: (a, b) == (src, dst), ok)

    def expect_peer(self, src: str, dst: str, ok: bool) -> Reachability:
        """ExpectPeer: `src`/`dst` are "ns", "ns/pod" or "" (any)."""
        return self._set(lambda a, b: _peer(src, a) and _peer(dst, b), ok)

    def expect_all_ingress(self, dst: str, ok: bool) -> Reachability:
        return self._set(lambda a, b: b == dst, ok)

    def expect_all_egress(self, src: str, ok: bool) -> Reachability:
        return self._set(lambda a, b: a == src, ok)

    def grid(self) -> str:
        return grid(self.table)


def _peer(want: str, key: str) -> bool:
    return not want or want == key or want == key.split("/")[0]


def observe(cluster: Cluster, proto: str, port: int) -> dict[tuple[str, str], bool]:
    """The model's answer for every pair: both checks allow (or do not apply)."""
    net = model_for(cluster)
    policies = net.policies
    out = {}
    for a in PODS:
        for b in PODS:
            if a == b:
                continue
            checks = policies.evaluate(pod(cluster, a), pod(cluster, b), proto, port)
            out[(a, b)] = all(
                c is None or c["verdict"] == "allow" for c in checks.values()
            )
    return out


def grid(table: dict[tuple[str, str], bool]) -> str:
    """A truth table as the e2e suite prints it: rows from, columns to."""
    lines = ["-\t" + "\t".join(PODS)]
    for a in PODS:
        cells = ["-" if a == b else ("." if table[(a, b)] else "X") for b in PODS]
        lines.append(a + "\t" + "\t".join(cells))
    return "\n".join(lines)


def validate(cluster: Cluster, want: Reachability, port: int, proto: str = "TCP"):
    """ValidateOrFail: the observed truth table is the expected one."""
    assert grid(observe(cluster, proto, port)) == want.grid()
