// Notifications of live events, on every page: a toast that announces itself to screen readers
// and leaves after a while, and the session's list, newest first, shown in the header's panel
// and beside the live map. Texts are functions, so a language switch re-renders them. Clicking
// one calls `open` (the shell opens the visit, or the collector on the map).

import { clock, percent, t, tMaybe } from "./i18n";
import { h } from "./format";
import type { LiveEvent, Reason, Verdict } from "./generated";

/** One notification. */
export interface Note {
  kind: "visit_completed" | "check_in_refused" | "low_battery" | "device_offline";
  at: Date;
  username: string;
  /** The visit it is about, when there is one (it opens there). */
  visit?: string;
  text(): string;
}

const KEEP = 200;
const TOAST_MS = 8_000;

/** A refusal's reasons in the current language ("demasiado lejos: 240 m, …"). */
export function reasonsText(r: { server_verdict: Verdict }): string {
  const v = r.server_verdict;
  return reasonsOf(v)
    .map((x) => tMaybe(`reason.${x.reason}`, x.reason, { m: Math.round(distanceOf(x)) }))
    .join(", ");
}

/** A verdict's reasons: those of a refusal, none otherwise. */
export function reasonsOf(v: Verdict): Reason[] {
  return v.verdict === "refused" ? v.reasons : [];
}

/** The distance a reason names (too far), else 0. */
export function distanceOf(x: Reason): number {
  return "distance_m" in x ? x.distance_m : 0;
}

/** The notification a live event raises, if any (positions and accepted check-ins raise none). */
export function noteOf(e: LiveEvent, at: Date = new Date()): Note | null {
  switch (e.type) {
    case "visit_completed":
      return {
        kind: e.type,
        at,
        username: e.username,
        visit: e.visit,
        text: () =>
          t("notes.visitCompleted", {
            who: e.display_name,
            debtor: e.debtor,
            outcome: tMaybe(`outcome.${e.outcome}`, e.outcome),
          }),
      };
    case "check_in_refused":
      return {
        kind: e.type,
        at,
        username: e.username,
        visit: e.visit,
        text: () => t("notes.checkInRefused", { who: e.display_name, reasons: reasonsText(e) }),
      };
    case "low_battery":
      return {
        kind: e.type,
        at,
        username: e.username,
        text: () => t("notes.lowBattery", { who: e.display_name, pct: percent(e.battery) }),
      };
    case "device_offline":
      return {
        kind: e.type,
        at,
        username: e.username,
        text: () =>
          t("notes.deviceOffline", { who: e.display_name, time: clock(new Date(e.last_seen)) }),
      };
    default:
      return null;
  }
}

/** The list and the toasts. */
export class Notifications {
  private readonly notes: Note[] = [];
  /** Lists placed in pages or panels; one disconnected from the document is dropped. */
  private lists: HTMLOListElement[] = [];
  private unseen = 0;
  private readonly counters = new Set<(unseen: number) => void>();

  constructor(
    private readonly toasts: HTMLElement,
    private readonly open: (n: Note) => void,
  ) {}

  /** A section with the list, to place in a page or panel (a new one on every call). */
  section(headingId = "notes-title"): HTMLElement {
    const list = h("ol", { class: "notes" });
    // The map's side panel asks for a new section on every rebuild: forget the replaced ones
    // here, not only when a note arrives, or a quiet day would keep thousands of them.
    this.lists = this.lists.filter((l) => l.isConnected);
    this.lists.push(list);
    this.renderList(list);
    return h(
      "section",
      { class: "notes-section", "aria-labelledby": headingId },
      h("h2", { id: headingId }, t("notes.title")),
      list,
    );
  }

  /** Calls `f` with the number of notifications not yet seen, now and on every change. */
  onUnseen(f: (unseen: number) => void): void {
    this.counters.add(f);
    f(this.unseen);
  }

  /** The supervisor has looked at the list. */
  seen(): void {
    this.unseen = 0;
    for (const f of this.counters) f(0);
  }

  /** Forgets everything (another user signs in). */
  clear(): void {
    this.notes.length = 0;
    this.seen();
    this.renderLists();
  }

  /** Adds a notification: to the lists, and as a toast. */
  add(n: Note): void {
    this.notes.unshift(n);
    this.notes.length = Math.min(this.notes.length, KEEP);
    this.unseen += 1;
    for (const f of this.counters) f(this.unseen);
    this.renderLists();
    this.toast(n);
  }

  /** Re-renders the texts after a language switch. */
  relabel(): void {
    this.renderLists();
  }

  private renderLists(): void {
    this.lists = this.lists.filter((l) => l.isConnected);
    for (const list of this.lists) this.renderList(list);
  }

  private renderList(list: HTMLOListElement): void {
    list.replaceChildren();
    if (this.notes.length === 0) {
      list.append(h("li", { class: "empty" }, t("notes.empty")));
      return;
    }
    for (const n of this.notes) {
      const button = h(
        "button",
        { type: "button", class: `note ${n.kind}` },
        h("time", { datetime: n.at.toISOString() }, clock(n.at)),
        " ",
        n.text(),
      );
      button.addEventListener("click", () => this.open(n));
      list.append(h("li", {}, button));
    }
  }

  private toast(n: Note): void {
    const close = h(
      "button",
      { type: "button", class: "toast-close", "aria-label": t("notes.dismiss") },
      "×",
    );
    const body = h("button", { type: "button", class: "toast-body" }, n.text());
    const toast = h("div", { class: `toast ${n.kind}`, "data-kind": n.kind }, body, close);
    const remove = () => toast.remove();
    close.addEventListener("click", remove);
    body.addEventListener("click", () => {
      remove();
      this.open(n);
    });
    this.toasts.append(toast);
    window.setTimeout(remove, TOAST_MS);
  }
}
