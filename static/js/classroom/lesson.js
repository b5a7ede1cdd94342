// The lesson card of a lesson classroom: where the lesson is, its narration and its
// prediction question; the presenter moves through the lesson and reveals answers.

import { clear, el, setText } from "../dom.js";

export class LessonCard {
  constructor(root, role, send) {
    this.root = root;
    this.role = role;
    this.send = send;
    this.frame = null;
    this.part = (name) => root?.querySelector(`[data-part="${name}"]`);
  }

  /** The ids the picture should mark for this lesson step. */
  get highlights() {
    return this.frame?.highlights ?? [];
  }

  show(frame) {
    if (!this.root) return;
    this.frame = frame ?? null;
    this.root.hidden = !frame;
    if (!frame) return;
    setText(this.part("lesson-title"), frame.title ?? frame.lesson);
    setText(this.part("lesson-position"), `lesson step ${frame.position + 1} of ${frame.steps}`);
    setText(this.part("lesson-narration"), frame.narration ?? "");
    const question = this.part("lesson-question");
    clear(question);
    if (frame.prediction) {
      question.append(el("p", { className: "question", text: frame.prediction.question }));
      const list = el("ol", { className: "choices" });
      for (const choice of frame.prediction.choices) list.append(el("li", { text: choice }));
      question.append(list);
    }
    this.showAnswer(frame.answered ?? null);
    for (const button of this.root.querySelectorAll("[data-lesson]")) {
      const action = button.dataset.lesson;
      if (action === "lesson_back") button.disabled = Boolean(frame.first);
      if (action === "lesson_next") button.disabled = Boolean(frame.last);
      if (action === "poll" || action === "answer") button.disabled = !frame.prediction;
    }
  }

  showAnswer(result) {
    const answer = this.part("lesson-answer");
    if (!answer) return;
    setText(answer, result ? `Answer: ${result.answer}. ${result.why ?? ""}` : "");
  }
}
