// The Visits page: the visits the supervisor may see (`GET /api/v1/visits`), newest first,
// filtered by day, collector, outcome and status, a page at a time; choosing one shows its
// detail (`GET /api/v1/visits/{id}`): outcome, answers, promise or payment, and each check-in
// with the device's and the server's verdicts in words, the review (approve or reject) and the
// visit's history. Filters live in the URL's query, so a reload or a shared link shows the same
// list.

import { api, ApiError } from "./api";
import { h } from "./format";
import type {
  AccountView,
  Verdict,
  VisitDetail,
  VisitPage,
  VisitReview,
  VisitSummary,
} from "./generated";
import { clock, language, t, tMaybe } from "./i18n";
import { distanceOf } from "./notifications";
import type { Page } from "./page";
import { type AnswersView, answersView, labelIn, localDate } from "./visitAnswers";
import { historySection, reviewBadge, reviewSection } from "./visitReview";
import { type DebtorPlace, type EvidenceMap, evidenceMap } from "./visitEvidence";

const OUTCOMES = [
  "paid",
  "promise_to_pay",
  "contacted",
  "third_party",
  "nobody_home",
  "wrong_address",
  "refused",
];
const STATUSES = ["planned", "in_progress", "done", "not_done", "cancelled"];
const REVIEWS = ["pending", "approved", "rejected"];
const FILTERS = ["date", "collector", "outcome", "status", "review", "team", "bucket"] as const;
/** Delinquency buckets the list filters by (server: `DelinquencyBucket` ids). */
const BUCKETS = ["d0_30", "d31_60", "d61_90", "d91_180", "d181_360", "d361_plus"];

/** Opens the Visits page. */
export function visitsPage(): Page {
  const root = h("div", { class: "visits-page" });
  const state = new VisitsPageState(root);
  // `?visit=ID` (a notification's link) opens that visit beside the list, whatever its day.
  const wanted = new URLSearchParams(location.search).get("visit");
  void state.load().then(() => {
    if (wanted) void state.open(wanted);
  });
  return {
    title: () => t("visits.title"),
    element: root,
    relabel: () => state.render(),
    destroy: () => state.destroy(),
  };
}

class VisitsPageState {
  private visits: VisitSummary[] = [];
  private next: string | null = null;
  private listState: "loading" | "ready" | { error: string } = "loading";
  private detail: VisitDetail | "loading" | { error: string } | null = null;
  /** The visited debtor's location, for the evidence map. */
  private debtor: DebtorPlace | null = null;
  private evidence: EvidenceMap | null = null;
  private answers: AnswersView | null = null;
  private destroyed = false;

  constructor(private readonly root: HTMLElement) {}

  destroy(): void {
    this.destroyed = true;
    this.evidence?.destroy();
    this.answers?.destroy();
  }

  /** Loads the first page for the URL's filters, or the next page after the current one. */
  async load(more = false): Promise<void> {
    const query = new URLSearchParams(location.search);
    query.delete("visit");
    query.set("limit", "50");
    if (more && this.next) query.set("cursor", this.next);
    if (!more) {
      this.listState = "loading";
      this.render();
    }
    try {
      const page = await api<VisitPage>("GET", `/api/v1/visits?${query}`);
      this.visits = more ? this.visits.concat(page.visits) : page.visits;
      this.next = page.next_cursor;
      this.listState = "ready";
    } catch (e) {
      this.listState = { error: e instanceof ApiError ? e.plain : String(e) };
    }
    if (!this.destroyed) this.render();
  }

  /** Shows one visit's detail (a row's button, or a link's `?visit=`). */
  async open(id: string): Promise<void> {
    this.detail = "loading";
    this.render();
    try {
      const visit = await api<VisitDetail>("GET", `/api/v1/visits/${encodeURIComponent(id)}`);
      this.debtor = await debtorPlace(visit.account);
      this.detail = visit;
    } catch (e) {
      this.detail = { error: e instanceof ApiError ? e.plain : String(e) };
    }
    if (this.destroyed) return;
    this.render();
    this.root.querySelector<HTMLElement>(".visit-detail h2")?.focus();
  }

  /** A review was stored: the detail and the list's row show it at once. */
  private reviewed(visit: VisitDetail, review: VisitReview): void {
    visit.review = review;
    const row = this.visits.find((v) => v.id === visit.id);
    if (row) row.review = review.decision;
    this.render();
    this.root.querySelector<HTMLElement>(".visit-detail .review-state")?.focus();
  }

  render(): void {
    this.evidence?.destroy();
    this.evidence = null;
    this.answers?.destroy();
    this.answers = null;
    const visit =
      this.detail !== null && typeof this.detail === "object" && "checkins" in this.detail
        ? this.detail
        : null;
    if (visit) this.answers = answersView(visit.answers, visit.form);
    const detail = detailView(this.detail, this.answers?.element ?? null);
    if (visit) {
      detail.append(
        reviewSection(visit.id, visit.status, visit.review, (r) => this.reviewed(visit, r)),
        historySection(visit.id, (path) => {
          const answer = visit.answers.find((a) => a.path === path);
          return (answer && labelIn(answer.label, visit.form)) ?? path;
        }),
      );
      const fixes = visit.checkins.flatMap((c) => c.evidence ?? []);
      this.evidence = evidenceMap(fixes, this.debtor);
      detail.append(this.evidence.element);
    }
    this.root.replaceChildren(
      h("h1", {}, t("visits.title")),
      this.filters(),
      h("div", { class: "visits-body" }, this.list(), detail),
    );
    this.evidence?.draw();
  }

  private filters(): HTMLElement {
    const current = new URLSearchParams(location.search);
    const select = (name: string, codes: string[], prefix: string) =>
      h(
        "select",
        { id: `visits-${name}`, name },
        h("option", { value: "" }, t("visits.any")),
        ...codes.map((c) =>
          h("option", { value: c, selected: current.get(name) === c }, tMaybe(prefix + c, c)),
        ),
      );
    const field = (name: string, label: string, control: HTMLElement) =>
      h("div", { class: "field" }, h("label", { for: `visits-${name}` }, label), control);
    const form = h(
      "form",
      { class: "filters", role: "search" },
      field(
        "date",
        t("visits.date"),
        h("input", {
          type: "date",
          id: "visits-date",
          name: "date",
          value: current.get("date") ?? "",
        }),
      ),
      field(
        "collector",
        t("visits.collector"),
        h("input", {
          type: "text",
          id: "visits-collector",
          name: "collector",
          placeholder: "gestor.ramirez",
          value: current.get("collector") ?? "",
        }),
      ),
      field("outcome", t("visits.outcome"), select("outcome", OUTCOMES, "outcome.")),
      field("status", t("visits.status"), select("status", STATUSES, "status.")),
      field("review", t("review.column"), select("review", REVIEWS, "review.state.")),
      field(
        "team",
        t("routesReports.team"),
        h("input", {
          type: "text",
          id: "visits-team",
          name: "team",
          value: current.get("team") ?? "",
        }),
      ),
      field(
        "bucket",
        t("routesReports.bucket"),
        select("bucket", BUCKETS, "routesReports.bucket."),
      ),
      h("button", { type: "submit", class: "primary" }, t("visits.apply")),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const query = new URLSearchParams();
      for (const name of FILTERS) {
        const value = String(data.get(name) ?? "").trim();
        if (value) query.set(name, value);
      }
      const path = query.size ? `${location.pathname}?${query}` : location.pathname;
      history.replaceState(null, "", path);
      this.detail = null;
      void this.load();
    });
    return form;
  }

  private list(): HTMLElement {
    const box = h("section", { class: "visit-list", "aria-labelledby": "visits-list-title" });
    box.append(h("h2", { id: "visits-list-title", class: "sr-only" }, t("visits.listTitle")));
    if (this.listState === "loading") {
      box.append(h("p", { class: "loading", role: "status" }, t("visits.loading")));
      return box;
    }
    if (typeof this.listState === "object") {
      const retry = h("button", { type: "button" }, t("map.retry"));
      retry.addEventListener("click", () => void this.load());
      box.append(
        h("div", { class: "error", role: "alert" }, h("p", {}, this.listState.error), retry),
      );
      return box;
    }
    if (this.visits.length === 0) {
      box.append(h("p", { class: "empty" }, t("visits.empty")));
      return box;
    }
    const rows = this.visits.map((v) => {
      const button = h(
        "button",
        { type: "button", class: "link" },
        t("visits.open", { debtor: v.debtor_name }),
      );
      button.addEventListener("click", () => void this.open(v.id));
      return h(
        "tr",
        { "data-visit": v.id, class: v.flagged ? "flagged" : undefined },
        h("td", {}, when(v.at_ms)),
        h("td", {}, button, h("br"), h("span", { class: "muted" }, v.external_id)),
        h("td", {}, v.collector_name),
        h("td", {}, tMaybe(`status.${v.status}`, v.status)),
        h("td", { class: "review-cell" }, reviewBadge(v.review, v.status) ?? "—"),
        h(
          "td",
          {},
          v.outcome ? tMaybe(`outcome.${v.outcome}`, v.outcome) : "—",
          v.flagged ? h("span", { class: "badge danger" }, t("visits.flagged")) : null,
        ),
      );
    });
    const head = [
      "visits.when",
      "visits.debtor",
      "visits.collector",
      "visits.status",
      "review.column",
      "visits.outcome",
    ] as const;
    box.append(
      h(
        "table",
        { class: "visits", "aria-labelledby": "visits-list-title" },
        h("thead", {}, h("tr", {}, ...head.map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, ...rows),
      ),
    );
    if (this.next) {
      const more = h("button", { type: "button" }, t("visits.more"));
      more.addEventListener("click", () => void this.load(true));
      box.append(more);
    }
    return box;
  }
}

/** The debtor's location from their account; null when it has none or cannot be read (the
 * visit's detail still shows, with the fixes alone). */
async function debtorPlace(account: string): Promise<DebtorPlace | null> {
  try {
    const path = `/api/v1/accounts/${encodeURIComponent(account)}`;
    const a = await api<AccountView>("GET", path);
    if (a.lat === null || a.lon === null) return null;
    return { lat: a.lat, lon: a.lon, name: a.name };
  } catch {
    return null;
  }
}

/** A moment as a date and a time of day, in the dashboard's language. */
function when(ms: number): string {
  const at = new Date(ms);
  const day = at.toLocaleDateString(language() === "es" ? "es-CO" : "en-US", {
    day: "numeric",
    month: "short",
  });
  return `${day} ${clock(at)}`;
}

function detailView(
  d: VisitDetail | "loading" | { error: string } | null,
  answers: HTMLElement | null,
): HTMLElement {
  const box = h("section", { class: "visit-detail", "aria-labelledby": "visit-detail-title" });
  if (d === null) {
    box.append(h("p", { class: "empty" }, t("visits.choose")));
    return box;
  }
  if (d === "loading") {
    box.append(h("p", { class: "loading", role: "status" }, t("visits.loadingOne")));
    return box;
  }
  if ("error" in d) {
    box.append(h("div", { class: "error", role: "alert" }, h("p", {}, d.error)));
    return box;
  }
  const facts: Array<[string, string]> = [
    [t("visits.status"), tMaybe(`status.${d.status}`, d.status)],
    [t("visits.outcome"), d.outcome ? tMaybe(`outcome.${d.outcome}`, d.outcome) : "—"],
  ];
  if (d.completed_ms !== null) facts.push([t("visits.completed"), when(d.completed_ms)]);
  // The submission as the device sent it (JSON): its promise and payment, when it has them.
  const s = d.submission;
  const sub = s !== null && typeof s === "object" && !Array.isArray(s) ? s : undefined;
  const promise = sub?.promise as { amount?: unknown; due?: string } | undefined;
  if (promise) {
    const due = promise.due ? localDate(promise.due) : "—";
    facts.push([t("visits.promise"), t("review.promise", { amount: money(promise.amount), due })]);
  }
  const payment = sub?.payment as
    | { amount?: unknown; method?: string; receipt?: string }
    | undefined;
  if (payment) {
    const method = payment.method ? tMaybe(`review.method.${payment.method}`, payment.method) : "";
    const receipt = payment.receipt ? t("review.receipt", { receipt: payment.receipt }) : "";
    const parts = [money(payment.amount), method, receipt].filter(Boolean);
    facts.push([t("visits.payment"), parts.join(" · ")]);
  }
  box.append(
    h("h2", { id: "visit-detail-title", tabindex: "-1" }, t("visits.detailTitle")),
    h("dl", { class: "facts" }, ...facts.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])),
    h("h3", {}, t("visits.answers")),
    answers ?? h("p", { class: "empty" }, t("visits.noAnswers")),
    h("h3", {}, t("visits.checkins")),
    d.checkins.length === 0
      ? h("p", { class: "empty" }, t("visits.noCheckins"))
      : h(
          "ol",
          { class: "checkins" },
          ...d.checkins.map((c) =>
            h(
              "li",
              { class: c.flagged ? "flagged" : undefined },
              h("strong", {}, clock(new Date(c.at_ms))),
              h("p", {}, t("visits.deviceVerdict", { verdict: verdictText(c.device_verdict) })),
              h("p", {}, t("visits.serverVerdict", { verdict: verdictText(c.server_verdict) })),
            ),
          ),
        ),
  );
  return box;
}

/** Money as stored: `{minor, currency}` or a plain number of minor units. */
function money(m: unknown): string {
  const value = m as { minor?: number; minor_units?: number; currency?: string } | number;
  const minor = typeof value === "number" ? value : (value?.minor ?? value?.minor_units);
  if (typeof minor !== "number") return JSON.stringify(m);
  const currency = typeof value === "object" && value.currency ? value.currency : "COP";
  const format = new Intl.NumberFormat(language() === "es" ? "es-CO" : "en-US", {
    style: "currency",
    currency,
  });
  const digits = ISO_MINOR_DIGITS[currency] ?? format.resolvedOptions().maximumFractionDigits ?? 2;
  return format.format(minor / 10 ** digits);
}

/** ISO 4217 minor units (what stored amounts count) where Intl's display digits differ: Intl
 * shows these currencies in whole units (COP 0), but the server stores hundredths (COP 2), as
 * shared/src/model/money.rs does. Elsewhere Intl's digits are ISO's (JPY 0, USD 2, KWD 3). */
const ISO_MINOR_DIGITS: Record<string, number> = {
  AFN: 2, ALL: 2, COP: 2, HUF: 2, IDR: 2, IQD: 3, IRR: 2, KPW: 2,
  LAK: 2, LBP: 2, MGA: 2, MMK: 2, PKR: 2, SOS: 2, SYP: 2, YER: 2,
};

/** A geofence verdict in words. */
function verdictText(v: Verdict): string {
  switch (v.verdict) {
    case "allowed":
      return t("visits.allowed", {
        m: Math.round(v.distance_m),
        accuracy: Math.round(v.accuracy_m),
      });
    case "refused":
      return t("visits.refused", {
        reasons: v.reasons
          .map((x) => tMaybe(`reason.${x.reason}`, x.reason, { m: Math.round(distanceOf(x)) }))
          .join(", "),
      });
    case "location_capture":
      return t("visits.locationCapture");
    default:
      // A verdict of a newer server: shown as its tag.
      return (v as { verdict: string }).verdict;
  }
}
