"""KubeViz's web layer: Django pages, Channels consumers and live sessions."""

from __future__ import annotations
