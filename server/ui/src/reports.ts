// The Reports page: the contact rate (`GET /api/v1/reports/contact-rate`) as a heatmap table,
// weekdays by hours of the organization's local day: each cell shows contacts / visits and is
// shaded by the rate, so the hours when debtors are reached stand out; and promises made, kept,
// broken and pending by delinquency bucket (`GET /api/v1/reports/promises`); visits per
// collector per day and the server's check-in refusals by reason (`reportTables.ts`). Each table
// downloads as CSV, written here from the same numbers, and as Excel (the endpoint's
// `format=xlsx`).

import { ApiError, api, download as fetchFile } from "./api";
import { h } from "./format";
import type {
  ContactCell,
  ContactRate,
  PromiseRow,
  Promises,
  RefusalReasons,
  VisitsPerCollector,
} from "./generated";
import { type Key, t } from "./i18n";
import { type BarSpec, COLOURS, Charts } from "./charts";
import { saveText } from "./csv";
import type { Page } from "./page";
import { reasonsView, visitsPerCollectorView } from "./reportTables";

const WEEKDAYS: Key[] = [
  "reports.mon",
  "reports.tue",
  "reports.wed",
  "reports.thu",
  "reports.fri",
  "reports.sat",
  "reports.sun",
];

type State =
  | { kind: "loading" }
  | { kind: "failed"; plain: string }
  | {
      kind: "ready";
      report: ContactRate;
      promises: PromiseRow[];
      perCollector: VisitsPerCollector;
      reasons: RefusalReasons;
      from: string;
      to: string;
    };

/** A date `days` before today in the browser's zone, as an `<input type=date>` value. */
function dayBefore(days: number): string {
  const d = new Date();
  d.setDate(d.getDate() - days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** Opens the Reports page, showing the last 7 days. */
export function reportsPage(): Page {
  const root = h("div", { class: "reports-page" });
  const state = new ReportsPageState(root);
  void state.load();
  return {
    title: () => t("reports.title"),
    element: root,
    relabel: () => state.render(),
    destroy: () => state.destroy(),
  };
}

class ReportsPageState {
  private state: State = { kind: "loading" };
  private destroyed = false;
  private readonly from = h("input", { type: "date", id: "report-from", value: dayBefore(6) });
  private readonly to = h("input", { type: "date", id: "report-to", value: dayBefore(0) });

  private readonly charts = new Charts();

  constructor(private readonly root: HTMLElement) {}

  destroy(): void {
    this.destroyed = true;
    this.charts.destroy();
  }

  async load(): Promise<void> {
    const [from, to] = [this.from.value, this.to.value];
    this.state = { kind: "loading" };
    this.render();
    try {
      const q = new URLSearchParams({ from, to });
      const [report, promises, perCollector, reasons] = await Promise.all([
        api<ContactRate>("GET", `/api/v1/reports/contact-rate?${q}`),
        api<Promises>("GET", `/api/v1/reports/promises?${q}`),
        api<VisitsPerCollector>("GET", `/api/v1/reports/visits-per-collector?${q}`),
        api<RefusalReasons>("GET", `/api/v1/reports/refusal-reasons?${q}`),
      ]);
      this.state = {
        kind: "ready",
        report,
        promises: promises.rows,
        perCollector,
        reasons,
        from,
        to,
      };
    } catch (e) {
      this.state = { kind: "failed", plain: e instanceof ApiError ? e.plain : String(e) };
    }
    if (!this.destroyed) this.render();
  }

  render(): void {
    this.charts.destroy();
    const form = h(
      "form",
      { class: "range" },
      field("report-from", "reports.from", this.from),
      field("report-to", "reports.to", this.to),
      h("button", { type: "submit" }, t("reports.show")),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.load();
    });
    this.root.replaceChildren(
      h("h1", {}, t("reports.title")),
      form,
      h(
        "section",
        { "aria-labelledby": "contact-rate" },
        h("h2", { id: "contact-rate" }, t("reports.contactTitle")),
        h("p", { class: "hint" }, t("reports.contactHint")),
        this.body(),
      ),
      h(
        "section",
        { "aria-labelledby": "promises" },
        h("h2", { id: "promises" }, t("reports.promisesTitle")),
        h("p", { class: "hint" }, t("reports.promisesHint")),
        this.promisesBody(),
      ),
      h(
        "section",
        { "aria-labelledby": "per-collector" },
        h("h2", { id: "per-collector" }, t("routesReports.perCollectorTitle")),
        h("p", { class: "hint" }, t("routesReports.perCollectorHint")),
        this.ready((s) =>
          visitsPerCollectorView(
            s.perCollector,
            s.from,
            s.to,
            this.xlsx("visits-per-collector", "per-collector"),
            this.charts,
          ),
        ),
      ),
      h(
        "section",
        { "aria-labelledby": "refusal-reasons" },
        h("h2", { id: "refusal-reasons" }, t("routesReports.reasonsTitle")),
        h("p", { class: "hint" }, t("routesReports.reasonsHint")),
        this.ready((s) =>
          reasonsView(
            s.reasons,
            s.from,
            s.to,
            this.xlsx("refusal-reasons", "refusal-reasons"),
            this.charts,
          ),
        ),
      ),
      this.xlsxStatus,
    );
    this.charts.draw();
  }

  /** What a ready report shows; the shared loading and error states otherwise. */
  private ready(view: (s: Extract<State, { kind: "ready" }>) => HTMLElement): HTMLElement {
    const s = this.state;
    if (s.kind === "loading") {
      return h("p", { class: "loading", role: "status" }, t("reports.loading"));
    }
    if (s.kind === "failed") return h("p", { class: "error", role: "alert" }, s.plain);
    return view(s);
  }

  /** Where an Excel download says how it went. */
  private readonly xlsxStatus = h("p", { class: "status", role: "status" });

  /** A button that downloads report `name` of the shown range as an Excel workbook; its
   * description is the section's heading, so the same short label stays unambiguous. */
  private xlsx(name: string, heading: string): HTMLButtonElement {
    const button = h(
      "button",
      { type: "button", class: "xlsx", "aria-describedby": heading },
      t("routesReports.downloadXlsx"),
    );
    button.addEventListener("click", () => {
      const s = this.state;
      if (s.kind !== "ready") return;
      const q = new URLSearchParams({ from: s.from, to: s.to, format: "xlsx" });
      void this.saveXlsx(`/api/v1/reports/${name}?${q}`);
    });
    return button;
  }

  private async saveXlsx(path: string): Promise<void> {
    this.xlsxStatus.className = "status loading";
    this.xlsxStatus.setAttribute("role", "status");
    this.xlsxStatus.textContent = t("routesReports.xlsxBusy");
    try {
      const file = await fetchFile(path);
      const url = URL.createObjectURL(file.blob);
      const a = h("a", { href: url, download: file.filename, hidden: true });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      this.xlsxStatus.className = "status done";
      this.xlsxStatus.textContent = t("routesReports.xlsxDone", { file: file.filename });
    } catch (e) {
      this.xlsxStatus.className = "status error";
      this.xlsxStatus.setAttribute("role", "alert");
      this.xlsxStatus.textContent = e instanceof ApiError ? e.plain : String(e);
    }
  }

  private promisesBody(): HTMLElement {
    const s = this.state;
    if (s.kind === "loading") {
      return h("p", { class: "loading", role: "status" }, t("reports.loading"));
    }
    if (s.kind === "failed") return h("p", { class: "error", role: "alert" }, s.plain);
    if (s.promises.length === 0) return h("p", { class: "empty" }, t("reports.noPromises"));
    const download = h("button", { type: "button" }, t("reports.downloadPromisesCsv"));
    download.addEventListener("click", () => savePromisesCsv(s.promises, s.from, s.to));
    return h(
      "div",
      {},
      this.charts.figure(promisesChart(s.promises), t("reports.promisesChart")),
      promisesTable(s.promises),
      download,
      this.xlsx("promises", "promises"),
    );
  }

  private body(): HTMLElement {
    const s = this.state;
    if (s.kind === "loading") {
      return h("p", { class: "loading", role: "status" }, t("reports.loading"));
    }
    if (s.kind === "failed") return h("p", { class: "error", role: "alert" }, s.plain);
    const total = s.report.cells.flat().reduce((n, c) => n + c.visits, 0);
    if (total === 0) return h("p", { class: "empty" }, t("reports.empty"));
    const download = h("button", { type: "button" }, t("reports.downloadContactCsv"));
    download.addEventListener("click", () => saveCsv(s.report, s.from, s.to));
    return h(
      "div",
      {},
      h("p", {}, t("reports.zone", { zone: s.report.time_zone, n: total })),
      this.charts.figure(byHourChart(s.report), t("reports.byHourChart")),
      h("div", { class: "heatmap-scroll" }, heatmap(s.report)),
      download,
      this.xlsx("contact-rate", "contact-rate"),
    );
  }
}

/** A labelled input. */
function field(id: string, label: Key, input: HTMLElement): HTMLElement {
  return h("div", { class: "field" }, h("label", { for: id }, t(label)), input);
}

/** The rate as a percentage, or "" with no visits. */
function rate(c: ContactCell): string {
  return c.visits ? `${Math.round((100 * c.contacts) / c.visits)}` : "";
}

/** The contact rate by local hour over every weekday, for the hours that had visits. */
function byHourChart(report: ContactRate): BarSpec {
  const hours = [...Array(24).keys()].filter((hour) =>
    report.cells.some((day) => day[hour].visits > 0),
  );
  const sum = (hour: number, f: (c: ContactCell) => number) =>
    report.cells.reduce((n, day) => n + f(day[hour]), 0);
  return {
    labels: hours.map((hour) => `${String(hour).padStart(2, "0")}:00`),
    series: [
      {
        label: t("reports.rate"),
        data: hours.map((hour) => sum(hour, (c) => c.contacts) / sum(hour, (c) => c.visits)),
        colour: COLOURS.blue,
      },
    ],
    percent: true,
  };
}

/** Promises kept, broken and pending by bucket (counts over every currency). */
function promisesChart(rows: PromiseRow[]): BarSpec {
  const buckets = [...new Set(rows.map((r) => r.bucket))];
  const total = (bucket: string, f: (r: PromiseRow) => number) =>
    rows.filter((r) => r.bucket === bucket).reduce((n, r) => n + f(r), 0);
  const series = (key: Key, f: (r: PromiseRow) => number, colour: string) => ({
    label: t(key),
    data: buckets.map((b) => total(b, f)),
    colour,
  });
  return {
    labels: buckets.map((b) => t("reports.bucketDays", { days: bucketDays(b) })),
    series: [
      series("reports.kept", (r) => r.kept, COLOURS.green),
      series("reports.broken", (r) => r.broken, COLOURS.red),
      series("reports.pending", (r) => r.pending, COLOURS.grey),
    ],
    stacked: true,
  };
}

function heatmap(report: ContactRate): HTMLTableElement {
  const hours = [...Array(24).keys()];
  return h(
    "table",
    { class: "heatmap" },
    h("caption", {}, t("reports.caption")),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("reports.weekday")),
        ...hours.map((hour) => h("th", { scope: "col" }, String(hour))),
      ),
    ),
    h(
      "tbody",
      {},
      ...report.cells.map((row, day) =>
        h(
          "tr",
          {},
          h("th", { scope: "row" }, t(WEEKDAYS[day])),
          ...row.map((c, hour) => {
            const td = h(
              "td",
              {
                "data-day": String(day),
                "data-hour": String(hour),
                "data-visits": String(c.visits),
                title: c.visits ? t("reports.cellTitle", { ...c, rate: rate(c) }) : undefined,
              },
              c.visits ? `${c.contacts}/${c.visits}` : "",
            );
            // Darker blue, more contacts per visit; an hour without visits stays blank.
            if (c.visits) {
              const share = c.contacts / c.visits;
              td.style.setProperty("--rate", String(share));
              td.classList.add("has-visits");
              // Past the middle the shade is dark enough to need white text.
              if (share >= 0.6) td.classList.add("dark");
            }
            return td;
          }),
        ),
      ),
    ),
  );
}

/** Saves the table as CSV: weekday, hour, visits, contacts, contact rate (%). */
function saveCsv(report: ContactRate, from: string, to: string): void {
  const lines = ["weekday,hour,visits,contacts,contact_rate_percent"];
  report.cells.forEach((row, day) =>
    row.forEach((c, hour) => {
      if (c.visits) lines.push([day + 1, hour, c.visits, c.contacts, rate(c)].join(","));
    }),
  );
  saveText(lines, `contact_rate_${from}_${to}.csv`);
}

/** Minor units as a decimal of the currency ("2500.00"). */
function amount(minor: number, exponent: number): string {
  return (minor / 10 ** exponent).toFixed(exponent);
}

/** "0–30" for `d0_30`, "361+" for `d361_plus`. */
function bucketDays(id: string): string {
  const [low, high] = id.slice(1).split("_");
  return high === "plus" ? `${low}+` : `${low}–${high}`;
}

const PROMISE_COLUMNS: Key[] = [
  "reports.bucket",
  "reports.currency",
  "reports.made",
  "reports.kept",
  "reports.broken",
  "reports.pending",
  "reports.madeAmount",
  "reports.keptAmount",
  "reports.brokenAmount",
];

function promisesTable(rows: PromiseRow[]): HTMLTableElement {
  return h(
    "table",
    { class: "promises" },
    h("caption", {}, t("reports.promisesCaption")),
    h("thead", {}, h("tr", {}, ...PROMISE_COLUMNS.map((k) => h("th", { scope: "col" }, t(k))))),
    h(
      "tbody",
      {},
      ...rows.map((r) =>
        h(
          "tr",
          { "data-bucket": r.bucket },
          h("th", { scope: "row" }, t("reports.bucketDays", { days: bucketDays(r.bucket) })),
          ...[
            r.currency,
            r.made,
            r.kept,
            r.broken,
            r.pending,
            amount(r.made_minor, r.exponent),
            amount(r.kept_minor, r.exponent),
            amount(r.broken_minor, r.exponent),
          ].map((v) => h("td", {}, String(v))),
        ),
      ),
    ),
  );
}

/** Saves the promises table as CSV, one line per bucket and currency. */
function savePromisesCsv(rows: PromiseRow[], from: string, to: string): void {
  const lines = [
    "bucket,currency,made,kept,broken,pending,made_amount,kept_amount,broken_amount",
    ...rows.map((r) =>
      [
        r.bucket,
        r.currency,
        r.made,
        r.kept,
        r.broken,
        r.pending,
        amount(r.made_minor, r.exponent),
        amount(r.kept_minor, r.exponent),
        amount(r.broken_minor, r.exponent),
      ].join(","),
    ),
  ];
  saveText(lines, `promises_${from}_${to}.csv`);
}
