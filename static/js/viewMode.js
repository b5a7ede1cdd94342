// The projector view: `?view=projector` on any session, lesson or classroom page, the key
// P or the Projector button. The picture gets the whole screen (as in Focus) and its
// projector geometry (diagram/projector.js); the address bar keeps `view=projector`, so a reload
// or a shared link opens the same view.

export function viewFromUrl(href = location.href) {
  return new URL(href).searchParams.get("view") === "projector" ? "projector" : "default";
}

/** `href` with the view in its query (none for the default view). */
export function urlWithView(href, view) {
  const url = new URL(href, location.href);
  if (view === "projector") url.searchParams.set("view", "projector");
  else url.searchParams.delete("view");
  return `${url.pathname}${url.search}${url.hash}`;
}

export class ViewMode {
  /**
   * @param {object} app main.js's parts (diagram, packets)
   * @param {() => void} refit fits the picture above what covers its bottom edge
   */
  constructor(app, refit) {
    this.app = app;
    this.refit = refit;
    this.view = "default";
    this.focusBefore = false;
  }

  get projector() {
    return this.view === "projector";
  }

  toggle() {
    this.set(this.projector ? "default" : "projector");
  }

  set(view) {
    const next = view === "projector" ? "projector" : "default";
    if (next === this.view) return;
    const body = document.body;
    if (next === "projector") this.focusBefore = body.classList.contains("focus");
    this.view = next;
    body.dataset.view = next;
    body.classList.toggle("projector", next === "projector");
    // The projector view is Focus with bigger things: Focus's caption and hidden panels.
    body.classList.toggle("focus", next === "projector" || this.focusBefore);
    for (const button of document.querySelectorAll("[data-command=projector]")) {
      button.setAttribute("aria-pressed", String(next === "projector"));
    }
    document.querySelector("[data-command=focus]")?.setAttribute("aria-pressed", String(body.classList.contains("focus")));
    history.replaceState(history.state, "", urlWithView(location.href, next));
    this.app.diagram.setView(next);
    this.refit();
  }
}
