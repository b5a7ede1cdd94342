// The browser's copy of the view model (docs/protocol.md). It applies `snapshot` and
// `delta` messages in sequence order and tells listeners what changed.

export const collections = [
  "nodes", "pods", "services", "deployments", "replicasets", "ingresses", "hpas",
];

export function collectionOf(id) {
  return String(id).split("/", 1)[0];
}

export class Store extends EventTarget {
  constructor() {
    super();
    this.seq = 0;
    this.step = 0;
    this.time = 0;
    this.config = {};
    this.maxStep = 0;
    this.objects = new Map(collections.map((name) => [name, new Map()]));
    this.events = new Map();
    this.extra = {};
  }

  get(id) {
    return this.objects.get(collectionOf(id))?.get(id) ?? null;
  }

  list(collection) {
    return [...(this.objects.get(collection)?.values() ?? [])];
  }

  count(collection) {
    return this.objects.get(collection)?.size ?? 0;
  }

  /** Replace everything with a full state. */
  applySnapshot(seq, state) {
    this.seq = Number(seq) || 0;
    this.step = state.step ?? 0;
    this.time = state.time ?? 0;
    this.config = state.config ?? {};
    this.extra = {};
    for (const [key, value] of Object.entries(state)) {
      if (!collections.includes(key) && !["step", "time", "config", "events"].includes(key)) {
        this.extra[key] = value;
      }
    }
    for (const name of collections) {
      const map = new Map();
      for (const object of state[name] ?? []) map.set(object.id, object);
      this.objects.set(name, map);
    }
    if (state.events) this.events = new Map();
    for (const event of state.events ?? []) this.recordEvent(event);
    this.maxStep = Math.max(this.step, state.lastStep ?? state.horizon ?? 0);
    this.dispatchEvent(new CustomEvent("change", {
      detail: { kind: "snapshot", changes: [], event: null },
    }));
  }

  /**
   * Apply one step's changes. Returns false when a message was missed (the caller
   * then asks the server to resync with hello{lastSeq}).
   */
  applyDelta(seq, delta) {
    const number = Number(seq);
    if (this.seq && number !== this.seq + 1) {
      return number <= this.seq;  // an old duplicate is harmless; a gap is not
    }
    this.seq = number;
    this.step = delta.step ?? this.step;
    this.time = delta.time ?? this.time;
    if (delta.config) this.config = delta.config;
    const applied = [];
    for (const change of delta.changes ?? []) {
      const map = this.objects.get(collectionOf(change.id));
      if (!map) continue;
      const previous = map.get(change.id) ?? null;
      if (change.op === "remove") map.delete(change.id);
      else map.set(change.id, change.object);
      applied.push({ ...change, previous });
    }
    const rewritten = delta.event ? this.recordEvent(delta.event) : false;
    // horizon: the furthest step reached; it shrinks when a new action rewrites the future.
    const horizon = delta.horizon ?? delta.lastStep;
    if (horizon !== undefined && horizon !== null) {
      if (horizon < this.maxStep) this.truncateAfter(horizon);
      this.maxStep = horizon;
    }
    this.maxStep = Math.max(this.maxStep, this.step);
    this.dispatchEvent(new CustomEvent("change", {
      detail: { kind: "delta", changes: applied, event: delta.event ?? null, rewritten },
    }));
    return true;
  }

  /** Returns true when the event replaced a different one (the future was rewritten). */
  recordEvent(event) {
    if (!event || event.step === undefined) return false;
    const old = this.events.get(event.step);
    const rewritten = Boolean(old) && (old.type !== event.type || old.reason !== event.reason);
    if (rewritten) this.truncateAfter(event.step - 1);
    this.events.set(event.step, event);
    this.maxStep = Math.max(this.maxStep, event.step);
    return rewritten;
  }

  /** A new action after going back truncates the recorded future, like a video editor. */
  truncateAfter(step) {
    for (const key of [...this.events.keys()]) if (key > step) this.events.delete(key);
    this.maxStep = step;
  }

  eventList() {
    return [...this.events.values()].sort((a, b) => a.step - b.step);
  }

  /** Pods grouped by node name; unscheduled pods under "". */
  podsByNode() {
    const groups = new Map();
    for (const pod of this.objects.get("pods").values()) {
      const key = pod.node || "";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(pod);
    }
    return groups;
  }
}
