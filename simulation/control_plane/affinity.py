"""Node selection rules shared by the scheduler and the taint manager."""

from __future__ import annotations


def _labels(node: dict) -> dict:
    return node["metadata"].get("labels") or {}


def _expression_ok(expr: dict, labels: dict) -> bool:
    key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
    if op == "In":
        return labels.get(key) in values
    if op == "NotIn":
        return labels.get(key) not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    if op in ("Gt", "Lt") and key in labels and values:
        try:
            have, limit = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > limit if op == "Gt" else have < limit
    return False


def _term_ok(term: dict, labels: dict) -> bool:
    return all(_expression_ok(e, labels) for e in term.get("matchExpressions") or [])


def node_affinity_ok(pod: dict, node: dict) -> bool:
    """nodeSelector and requiredDuringSchedulingIgnoredDuringExecution both hold."""
    labels = _labels(node)
    for key, value in (pod["spec"].get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    required = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    terms = required.get("nodeSelectorTerms") or []
    return not terms or any(_term_ok(t, labels) for t in terms)


def preferred_affinity_score(pod: dict, node: dict) -> int:
    preferred = ((pod["spec"].get("affinity") or {}).get("nodeAffinity") or {}).get(
        "preferredDuringSchedulingIgnoredDuringExecution"
    ) or []
    labels = _labels(node)
    return sum(
        int(p.get("weight", 0))
        for p in preferred
        if _term_ok(p.get("preference") or {}, labels)
    )


def tolerates(tolerations: list[dict], taint: dict) -> bool:
    """Some toleration matches the taint's key, value and effect."""
    for t in tolerations:
        if t.get("effect") and t["effect"] != taint.get("effect"):
            continue
        if t.get("operator", "Equal") == "Exists":
            if not t.get("key") or t["key"] == taint.get("key"):
                return True
        elif t.get("key") == taint.get("key") and t.get("value", "") == taint.get(
            "value", ""
        ):
            return True
    return False


def toleration_seconds(tolerations: list[dict], taint: dict) -> float | None:
    """How long a pod tolerates a NoExecute taint: None forever, 0 not at all."""
    best: float | None = 0
    for t in tolerations:
        if tolerates([t], taint):
            seconds = t.get("tolerationSeconds")
            if seconds is None:
                return None
            best = max(best or 0, float(seconds))
    return best
