// Playback buttons, the speed choice, the scrubber and the keyboard: Space play/pause,
// → step, ← back, . and , one packet hop forward and back, P projector view, ? help,
// + / - / 0 zoom. Every control is a real <button> or <input>.

import { setText } from "./dom.js";

export const speeds = ["0.25", "0.5", "1", "2", "5", "10", "20", "max"];

function typingIn(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

export class Controls extends EventTarget {
  constructor(root, store) {
    super();
    this.root = root;
    this.store = store;
    this.playing = false;
    this.playButton = root.querySelector("[data-command=toggle-play]");
    this.speedSelect = root.querySelector("[data-part=speed]");
    this.scrubber = root.querySelector("[data-part=scrubber]");
    this.readout = root.querySelector("[data-part=readout]");
    this.scrubbing = false;
    root.addEventListener("click", (event) => {
      const button = event.target.closest("[data-command]");
      if (button && !button.disabled) this.command(button.dataset.command);
    });
    this.speedSelect.addEventListener("change", () => {
      if (this.playing) this.send({ type: "play", speed: this.speed });
      this.dispatchEvent(new CustomEvent("speed", { detail: this.speed }));
    });
    this.scrubber.addEventListener("input", () => {
      this.scrubbing = true;
      setText(this.readout, `step ${this.scrubber.value} / ${this.scrubber.max}`);
    });
    this.scrubber.addEventListener("change", () => {
      this.scrubbing = false;
      this.send({ type: "seek", step: Number(this.scrubber.value) });
    });
    document.addEventListener("keydown", (event) => this.onKey(event));
  }

  get speed() {
    const value = this.speedSelect.value;
    return value === "max" ? "max" : Number(value);
  }

  command(name) {
    switch (name) {
      case "toggle-play":
        this.send(this.playing ? { type: "pause" } : { type: "play", speed: this.speed });
        this.setPlaying(!this.playing);
        break;
      case "step":
      case "back":
      case "reset":
        if (this.playing && name !== "reset") {
          this.send({ type: "pause" });
          this.setPlaying(false);
        }
        this.send({ type: name });
        break;
      default:
        this.dispatchEvent(new CustomEvent("command", { detail: name }));
    }
  }

  send(message) {
    this.dispatchEvent(new CustomEvent("send", { detail: message }));
  }

  setPlaying(playing) {
    this.playing = Boolean(playing);
    this.playButton.setAttribute("aria-pressed", String(this.playing));
    setText(this.playButton.querySelector("[data-part=label]") ?? this.playButton, this.playing ? "Pause" : "Play");
    this.playButton.querySelector("[data-part=icon]")?.replaceChildren(this.playing ? "❚❚" : "▶");
  }

  /** Follow the server's session status (several viewers may share one session). */
  applyStatus(session) {
    if (!session) return;
    this.setPlaying(session.playing);
    if (session.playing && session.speed !== null && session.speed !== undefined) {
      const value = String(session.speed === "max" ? "max" : Number(session.speed));
      if (speeds.includes(value)) this.speedSelect.value = value;
    }
    if (session.lastStep !== undefined) this.store.maxStep = Math.max(this.store.maxStep, session.lastStep);
    this.refresh();
  }

  refresh() {
    const max = Math.max(this.store.maxStep, this.store.step);
    this.scrubber.max = String(max);
    if (!this.scrubbing) this.scrubber.value = String(this.store.step);
    this.scrubber.setAttribute("aria-valuetext", `step ${this.store.step} of ${max}`);
    if (!this.scrubbing) setText(this.readout, `step ${this.store.step} / ${max}`);
    const back = this.root.querySelector("[data-command=back]");
    if (back) back.disabled = this.store.step <= 0;
  }

  onKey(event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typingIn(event.target)) return;
    // Space already means "press this" on buttons, summaries, links and tabs.
    const onButton = event.target instanceof Element
      && Boolean(event.target.closest("button, summary, a[href], [role=button], [role=tab]"));
    if (event.shiftKey && event.key.startsWith("Arrow")) {
      event.preventDefault();
      this.dispatchEvent(new CustomEvent("command", { detail: `pan-${event.key.slice(5).toLowerCase()}` }));
      return;
    }
    switch (event.key) {
      case " ":
        if (onButton) return;  // Space presses the focused button, as everywhere else
        event.preventDefault();
        this.command("toggle-play");
        break;
      case "ArrowRight":
        event.preventDefault();
        this.command("step");
        break;
      case "ArrowLeft":
        event.preventDefault();
        this.command("back");
        break;
      case "?":
        event.preventDefault();
        this.command("help");
        break;
      case "+":
      case "=":
        this.command("zoom-in");
        break;
      case "-":
        this.command("zoom-out");
        break;
      case "0":
        this.command("zoom-fit");
        break;
      case "f":
      case "F":
        this.command("focus");
        break;
      case "p":
      case "P":
        this.command("projector");
        break;
      case ".":
        event.preventDefault();
        this.command("hop-next");
        break;
      case ",":
        event.preventDefault();
        this.command("hop-prev");
        break;
      case "Escape":
        this.command("escape");
        break;
      default:
    }
  }
}
