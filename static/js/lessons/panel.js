// The lesson panel: where the lesson is, the step's narration and kubectl output, its
// prediction (choices first; the answer and why only once the server has it) and its
// task with the sandbox's verdict. It draws what it is given and reports clicks as
// "lesson" events; lesson.js talks to the socket.

import { clear, el, setText } from "../dom.js";
import { describe } from "./highlights.js";

export class LessonPanel extends EventTarget {
  constructor(root) {
    super();
    this.root = root;
    this.frame = null;
    this.mode = "guide";
    this.part = (name) => root.querySelector(`[data-part="${name}"]`);
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-lesson], button[data-choice], button[data-goto], button[data-look]");
      if (!button || button.disabled) return;
      if (button.dataset.choice !== undefined) this.emit("answer", Number(button.dataset.choice));
      else if (button.dataset.goto !== undefined) this.emit("goto", Number(button.dataset.goto));
      else if (button.dataset.look !== undefined) this.emit("look", button.dataset.look);
      else this.emit(button.dataset.lesson);
    });
  }

  emit(action, value = null) {
    this.dispatchEvent(new CustomEvent("lesson", { detail: { action, value } }));
  }

  /** A new step (or the same one again, in another mode). */
  show(frame, mode, { drawn = () => true, seen = 0 } = {}) {
    const moved = frame.position !== this.frame?.position;
    this.frame = frame;
    this.setMode(mode);
    setText(this.part("where"), `Step ${frame.position + 1} of ${frame.steps}`);
    this.showDots(frame, seen);
    setText(this.part("title"), frame.title);
    setText(this.part("concept"), frame.concept ? `concept: ${frame.concept}` : "");
    setText(this.part("narration"), frame.narration);
    this.showLook(frame.highlights ?? [], drawn);
    this.showOutput(frame.output ?? []);
    this.showPrediction(frame);
    this.showTask(frame);
    const back = this.root.querySelector('[data-lesson="back"]');
    const next = this.root.querySelector('[data-lesson="next"], [data-lesson="finish"]');
    back.disabled = Boolean(frame.first);
    next.dataset.lesson = frame.last ? "finish" : "next";
    setText(next.firstChild, frame.last ? "Finish " : "Next ");
    next.title = frame.last ? "Back to all lessons" : "Next lesson step (→)";
    if (moved) this.part("body").scrollTop = 0;
  }

  setMode(mode) {
    this.mode = mode === "sandbox" ? "sandbox" : "guide";
    this.root.dataset.mode = this.mode;
    document.body.classList.toggle("mode-sandbox", this.mode === "sandbox");
    document.body.classList.toggle("mode-guide", this.mode === "guide");
    this.part("sandbox-note").hidden = this.mode !== "sandbox";
    this.root.querySelector('[data-lesson="sandbox"]').hidden = this.mode === "sandbox";
    this.root.querySelector('[data-lesson="guide"]').hidden = this.mode !== "sandbox";
    this.root.querySelector('[data-lesson="reset"]').hidden = this.mode !== "sandbox";
    // In the sandbox, ← / → and the buttons step the cluster; the dots move the lesson.
    this.root.querySelector('[data-lesson="back"]').hidden = this.mode === "sandbox";
    this.root.querySelector('[data-lesson="next"], [data-lesson="finish"]').hidden = this.mode === "sandbox";
  }

  showDots(frame, seen) {
    const list = this.part("dots");
    clear(list);
    for (let i = 0; i < frame.steps; i += 1) {
      const current = i === frame.position;
      const button = el("button", {
        type: "button",
        className: `lesson-dot ${i <= seen ? "seen" : ""}`,
        dataset: { goto: String(i) },
        "aria-label": `Go to step ${i + 1}`,
        "aria-current": current ? "step" : null,
        text: String(i + 1),
      });
      list.append(el("li", {}, button));
    }
  }

  showLook(ids, drawn) {
    const list = this.part("look");
    clear(list);
    for (const id of ids) {
      list.append(el("li", {}, el("button", {
        type: "button",
        className: `look-chip ${drawn(id) ? "" : "not-drawn"}`,
        dataset: { look: id },
        title: "Show it in the inspector",
        text: describe(id),
      })));
    }
    this.part("look-box").hidden = !ids.length;
  }

  showOutput(lines) {
    const box = this.part("output");
    clear(box);
    for (const text of lines) box.append(el("pre", { className: "lesson-kubectl", text: String(text).replace(/\s+$/, "") }));
  }

  showPrediction(frame) {
    const box = this.part("predict");
    const prediction = frame.prediction;
    box.hidden = !prediction;
    const choices = this.part("choices");
    clear(choices);
    this.showAnswer(null);
    if (!prediction) return;
    setText(this.part("question"), prediction.question);
    prediction.choices.forEach((label, index) => {
      choices.append(el("button", {
        type: "button",
        className: "lesson-choice",
        dataset: { choice: String(index) },
        "aria-pressed": "false",
        text: label,
      }));
    });
    if (frame.answered) this.showAnswer(frame.answered);
  }

  /** The server's verdict on a prediction: mark the choice and the answer, say why. */
  showAnswer(result) {
    const feedback = this.part("feedback");
    const box = this.part("predict");
    for (const button of this.part("choices").querySelectorAll("button")) {
      const label = button.textContent;
      const chosen = Boolean(result) && label === result.choice;
      button.setAttribute("aria-pressed", String(chosen));
      button.classList.toggle("chosen", chosen);
      button.classList.toggle("right", Boolean(result) && label === result.answer);
      button.classList.toggle("wrong", chosen && !result.correct);
      // A prediction is made once: the first answer is the one recorded.
      button.disabled = Boolean(result);
    }
    if (!result) {
      feedback.hidden = true;
      setText(feedback, "");
      delete box.dataset.result;
      return;
    }
    box.dataset.result = result.correct ? "right" : "wrong";
    feedback.hidden = false;
    clear(feedback);
    feedback.append(
      el("strong", { text: result.correct ? "Right. " : `Not quite: the answer is “${result.answer}”. ` }),
      document.createTextNode(result.why ?? ""),
    );
    this.keepInView(feedback);
  }

  /**
   * Scroll the lesson's text so that `element` shows, but never so far that the
   * narration's first line leaves the top: the learner reads both together.
   */
  keepInView(element) {
    const body = this.part("body");
    const narration = this.part("narration");
    if (!body || !narration) return;
    const box = body.getBoundingClientRect();
    const below = element.getBoundingClientRect().bottom - box.bottom;
    const room = narration.getBoundingClientRect().top - box.top;
    if (below > 0 && room > 0) body.scrollTop += Math.min(below, room);
  }

  waiting(choice) {
    for (const button of this.part("choices").querySelectorAll("button")) {
      button.disabled = true;
      if (Number(button.dataset.choice) === choice) button.classList.add("chosen");
    }
  }

  showTask(frame) {
    const task = frame.check;
    this.part("task").hidden = !task;
    const tryButton = this.root.querySelector('[data-lesson="sandbox"]');
    tryButton.classList.toggle("primary", Boolean(task));
    this.root.querySelector('[data-lesson="next"], [data-lesson="finish"]').classList.toggle("primary", !task);
    if (!task) return;
    setText(this.part("task-text"), task.task);
    setText(this.part("hint"), task.hint ?? "");
    this.part("hint").closest("details").hidden = !task.hint;
    this.root.querySelector('[data-lesson="use-hint"]').hidden = !commandOf(task.hint);
    this.showVerdict(null);
  }

  /** lesson_check: pass or not yet, with the model's words. */
  showVerdict(result) {
    const verdict = this.part("verdict");
    this.root.querySelector('[data-lesson="settle"]').hidden = true;
    if (!result) {
      delete verdict.dataset.passed;
      setText(verdict, this.mode === "sandbox"
        ? "Do the task in the sandbox; this updates as the cluster changes."
        : "Press “Try it yourself” to get a copy of this moment, then do the task there.");
      return;
    }
    verdict.dataset.passed = String(Boolean(result.passed));
    verdict.dataset.settling = String(Boolean(result.settling));
    setText(verdict, `${result.passed ? "✓ " : ""}${result.message}`);
    const settle = this.root.querySelector('[data-lesson="settle"]');
    settle.hidden = !(result.settling && this.mode === "sandbox");
    if (!settle.hidden) this.keepInView(settle);
  }

  showResume(step, visible) {
    const box = this.part("resume");
    box.hidden = !visible;
    if (visible) setText(this.part("resume-text"), `Last time you were at step ${step + 1}.`);
  }

  setLink(url) {
    const link = this.part("link");
    link.href = url;
    setText(link, url);
  }
}

/** The kubectl command a hint consists of (without "kubectl"), or null for prose. */
export function commandOf(hint) {
  const match = /^kubectl\s+(\S.*)$/.exec(String(hint ?? "").trim());
  return match && !match[1].includes(", ") ? match[1] : null;
}
