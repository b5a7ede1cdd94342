// The cluster picture: an SVG whose pieces are reconciled by id on every change, with
// zoom and pan, two levels of detail, selection, and the "who acted" animation.

import { svg, clear, setText, prefersReducedMotion } from "../dom.js";
import { fitText, textWidth, forgetWidths } from "./textfit.js";

/** What each view draws with: the full picture, or the projector's fewer, bigger things. */
const views = {
  default: { node: nodeShape, pod: podShape, service: serviceShape, frame: drawFrame },
  projector: { node: projectorNodeShape, pod: projectorPodShape, service: projectorServiceShape, frame: drawProjectorFrame },
};
import { drawCalls } from "./calls.js";
import { verdicts, badgeText } from "./scheduling.js";
import { PanZoom } from "./viewport.js";
import { Layout, sizes } from "./layout.js";
import { podShape, nodeShape, serviceShape, podStatusClass } from "./shapes.js";
import { drawFrame, drawWires } from "./frame.js";
import { ProjectorLayout } from "./projector.js";
import { projectorNodeShape, projectorPodShape, projectorServiceShape, drawProjectorFrame } from "./projectorShapes.js";
import { drawWorkloads } from "./workloads.js";
import { actorTargets } from "./actors.js";
import { NodeDetail } from "./nodeDetail.js";

export class Diagram extends EventTarget {
  constructor(svgElement, store) {
    super();
    this.svg = svgElement;
    this.store = store;
    this.baseLayout = new Layout();
    this.layout = this.baseLayout;
    this.viewName = "default";
    this.shapes = views.default;
    this.visited = null;  // names of the nodes the shown packet passes, or null
    this.selectedId = null;
    this.marks = new Map();
    this.nodeGroups = new Map();
    this.podGroups = new Map();
    this.serviceGroups = new Map();
    this.nodeSignatures = new Map();
    this.podObjects = new Map();
    this.serviceObjects = new Map();
    this.frameSignature = "";
    this.revision = 0;
    this.lastKey = "";
    this.speed = 1;
    this.build();
    this.panZoom = new PanZoom(this.svg, this.viewport, () => this.layout.bounds());
    this.panZoom.addEventListener("change", (event) => {
      if (event.detail.draw) this.scheduleCull();
      this.dispatchEvent(new CustomEvent("view", { detail: this.view }));
    });
    this.detail = new NodeDetail(this);
    this.bindPointer();
  }

  build() {
    clear(this.svg);
    this.svg.append(svg("defs", {},
      svg("marker", { id: "arrowHead", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        svg("path", { d: "M0,0 L10,5 L0,10 z", className: "arrow-head" })),
      svg("marker", { id: "arrowHeadWrite", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse" },
        svg("path", { d: "M0,0 L10,5 L0,10 z", className: "arrow-head-write" })),
    ));
    this.viewport = svg("g", { className: "viewport" });
    this.layers = {};
    for (const name of ["wires", "frame", "workloads", "services", "nodes", "links", "pods", "calls", "packets", "detail"]) {
      this.layers[name] = svg("g", { className: `layer-${name}` });
      this.viewport.append(this.layers[name]);
    }
    this.svg.append(this.viewport);
  }

  // ---- views ------------------------------------------------------------------------

  /**
   * Switch between the default picture and the projector's. Slots are shared, so nodes
   * and pods keep their order; everything is drawn again in the new geometry.
   */
  setView(view) {
    const next = views[view] ? view : "default";
    if (next === this.viewName) return;
    this.viewName = next;
    this.shapes = views[next];
    this.layout = next === "projector" ? new ProjectorLayout(this.baseLayout) : this.baseLayout;
    // The projector view has no legend strip over the picture's top edge.
    this.panZoom.reserveTop = next === "projector" ? 6 : 36;
    if (next === "default") this.baseLayout.columns = Math.max(this.baseLayout.columns, this.layout.columns);
    forgetWidths();
    for (const layer of Object.values(this.layers)) clear(layer);
    for (const map of [this.nodeGroups, this.podGroups, this.serviceGroups, this.nodeSignatures, this.podObjects, this.serviceObjects]) map.clear();
    this.frameSignature = "";
    this.workloadObjects = null;
    this.fitKey = "";
    this.panZoom.userMoved = false;
    this.detail.close();
    this.render(false);
    this.fit(false);
    this.render(false);
    this.showEvent(this.lastEvent ?? null, false);
    this.dispatchEvent(new CustomEvent("viewchange", { detail: { view: next } }));
  }

  /** The nodes a shown packet passes: the projector view folds the others' plumbing. */
  setVisited(names) {
    const next = names ? new Set(names) : null;
    const same = (next === null && this.visited === null)
      || (next && this.visited && next.size === this.visited.size && [...next].every((n) => this.visited.has(n)));
    if (same) return;
    this.visited = next;
    if (this.viewName === "projector") this.renderNodes();
  }

  // ---- rendering -------------------------------------------------------------------

  /** Draw the store; `animate` false (snapshots) puts things in place without fading. */
  render(animate = true) {
    this.animate = animate;
    const store = this.store;
    this.layout.sync(store);
    // Refit only when the set of nodes changes: a new pod or Service never moves the view.
    // Fitting first also decides the level of detail before anything is drawn.
    const fitKey = `${this.layout.nodeSlots.highest}|${this.layout.columns}`;
    if (!this.userMoved && fitKey !== this.fitKey) this.panZoom.fit(false);
    this.fitKey = fitKey;
    this.renderFrame();
    this.renderWorkloads();
    this.renderNodes();
    this.renderPods();
    this.renderServices();
    this.renderWires();
    this.renderLinks();
    this.detail.refresh();
    this.applySelection();
  }

  visibleWorld() {
    return this.panZoom.visibleWorld();
  }

  /** Near zoom draws full detail for nodes in view; far zoom (or off screen) a summary. */
  detailed(rect, visible) {
    if (this.lod === "far" || !rect) return false;
    return rect.x < visible.x + visible.w && rect.x + rect.w > visible.x
      && rect.y < visible.y + visible.h && rect.y + rect.h > visible.y;
  }

  /** After a pan or zoom: draw detail where the view now is (once per frame). */
  scheduleCull() {
    if (this.cullPending) return;
    this.cullPending = true;
    requestAnimationFrame(() => {
      this.cullPending = false;
      this.renderNodes();
      this.renderPods();
      this.renderLinks();
      this.applySelection();
    });
  }

  renderFrame() {
    const config = this.store.config ?? {};
    const lbServices = this.store.list("services").filter((service) => service.type === "LoadBalancer");
    const ingresses = this.store.list("ingresses");
    const signature = JSON.stringify([config.platform, config.cni, lbServices.map((s) => s.externalIP ?? "-"), ingresses.map((ing) => ing.rules), this.layout.columns]);
    if (signature === this.frameSignature) return;
    this.frameSignature = signature;
    ({ trayNote: this.trayNote, etcdSub: this.etcdSub } = this.shapes.frame(this.layers.frame, this.layout, this.store, this.etcdText()));
    this.updateEtcd();
  }

  updateEtcd() {
    if (!this.etcdSub) return;
    const prefix = this.etcdSub.dataset.prefix ?? "";
    const text = this.etcdText();
    const room = Number(this.etcdSub.dataset.room);
    // Where the room is small (the projector's chip), "etcd rev 96" before cutting.
    setText(this.etcdSub, room ? fitText([`${prefix}${text}`, `${prefix}${text.replace("revision", "rev")}`, prefix.trim()], this.etcdSub.getAttribute("class"), room) : `${prefix}${text}`);
  }

  etcdText() {
    return this.revision ? `revision ${this.revision}` : "key-value store";
  }

  nodeInfo(node, pods) {
    const statusCounts = {};
    for (const pod of pods) {
      const statusClass = podStatusClass(pod);
      statusCounts[statusClass] = (statusCounts[statusClass] ?? 0) + 1;
    }
    return {
      podCount: pods.length,
      hidden: this.layout.hiddenPodCount(node.name),
      statusCounts,
      cni: this.store.config?.cni,
      proxyMode: this.store.config?.proxyMode,
      runtime: this.store.config?.runtime,
    };
  }

  renderNodes() {
    const byNode = this.store.podsByNode();
    const seen = new Set();
    const visible = this.visibleWorld();
    for (const node of this.store.list("nodes")) {
      seen.add(node.id);
      const rect = this.layout.nodeRect(node.name);
      const info = this.nodeInfo(node, byNode.get(node.name) ?? []);
      info.detailed = this.detailed(rect, visible);
      if (this.visited) info.visited = this.visited;
      const signature = `${rect.x},${rect.y}|${JSON.stringify({ ...info, visited: info.visited ? info.visited.has(node.name) : null })}`;
      const previous = this.nodeGroups.get(node.id);
      if (previous && this.nodeSignatures.get(node.id)?.node === node && this.nodeSignatures.get(node.id)?.signature === signature) continue;
      const group = this.shapes.node(node, info);
      group.setAttribute("transform", `translate(${rect.x},${rect.y})`);
      if (previous) swap(previous, group);
      else {
        if (this.animate) group.classList.add("enter");
        this.layers.nodes.append(group);
      }
      this.nodeGroups.set(node.id, group);
      this.nodeSignatures.set(node.id, { node, signature });
    }
    for (const [id, group] of this.nodeGroups) {
      if (seen.has(id)) continue;
      this.leave(group);
      this.nodeGroups.delete(id);
      this.nodeSignatures.delete(id);
    }
  }

  renderPods() {
    const seen = new Set();
    const pending = this.layout.hiddenPodCount("");
    const waiting = this.layout.pendingSlots.size;
    if (this.trayNote) {
      const note = this.layout.queueNote(pending, waiting);
      const room = Number(this.trayNote.dataset.room);
      setText(this.trayNote, room ? fitText([note, note.replace("queue: ", "")], "tray-note", room) : note);
    }
    const visible = this.visibleWorld();
    const culled = new Set();
    for (const pod of this.store.list("pods")) {
      const rect = this.layout.podRect(pod);
      if (!rect) continue;
      // Pods are drawn only where the view shows detail; the far view shows counts.
      if (pod.node && !this.detailed(this.layout.nodeRect(pod.node), visible)) {
        culled.add(pod.id);
        continue;
      }
      seen.add(pod.id);
      let group = this.podGroups.get(pod.id);
      const previous = this.podObjects.get(pod.id);
      if (!group || previous !== pod) {
        const fresh = this.shapes.pod(pod);
        if (group) {
          fresh.style.transform = group.style.transform;
          swap(group, fresh);
          if (previous && podStatusClass(previous) !== podStatusClass(pod)) this.flash(fresh);
        } else if (this.animate) {
          fresh.classList.add("enter");
        }
        group = fresh;
        this.podGroups.set(pod.id, group);
        this.podObjects.set(pod.id, pod);
        if (!group.isConnected) this.layers.pods.append(group);
      }
      const transform = `translate(${rect.x}px, ${rect.y}px)`;
      if (group.style.transform !== transform) group.style.transform = transform;
    }
    for (const [id, group] of this.podGroups) {
      if (seen.has(id)) continue;
      this.podGroups.delete(id);
      this.podObjects.delete(id);
      if (culled.has(id)) group.remove();
      else this.leave(group);
    }
  }

  renderServices() {
    const seen = new Set();
    for (const service of this.store.list("services")) {
      const rect = this.layout.serviceRect(service.id);
      if (!rect) continue;
      seen.add(service.id);
      let group = this.serviceGroups.get(service.id);
      if (!group || this.serviceObjects.get(service.id) !== service) {
        const fresh = this.shapes.service(service, rect);
        if (group) swap(group, fresh);
        else {
          if (this.animate) fresh.classList.add("enter");
          this.layers.services.append(fresh);
        }
        group = fresh;
        this.serviceGroups.set(service.id, group);
        this.serviceObjects.set(service.id, service);
      }
      group.setAttribute("transform", `translate(${rect.x},${rect.y})`);
    }
    for (const [id, group] of this.serviceGroups) {
      if (seen.has(id)) continue;
      this.serviceGroups.delete(id);
      this.serviceObjects.delete(id);
      this.leave(group);
    }
  }

  renderWorkloads() {
    const objects = [...this.store.list("deployments"), ...this.store.list("replicasets"), ...this.store.list("hpas")];
    if (this.workloadObjects && objects.length === this.workloadObjects.length
      && objects.every((object, index) => object === this.workloadObjects[index])) return;
    this.workloadObjects = objects;
    this.workloadGroups = drawWorkloads(this.layers.workloads, this.layout, this.store);
  }

  renderWires() {
    drawWires(this.layers.wires, this.layout, this.store);
  }

  /** Lines from the selected Service to its endpoint pods. */
  renderLinks() {
    const layer = clear(this.layers.links);
    const selected = this.selectedId ? this.store.get(this.selectedId) : null;
    if (!selected || !this.selectedId.startsWith("services/")) return;
    const from = this.layout.serviceRect(selected.id);
    if (!from) return;
    const start = { x: from.x + from.w, y: from.y + from.h / 2 };
    for (const endpoint of selected.endpoints ?? []) {
      const pod = this.store.get(`pods/${selected.namespace}/${endpoint.pod}`);
      const rect = this.layout.podRect(pod) ?? this.layout.nodeRect(endpoint.node);
      if (!rect) continue;
      const end = { x: rect.x, y: rect.y + Math.min(rect.h, 60) / 2 };
      const midX = (start.x + end.x) / 2;
      layer.append(svg("path", {
        className: `endpoint-link ${endpoint.ready === false ? "not-ready" : ""}`,
        d: `M${start.x},${start.y} C${midX},${start.y} ${midX},${end.y} ${end.x},${end.y}`,
      }));
    }
  }

  flash(group) {
    if (prefersReducedMotion()) return;
    group.classList.add("flash");
    setTimeout(() => group.classList.remove("flash"), 1200);
  }

  leave(group) {
    if (prefersReducedMotion()) {
      group.remove();
      return;
    }
    group.classList.add("leave");
    group.removeAttribute("tabindex");
    setTimeout(() => group.remove(), 600);
  }

  // ---- who acted: light up the actor and run arrows along its API calls -------------

  /** Light up who acted; `animate` false (after a snapshot or seek) draws it still. */
  showEvent(event, animate = true) {
    this.lastEvent = event;
    if (!event) {
      for (const old of this.svg.querySelectorAll(".active")) old.classList.remove("active");
      clear(this.layers.calls);
      return;
    }
    for (const write of event.writes ?? []) {
      if (write.revision > this.revision) {
        this.revision = write.revision;
        this.lastKey = write.key;
      }
    }
    this.updateEtcd();
    for (const old of this.svg.querySelectorAll(".active")) old.classList.remove("active");
    const targets = actorTargets(event, this.layout, this.store);
    for (const id of targets.ids) {
      for (const element of this.svg.querySelectorAll(`[data-id="${CSS.escape(id)}"]`)) element.classList.add("active");
    }
    if (animate) {
      for (const id of event.objects ?? []) {
        const group = this.podGroups.get(id) ?? this.nodeGroups.get(id) ?? this.serviceGroups.get(id)
          ?? this.workloadGroups?.get(id);
        if (group) this.flash(group);
      }
    }
    drawCalls(this.layers.calls, this.layout, event, targets.rect, { animate, speed: this.speed });
    this.drawVerdicts(event);
  }

  /** Over each node, what the scheduler decided about it for this pod. */
  drawVerdicts(event) {
    for (const verdict of verdicts(event)) {
      const rect = this.layout.nodeRect(verdict.node);
      if (!rect) continue;
      const text = fitText(badgeText(verdict), "verdict-text", rect.w - 40);
      const width = Math.min(rect.w - 20, textWidth(text, "verdict-text") + 20);
      const className = `verdict ${verdict.passed ? "passed" : "failed"} ${verdict.chosen ? "chosen" : ""}`;
      this.layers.calls.append(svg("g", { className, transform: `translate(${rect.x + (rect.w - width) / 2},${rect.y - 33})` },
        svg("title", {}, verdict.passed ? `${verdict.node}: ${verdict.parts.map(([k, v]) => `${k} ${v}`).join(", ")}` : `${verdict.node}: ${verdict.reason}`),
        svg("rect", { width, height: 30, rx: 15 }),
        svg("text", { className: "verdict-text", x: width / 2, y: 21, "text-anchor": "middle" }, text)));
    }
  }

  // ---- selection ---------------------------------------------------------------------

  select(id) {
    this.selectedId = id;
    this.applySelection();
    this.renderLinks();
  }

  applySelection() {
    const marks = new Map(this.marks);
    marks.set("selected", new Set(this.selectedId ? [this.selectedId] : []));
    for (const [className, ids] of marks) {
      for (const element of this.svg.querySelectorAll(`.${className}`)) {
        if (!ids.has(element.dataset.id)) element.classList.remove(className);
      }
      for (const id of ids) {
        for (const element of this.svg.querySelectorAll(`[data-id="${CSS.escape(id)}"]`)) element.classList.add(className);
      }
    }
    this.dispatchEvent(new CustomEvent("drawn"));
  }

  /**
   * Keep `className` on the pictures of `ids` across redraws (pieces are rebuilt when
   * their object changes or scrolls into view): for add-ons such as a classroom spotlight.
   */
  setMarks(className, ids) {
    this.marks.set(className, new Set(ids));
    this.applySelection();
  }

  // ---- zoom and pan (viewport.js) -------------------------------------------------

  get view() {
    return this.panZoom.view;
  }

  get lod() {
    return this.panZoom.lod;
  }

  get userMoved() {
    return this.panZoom.userMoved;
  }

  set reserveBottom(pixels) {
    this.panZoom.reserveBottom = pixels;
  }

  fit(draw = true) {
    this.panZoom.fit(draw);
  }

  zoomBy(factor, at) {
    this.panZoom.zoomBy(factor, at);
  }

  panBy(dx, dy) {
    this.panZoom.panBy(dx, dy);
  }

  focusRect(rect, maxK) {
    this.panZoom.focusRect(rect, maxK);
  }

  resetView() {
    this.panZoom.reset();
  }

  bindPointer() {
    // One delegated listener for every clickable thing in the picture.
    this.svg.addEventListener("click", (event) => {
      if (this.panZoom.justDragged) {
        this.panZoom.justDragged = false;
        return;
      }
      this.activate(event.target);
    });
    this.svg.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      const target = event.target.closest?.("[data-id], [data-action]");
      if (!target) return;
      event.preventDefault();
      event.stopPropagation();
      this.activate(target);
    });
  }

  activate(target) {
    const action = target.closest?.("[data-action]");
    if (action && this.svg.contains(action)) {
      this.dispatchEvent(new CustomEvent("action", { detail: { action: action.dataset.action, id: action.dataset.target } }));
      return;
    }
    const item = target.closest?.("[data-id]");
    if (!item) return;
    const id = item.dataset.id;
    this.select(id);
    this.dispatchEvent(new CustomEvent("select", { detail: { id } }));
  }
}

/** Replace a drawn piece, keeping keyboard focus on it if it had it. */
function swap(old, fresh) {
  const focused = old.contains(document.activeElement);
  old.replaceWith(fresh);
  if (focused) fresh.focus({ preventScroll: true });
}

export { sizes };
