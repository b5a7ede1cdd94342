// The packet's own controls, under the picture in every view (default, Focus, projector,
// lessons, classroom): one hop back and forward (the keys , and .), replay, where the
// packet is, and how fast it travels. Packet Tracer's simulation mode, for one trace.

import { setText } from "../dom.js";

export const packetSpeeds = ["0.5", "1", "2", "4", "8"];

export class PacketBar extends EventTarget {
  constructor(root, packets) {
    super();
    this.root = root;
    this.packets = packets;
    this.readout = root.querySelector("[data-part=hop]");
    this.speedSelect = root.querySelector("[data-part=packet-speed]");
    root.addEventListener("click", (event) => {
      const button = event.target.closest("[data-packet-bar]");
      if (button && !button.disabled) this.command(button.dataset.packetBar);
    });
    this.speedSelect.addEventListener("change", () => { packets.speed = Number(this.speedSelect.value); });
    packets.speed = Number(this.speedSelect.value);
    packets.addEventListener("select", () => this.refresh());
    packets.addEventListener("loaded", () => this.refresh());
    packets.addEventListener("cleared", () => this.refresh());
  }

  /** `next`, `prev` or `replay`; returns the hop now shown, or null without a trace. */
  command(name) {
    const packets = this.packets;
    const hops = packets.trace?.hops ?? [];
    if (!hops.length) return null;
    if (name === "replay") {
      packets.restart();
      packets.play();
      return 0;
    }
    const current = packets.current ?? -1;
    const target = name === "prev" ? Math.max(0, current - 1) : Math.min(hops.length - 1, current + 1);
    packets.jump(target);
    this.dispatchEvent(new CustomEvent("step", { detail: { index: target } }));
    return target;
  }

  refresh() {
    const hops = this.packets.trace?.hops ?? [];
    const wasHidden = this.root.hidden;
    this.root.hidden = !hops.length;
    if (hops.length) {
      const i = this.packets.current ?? -1;
      const hop = hops[i];
      const where = hop ? [hop.node, hop.device].filter(Boolean).join(" · ") : "";
      setText(this.readout, i >= 0 ? `hop ${i + 1} / ${hops.length}${where ? ` · ${where}` : ""}` : `${hops.length} hops`);
      this.root.querySelector("[data-packet-bar=prev]").disabled = i <= 0;
      this.root.querySelector("[data-packet-bar=next]").disabled = i >= hops.length - 1;
    }
    if (wasHidden !== this.root.hidden) this.dispatchEvent(new CustomEvent("resize"));
  }
}
