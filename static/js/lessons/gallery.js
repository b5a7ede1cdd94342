// The lesson gallery: each card says how far this browser got (localStorage, see
// progress.js) and links to the step to continue from.

import { setText } from "../dom.js";
import { progressOf } from "./progress.js";

export function showProgress(root = document) {
  for (const card of root.querySelectorAll(".lesson-card[data-lesson]")) {
    const progress = progressOf(card.dataset.lesson);
    const steps = Number(card.dataset.steps) || progress.steps;
    const state = card.querySelector(".state");
    const link = card.querySelector("a.go");
    const base = card.querySelector("h2 a").getAttribute("href");
    const answered = Object.values(progress.answers);
    const right = answered.filter((answer) => answer.correct).length;
    const predictions = answered.length ? ` · ${right} of ${answered.length} predictions right` : "";
    if (progress.done) {
      card.dataset.state = "done";
      setText(state, `✓ Finished${predictions}`);
      setText(link, "Again");
      link.href = base;
    } else if (progress.position > 0 || answered.length) {
      const step = Math.min(progress.position + 1, steps);
      card.dataset.state = "started";
      setText(state, `Step ${step} of ${steps}${predictions}`);
      setText(link, `Continue at step ${step}`);
      link.href = `${base}?step=${step}`;
    }
  }
}

showProgress();
