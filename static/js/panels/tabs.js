// A tab list (WAI-ARIA tabs pattern): buttons with role="tab" switch the panels they control.

export class Tabs {
  constructor(root) {
    this.root = root;
    this.tabs = [...root.querySelectorAll("[role=tab]")];
    root.addEventListener("click", (event) => {
      const tab = event.target.closest("[role=tab]");
      if (tab) this.show(tab.dataset.tab);
    });
    root.addEventListener("keydown", (event) => {
      if (!["ArrowRight", "ArrowLeft"].includes(event.key) || !event.target.matches("[role=tab]")) return;
      event.preventDefault();
      event.stopPropagation();
      const index = this.tabs.indexOf(event.target);
      const next = this.tabs[(index + (event.key === "ArrowRight" ? 1 : -1) + this.tabs.length) % this.tabs.length];
      this.show(next.dataset.tab);
      next.focus();
    });
  }

  show(name) {
    for (const tab of this.tabs) {
      const selected = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      const panel = document.getElementById(tab.getAttribute("aria-controls"));
      if (panel) panel.hidden = !selected;
    }
  }
}
