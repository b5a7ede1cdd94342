"""`kubectl describe hpa`, line for line as kubectl 1.32 prints an autoscaling/v2
HorizontalPodAutoscaler.

Follows kubectl pkg/describe/describe.go: describeHorizontalPodAutoscalerV2 and
printDirectionBehavior. The PrefixWriter indents two spaces a level; a Resource
metric writes its name at level 1 and then `(as a percentage of request):` at
level 1 again, so two spaces sit between the two halves of the line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .parts import annotations, events, labels, multi, when

if TYPE_CHECKING:
    from ...context import Model

UNKNOWN = "<unknown>"


def describe(cluster: Model, hpa: dict) -> list[str]:
    meta, spec = hpa["metadata"], hpa.get("spec") or {}
    st = hpa.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    out = [
        f"Name:\t{meta['name']}",
        f"Namespace:\t{meta.get('namespace', '')}",
        *multi("Labels:", labels(hpa)),
        *multi("Annotations:", annotations(hpa)),
        f"CreationTimestamp:\t{when(meta.get('creationTimestamp'))}",
        f"Reference:\t{ref.get('kind', '')}/{ref.get('name', '')}",
        "Metrics:\t( current / target )",
    ]
    current = st.get("currentMetrics") or []
    for i, metric in enumerate(spec.get("metrics") or []):
        seen = current[i] if i < len(current) else {}
        out.append(_metric(metric, seen or {}))
    low = spec.get("minReplicas")
    out += [
        f"Min replicas:\t{'<unset>' if low is None else low}",
        f"Max replicas:\t{spec.get('maxReplicas', 0)}",
    ]
    if spec.get("behavior"):
        out.append("Behavior:")
        out += _direction("Scale Up", spec["behavior"].get("scaleUp"))
        out += _direction("Scale Down", spec["behavior"].get("scaleDown"))
    out.append(
        f"{ref.get('kind', '')} pods:\t{st.get('currentReplicas', 0)} current /"
        f" {st.get('desiredReplicas', 0)} desired"
    )
    conditions = st.get("conditions") or []
    if conditions:
        out += ["Conditions:", "  Type\tStatus\tReason\tMessage"]
        out.append("  ----\t------\t------\t-------")
        out += [
            f"  {c['type']}\t{c['status']}\t{c.get('reason', '')}"
            f"\t{c.get('message', '')}"
            for c in conditions
        ]
    out += events(cluster, hpa)
    return out


def _metric(metric: dict, seen: dict) -> str:
    kind = metric.get("type")
    if kind == "Resource":
        source = metric.get("resource") or {}
        target = source.get("target") or {}
        now = seen.get("resource") or {}
        head = f"  resource {source.get('name', '')} on pods"
        if target.get("averageValue") is not None:
            shown = (now.get("current") or {}).get("averageValue", UNKNOWN)
            return f"{head}:\t{shown} / {target['averageValue']}"
        value = now.get("current") or {}
        shown = UNKNOWN
        if now and value.get("averageUtilization") is not None:
            shown = f"{value['averageUtilization']}% ({value.get('averageValue', '0')})"
        goal = target.get("averageUtilization")
        goal_text = "<auto>" if goal is None else f"{goal}%"
        return f"{head}  (as a percentage of request):\t{shown} / {goal_text}"
    if kind == "Pods":
        source = metric.get("pods") or {}
        now = ((seen.get("pods") or {}).get("current") or {}).get("averageValue")
        name = (source.get("metric") or {}).get("name", "")
        goal = (source.get("target") or {}).get("averageValue", "")
        return f'  "{name}" on pods:\t{now or UNKNOWN} / {goal}'
    return f'  <unknown metric type "{kind}">'


def _direction(title: str, rules: dict | None) -> list[str]:
    if rules is None:
        return []
    out = [f"  {title}:"]
    if rules.get("stabilizationWindowSeconds") is not None:
        out.append(
            f"    Stabilization Window: {rules['stabilizationWindowSeconds']} seconds"
        )
    policies = rules.get("policies") or []
    if policies:
        out.append(f"    Select Policy: {rules.get('selectPolicy') or 'Max'}")
        out.append("    Policies:")
        out += [
            f"      - Type: {p.get('type', '')}\tValue: {p.get('value', 0)}"
            f"\tPeriod: {p.get('periodSeconds', 0)} seconds"
            for p in policies
        ]
    return out
