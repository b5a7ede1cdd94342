// What a lesson step points at, marked on the picture: objects by their view-model id,
// control-plane and node components by the diagram's own component ids, and the
// packet hops of the step's trace. The diagram draws; this only adds a class.

const markClass = "lesson-mark";
const hopClass = "lesson-hop";
// Components that run on every node: the lesson names the kind, the picture one per node.
const perNode = ["kubelet", "kube-proxy"];

/** CSS selectors of the picture's elements for one lesson highlight id. */
export function selectorsFor(id) {
  const value = String(id ?? "");
  if (value.startsWith("components/")) {
    const name = value.slice("components/".length);
    if (perNode.includes(name)) return [`[data-id^="${CSS.escape(`component:${name}@`)}"]`];
    return [`[data-id="${CSS.escape(`component:${name}`)}"]`];
  }
  return [`[data-id="${CSS.escape(value)}"]`];
}

/** Mark `ids` on the picture (and unmark the rest); returns the elements marked. */
export function markHighlights(svgRoot, ids) {
  const marked = new Set();
  for (const id of ids) {
    for (const selector of selectorsFor(id)) {
      for (const element of svgRoot.querySelectorAll(selector)) marked.add(element);
    }
  }
  for (const element of svgRoot.querySelectorAll(`.${markClass}`)) {
    if (!marked.has(element)) element.classList.remove(markClass);
  }
  for (const element of marked) element.classList.add(markClass);
  return [...marked];
}

/** Is this highlight drawn anywhere in the picture right now? */
export function isDrawn(svgRoot, id) {
  return selectorsFor(id).some((selector) => svgRoot.querySelector(selector));
}

/** Mark the trace's hop marks whose index is in `hops` (the packet player numbers them). */
export function markHops(svgRoot, hops) {
  const wanted = new Set((hops ?? []).map(String));
  for (const mark of svgRoot.querySelectorAll(".hop-mark")) {
    mark.classList.toggle(hopClass, wanted.has(mark.dataset.target));
  }
}

/** A short human name for a highlight id: "pod web-7d4b-x2kqz", "kube-scheduler". */
export function describe(id) {
  const parts = String(id ?? "").split("/");
  const kinds = {
    pods: "pod", nodes: "node", services: "Service", deployments: "Deployment",
    replicasets: "ReplicaSet", ingresses: "Ingress", hpas: "HPA", components: "",
  };
  const kind = kinds[parts[0]] ?? parts[0];
  const name = parts[parts.length - 1];
  return kind ? `${kind} ${name}` : name;
}
