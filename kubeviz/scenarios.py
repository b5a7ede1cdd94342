"""The starting points a learner can open from the home page.

A scenario is data: the cluster's inputs (nodes, platform, CNI), the user actions that
set it up, and whether to let the cluster settle afterwards (a running app to explore)
or stop right after the actions (to step through what they cause). The guided lessons
(issue 7) build on the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from simulation import Cluster

WEB_APP = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
        resources:
          requests: {cpu: 100m, memory: 64Mi}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - name: http
    port: 80
    targetPort: 80
"""


@dataclass(frozen=True)
class Scenario:
    """One starting point: a cluster, what is done to it, and where to stop."""

    name: str
    title: str
    summary: str
    inputs: dict = field(default_factory=dict)
    actions: tuple[dict, ...] = ()
    settle: bool = False

    def card(self) -> dict:
        """What the gallery shows (JSON-ready)."""
        return {
            "name": self.name,
            "title": self.title,
            "summary": self.summary,
            "nodes": self.inputs.get("nodes", 2),
            "platform": self.inputs.get("platform", "bare-metal"),
            "cni": self.inputs.get("cni", "overlay"),
        }

    def build(self, seed: int = 0, **overrides: object) -> Cluster:
        """A new cluster at this scenario's starting step."""
        inputs = {**self.inputs, **overrides}
        cluster = Cluster(
            seed=seed,
            nodes=int(inputs.get("nodes", 2)),
            platform=str(inputs.get("platform", "bare-metal")),
            cni=str(inputs.get("cni", "overlay")),
            proxy_mode=str(inputs.get("proxyMode", "iptables")),
        )
        for action in self.actions:
            result = cluster.act(dict(action))
            if not result.ok:
                raise ValueError(f"scenario {self.name}: {result.error}")
        if self.settle:
            cluster.settle(max_steps=5_000)
        return cluster


BLANK = "blank"

CATALOG: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario(
            name=BLANK,
            title="New blank cluster",
            summary="A control-plane node and two workers, nothing deployed yet. "
            "Apply your own manifests or type kubectl commands.",
            inputs={"nodes": 2},
        ),
        Scenario(
            name="web",
            title="A running web app",
            summary="Three nginx pods behind a Service, already running: trace "
            "packets, kill pods, fail a node.",
            inputs={"nodes": 2},
            actions=({"op": "apply", "yaml": WEB_APP},),
            settle=True,
        ),
        Scenario(
            name="deploy",
            title="kubectl apply, step by step",
            summary="A Deployment has just been applied. Step through the chain: "
            "ReplicaSet, pods, scheduling, kubelet, endpoints.",
            inputs={"nodes": 2},
            actions=({"op": "apply", "yaml": WEB_APP},),
        ),
        Scenario(
            name="cloud",
            title="Cloud platform, routed network",
            summary="Three workers on a cloud platform with a routed CNI: the "
            "cloud-controller-manager and direct pod routes.",
            inputs={"nodes": 3, "platform": "cloud", "cni": "routed"},
            actions=({"op": "apply", "yaml": WEB_APP},),
            settle=True,
        ),
    )
}

# What `/` opens: a small cluster with a few pods, so there is something to see.
HOME = "deploy"


def get(name: str) -> Scenario | None:
    return CATALOG.get(name or BLANK)


def gallery() -> list[dict]:
    return [s.card() for s in CATALOG.values()]
