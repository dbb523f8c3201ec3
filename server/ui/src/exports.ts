// The Export page: visits of a range of days (CSV, Excel, GeoJSON) and a day's tracks (GPX,
// GeoJSON) from `GET /api/v1/exports/...`. A file is fetched with the session's token and
// handed to the browser as a download; the status line says what is being prepared, what was
// saved, or what went wrong and what to do.

import { ApiError, download } from "./api";
import { h } from "./format";
import { type Key, t } from "./i18n";
import type { Page } from "./page";

/** What the status line shows. */
type Status =
  | { kind: "none" }
  | { kind: "busy"; what: Key }
  | { kind: "done"; file: string }
  | { kind: "failed"; plain: string };

/** Today in the browser's time zone, as an `<input type=date>` value. */
function today(): string {
  const now = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** Opens the Export page. */
export function exportsPage(): Page {
  const root = h("div", { class: "exports-page" });
  const state = new ExportsPageState(root);
  state.render();
  return {
    title: () => t("exports.title"),
    element: root,
    relabel: () => state.render(),
    destroy: () => state.destroy(),
  };
}

class ExportsPageState {
  private status: Status = { kind: "none" };
  private destroyed = false;
  // The inputs survive a re-render, so a language switch keeps what was typed.
  private readonly from = h("input", { type: "date", id: "export-from", value: today() });
  private readonly to = h("input", { type: "date", id: "export-to", value: today() });
  private readonly date = h("input", { type: "date", id: "export-date", value: today() });
  private readonly collector = h("input", {
    type: "text",
    id: "export-collector",
    autocomplete: "off",
    "aria-describedby": "export-collector-hint",
  });

  constructor(private readonly root: HTMLElement) {}

  destroy(): void {
    this.destroyed = true;
  }

  render(): void {
    const busy = this.status.kind === "busy";
    const button = (label: Key, run: () => void) => {
      const b = h("button", { type: "button", disabled: busy }, t(label));
      b.addEventListener("click", run);
      return b;
    };
    const visits = (ext: string, label: Key) =>
      button(label, () => {
        if (!this.from.value || !this.to.value) {
          return this.show({ kind: "failed", plain: t("exports.needDays") });
        }
        const q = new URLSearchParams({ from: this.from.value, to: this.to.value });
        void this.fetch(label, `/api/v1/exports/visits.${ext}?${q}`);
      });
    const tracks = (ext: string, label: Key) =>
      button(label, () => {
        if (!this.date.value) {
          return this.show({ kind: "failed", plain: t("exports.needDate") });
        }
        const q = new URLSearchParams({ date: this.date.value });
        if (this.collector.value.trim()) q.set("collector", this.collector.value.trim());
        void this.fetch(label, `/api/v1/exports/tracks.${ext}?${q}`);
      });
    const field = (id: string, label: Key, input: HTMLElement) =>
      h("div", { class: "field" }, h("label", { for: id }, t(label)), input);
    this.root.replaceChildren(
      h("h1", {}, t("exports.title")),
      h("p", { class: "intro" }, t("exports.intro")),
      h(
        "section",
        { "aria-labelledby": "export-visits" },
        h("h2", { id: "export-visits" }, t("exports.visitsTitle")),
        h("p", { class: "hint" }, t("exports.visitsHint")),
        h(
          "div",
          { class: "fields" },
          field("export-from", "exports.from", this.from),
          field("export-to", "exports.to", this.to),
        ),
        h(
          "div",
          { class: "buttons" },
          visits("csv", "exports.visitsCsv"),
          visits("xlsx", "exports.visitsXlsx"),
          visits("geojson", "exports.visitsGeojson"),
        ),
      ),
      h(
        "section",
        { "aria-labelledby": "export-tracks" },
        h("h2", { id: "export-tracks" }, t("exports.tracksTitle")),
        h("p", { class: "hint" }, t("exports.tracksHint")),
        h(
          "div",
          { class: "fields" },
          field("export-date", "exports.date", this.date),
          field("export-collector", "exports.collector", this.collector),
        ),
        h("p", { class: "hint", id: "export-collector-hint" }, t("exports.collectorHint")),
        h(
          "div",
          { class: "buttons" },
          tracks("gpx", "exports.tracksGpx"),
          tracks("geojson", "exports.tracksGeojson"),
        ),
      ),
      this.statusLine(),
    );
  }

  private statusLine(): HTMLElement {
    const s = this.status;
    switch (s.kind) {
      case "none":
        return h("p", { class: "status", role: "status" });
      case "busy":
        return h(
          "p",
          { class: "status loading", role: "status" },
          t("exports.busy", { what: t(s.what) }),
        );
      case "done":
        return h(
          "p",
          { class: "status done", role: "status" },
          t("exports.done", { file: s.file }),
        );
      case "failed":
        return h("p", { class: "status error", role: "alert" }, s.plain);
    }
  }

  private show(status: Status): void {
    if (this.destroyed) return;
    this.status = status;
    this.render();
  }

  private async fetch(what: Key, path: string): Promise<void> {
    this.show({ kind: "busy", what });
    try {
      const file = await download(path);
      if (this.destroyed) return;
      const url = URL.createObjectURL(file.blob);
      const a = h("a", { href: url, download: file.filename, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      // The browser has started saving; the object URL can go once it has been read.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.show({ kind: "done", file: file.filename });
    } catch (e) {
      const plain = e instanceof ApiError ? e.plain : t("error.network");
      this.show({ kind: "failed", plain });
    }
  }
}
