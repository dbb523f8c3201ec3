// Notifications of live events: a toast that announces itself to screen readers and leaves
// after a while, and a list of the session's notifications, newest first. Texts are functions,
// so a language switch re-renders them. Clicking one calls `open` (the map focuses the
// collector; later pages may open the visit).

import { clock, t } from "./i18n";
import { h } from "./format";

/** One notification. */
export interface Note {
  kind: "visit_completed" | "check_in_refused" | "low_battery" | "device_offline";
  at: Date;
  username: string;
  text(): string;
}

const KEEP = 200;
const TOAST_MS = 8_000;

/** The list and the toasts. */
export class Notifications {
  private readonly notes: Note[] = [];
  private list: HTMLOListElement | null = null;

  constructor(
    private readonly toasts: HTMLElement,
    private readonly open: (n: Note) => void,
  ) {}

  /** The list's section, to place in a page (rebuilt on every call). */
  section(): HTMLElement {
    this.list = h("ol", { class: "notes" });
    this.renderList();
    return h(
      "section",
      { class: "notes-section", "aria-labelledby": "notes-title" },
      h("h2", { id: "notes-title" }, t("notes.title")),
      this.list,
    );
  }

  /** Adds a notification: to the list, and as a toast. */
  add(n: Note): void {
    this.notes.unshift(n);
    this.notes.length = Math.min(this.notes.length, KEEP);
    this.renderList();
    this.toast(n);
  }

  private renderList(): void {
    if (!this.list) return;
    this.list.replaceChildren();
    if (this.notes.length === 0) {
      this.list.append(h("li", { class: "empty" }, t("notes.empty")));
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
      this.list.append(h("li", {}, button));
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
