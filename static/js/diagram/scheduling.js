// The scheduler's reasoning for one pod, from a scheduling event's details: which nodes
// the filters kept (and why the others were dropped), each survivor's score, the winner.

/** [{node, passed, score, reason, chosen}] for an event, or [] if it is not a decision. */
export function verdicts(event) {
  const details = event?.details ?? {};
  const decision = details.decision ?? null;
  const nodes = decision?.nodes ?? details.verdicts ?? null;
  if (!nodes || typeof nodes !== "object") return [];
  const chosen = decision?.node ?? null;
  return Object.entries(nodes).map(([node, verdict]) => {
    const value = typeof verdict === "string" ? { filter: verdict } : verdict ?? {};
    const reasons = Array.isArray(value) ? value.join(", ") : value.filter ?? value.reason ?? "";
    const passed = reasons === "passed" || (value.total !== undefined && !reasons);
    return {
      node,
      passed,
      score: value.total ?? null,
      reason: passed ? "" : String(reasons || "filtered out"),
      parts: passed ? Object.entries(value).filter(([key]) => !["filter", "total"].includes(key)) : [],
      chosen: node === chosen,
    };
  });
}

/** One line a badge can carry: "✓ chosen · 197", "✓ 197", "✗ untolerated taint". */
export function badgeText(verdict) {
  if (verdict.passed) return `${verdict.chosen ? "✓ chosen" : "✓ passed"}${verdict.score !== null ? ` · score ${verdict.score}` : ""}`;
  return `✗ ${verdict.reason}`;
}
