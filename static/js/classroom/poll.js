// Prediction polls: the presenter opens one and sees the answers as they come;
// followers pick an answer and see the histogram only once it is revealed.

import { clear, el, setText } from "../dom.js";

function histogram(list, poll, mine) {
  clear(list);
  const total = Math.max(1, ...(poll.counts ?? [0]));
  poll.options.forEach((option, index) => {
    const count = poll.counts ? poll.counts[index] : null;
    let bar = null;
    if (count !== null) {
      bar = el("span", { className: "bar" });
      bar.style.width = `${(100 * count) / total}%`;  // CSSOM: allowed under a strict CSP
    }
    const item = el("li", { dataset: { option: String(index) } },
      el("span", { text: option }),
      count === null ? null : el("span", { className: "count", text: ` ${count}` }),
      bar);
    if (index === mine) item.classList.add("mine");
    list.append(item);
  });
}

export class PresenterPoll {
  constructor(root, send) {
    this.root = root;
    this.form = root.querySelector("[data-part=poll-form]");
    this.live = root.querySelector("[data-part=poll-live]");
    this.poll = null;
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      const data = new FormData(this.form);
      const options = String(data.get("options") ?? "").split("\n").map((s) => s.trim()).filter(Boolean);
      send({ type: "poll_open", question: String(data.get("question") ?? ""), options });
    });
    root.addEventListener("click", (event) => {
      const button = event.target.closest("[data-classroom]");
      if (!button) return;
      if (button.dataset.classroom === "poll-new") this.editing(true);
      else send({ type: button.dataset.classroom });
    });
  }

  toggle() {
    this.root.hidden = !this.root.hidden;
    if (!this.root.hidden && (!this.poll || this.poll.closed)) this.editing(true);
  }

  /** The option most answered so far (the class's prediction), or null. */
  leading() {
    const counts = this.poll?.counts;
    if (!counts?.length || !counts.some(Boolean)) return null;
    return counts.indexOf(Math.max(...counts));
  }

  editing(on) {
    this.form.hidden = !on;
    this.live.hidden = on;
  }

  show(poll) {
    this.poll = poll;
    if (!poll) {
      this.editing(true);
      return;
    }
    if (poll.closed) {
      // A closed poll is put away; "Poll…" opens the form for the next one.
      this.root.hidden = true;
      this.editing(true);
      return;
    }
    this.root.hidden = false;
    this.editing(false);
    const state = poll.revealed ? "revealed" : poll.open ? "open" : "closed";
    setText(this.live.querySelector("[data-part=question]"), `${poll.question} (${state})`);
    setText(this.live.querySelector("[data-part=answered]"), poll.answered ?? 0);
    histogram(this.live.querySelector("[data-part=results]"), poll, null);
  }
}

export class FollowerPoll {
  constructor(root, send) {
    this.root = root;
    this.send = send;
    this.poll = null;
    root.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-choice]");
      if (button && this.poll?.open) {
        send({ type: "poll_answer", poll: this.poll.id, choice: Number(button.dataset.choice) });
      }
    });
  }

  toggle() {}

  leading() {
    return null;
  }

  show(poll) {
    this.poll = poll;
    clear(this.root);
    if (!poll || poll.closed) {
      this.root.hidden = true;
      return;
    }
    this.root.hidden = false;
    this.root.append(el("p", { className: "question", text: poll.question }));
    if (poll.open) {
      const list = el("ol", { className: "choices" });
      poll.options.forEach((option, index) => {
        list.append(el("li", {}, el("button", {
          type: "button",
          dataset: { choice: String(index) },
          "aria-pressed": String(poll.mine === index),
          text: option,
        })));
      });
      this.root.append(list);
      this.root.append(el("p", { className: "note", text: poll.mine === undefined ? "Pick your prediction." : "Answer sent; you can change it until the poll closes." }));
    } else {
      const list = el("ol", { className: "results" });
      histogram(list, poll, poll.mine);
      this.root.append(list);
      this.root.append(el("p", { className: "note", text: poll.revealed ? "The class's answers" : "The poll is closed." }));
    }
  }
}
