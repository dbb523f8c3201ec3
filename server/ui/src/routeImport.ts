// The Routes page: a supervisor uploads a route spreadsheet to `POST /api/v1/imports/routes`
// and reads what happened: how many debtors were created, changed or left alone, the collectors
// invited, and every rejected row with its line, column and reason, so the file can be fixed
// and uploaded again. The last answer is kept while the page is open, so a language switch
// re-renders it instead of losing it. Below the upload: the day's routes ([`RouteDay`]) and the
// locations check-ins proposed ([`LocationCaptures`]).

import { api, ApiError } from "./api";
import { h } from "./format";
import type { ImportSummary } from "./generated";
import { t } from "./i18n";
import { LocationCaptures } from "./locationCaptures";
import type { Page } from "./page";
import { RouteDay } from "./routeDay";

type Outcome =
  | { kind: "none" }
  | { kind: "busy"; file: string }
  | { kind: "failed"; plain: string }
  | { kind: "done"; file: string; summary: ImportSummary };

/** Opens the Routes page. */
export function routesPage(): Page {
  const root = h("div", { class: "routes-page" });
  const state = new RoutesPageState(root);
  state.render();
  void state.day.load();
  void state.captures.load();
  return {
    title: () => t("routes.title"),
    element: root,
    relabel: () => state.render(),
    destroy: () => state.destroy(),
  };
}

class RoutesPageState {
  private outcome: Outcome = { kind: "none" };
  private destroyed = false;
  /** The form's values survive a re-render (a language switch keeps the chosen file). */
  private readonly fileInput = h("input", {
    type: "file",
    id: "route-file",
    name: "file",
    accept: ".csv,.txt,.xlsx,.xls,text/csv",
    required: true,
  });
  private readonly dateInput = h("input", { type: "date", id: "route-date", name: "date" });
  private readonly strictInput = h("input", { type: "checkbox", id: "route-strict" });
  readonly day = new RouteDay();
  readonly captures = new LocationCaptures();

  constructor(private readonly root: HTMLElement) {}

  destroy(): void {
    this.destroyed = true;
    this.day.destroy();
    this.captures.destroy();
  }

  render(): void {
    const submit = h(
      "button",
      { type: "submit", class: "primary", disabled: this.outcome.kind === "busy" },
      this.outcome.kind === "busy" ? t("routes.busy") : t("routes.submit"),
    );
    const form = h(
      "form",
      { class: "upload", novalidate: true },
      h("label", { for: "route-file" }, t("routes.file")),
      h("p", { class: "hint", id: "route-file-hint" }, t("routes.fileHint")),
      this.fileInput,
      h("label", { for: "route-date" }, t("routes.date")),
      h("p", { class: "hint" }, t("routes.dateHint")),
      this.dateInput,
      h(
        "div",
        { class: "check" },
        this.strictInput,
        h("label", { for: "route-strict" }, t("routes.strict")),
      ),
      submit,
    );
    this.fileInput.setAttribute("aria-describedby", "route-file-hint");
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.upload();
    });
    this.root.replaceChildren(
      h("h1", {}, t("routes.title")),
      h("p", { class: "intro" }, t("routes.intro")),
      form,
      this.result(),
      this.day.element,
      this.captures.element,
    );
    this.day.render();
    this.captures.render();
  }

  private async upload(): Promise<void> {
    const file = this.fileInput.files?.[0];
    if (!file) {
      this.outcome = { kind: "failed", plain: t("routes.noFile") };
      this.render();
      this.fileInput.focus();
      return;
    }
    const body = new FormData();
    body.append("file", file, file.name);
    if (this.dateInput.value) body.append("date", this.dateInput.value);
    if (this.strictInput.checked) body.append("all_or_nothing", "true");
    this.outcome = { kind: "busy", file: file.name };
    this.render();
    try {
      const summary = await api<ImportSummary>("POST", "/api/v1/imports/routes", body);
      this.outcome = { kind: "done", file: file.name, summary };
      // The upload may have changed the day's routes shown below.
      void this.day.load();
    } catch (e) {
      this.outcome = refusedOutcome(e, file.name);
    }
    if (this.destroyed) return;
    this.render();
    this.root.querySelector<HTMLElement>(".result h2")?.focus();
  }

  private result(): HTMLElement {
    const o = this.outcome;
    switch (o.kind) {
      case "none":
        return h("section", { class: "result empty" }, h("p", {}, t("routes.empty")));
      case "busy":
        return h(
          "section",
          { class: "result" },
          h("p", { class: "loading", role: "status" }, t("routes.uploading", { file: o.file })),
        );
      case "failed":
        return h(
          "section",
          { class: "result" },
          h("div", { class: "error", role: "alert" }, h("p", {}, o.plain)),
        );
      case "done":
        return summaryView(o.file, o.summary);
    }
  }
}

/** A refusal as the page shows it: a 422 with a summary (bad rows under all-or-nothing, or no
 * good row) is a result to read row by row; anything else is an error in plain words. */
function refusedOutcome(e: unknown, file: string): Outcome {
  if (e instanceof ApiError) {
    const body = e.body as Partial<ImportSummary> | undefined;
    if (e.status === 422 && body && Array.isArray(body.rows_rejected)) {
      return { kind: "done", file, summary: body as ImportSummary };
    }
    if (e.status === 422) {
      return { kind: "failed", plain: t("routes.unreadable", { message: e.serverMessage }) };
    }
    if (e.status === 413) return { kind: "failed", plain: t("routes.tooLarge") };
    if (e.status === 403) return { kind: "failed", plain: t("routes.forbidden") };
    return { kind: "failed", plain: e.plain };
  }
  return { kind: "failed", plain: String(e) };
}

function summaryView(file: string, s: ImportSummary): HTMLElement {
  const headline = s.written
    ? t("routes.written", { file, portfolio: s.portfolio })
    : t("routes.notWritten", { file });
  const counts: Array<[string, number]> = [
    [t("routes.rowsRead"), s.rows_read],
    [t("routes.created"), s.debtors_created],
    [t("routes.updated"), s.debtors_updated],
    [t("routes.unchanged"), s.debtors_unchanged],
    [t("routes.rejectedCount"), s.rows_rejected_count],
  ];
  if (s.debtors_closed > 0) counts.push([t("routes.closed"), s.debtors_closed]);
  if (s.debtors_moved_between_teams > 0) {
    counts.push([t("routes.movedTeams"), s.debtors_moved_between_teams]);
  }
  if (s.needs_location > 0) counts.push([t("routes.needsLocation"), s.needs_location]);
  const parts: Array<HTMLElement | null> = [
    h("h2", { tabindex: "-1" }, headline),
    h(
      "dl",
      { class: "counts" },
      ...counts.flatMap(([label, n]) => [h("dt", {}, label), h("dd", {}, String(n))]),
    ),
    s.collectors_created.length > 0
      ? h("p", {}, t("routes.collectorsCreated", { names: s.collectors_created.join(", ") }))
      : null,
  ];
  if (s.rows_rejected_count > 0) parts.push(...rejectedView(s));
  else parts.push(h("p", { class: "ok" }, t("routes.noErrors")));
  return h("section", { class: `result ${s.written ? "written" : "refused"}` }, ...parts);
}

function rejectedView(s: ImportSummary): HTMLElement[] {
  const rows = s.rows_rejected.map((r) =>
    h(
      "tr",
      { "data-line": String(r.line) },
      h("th", { scope: "row" }, String(r.line)),
      h("td", {}, r.column ?? t("routes.wholeRow")),
      h("td", {}, r.reason),
    ),
  );
  const more =
    s.rows_rejected_count > s.rows_rejected.length
      ? h(
          "p",
          {},
          t("routes.moreErrors", { shown: s.rows_rejected.length, count: s.rows_rejected_count }),
        )
      : null;
  return [
    h("h3", { id: "rejected-title" }, t("routes.rejectedTitle", { count: s.rows_rejected_count })),
    h("p", {}, s.written ? t("routes.fixAndRetry") : t("routes.fixAll")),
    h(
      "table",
      { class: "rejected", "aria-labelledby": "rejected-title" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("routes.line")),
          h("th", { scope: "col" }, t("routes.column")),
          h("th", { scope: "col" }, t("routes.reason")),
        ),
      ),
      h("tbody", {}, ...rows),
    ),
    ...(more ? [more] : []),
  ];
}
