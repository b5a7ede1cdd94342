// The current step in plain words. The visible text follows every step; the aria-live
// region is updated at most every two seconds so a screen reader is not flooded at 20×.

import { setText, clear, el } from "../dom.js";
import { verdicts } from "../diagram/scheduling.js";

export class Narration {
  constructor(root) {
    this.root = root;
    this.stepText = root.querySelector("[data-part=step]");
    this.actor = root.querySelector("[data-part=actor]");
    this.reason = root.querySelector("[data-part=reason]");
    this.concept = root.querySelector("[data-part=concept]");
    this.calls = root.querySelector("[data-part=calls]");
    this.live = root.querySelector("[data-part=live]");
    this.overlay = document.querySelector(".focus-narration");
    this.locate = root.querySelector("[data-part=locate]");
    this.place = null;
    this.lastSpoken = 0;
    this.pendingSpeech = null;
  }

  showIdle(store) {
    setText(this.stepText, `Step ${store.step} · t = ${formatTime(store.time)}`);
    const latest = store.events.get(store.step);
    if (latest) this.showEvent(latest, store);
    else {
      setText(this.actor, "");
      this.actor.hidden = true;
      setText(this.reason, store.step ? "Step through to see what each component does." : "Press Step (→) to watch the cluster take its first step.");
      setText(this.concept, "");
      clear(this.calls);
      this.showVerdicts(null);
      this.place = null;
      if (this.locate) this.locate.hidden = true;
    }
  }

  showEvent(event, store) {
    setText(this.stepText, `Step ${event.step} · t = ${formatTime(event.time ?? store?.time ?? 0)}`);
    this.actor.hidden = !event.actor;
    setText(this.actor, event.node && event.actor !== event.node ? `${event.actor} on ${event.node}` : event.actor);
    setText(this.reason, event.reason ?? event.type ?? "");
    // Where it happened: the first pod or node it touched, or the acting node.
    this.place = (event.objects ?? []).find((id) => /^(pods|nodes)\//.test(id)) ?? (event.node ? `nodes/${event.node}` : null);
    if (this.locate) this.locate.hidden = !this.place;
    if (this.overlay) setText(this.overlay, `${event.step}. ${event.actor ?? ""}: ${event.reason ?? event.type ?? ""}`);
    setText(this.concept, event.concept ? `concept: ${event.concept}` : "");
    clear(this.calls);
    for (const call of (event.apiCalls ?? []).slice(0, 4)) {
      this.calls.append(el("li", {}, el("span", { className: "verb", text: call.verb }), " ", el("code", { text: call.path })));
    }
    if ((event.apiCalls ?? []).length > 4) this.calls.append(el("li", { text: `… ${event.apiCalls.length - 4} more API calls` }));
    this.showVerdicts(event);
    this.speak(`Step ${event.step}. ${event.actor ?? ""}: ${event.reason ?? ""}`);
  }

  /** The scheduler's filter and score per node, as a small table. */
  showVerdicts(event) {
    this.verdicts?.remove();
    this.verdicts = null;
    const rows = verdicts(event);
    if (!rows.length) return;
    const body = el("tbody");
    for (const row of rows) {
      body.append(el("tr", { className: row.chosen ? "chosen" : row.passed ? "" : "filtered" },
        el("th", { scope: "row", text: row.node }),
        el("td", { text: row.passed ? "passed" : row.reason }),
        el("td", { text: row.score ?? "—" }),
        el("td", { text: row.chosen ? "← bound here" : "" })));
    }
    this.verdicts = el("table", { className: "verdicts" },
      el("caption", { text: "Filter, then score (higher wins)" }),
      el("thead", {}, el("tr", {}, ...["node", "filter", "score", ""].map((text) => el("th", { scope: "col", text })))),
      body);
    this.calls.after(this.verdicts);
  }

  showMessage(text) {
    setText(this.reason, text);
    this.speak(text);
  }

  speak(text) {
    const now = Date.now();
    clearTimeout(this.pendingSpeech);
    const wait = Math.max(0, 2000 - (now - this.lastSpoken));
    this.pendingSpeech = setTimeout(() => {
      this.lastSpoken = Date.now();
      setText(this.live, text);
    }, wait);
  }
}

export function formatTime(seconds) {
  const value = Number(seconds) || 0;
  return value < 120 ? `${value.toFixed(1)} s` : `${Math.floor(value / 60)} min ${(value % 60).toFixed(0)} s`;
}
