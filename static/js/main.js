// Wires the page together: socket → store → picture and panels; controls → socket.

import { Store } from "./store.js";
import { SessionSocket, sessionUrl } from "./socket.js";
import { Diagram } from "./diagram/diagram.js";
import { PacketPlayer } from "./packets/packets.js";
import { Controls } from "./controls.js";
import { Narration } from "./panels/narration.js";
import { Timeline } from "./panels/timeline.js";
import { Inspector } from "./panels/inspector.js";
import { PacketInspector } from "./panels/packetInspector.js";
import { KubectlConsole } from "./panels/console.js";
import { TraceCompare } from "./panels/compare.js";
import { Tabs } from "./panels/tabs.js";
import { ClusterPanel } from "./panels/clusterPanel.js";
import { setText } from "./dom.js";
import { ViewMode, viewFromUrl } from "./viewMode.js";
import { PacketBar } from "./packets/packetBar.js";

function readInitial() {
  const script = document.getElementById("kubeviz-initial");
  if (!script) return {};
  try {
    return JSON.parse(script.textContent) ?? {};
  } catch {
    return {};
  }
}

export function start(root = document) {
  const initial = readInitial();
  const $ = (selector) => root.querySelector(selector);
  const store = new Store();
  const diagram = new Diagram($("#diagram"), store);
  const packets = new PacketPlayer(diagram);
  diagram.addEventListener("view", () => packets.rescale());
  const packetBar = new PacketBar($("#packet-bar"), packets);
  // Fit the picture above what covers its bottom edge (the packet bar, Focus's caption).
  const refit = (force = true) => {
    const foot = $(".stage-foot");
    // Only what lies over the picture takes room from it (on a phone the foot is below).
    const over = foot && getComputedStyle(foot).position === "absolute";
    diagram.reserveBottom = over && foot.offsetHeight ? foot.offsetHeight + 10 : 0;
    if (force) diagram.resetView();
    else if (!diagram.userMoved) diagram.fit();
  };
  const viewMode = new ViewMode({ diagram, packets }, refit);
  packetBar.addEventListener("resize", () => refit(false));
  diagram.addEventListener("viewchange", () => {
    if (!packets.trace) return;
    const at = packets.current;
    packets.load(packets.trace);
    if (at !== undefined) packets.jump(at);
  });
  // After the picture changes under a shown trace, markers move off new labels: at most
  // twice a second (reading every label's box is the costly part on a big cluster).
  let relayoutPending = false;
  diagram.addEventListener("drawn", () => {
    if (relayoutPending || !packets.trace) return;
    relayoutPending = true;
    setTimeout(() => requestAnimationFrame(() => { relayoutPending = false; packets.relayout(); }), 500);
  });
  const controls = new Controls($("#controls"), store);
  const narration = new Narration($("#narration"));
  const timeline = new Timeline($("#timeline"), store);
  const inspector = new Inspector($("#inspector"), store);
  const packetInspector = new PacketInspector($("#packet-panel"));
  const traceCompare = new TraceCompare($("#packet-panel"), store);
  const kubectl = new KubectlConsole($("#console"), store);
  const tabs = new Tabs($("#side-tabs"));
  const clusterPanel = new ClusterPanel($("#cluster-panel"), store, initial);
  const toast = $("#toast");
  const connection = $("#connection");
  const sessionId = initial.sessionId ?? document.body.dataset.sessionId ?? location.pathname.split("/").filter(Boolean).pop();
  const url = initial.wsPath
    ? `${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}${initial.wsPath}`
    : sessionUrl(sessionId);
  const socket = new SessionSocket(url, () => store.seq || null);
  let firstRender = true;
  let currentTrace = null;
  const showTracePhase = (phase) => {
    if (!currentTrace) return;
    const hops = { request: currentTrace.hops, reply: currentTrace.reply, dns: currentTrace.dns?.hops, dnsReply: currentTrace.dns?.reply }[phase] ?? [];
    const view = { ...currentTrace, hops, phase };
    tabs.show("packet");
    const form = $(".trace-box");
    if (form && phase === "request") form.open = false;  // room for the hops
    packetInspector.load(view);
    packets.load(view);
  };
  let toastTimer = 0;

  const send = (message) => socket.send(message);
  const say = (text, kind = "info") => {
    setText(toast, text);
    toast.dataset.kind = kind;
    toast.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { toast.hidden = true; }, kind === "error" ? 8000 : 4000);
  };

  const afterChange = () => {
    controls.refresh();
    inspector.refresh();
    inspector.refreshTable();
    clusterPanel.refresh();
    if (firstRender) {
      firstRender = false;
      performance.mark("kubeviz-first-render");
      document.body.dataset.ready = "true";
    }
  };

  // ---- what the server says ----------------------------------------------------------
  const handlers = {
    snapshot(message) {
      if (message.session?.viewers) viewers = message.session.viewers;
      if (firstRender) performance.mark("kubeviz-snapshot-received");
      store.applySnapshot(message.seq, message.state ?? {});
      if (message.session) controls.applyStatus(message.session);
      diagram.render(false);
      timeline.rebuild();
      narration.showIdle(store);
      diagram.showEvent(store.events.get(store.step), false);
      if (packets.trace) packets.load(packets.trace);
      afterChange();
    },
    delta(message) {
      const body = message.delta ?? message;
      if (!store.applyDelta(message.seq, body)) {
        socket.resync();
        return;
      }
      diagram.render();
      const event = body.event;
      if (event) {
        diagram.showEvent(event);
        narration.showEvent(event, store);
      } else {
        // back and seek carry no event: show the one recorded for the step we are on.
        diagram.showEvent(store.events.get(store.step), false);
        narration.showIdle(store);
      }
      timeline.update(event);
      afterChange();
      if (controls.playing && controls.speed === "max") {
        requestAnimationFrame(() => send({ type: "ready", seq: store.seq }));
      }
    },
    event(message) {
      const event = message.event ?? {};
      if (event.step === undefined || event.step === null) {
        // A note about the session (e.g. "The presenter paused."), not a model step.
        narration.showMessage(event.reason ?? event.type ?? "");
        return;
      }
      store.recordEvent(event);
      narration.showEvent(event, store);
      timeline.update(event);
    },
    trace(message) {
      diagram.detail.close();  // the packet travels over the picture, not under a card
      currentTrace = { ...(message.trace ?? {}), request: message.request, time: store.time };
      showTracePhase("request");
      inspector.refreshTable(true);  // the trace left conntrack and neighbour entries
      traceCompare.setRequest(message.request?.from ?? currentTrace.source, message.request?.to ?? currentTrace.destination, store.step - 1);
    },
    compare(message) {
      traceCompare.receive(message);
    },
    kubectl_output(message) {
      if (inspector.receiveTable(message)) return;
      kubectl.receive(message);
    },
    status(message) {
      controls.applyStatus(message.session);
      viewers = message.session?.viewers ?? viewers;
      showConnection();
    },
    ack(message) {
      if (message.changed === false && message.message) say(message.message);
      if (message.for === "save" && message.url) say(`Saved: ${location.origin}${message.url}`);
    },
    error(message) {
      if (inspector.receiveTable(message)) return;
      if (traceCompare.receiveError(message)) return;
      if (kubectl.receiveError(message)) return;
      say(`${message.for ? `${message.for}: ` : ""}${message.message ?? message.code}`, "error");
    },
  };

  socket.addEventListener("message", (event) => {
    const message = event.detail;
    const handler = handlers[message.type];
    if (handler) handler(message);
  });
  let viewers = 1;
  const showConnection = () => {
    const state = socket.state;
    connection.dataset.state = state;
    const text = { open: "live", connecting: "connecting…", reconnecting: "reconnecting…", closed: "offline", gone: "no such session" }[state] ?? state;
    if (state === "gone") say("This session no longer exists. Start a new one from the home page.", "error");
    setText(connection, state === "open" && viewers > 1 ? `${text} · ${viewers} tabs` : text);
  };
  socket.addEventListener("state", showConnection);

  // ---- what the learner does ---------------------------------------------------------
  controls.addEventListener("send", (event) => send(event.detail));
  controls.addEventListener("speed", (event) => { diagram.speed = event.detail; });
  controls.addEventListener("command", (event) => {
    const name = event.detail;
    const pan = 120;
    const actions = {
      help: () => $("#help").showModal(),
      "zoom-in": () => diagram.zoomBy(1.25),
      "zoom-out": () => diagram.zoomBy(0.8),
      "zoom-fit": () => diagram.resetView(),
      "pan-left": () => diagram.panBy(pan, 0),
      "pan-right": () => diagram.panBy(-pan, 0),
      "pan-up": () => diagram.panBy(0, pan),
      "pan-down": () => diagram.panBy(0, -pan),
      escape: () => diagram.detail.close(),
      focus: () => {
        if (viewMode.projector) {
          viewMode.set("default");
          return;
        }
        const on = document.body.classList.toggle("focus");
        $("[data-command=focus]")?.setAttribute("aria-pressed", String(on));
        // The narration line sits under the picture in focus mode: fit above it.
        refit();
      },
      projector: () => viewMode.toggle(),
      "hop-next": () => packetBar.command("next"),
      "hop-prev": () => packetBar.command("prev"),
      "replay-trace": () => packets.play(),
    };
    actions[name]?.();
  });
  diagram.speed = controls.speed;

  diagram.addEventListener("select", (event) => {
    const id = event.detail.id;
    inspector.show(id);
    tabs.show("inspector");
    if (id.startsWith("nodes/")) diagram.detail.open(id.slice("nodes/".length));
  });
  diagram.addEventListener("action", (event) => {
    const { action, id } = event.detail;
    if (action === "close-detail") diagram.detail.close();
    if (action === "hop") {
      tabs.show("packet");
      packets.jump(Number(id));
    }
  });

  inspector.addEventListener("action", (event) => {
    const { action, target } = event.detail;
    if (["kill_pod", "crash_container", "fail_node", "restore_node"].includes(action)) {
      send({ type: "fault", action, target });
    } else if (action === "show") {
      inspector.show(target);
      diagram.select(target);
    } else if (action === "open-node") {
      diagram.detail.open(target);
    } else if (action === "trace-from" || action === "trace-to") {
      tabs.show("packet");
      $(".trace-box").open = true;
      clusterPanel.setTraceEnd(action === "trace-from" ? "from" : "to", target);
    }
  });

  packets.addEventListener("select", (event) => packetInspector.select(event.detail.index));
  packetInspector.addEventListener("pick", (event) => packets.jump(event.detail.index));
  packetInspector.addEventListener("jump", (event) => {
    const { phase, index } = event.detail;
    if (phase !== packetInspector.phase) showTracePhase(phase);
    packets.jump(index);
  });
  packetInspector.addEventListener("control", (event) => {
    const { action } = event.detail;
    if (action === "replay") packets.play();
    if (action === "prev") packets.jump(Math.max(0, (packets.current ?? 0) - 1));
    if (action === "next") packets.jump(Math.min((packets.trace?.hops?.length ?? 1) - 1, (packets.current ?? -1) + 1));
    if (action === "clear") packets.clear();
    if (action.startsWith("phase-")) showTracePhase(action.slice("phase-".length));
  });

  $("#narration [data-part=locate]")?.addEventListener("click", () => {
    const id = narration.place;
    const object = id ? store.get(id) : null;
    const rect = id?.startsWith("pods/") ? diagram.layout.podRect(object) ?? diagram.layout.nodeRect(object?.node ?? "")
      : diagram.layout.nodeRect(object?.name ?? "");
    if (!rect) return;
    diagram.focusRect({ x: rect.x - 60, y: rect.y - 60, w: rect.w + 120, h: rect.h + 120 }, 1.2);
    diagram.select(id);
    inspector.show(id);
  });
  timeline.addEventListener("seek", (event) => send({ type: "seek", step: event.detail.step }));
  kubectl.addEventListener("command", (event) => send(event.detail));
  inspector.addEventListener("table", (event) => send(event.detail));
  traceCompare.addEventListener("send", (event) => send(event.detail));
  traceCompare.addEventListener("show", (event) => {
    const { trace, label } = event.detail;
    currentTrace = { ...trace, label, request: { from: trace.source, to: trace.destination }, time: store.time };
    showTracePhase("request");
  });
  traceCompare.addEventListener("jump", (event) => packets.jump(event.detail.index));
  clusterPanel.addEventListener("send", (event) => send(event.detail));

  $("#help")?.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) $("#help").close();
  });

  inspector.refresh();
  narration.showIdle(store);
  controls.refresh();
  viewMode.set(viewFromUrl());
  socket.connect();
  const app = { store, diagram, packets, packetBar, viewMode, controls, socket, timeline, inspector, packetInspector, kubectl, narration };
  // Only for what drives the page from outside and cannot import a module: the browser
  // tests (tests/browser: store, socket, diagram, packets, inspector) and
  // bench/bench_frontend.py. Add-ons import `app` below instead.
  window.kubeviz = app;
  return app;
}

/**
 * The page's one app, for the add-ons (lessons/lesson.js, classroom/classroom.js) to
 * import: `store` (the view model), `socket` (its "message" and "state" events, `send`),
 * `diagram` (its "drawn" and "view" events after each draw, `setMarks`), `packets`,
 * `inspector`, `timeline`. A module is evaluated once per page, so an add-on's
 * `import { app } from "../main.js"` gets this same object, made before it runs.
 */
export const app = start();
