// The cluster picture: an SVG whose pieces are reconciled by id on every change, with
// zoom and pan, two levels of detail, selection, and the "who acted" animation.

import { svg, clear, setText, prefersReducedMotion } from "./dom.js";
import { Layout, sizes, center } from "./layout.js";
import {
  componentBox, controllerManagerBox, podShape, nodeShape, serviceShape, podStatusClass,
} from "./shapes.js";
import { actorTargets } from "./actors.js";
import { NodeDetail } from "./nodeDetail.js";

const farThreshold = 0.3;  // below this zoom pods are specks: show counts instead

export class Diagram extends EventTarget {
  constructor(svgElement, store) {
    super();
    this.svg = svgElement;
    this.store = store;
    this.layout = new Layout();
    this.view = { k: 1, x: 0, y: 0 };
    this.lod = "near";
    this.userMoved = false;
    this.selectedId = null;
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
    for (const name of ["wires", "frame", "services", "nodes", "links", "pods", "calls", "packets", "detail"]) {
      this.layers[name] = svg("g", { className: `layer-${name}` });
      this.viewport.append(this.layers[name]);
    }
    this.svg.append(this.viewport);
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
    if (!this.userMoved && fitKey !== this.fitKey) this.fit(false);
    this.fitKey = fitKey;
    this.renderFrame();
    this.renderNodes();
    this.renderPods();
    this.renderServices();
    this.renderWires();
    this.renderLinks();
    this.detail.refresh();
    this.applySelection();
  }

  /** The part of the world on screen, with a margin, for drawing detail only there. */
  visibleWorld() {
    const { k, x, y } = this.view;
    const width = this.svgWidth ?? 0;
    const height = this.svgHeight ?? 0;
    const margin = 0.5;
    return {
      x: (-x - width * margin) / k,
      y: (-y - height * margin) / k,
      w: (width * (1 + 2 * margin)) / k,
      h: (height * (1 + 2 * margin)) / k,
    };
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
    const signature = JSON.stringify([config.platform, config.cni, lbServices.map((s) => s.externalIP ?? "-"), ingresses.length, this.layout.columns]);
    if (signature === this.frameSignature) return;
    this.frameSignature = signature;
    const layer = clear(this.layers.frame);
    const layout = this.layout;
    const cp = layout.controlPlaneRect();
    const cloud = config.platform === "cloud";
    layer.append(
      svg("rect", { className: "cp-box", x: cp.x, y: cp.y, width: cp.w, height: cp.h, rx: 12 }),
      svg("text", { className: "cp-title", x: cp.x + 16, y: 30 }, cloud ? "Control plane (run by the cloud provider)" : "Control plane"),
    );
    layer.append(
      componentBox("component:kube-scheduler", layout.componentRect("kube-scheduler"), "kube-scheduler", "filter → score → bind"),
      componentBox("component:kube-apiserver", layout.componentRect("kube-apiserver"), "kube-apiserver", "the only door to etcd", "apiserver"),
      componentBox("component:etcd", layout.componentRect("etcd"), "etcd", this.etcdText(), "etcd"),
    );
    if (cloud) {
      layer.append(componentBox("component:cloud-controller-manager", layout.componentRect("cloud-controller-manager"),
        "cloud-controller-mgr", "load balancers, nodes"));
    } else {
      const rect = layout.componentRect("cloud-controller-manager");
      layer.append(svg("text", { className: "cp-note", x: rect.x + 8, y: rect.y + 28 }, "no cloud-controller-"),
        svg("text", { className: "cp-note", x: rect.x + 8, y: rect.y + 50 }, "manager on bare metal"));
    }
    layer.append(controllerManagerBox(layout.componentRect("kube-controller-manager"), layout));
    const tray = layout.trayRect();
    layer.append(
      svg("rect", { className: "tray-box", x: tray.x, y: tray.y, width: tray.w, height: tray.h, rx: 10 }),
      svg("text", { className: "tray-title", x: tray.x + 12, y: tray.y + 30 }, "Scheduling"),
      svg("text", { className: "tray-title", x: tray.x + 12, y: tray.y + 52 }, "queue"),
    );
    this.trayNote = svg("text", { className: "tray-note", x: tray.x + 12, y: tray.y + 70 }, "");
    layer.append(this.trayNote);
    layer.append(
      componentBox("component:kubectl", layout.componentRect("kubectl"), "kubectl", "a client of the API server", "client"),
      componentBox("component:internet", layout.componentRect("internet"), "Internet client", "203.0.113.50 (outside)", "outside"),
    );
    const lbText = cloud
      ? (lbServices.length ? lbServices.map((s) => s.externalIP ?? "<pending>").join(", ") : "none requested yet")
      : "LoadBalancer → <pending>";
    layer.append(
      componentBox("component:load-balancer", layout.componentRect("load-balancer"), cloud ? "Cloud load balancer" : "No cloud LB", lbText, cloud ? "outside" : "outside absent"),
      componentBox("component:ingress", layout.componentRect("ingress"), "Ingress controller",
        ingresses.length ? `${ingresses.length} Ingress rule set${ingresses.length === 1 ? "" : "s"}` : "no Ingress objects", "ingress"),
      svg("text", { className: "column-title", x: 4, y: layout.servicesTop - 12 }, "Services"),
    );
    this.etcdSub = layer.querySelector('[data-id="component:etcd"] .component-sub');
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
      const signature = `${rect.x},${rect.y}|${JSON.stringify(info)}`;
      const previous = this.nodeGroups.get(node.id);
      if (previous && this.nodeSignatures.get(node.id)?.node === node && this.nodeSignatures.get(node.id)?.signature === signature) continue;
      const group = nodeShape(node, info);
      group.setAttribute("transform", `translate(${rect.x},${rect.y})`);
      if (previous) previous.replaceWith(group);
      else {
        if (this.animate) group.classList.add("enter");
        this.layers.nodes.append(group);
      }
      this.nodeGroups.set(node.id, group);
      this.nodeSignatures.set(node.id, { node, signature });
    }
    for (const [id, group] of this.nodeGroups) {
      if (seen.has(id)) continue;
      group.remove();
      this.nodeGroups.delete(id);
      this.nodeSignatures.delete(id);
    }
  }

  renderPods() {
    const seen = new Set();
    const pending = this.layout.hiddenPodCount("");
    const waiting = this.layout.pendingSlots.size;
    if (this.trayNote) setText(this.trayNote, pending ? `+${pending} more` : waiting ? "" : "(empty)");
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
        const fresh = podShape(pod);
        if (group) {
          fresh.style.transform = group.style.transform;
          group.replaceWith(fresh);
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
      seen.add(service.id);
      const rect = this.layout.serviceRect(service.id);
      let group = this.serviceGroups.get(service.id);
      if (!group || this.serviceObjects.get(service.id) !== service) {
        const fresh = serviceShape(service);
        if (group) group.replaceWith(fresh);
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

  renderWires() {
    const layer = clear(this.layers.wires);
    const nodes = this.store.list("nodes");
    if (!nodes.length) return;
    const overlay = this.store.config?.cni !== "routed";
    const rows = new Map();
    for (const node of nodes) {
      const rect = this.layout.nodeRect(node.name);
      const eth = center(this.layout.nodePartRect(node.name, "eth0"));
      const y = this.layout.underlayY(rect.row);
      if (!rows.has(rect.row)) rows.set(rect.row, { y, minX: Infinity, maxX: -Infinity });
      const row = rows.get(rect.row);
      row.minX = Math.min(row.minX, rect.x);
      row.maxX = Math.max(row.maxX, rect.x + rect.w);
      layer.append(svg("line", { className: `wire ${node.failed ? "wire-down" : ""}`, x1: eth.x, y1: eth.y + 14, x2: eth.x, y2: y }));
    }
    const spineX = this.layout.gridX - 14;
    const rowList = [...rows.values()];
    for (const row of rowList) {
      layer.append(svg("line", { className: "underlay", x1: spineX, y1: row.y, x2: row.maxX, y2: row.y }));
    }
    if (rowList.length > 1) {
      const ys = rowList.map((row) => row.y);
      layer.append(svg("line", { className: "underlay", x1: spineX, y1: Math.min(...ys), x2: spineX, y2: Math.max(...ys) }));
    }
    const first = rowList[0];
    const text = overlay
      ? "underlay network (node IPs) · pod traffic between nodes rides inside VXLAN, UDP 8472"
      : "underlay network (node IPs) · pod traffic is routed to each node's podCIDR, no encapsulation";
    layer.append(svg("text", { className: "underlay-label", x: this.layout.gridX, y: first.y + 24 }, text));
  }

  /** Lines from the selected Service to its endpoint pods. */
  renderLinks() {
    const layer = clear(this.layers.links);
    const selected = this.selectedId ? this.store.get(this.selectedId) : null;
    if (!selected || !this.selectedId.startsWith("services/")) return;
    const from = this.layout.serviceRect(selected.id);
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
    if (this.etcdSub) setText(this.etcdSub, this.etcdText());
    for (const old of this.svg.querySelectorAll(".active")) old.classList.remove("active");
    const targets = actorTargets(event, this.layout, this.store);
    for (const id of targets.ids) {
      for (const element of this.svg.querySelectorAll(`[data-id="${CSS.escape(id)}"]`)) element.classList.add("active");
    }
    if (animate) {
      for (const id of event.objects ?? []) {
        const group = this.podGroups.get(id) ?? this.nodeGroups.get(id) ?? this.serviceGroups.get(id);
        if (group) this.flash(group);
      }
    }
    this.drawCalls(event, targets.rect, animate);
  }

  drawCalls(event, actorRect, animate = true) {
    const layer = this.layers.calls;
    clear(layer);
    const api = this.layout.componentRect("kube-apiserver");
    const etcd = this.layout.componentRect("etcd");
    const cp = this.layout.controlPlaneRect();
    const calls = event.apiCalls ?? [];
    const fast = !animate || this.speed === "max" || this.speed >= 8;
    // Labels go on the control plane's top line, so they never cover a component.
    if (actorRect && calls.length && actorRect !== api) {
      const from = edgePoint(actorRect, center(api));
      const to = edgePoint(api, center(actorRect));
      const bend = Math.abs(from.x - to.x) > 40 ? -40 : 0;
      const d = `M${from.x},${from.y} Q${(from.x + to.x) / 2},${Math.min(from.y, to.y) + bend} ${to.x},${to.y}`;
      const path = svg("path", { className: "call-arrow", d, "marker-end": "url(#arrowHead)" });
      layer.append(path);
      this.animateStroke(path, fast ? 0 : 650 / this.speedFactor());
    }
    if (calls.length) {
      const call = calls[0];
      const text = `${call.verb} ${shortPath(call.path, 40)}${calls.length > 1 ? ` +${calls.length - 1}` : ""}`;
      layer.append(callLabel(text, { right: cp.x + 688, y: 8 }));
    }
    if ((event.writes ?? []).length) {
      const from = { x: api.x + api.w, y: api.y + api.h / 2 };
      const to = { x: etcd.x, y: etcd.y + etcd.h / 2 };
      const path = svg("path", { className: "call-arrow write", d: `M${from.x},${from.y} L${to.x - 2},${to.y}`, "marker-end": "url(#arrowHeadWrite)" });
      layer.append(path);
      const write = event.writes[0];
      layer.append(callLabel(`${write.op ?? "PUT"} ${shortKey(write.key, 24)}`, { right: cp.x + cp.w - 8, y: 8 }, "write-label"));
      this.animateStroke(path, fast ? 0 : 400 / this.speedFactor(), fast ? 0 : 600 / this.speedFactor());
    }
  }

  speedFactor() {
    return this.speed === "max" ? 20 : Math.max(0.25, Number(this.speed) || 1);
  }

  animateStroke(path, duration, delay = 0) {
    if (!duration || prefersReducedMotion() || !path.getTotalLength) return;
    const length = path.getTotalLength();
    path.style.strokeDasharray = `${length}`;
    path.animate([{ strokeDashoffset: length }, { strokeDashoffset: 0 }], { duration, delay, fill: "backwards", easing: "ease-out" })
      .finished.then(() => { path.style.strokeDasharray = ""; }, () => {});
  }

  // ---- selection ---------------------------------------------------------------------

  select(id) {
    this.selectedId = id;
    this.applySelection();
    this.renderLinks();
  }

  applySelection() {
    for (const element of this.svg.querySelectorAll(".selected")) element.classList.remove("selected");
    if (!this.selectedId) return;
    for (const element of this.svg.querySelectorAll(`[data-id="${CSS.escape(this.selectedId)}"]`)) element.classList.add("selected");
  }

  // ---- zoom and pan ------------------------------------------------------------------

  fit(draw = true) {
    const box = this.layout.bounds();
    const { width, height: fullHeight } = this.measure();
    const top = 36;  // the colour legend's strip
    const height = fullHeight - top - (this.reserveBottom ?? 0);
    if (!width || height <= 0) return;
    const k = Math.min(width / box.w, height / box.h);
    this.setView(k, (width - box.w * k) / 2 - box.x * k, top - box.y * k, draw);
  }

  measure() {
    const { width, height } = this.svg.getBoundingClientRect();
    this.svgWidth = width;
    this.svgHeight = height;
    return { width, height };
  }

  setView(k, x, y, draw = true) {
    this.view = { k: Math.min(4, Math.max(0.05, k)), x, y };
    this.viewport.setAttribute("transform", `translate(${this.view.x},${this.view.y}) scale(${this.view.k})`);
    const far = this.view.k < farThreshold;
    this.lod = far ? "far" : "near";
    this.svg.classList.toggle("lod-far", far);
    this.svg.classList.toggle("lod-near", !far);
    if (draw) this.scheduleCull();
    this.dispatchEvent(new CustomEvent("view", { detail: this.view }));
  }

  zoomBy(factor, at) {
    const { width, height } = this.measure();
    const point = at ?? { x: width / 2, y: height / 2 };
    const k = Math.min(4, Math.max(0.05, this.view.k * factor));
    const ratio = k / this.view.k;
    this.userMoved = true;
    this.setView(k, point.x - (point.x - this.view.x) * ratio, point.y - (point.y - this.view.y) * ratio);
  }

  panBy(dx, dy) {
    this.userMoved = true;
    this.setView(this.view.k, this.view.x + dx, this.view.y + dy);
  }

  /** Zoom so that a world rectangle fills most of the screen. */
  focusRect(rect, maxK = 1.6) {
    const { width, height } = this.measure();
    const k = Math.min(maxK, (width * 0.9) / rect.w, (height * 0.9) / rect.h);
    this.userMoved = true;
    this.setView(k, width / 2 - (rect.x + rect.w / 2) * k, height / 2 - (rect.y + rect.h / 2) * k);
  }

  resetView() {
    this.userMoved = false;
    this.fit();
  }

  bindPointer() {
    let drag = null;
    this.svg.addEventListener("wheel", (event) => {
      event.preventDefault();
      const bounds = this.svg.getBoundingClientRect();
      this.zoomBy(Math.exp(-event.deltaY * 0.0015), { x: event.clientX - bounds.left, y: event.clientY - bounds.top });
    }, { passive: false });
    this.svg.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, moved: false, id: event.pointerId };
    });
    this.svg.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x;
      const dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) this.svg.setPointerCapture(drag.id);
      drag.moved = true;
      drag.x = event.clientX;
      drag.y = event.clientY;
      this.svg.classList.add("panning");
      this.panBy(dx, dy);
    });
    const end = () => {
      if (drag?.moved) this.suppressClick = true;
      drag = null;
      this.svg.classList.remove("panning");
    };
    this.svg.addEventListener("pointerup", end);
    this.svg.addEventListener("pointercancel", end);
    // One delegated listener for every clickable thing in the picture.
    this.svg.addEventListener("click", (event) => {
      if (this.suppressClick) {
        this.suppressClick = false;
        return;
      }
      this.activate(event.target);
    });
    this.svg.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" && event.key !== " ") return;
      const target = event.target.closest?.("[data-id]");
      if (!target) return;
      event.preventDefault();
      event.stopPropagation();
      this.activate(target);
    });
    new ResizeObserver(() => {
      if (!this.userMoved) this.fit();
      else this.measure();
    }).observe(this.svg);
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

export function edgePoint(rect, toward) {
  const c = center(rect);
  const dx = toward.x - c.x;
  const dy = toward.y - c.y;
  if (!dx && !dy) return c;
  const sx = Math.abs(dx) / (rect.w / 2);
  const sy = Math.abs(dy) / (rect.h / 2);
  const scale = 1 / Math.max(sx, sy);
  return { x: c.x + dx * scale, y: c.y + dy * scale };
}

function callLabel(text, at, extraClass = "") {
  const width = text.length * 8.4 + 16;
  return svg("g", { className: `call-label ${extraClass}`, transform: `translate(${at.right - width},${at.y})` },
    svg("rect", { width, height: 26, rx: 5 }),
    svg("text", { x: width / 2, y: 18, "text-anchor": "middle" }, text));
}

function shortPath(path, max) {
  const value = String(path ?? "");
  return value.length > max ? `…${value.slice(-(max - 1))}` : value;
}

function shortKey(key, max) {
  const value = String(key ?? "");
  return value.length > max ? `…${value.slice(-(max - 1))}` : value;
}

export { sizes };
