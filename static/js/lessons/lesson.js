// A guided lesson on top of the session page (main.js): the lesson panel, ← / → through
// the lesson's steps, highlights and trace hops on the picture, predictions, "try it
// yourself" and the task's verdict, and progress kept in this browser. It shares
// main.js's socket, store, diagram and packet player (it imports main.js's `app`) and
// speaks the lesson messages of docs/protocol.md.

import { LessonPanel, commandOf } from "./panel.js";
import { isDrawn, markHighlights, markHops } from "./highlights.js";
import { progressOf, updateProgress } from "./progress.js";
import { prefersReducedMotion } from "../dom.js";
import { urlWithView } from "../viewMode.js";
import { app } from "../main.js";

function readLesson() {
  try {
    return JSON.parse(document.getElementById("kubeviz-initial")?.textContent ?? "{}").lesson ?? {};
  } catch {
    return {};
  }
}

function typingIn(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export class Lesson {
  constructor(app, info, root = document) {
    this.app = app;
    this.info = info;
    this.frame = null;
    this.mode = "guide";
    this.pendingAnswer = null;
    const element = root.getElementById("lesson");
    // The panel takes the narration's place at the top of the side column.
    const side = root.querySelector(".side");
    side?.insertBefore(element, side.firstChild);
    this.panel = new LessonPanel(element);
    this.panel.addEventListener("lesson", (event) => this.act(event.detail));
    app.socket.addEventListener("message", (event) => this.receive(event.detail));
    app.diagram.addEventListener("view", () => this.scheduleMarks());
    app.packets.addEventListener("hop", () => markHops(app.diagram.svg, this.traceHops()));
    app.packets.addEventListener("done", () => this.settleTrace());
    // Capture phase on window: ← / → reach the lesson before the session's controls.
    window.addEventListener("keydown", (event) => this.onKey(event), true);
    const progress = progressOf(info.id);
    this.resumeAt = !info.fromLink && progress.position > 0 && !progress.done ? progress.position : null;
    document.body.dataset.lesson = "loading";
  }

  send(message) {
    this.app.socket.send(message);
  }

  // ---- what the learner does -----------------------------------------------------
  act({ action, value }) {
    const moves = {
      next: () => this.send({ type: "lesson_next" }),
      back: () => this.send({ type: "lesson_back" }),
      goto: () => this.send({ type: "lesson_goto", position: value }),
      resume: () => this.send({ type: "lesson_goto", position: this.resumeAt ?? 0 }),
      sandbox: () => this.send({ type: "lesson_sandbox" }),
      guide: () => this.send({ type: "lesson_guide" }),
      reset: () => this.send({ type: "reset" }),
      answer: () => this.answer(value),
      look: () => this.look(value),
      finish: () => { location.href = this.info.galleryUrl; },
      "use-hint": () => this.useHint(),
      // Play fast; the server's play loop stops by itself once the cluster settles.
      settle: () => this.send({ type: "play", speed: 20 }),
    };
    moves[action]?.();
  }

  answer(choice) {
    if (!this.frame?.prediction) return;
    this.pendingAnswer = { position: this.frame.position, choice };
    this.panel.waiting(choice);
    this.send({ type: "lesson_answer", choice });
  }

  /** The hint's command goes into the console (in the sandbox), not yet run. */
  useHint() {
    const command = commandOf(this.frame?.check?.hint);
    const input = document.getElementById("kubectl-input");
    if (!command || !input) return;
    if (this.mode === "guide") this.send({ type: "lesson_sandbox" });
    input.value = command;
    input.focus();
  }

  look(id) {
    this.app.diagram.select(id);
    this.app.inspector.show(id);
    document.getElementById("tab-inspector")?.click();
  }

  onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    if (typingIn(event.target) || this.mode !== "guide" || !this.frame) return;
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      event.stopPropagation();
      const last = event.key === "ArrowRight" ? this.frame.last : this.frame.first;
      if (!last) this.send({ type: event.key === "ArrowRight" ? "lesson_next" : "lesson_back" });
    } else if (event.key === " " && !(event.target instanceof HTMLButtonElement)) {
      // Space plays the session; a guided lesson's cluster follows the script instead.
      event.preventDefault();
      event.stopPropagation();
    }
  }

  // ---- what the server says --------------------------------------------------------
  receive(message) {
    switch (message.type) {
      case "lesson":
        this.showFrame(message.frame, message.mode);
        break;
      case "lesson_answer":
        this.showAnswer(message);
        break;
      case "lesson_check":
        if (message.position === this.frame?.position) this.showVerdict(message);
        break;
      case "trace":
        // With reduced motion the whole trace is drawn at once: no journey to wait for.
        if (prefersReducedMotion()) this.settleTrace();
        else markHops(this.app.diagram.svg, this.traceHops());
        break;
      case "error":
        if (message.for === "lesson_answer") this.pendingAnswer = null;
        if (message.for === "lesson_answer" && this.frame) this.panel.showAnswer(this.frame.answered ?? null);
        break;
      default:
        break;
    }
    // After main.js has drawn this message's changes, mark the step's highlights.
    this.scheduleMarks();
  }

  showFrame(frame, mode) {
    if (!frame) return;
    const moved = frame.position !== this.frame?.position || mode !== this.mode;
    this.frame = frame;
    this.mode = mode;
    const progress = updateProgress(this.info.id, (p) => {
      p.position = frame.position;
      p.furthest = Math.max(p.furthest, frame.position);
      p.steps = frame.steps;
      if (frame.last) p.done = true;
    });
    this.panel.show(frame, mode, { drawn: (id) => isDrawn(this.app.diagram.svg, id), seen: progress.furthest });
    if (this.resumeAt !== null) {
      this.panel.showResume(this.resumeAt, frame.position === 0 && this.resumeAt !== frame.position);
      if (frame.position !== 0) this.resumeAt = null;
    }
    this.keepPlace(frame.position);
    this.recordEvents(frame.events ?? []);
    if (!frame.trace && moved) this.app.packets.clear();
    if (mode === "guide" && moved) this.flashHighlights();
    const saved = progress.answers[frame.position];
    if (frame.prediction && !frame.answered && saved && Number.isInteger(saved.choice)) {
      // Answered on an earlier visit: ask again for the verdict and its why.
      this.send({ type: "lesson_answer", choice: saved.choice });
    }
    if (frame.check && progress.tasks[frame.position] && mode === "guide") {
      this.panel.showVerdict({ passed: true, message: "You did this task before. Try it again if you like." });
    }
    if (mode === "guide") {
      // Focus mode (F) hides the side column: the picture's caption tells the step.
      const caption = document.querySelector(".focus-narration");
      if (caption) caption.textContent = `${frame.position + 1}/${frame.steps} · ${frame.title}: ${frame.narration}`;
    }
    document.body.dataset.lesson = "ready";
    document.body.dataset.lessonPosition = String(frame.position);
  }

  showAnswer({ position, result }) {
    if (!this.frame || position !== this.frame.position) return;
    this.frame.answered = result;
    this.pendingAnswer = null;
    const index = this.frame.prediction.choices.indexOf(result.choice);
    updateProgress(this.info.id, (p) => { p.answers[position] = { choice: index, correct: Boolean(result.correct) }; });
    this.panel.showAnswer(result);
  }

  showVerdict(result) {
    this.panel.showVerdict(result);
    if (result.passed) updateProgress(this.info.id, (p) => { p.tasks[result.position] = true; });
  }

  /** The address bar, the step link and a reconnect all open this step. */
  keepPlace(position) {
    const url = `${this.info.url}?step=${position + 1}`;
    // The address bar keeps the projector view; the shared link is the step alone.
    history.replaceState(null, "", urlWithView(url, document.body.dataset.view));
    this.panel.setLink(`${location.origin}${url}`);
    const socketUrl = new URL(this.app.socket.url);
    socketUrl.searchParams.set("position", String(position));
    this.app.socket.url = socketUrl.toString();
  }

  /** A lesson move jumps many model steps: put their events in the timeline. */
  recordEvents(events) {
    for (const event of events) {
      if (this.app.store.events.has(event.step)) continue;
      this.app.store.recordEvent(event);
      this.app.timeline.update(event);
    }
  }

  scheduleMarks() {
    if (this.marksPending) return;
    this.marksPending = true;
    requestAnimationFrame(() => {
      this.marksPending = false;
      const ids = this.mode === "guide" ? this.frame?.highlights ?? [] : [];
      markHighlights(this.app.diagram.svg, ids);
      markHops(this.app.diagram.svg, this.traceHops());
    });
  }

  flashHighlights() {
    requestAnimationFrame(() => {
      for (const element of markHighlights(this.app.diagram.svg, this.frame?.highlights ?? [])) {
        this.app.diagram.flash(element);
      }
    });
  }

  /** The hops this step points at, in the phase (request or reply) on the picture. */
  traceHops() {
    const reply = this.app.packets.trace?.phase === "reply";
    return (reply ? this.frame?.replyHops : this.frame?.hops) ?? [];
  }

  /** After the packet's journey: stop on the hop the step talks about. */
  settleTrace() {
    const frame = this.frame;
    if (!frame?.trace) return;
    const replyPhase = this.app.packets.trace?.phase === "reply";
    if (!replyPhase && !frame.hops?.length && frame.replyHops?.length) {
      document.querySelector('#packet-panel [data-packet="phase-reply"]')?.click();
      // Drawn at once with reduced motion: no journey ends, so settle on it now.
      if (this.app.packets.trace?.phase === "reply" && prefersReducedMotion()) this.settleTrace();
      return;
    }
    const hops = this.traceHops();
    if (hops.length) this.app.packets.jump(hops[0]);
    markHops(this.app.diagram.svg, hops);
  }
}

export const lesson = new Lesson(app, readLesson());
