// A learner's progress, kept in this browser only (localStorage "kubeviz.lessons"):
// per lesson the last step seen, the furthest step, the predictions answered and the
// tasks done. Nothing here is sent to the server.

const storageKey = "kubeviz.lessons";

function readAll() {
  try {
    const value = JSON.parse(localStorage.getItem(storageKey) ?? "{}");
    return value && typeof value === "object" && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}

function writeAll(all) {
  try {
    localStorage.setItem(storageKey, JSON.stringify(all));
  } catch {
    // Private browsing or a full store: progress is a convenience, the lesson goes on.
  }
}

/** {position, furthest, steps, answers: {position: {choice, correct}}, tasks, done}. */
export function progressOf(lessonId) {
  const entry = readAll()[lessonId] ?? {};
  return {
    position: Number.isInteger(entry.position) ? entry.position : 0,
    furthest: Number.isInteger(entry.furthest) ? entry.furthest : 0,
    steps: Number.isInteger(entry.steps) ? entry.steps : 0,
    answers: entry.answers && typeof entry.answers === "object" ? entry.answers : {},
    tasks: entry.tasks && typeof entry.tasks === "object" ? entry.tasks : {},
    done: entry.done === true,
  };
}

/** Change one lesson's progress with `update(progress)` and save it. */
export function updateProgress(lessonId, update) {
  const all = readAll();
  const progress = progressOf(lessonId);
  update(progress);
  all[lessonId] = { ...progress, updated: Date.now() };
  writeAll(all);
  return progress;
}

export function forgetProgress(lessonId) {
  const all = readAll();
  delete all[lessonId];
  writeAll(all);
}
