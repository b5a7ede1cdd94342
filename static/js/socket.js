// The session websocket: ws: or wss: from location.protocol, hello{lastSeq} on every
// (re)connect so the server can resend what was missed, reconnect with backoff.

export function sessionUrl(sessionId, loc = window.location) {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws/session/${encodeURIComponent(sessionId)}/`;
}

export class SessionSocket extends EventTarget {
  /**
   * @param {string} url websocket address
   * @param {() => number} lastSeq the sequence number of the last applied message
   */
  constructor(url, lastSeq) {
    super();
    this.url = url;
    this.lastSeq = lastSeq;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.closedByUs = false;
    this.queue = [];
    this.state = "connecting";
  }

  connect() {
    this.closedByUs = false;
    clearTimeout(this.timer);
    this.setState("connecting");
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch (error) {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener("open", () => {
      this.attempt = 0;
      this.setState("open");
      ws.send(JSON.stringify({ type: "hello", lastSeq: this.lastSeq() }));
      for (const message of this.queue.splice(0)) ws.send(JSON.stringify(message));
    });
    ws.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (message && typeof message.type === "string") {
        this.dispatchEvent(new CustomEvent("message", { detail: message }));
      }
    });
    ws.addEventListener("close", (event) => {
      if (this.ws !== ws) return;
      this.ws = null;
      // 4404: the server has no such session; retrying would never help.
      if (event.code === 4404) this.setState("gone");
      else if (this.closedByUs) this.setState("closed");
      else this.scheduleReconnect();
    });
    ws.addEventListener("error", () => {
      // "close" follows and schedules the reconnect.
    });
  }

  scheduleReconnect() {
    this.setState("reconnecting");
    const base = Math.min(15000, 500 * 2 ** this.attempt);
    const delay = base / 2 + Math.random() * (base / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  /** Ask the server for whatever follows our last sequence number (after a gap). */
  resync() {
    this.send({ type: "hello", lastSeq: this.lastSeq() });
  }

  send(message) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) {
      this.ws.send(JSON.stringify(message));
      return true;
    }
    // hello is sent on open anyway; other messages wait for the connection.
    if (message.type !== "hello") this.queue.push(message);
    return false;
  }

  close() {
    this.closedByUs = true;
    clearTimeout(this.timer);
    this.ws?.close();
  }

  setState(state) {
    this.state = state;
    this.dispatchEvent(new CustomEvent("state", { detail: state }));
  }
}
