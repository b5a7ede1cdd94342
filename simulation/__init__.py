"""KubeViz's model of a Kubernetes cluster: pure, deterministic, steppable.

`Cluster(seed=…)` is the entry point; nothing here imports Django or reads the clock.
"""

from __future__ import annotations

from .cluster import ActionResult, Cluster
from .errors import SimulationError
from .events import Event

__all__ = ["ActionResult", "Cluster", "Event", "SimulationError"]
