// The live feed (`/api/v1/live`, a WebSocket authenticated by the session cookie). The first
// frame of every connection is a snapshot; then increments. A dropped connection is retried
// with backoff (1 s doubling to 30 s) and starts over from a fresh snapshot; `close()` ends it
// for good (logout, leaving the page). A close with code 1008 and a session reason means the
// session was revoked: the app is told, and no retry is made.

import type { LiveEvent } from "./generated";

/** The connection's state, for the page to show. */
export type FeedState =
  | { kind: "connecting" }
  | { kind: "open" }
  | { kind: "retrying"; inSecs: number };

/** What the feed calls back. */
export interface FeedHandlers {
  event(e: LiveEvent): void;
  state(s: FeedState): void;
  sessionEnded(): void;
}

const FIRST_WAIT_MS = 1_000;
const LONGEST_WAIT_MS = 30_000;

/** A live-feed connection that reconnects until closed. */
export class LiveFeed {
  private socket: WebSocket | null = null;
  private timer: number | undefined;
  private wait = FIRST_WAIT_MS;
  private closed = false;

  constructor(private readonly handlers: FeedHandlers) {
    this.connect();
  }

  /** Whether a connection is open now. */
  get isOpen(): boolean {
    return this.socket?.readyState === WebSocket.OPEN;
  }

  /** Closes the feed and stops reconnecting. */
  close(): void {
    this.closed = true;
    window.clearTimeout(this.timer);
    this.socket?.close(1000, "closed by the dashboard");
    this.socket = null;
  }

  private connect(): void {
    if (this.closed) return;
    this.handlers.state({ kind: "connecting" });
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/api/v1/live`);
    this.socket = socket;
    socket.onopen = () => {
      this.wait = FIRST_WAIT_MS;
      this.handlers.state({ kind: "open" });
    };
    socket.onmessage = (m) => {
      let event: LiveEvent;
      try {
        event = JSON.parse(String(m.data)) as LiveEvent;
      } catch {
        return; // Not a frame of ours; the feed only sends JSON.
      }
      this.handlers.event(event);
    };
    socket.onclose = (c) => {
      if (this.closed || socket !== this.socket) return;
      if (c.code === 1008 && c.reason.includes("session")) {
        this.closed = true;
        this.handlers.sessionEnded();
        return;
      }
      this.retry();
    };
  }

  private retry(): void {
    const wait = this.wait;
    this.wait = Math.min(this.wait * 2, LONGEST_WAIT_MS);
    this.handlers.state({ kind: "retrying", inSecs: Math.round(wait / 1000) });
    this.timer = window.setTimeout(() => this.connect(), wait);
  }
}
