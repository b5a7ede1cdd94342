// Classroom mode on top of the session page (main.js): the presenter's bar (join
// code, QR, follower count, lock, spotlight, poll) or a follower's (break away,
// rejoin, poll answers). It shares main.js's socket, store and diagram (it imports
// main.js's `app`) and speaks the messages of docs/classroom.md.

import { clear, el, setText } from "../dom.js";
import { PresenterPoll, FollowerPoll } from "./poll.js";
import { LessonCard } from "./lesson.js";
import { CardDock } from "./dock.js";
import { app } from "../main.js";

function readClassroom() {
  const script = document.getElementById("kubeviz-initial");
  try {
    return JSON.parse(script?.textContent ?? "{}").classroom ?? {};
  } catch {
    return {};
  }
}

export class Classroom {
  constructor(app, info, root = document) {
    this.app = app;
    this.info = info;
    this.role = info.role === "presenter" ? "presenter" : "follower";
    this.bar = root.getElementById("classroom");
    this.mode = "following";
    this.locked = false;
    this.spotlight = null;
    // Only this module's own elements: the bar, and the cards beside the workspace.
    this.part = (name) => root.querySelector(
      `#classroom [data-part="${name}"], body > [data-part="${name}"], body > .card-dock > [data-part="${name}"]`,
    );
    this.dock = new CardDock(this.part("dock"), root.querySelector(".stage"));
    const pollRoot = this.part("poll");
    this.poll = this.role === "presenter"
      ? new PresenterPoll(pollRoot, (message) => this.send(message))
      : new FollowerPoll(pollRoot, (message) => this.send(message));
    this.lesson = new LessonCard(this.part("lesson"), this.role, (message) => this.send(message));
    this.part("lesson")?.addEventListener("click", (event) => {
      const button = event.target.closest("[data-lesson]");
      if (button && !button.disabled) this.lessonCommand(button.dataset.lesson);
    });
    this.bar.addEventListener("click", (event) => {
      const button = event.target.closest("[data-classroom]");
      if (button && !button.disabled) this.command(button.dataset.classroom, button);
    });
    this.part("lock")?.addEventListener("change", (event) => {
      this.send({ type: "lock", locked: event.target.checked });
    });
    app.socket.addEventListener("message", (event) => this.receive(event.detail));
    // The presenter's hop of a shown trace (the keys , and ., a click on a hop) is the
    // class's: followers' packets jump to it.
    this.pendingHop = null;
    app.packets?.addEventListener("jumped", (event) => {
      if (this.role === "presenter" && !event.detail.remote) this.send({ type: "hop", index: event.detail.index });
    });
    app.packets?.addEventListener("loaded", () => {
      if (this.pendingHop === null || !app.packets.trace?.hops?.length) return;
      const index = this.pendingHop;
      this.pendingHop = null;
      this.followHop(index);
    });
    // A tab that reconnects (or reloads) while away goes back to its own copy.
    this.awayKey = `kubeviz-away-${info.code}`;
    app.socket.addEventListener("state", (event) => {
      const session = this.remembered();
      if (event.detail === "open" && session && this.role === "follower") {
        this.send({ type: "break_away", resume: session });
      }
    });
    document.body.dataset.classroom = "ready";
  }

  send(message) {
    this.app.socket.send(message);
  }

  command(name, button) {
    if (name === "break_away" || name === "rejoin") this.send({ type: name });
    if (name === "spotlight") {
      const target = this.app.diagram.selectedId;
      if (target) this.send({ type: "spotlight", target });
      else this.note("Select a pod, node or Service first, then spotlight it.");
    }
    if (name === "unspotlight") this.send({ type: "spotlight", target: null });
    if (name === "toggle-qr") {
      const qr = this.part("qr");
      qr.hidden = !qr.hidden;
      button.setAttribute("aria-pressed", String(!qr.hidden));
    }
    if (name === "toggle-poll") this.poll.toggle();
    this.dock.place();
  }

  lessonCommand(name) {
    const frame = this.lesson.frame;
    if (name === "lesson_next" || name === "lesson_back") this.send({ type: name });
    if (name === "poll" && frame?.prediction) {
      this.send({
        type: "poll_open",
        question: frame.prediction.question.slice(0, 200),
        options: frame.prediction.choices.slice(0, this.info.maxOptions ?? 6).map((c) => String(c).slice(0, 80)),
      });
    }
    if (name === "answer" && frame?.prediction) {
      this.send({ type: "lesson_answer", choice: this.poll.leading() ?? 0 });
    }
  }

  receive(message) {
    switch (message.type) {
      case "lesson":
        this.lesson.show(message.frame);
        break;
      case "lesson_answer":
        if (message.position === this.lesson.frame?.position) this.lesson.showAnswer(message.result);
        break;
      case "classroom":
        this.applyState(message);
        break;
      case "followers":
        this.showFollowers(message);
        break;
      case "hop":
        this.followHop(message.index);
        break;
      case "spotlight":
        this.spotlight = message.target ?? null;
        if (this.spotlight && this.role === "follower" && this.mode === "following") {
          this.app.inspector.show(this.spotlight);
        }
        break;
      case "poll":
        this.poll.show(message.poll);
        break;
      case "error":
        if (message.code === "locked") this.note(message.message);
        if (message.for === "break_away" && ["locked", "gone"].includes(message.code)) {
          this.remember(null);
        }
        break;
      default:
        break;
    }
    this.applySpotlight();  // after main.js has drawn this message's changes
    this.dock.place();
  }

  followHop(index) {
    if (this.role !== "follower" || this.mode !== "following" || !Number.isInteger(index)) return;
    const packets = this.app.packets;
    const hops = packets?.trace?.hops ?? [];
    if (!hops.length) {
      this.pendingHop = index;  // the trace is still on its way
      return;
    }
    packets.jump(Math.min(index, hops.length - 1), { remote: true });
  }

  applyState(state) {
    if (state.mode) this.setMode(state.mode, state.session);
    if (typeof state.locked === "boolean") this.setLocked(state.locked);
    if ("spotlight" in state) this.spotlight = state.spotlight ?? null;
    if ("poll" in state) this.poll.show(state.poll);
    if (state.followers) this.showFollowers(state.followers);
    if ("lesson" in state) this.lesson.show(state.lesson);
  }

  remembered() {
    try {
      return sessionStorage.getItem(this.awayKey);
    } catch {
      return null;
    }
  }

  remember(session) {
    try {
      if (session) sessionStorage.setItem(this.awayKey, session);
      else sessionStorage.removeItem(this.awayKey);
    } catch {
      // Storage may be off (private mode): a reconnect then comes back following.
    }
  }

  setMode(mode, session = null) {
    this.mode = mode === "away" ? "away" : "following";
    this.remember(this.mode === "away" ? session ?? this.remembered() : null);
    document.body.classList.toggle("mode-away", this.mode === "away");
    document.body.classList.toggle("mode-following", this.mode === "following");
    const badge = this.part("mode");
    if (badge) {
      badge.dataset.mode = this.mode;
      setText(badge, this.mode === "away" ? "exploring on your own" : "following the presenter");
    }
    const breakButton = this.bar.querySelector('[data-classroom="break_away"]');
    const rejoinButton = this.bar.querySelector('[data-classroom="rejoin"]');
    if (breakButton) breakButton.hidden = this.mode === "away";
    if (rejoinButton) rejoinButton.hidden = this.mode !== "away";
    if (this.mode === "following") this.note("");
  }

  setLocked(locked) {
    this.locked = locked;
    const lock = this.part("lock");
    if (lock) lock.checked = locked;
    const breakButton = this.bar.querySelector('[data-classroom="break_away"]');
    if (breakButton) {
      breakButton.disabled = locked;
      breakButton.title = locked ? "The presenter has locked breaking away" : "Explore a private copy of this moment";
    }
  }

  showFollowers({ count = 0, away = 0, names = [] }) {
    setText(this.part("followers"), count);
    setText(this.part("away"), away ? `, ${away} away` : "");
    const list = this.part("names");
    if (!list) return;
    clear(list);
    for (const name of names) list.append(el("li", { text: name }));
  }

  applySpotlight() {
    const svg = this.app.diagram.svg;
    const marked = new Set(this.mode === "away" ? [] : this.lesson.highlights);
    for (const node of svg.querySelectorAll(".lesson-highlight")) {
      if (!marked.has(node.dataset.id)) node.classList.remove("lesson-highlight");
    }
    for (const id of marked) {
      for (const node of svg.querySelectorAll(`[data-id="${CSS.escape(id)}"]`)) node.classList.add("lesson-highlight");
    }
    for (const node of svg.querySelectorAll(".spotlight")) {
      if (node.dataset.id !== this.spotlight) node.classList.remove("spotlight");
    }
    if (!this.spotlight || this.mode === "away") return;
    for (const node of svg.querySelectorAll(`[data-id="${CSS.escape(this.spotlight)}"]`)) {
      node.classList.add("spotlight");
    }
  }

  note(text) {
    setText(this.part("classroom-note"), text);
  }
}

export const classroom = new Classroom(app, readClassroom());
