// Two tables of the Reports page: visits per collector per day
// (`GET /api/v1/reports/visits-per-collector`), shaded like the contact-rate heatmap so busy
// days stand out, with each row's and each day's totals; and the server's check-in refusals by
// reason (`GET /api/v1/reports/refusal-reasons`) as bars drawn in HTML with the number beside
// each, so the chart reads without colour or a pointer. Both download as CSV, written here from
// the same numbers; the Excel button comes from the page.

import { h } from "./format";
import type { RefusalReasons, VisitsPerCollector } from "./generated";
import { t, tMaybe } from "./i18n";
import { COLOURS, type Charts } from "./charts";
import { saveText } from "./csv";

/** "24/11" for "2026-11-24": the range is at most a year, the header stays narrow. */
function shortDay(day: string): string {
  const [, m, d] = day.split("-");
  return `${d}/${m}`;
}

/** A table cell shaded by its share of the busiest cell (the heatmap's look). */
function shaded(n: number, max: number, title: string): HTMLElement {
  const td = h("td", { "data-visits": String(n), title }, n ? String(n) : "");
  if (n) {
    const share = n / max;
    td.style.setProperty("--rate", String(share));
    td.classList.add("has-visits");
    if (share >= 0.6) td.classList.add("dark");
  }
  return td;
}

export function visitsPerCollectorView(
  v: VisitsPerCollector,
  from: string,
  to: string,
  xlsx: HTMLElement,
  charts: Charts,
): HTMLElement {
  if (v.total === 0) return h("p", { class: "empty" }, t("routesReports.perCollectorEmpty"));
  // The busiest first, at most 30 bars: the table below has everyone.
  const top = [...v.rows].sort((a, b) => b.total - a.total).slice(0, 30);
  const chart = charts.figure(
    {
      labels: top.map((r) => r.display_name),
      series: [
        { label: t("routesReports.total"), data: top.map((r) => r.total), colour: COLOURS.blue },
      ],
      horizontal: true,
    },
    t("routesReports.perCollectorChart", { n: top.length }),
  );
  const max = Math.max(...v.rows.flatMap((r) => r.counts));
  const csv = h(
    "button",
    { type: "button", "aria-describedby": "per-collector" },
    t("routesReports.downloadCsv"),
  );
  csv.addEventListener("click", () => savePerCollectorCsv(v, from, to));
  const table = h(
    "table",
    { class: "heatmap per-collector" },
    h("caption", {}, t("routesReports.perCollectorCaption", { n: v.total })),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("routesReports.collector")),
        ...v.days.map((d) => h("th", { scope: "col", title: d }, shortDay(d))),
        h("th", { scope: "col" }, t("routesReports.total")),
      ),
    ),
    h(
      "tbody",
      {},
      ...v.rows.map((r) =>
        h(
          "tr",
          { "data-collector": r.username },
          h("th", { scope: "row" }, `${r.display_name} (${r.username})`),
          ...r.counts.map((n, i) =>
            shaded(n, max, t("routesReports.cellTitle", { n, day: v.days[i], who: r.username })),
          ),
          h("td", { class: "total" }, String(r.total)),
        ),
      ),
    ),
    h(
      "tfoot",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "row" }, t("routesReports.total")),
        ...v.day_totals.map((n) => h("td", { class: "total" }, String(n))),
        h("td", { class: "total" }, String(v.total)),
      ),
    ),
  );
  return h("div", {}, chart, h("div", { class: "heatmap-scroll" }, table), csv, xlsx);
}

function savePerCollectorCsv(v: VisitsPerCollector, from: string, to: string): void {
  // Display names may hold commas: quoted, with quotes doubled.
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const lines = [
    ["collector", "name", ...v.days, "total"].join(","),
    ...v.rows.map((r) => [r.username, quote(r.display_name), ...r.counts, r.total].join(",")),
    ["total", "", ...v.day_totals, v.total].join(","),
  ];
  saveText(lines, `visits_per_collector_${from}_${to}.csv`);
}

export function reasonsView(
  r: RefusalReasons,
  from: string,
  to: string,
  xlsx: HTMLElement,
  charts: Charts,
): HTMLElement {
  if (r.refusals === 0) return h("p", { class: "empty" }, t("routesReports.reasonsEmpty"));
  const chart = charts.figure(
    {
      labels: r.reasons.map((c) => tMaybe(`routesReports.reason.${c.reason}`, c.reason)),
      series: [
        {
          label: t("routesReports.refusals"),
          data: r.reasons.map((c) => c.count),
          colour: COLOURS.orange,
        },
      ],
      horizontal: true,
    },
    t("routesReports.reasonsChart"),
  );
  const max = Math.max(...r.reasons.map((c) => c.count));
  const csv = h(
    "button",
    { type: "button", "aria-describedby": "refusal-reasons" },
    t("routesReports.downloadCsv"),
  );
  csv.addEventListener("click", () => {
    const lines = ["reason,refusals", ...r.reasons.map((c) => `${c.reason},${c.count}`)];
    saveText(lines, `refusal_reasons_${from}_${to}.csv`);
  });
  const table = h(
    "table",
    { class: "bars" },
    h("caption", {}, t("routesReports.reasonsCaption", { n: r.refusals })),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("routesReports.reason")),
        h("th", { scope: "col" }, t("routesReports.refusals")),
      ),
    ),
    h(
      "tbody",
      {},
      ...r.reasons.map((c) => {
        const bar = h("span", { class: "bar", "aria-hidden": "true" });
        bar.style.width = `${Math.max(2, Math.round((100 * c.count) / max))}%`;
        return h(
          "tr",
          { "data-reason": c.reason },
          h("th", { scope: "row" }, tMaybe(`routesReports.reason.${c.reason}`, c.reason)),
          h(
            "td",
            {},
            h("span", { class: "bar-track" }, bar),
            h("span", { class: "n" }, String(c.count)),
          ),
        );
      }),
    ),
  );
  return h("div", {}, chart, table, csv, xlsx);
}
