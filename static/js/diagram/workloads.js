// Deployments and the ReplicaSets they own, as rows in a box beside the control plane:
// the objects the Deployment and ReplicaSet loops reconcile, with desired and ready
// counts, so "Deployment → ReplicaSet → Pods" can be followed on the picture.

import { svg, clear } from "../dom.js";
import { fitText, textWidth } from "./textfit.js";

const rowH = 30;

function row(object, kind, x, y, w, hpa = null) {
  const indent = kind === "ReplicaSet" ? 22 : 0;
  const ready = object.ready ?? 0;
  const wanted = object.replicas ?? 0;
  const group = svg("g", {
    className: `workload ${kind === "ReplicaSet" ? "rs" : "deploy"} ${ready < wanted ? "short" : ""}`,
    transform: `translate(${x + indent},${y})`, tabindex: "0", role: "button",
    "data-id": object.id, "aria-label": `${kind} ${object.namespace}/${object.name}: ${ready} of ${wanted} ready`,
  });
  const scaler = hpa ? ` · HPA ${hpaText(hpa)}` : "";
  const name = kind === "ReplicaSet" ? `↳ rs ${object.name}` : `deploy ${object.name}${scaler}`;
  group.append(
    svg("title", {}, `${kind} ${object.namespace}/${object.name}${hpa ? `, scaled by HorizontalPodAutoscaler ${hpa.name}: ${hpaText(hpa)}` : ""}`),
    svg("rect", { className: "workload-box", width: w - indent, height: rowH - 4, rx: 5 }),
    svg("text", { className: "workload-name", x: 8, y: 19 }, fitText(name, "workload-name", w - indent - 24 - textWidth(`${ready}/${wanted}`, "workload-count"))),
    svg("text", { className: "workload-count", x: w - indent - 8, y: 19, "text-anchor": "end" }, `${ready}/${wanted}`),
  );
  return group;
}

/** An HPA in a few words: its metric now against its target, and the replicas it wants. */
export function hpaText(hpa) {
  const now = hpa.cpu !== null && hpa.cpu !== undefined ? `${hpa.cpu}%` : "?";
  const target = hpa.targetCpu !== null && hpa.targetCpu !== undefined ? `/${hpa.targetCpu}%` : "";
  const wants = hpa.desired !== null && hpa.desired !== undefined ? ` → ${hpa.desired}` : "";
  return `cpu ${now}${target}${wants} (${hpa.min}–${hpa.max})`;
}

/** Draw the box; returns a Map of object id → row group (for flashing what a step touched). */
export function drawWorkloads(layer, layout, store) {
  clear(layer);
  const box = layout.workloadsRect();
  if (!box) return new Map();
  layer.append(
    svg("rect", { className: "workloads-box", x: box.x, y: box.y, width: box.w, height: box.h, rx: 12 }),
    svg("text", { className: "workloads-title", x: box.x + 14, y: 28 }, "Workloads (objects in etcd)"),
  );
  const rows = new Map();
  const deployments = store.list("deployments").filter((d) => d.namespace !== "kube-system");
  const sets = store.list("replicasets").filter((r) => r.namespace !== "kube-system");
  const hpas = store.list("hpas");
  const ordered = [];
  for (const deployment of deployments) {
    const hpa = hpas.find((h) => h.namespace === deployment.namespace && h.target === deployment.name) ?? null;
    ordered.push([deployment, "Deployment", hpa]);
    for (const set of sets) if (set.owner === `Deployment/${deployment.name}` && set.namespace === deployment.namespace) ordered.push([set, "ReplicaSet"]);
  }
  for (const set of sets) if (!ordered.some(([object]) => object === set)) ordered.push([set, "ReplicaSet"]);
  const capacity = Math.floor((box.h - 44) / rowH);
  ordered.slice(0, capacity).forEach(([object, kind, hpa], index) => {
    const group = row(object, kind, box.x + 12, box.y + 40 + index * rowH, box.w - 24, hpa);
    rows.set(object.id, group);
    layer.append(group);
  });
  if (!ordered.length) {
    layer.append(svg("text", { className: "workloads-empty", x: box.x + 14, y: 64 }, "none yet: kubectl apply a Deployment"));
  } else if (ordered.length > capacity) {
    layer.append(svg("text", { className: "workloads-empty", x: box.x + box.w - 14, y: 28, "text-anchor": "end" }, `+${ordered.length - capacity} more`));
  }
  return rows;
}
