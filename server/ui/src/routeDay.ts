// The Routes page's day view, below the upload: each collector's stops of a chosen local day
// (`GET /api/v1/routes?date=`) with debtor, address and visit status. A supervisor moves a stop
// up or down (`PUT /api/v1/routes/{collector}/{date}/order`, the whole order at once) or gives
// its debtor to another collector of their teams (`POST /api/v1/routes/stops/{id}/reassign`);
// after each change the day is read again, so the page shows what the server stored. Every
// control is a real button or select with a label naming the debtor, so it works by keyboard and
// reads well with a screen reader.

import { ApiError, api } from "./api";
import { h } from "./format";
import type { DayRoute, DayRoutes, DayStop } from "./generated";
import { t, tMaybe } from "./i18n";

type State =
  | { kind: "loading" }
  | { kind: "failed"; plain: string }
  | { kind: "ready"; date: string; collectors: DayRoute[] };

/** A note about the last change, kept across re-renders. */
type Notice = { ok: boolean; text: string } | null;

/** Today in the browser's zone, as an `<input type=date>` value. */
function today(): string {
  const d = new Date();
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** The day's routes section; `element` stays the same node across renders. */
export class RouteDay {
  readonly element = h("section", { class: "route-day", "aria-labelledby": "route-day-title" });
  private state: State = { kind: "loading" };
  private notice: Notice = null;
  private busy = false;
  private destroyed = false;
  private readonly date = h("input", { type: "date", id: "route-day-date", value: today() });
  /** The control to focus after the next render (a moved stop's button keeps the focus). */
  private focusAfter: string | null = null;

  destroy(): void {
    this.destroyed = true;
  }

  async load(): Promise<void> {
    this.state = { kind: "loading" };
    this.render();
    try {
      const q = new URLSearchParams({ date: this.date.value || today() });
      const day = await api<DayRoutes>("GET", `/api/v1/routes?${q}`);
      this.state = { kind: "ready", date: day.date, collectors: day.collectors };
    } catch (e) {
      this.state = { kind: "failed", plain: e instanceof ApiError ? e.plain : String(e) };
    }
    if (this.destroyed) return;
    this.render();
    if (this.focusAfter) {
      // A stop moved to an end has that button disabled: the other one keeps the focus.
      const find = (key: string) =>
        this.element.querySelector<HTMLButtonElement>(`[data-focus="${key}"]`);
      const other = this.focusAfter.startsWith("up-")
        ? this.focusAfter.replace("up-", "down-")
        : this.focusAfter.replace("down-", "up-");
      const first = find(this.focusAfter);
      (first && !first.disabled ? first : find(other))?.focus();
      this.focusAfter = null;
    }
  }

  render(): void {
    const form = h(
      "form",
      { class: "range" },
      h(
        "div",
        { class: "field" },
        h("label", { for: "route-day-date" }, t("routesReports.day")),
        this.date,
      ),
      h("button", { type: "submit" }, t("routesReports.showDay")),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.notice = null;
      void this.load();
    });
    const notice = this.notice
      ? h(
          "p",
          {
            class: this.notice.ok ? "notice ok" : "notice error",
            role: this.notice.ok ? "status" : "alert",
          },
          this.notice.text,
        )
      : h("p", { class: "notice", role: "status" });
    this.element.replaceChildren(
      h("h2", { id: "route-day-title" }, t("routesReports.dayTitle")),
      h("p", { class: "hint" }, t("routesReports.dayHint")),
      form,
      notice,
      this.body(),
    );
  }

  private body(): HTMLElement {
    const s = this.state;
    if (s.kind === "loading") {
      return h("p", { class: "loading", role: "status" }, t("routesReports.loadingDay"));
    }
    if (s.kind === "failed") return h("p", { class: "error", role: "alert" }, s.plain);
    if (s.collectors.length === 0) {
      return h("p", { class: "empty" }, t("routesReports.noCollectors"));
    }
    if (s.collectors.every((c) => c.stops.length === 0)) {
      return h("p", { class: "empty" }, t("routesReports.noStops", { date: s.date }));
    }
    return h(
      "div",
      { class: "route-list" },
      ...s.collectors.map((c) => this.collectorView(c, s.collectors, s.date)),
    );
  }

  private collectorView(c: DayRoute, all: DayRoute[], date: string): HTMLElement {
    const id = `route-of-${c.username}`;
    const name = c.team
      ? `${c.display_name} (${c.username}) · ${c.team}`
      : `${c.display_name} (${c.username})`;
    const title = c.active ? name : `${name} · ${t("routesReports.disabled")}`;
    const stops =
      c.stops.length === 0
        ? h("p", { class: "empty" }, t("routesReports.routeEmpty"))
        : h(
            "ol",
            { class: "route-stops", "aria-labelledby": id },
            ...c.stops.map((s, i) => this.stopView(c, s, i, all, date)),
          );
    return h(
      "section",
      { class: "route-of", "data-collector": c.username },
      h(
        "h3",
        { id },
        title,
        " ",
        h("span", { class: "count" }, t("routesReports.stopCount", { n: c.stops.length })),
      ),
      stops,
    );
  }

  private stopView(c: DayRoute, s: DayStop, i: number, all: DayRoute[], date: string): HTMLElement {
    const up = h(
      "button",
      {
        type: "button",
        "data-focus": `up-${s.id}`,
        "aria-label": t("routesReports.moveUp", { debtor: s.debtor }),
        disabled: i === 0 || this.busy,
      },
      "↑",
    );
    const down = h(
      "button",
      {
        type: "button",
        "data-focus": `down-${s.id}`,
        "aria-label": t("routesReports.moveDown", { debtor: s.debtor }),
        disabled: i === c.stops.length - 1 || this.busy,
      },
      "↓",
    );
    up.addEventListener("click", () => void this.move(c, i, -1, date, `up-${s.id}`));
    down.addEventListener("click", () => void this.move(c, i, 1, date, `down-${s.id}`));
    // Only active collectors can take a debtor (the server refuses a disabled one).
    const others = all.filter((o) => o.username !== c.username && o.active);
    const selectId = `reassign-${s.id}`;
    const select = h(
      "select",
      { id: selectId, disabled: others.length === 0 || this.busy },
      h("option", { value: "" }, t("routesReports.chooseCollector")),
      ...others.map((o) => h("option", { value: o.username }, `${o.display_name} (${o.username})`)),
    );
    const give = h(
      "button",
      { type: "button", class: "reassign", disabled: others.length === 0 || this.busy },
      t("routesReports.reassign"),
    );
    give.addEventListener("click", () => void this.reassign(s, select));
    return h(
      "li",
      { "data-stop": s.id, "data-external-id": s.external_id },
      h(
        "div",
        { class: "stop-text" },
        h("strong", {}, s.debtor),
        ` · ${s.external_id} · ${s.address} · `,
        h("span", { class: `status status-${s.status}` }, tMaybe(`status.${s.status}`, s.status)),
        s.outcome ? ` · ${tMaybe(`outcome.${s.outcome}`, s.outcome)}` : "",
      ),
      h(
        "div",
        { class: "stop-actions" },
        up,
        down,
        h(
          "label",
          { for: selectId, class: "sr-only" },
          t("routesReports.reassignTo", { debtor: s.debtor }),
        ),
        select,
        give,
      ),
    );
  }

  /** Swaps stop `i` with its neighbour and stores the whole new order. */
  private async move(
    c: DayRoute,
    i: number,
    by: number,
    date: string,
    focus: string,
  ): Promise<void> {
    const order = c.stops.map((s) => s.id);
    [order[i], order[i + by]] = [order[i + by], order[i]];
    const path = `/api/v1/routes/${encodeURIComponent(c.username)}/${date}/order`;
    await this.change(
      () => api("PUT", path, { stops: order }),
      t("routesReports.moved", { debtor: c.stops[i].debtor, n: i + by + 1 }),
      focus,
    );
  }

  private async reassign(s: DayStop, select: HTMLSelectElement): Promise<void> {
    const to = select.value;
    if (!to) {
      this.notice = { ok: false, text: t("routesReports.pickFirst", { debtor: s.debtor }) };
      this.render();
      this.element.querySelector<HTMLElement>(`#reassign-${CSS.escape(s.id)}`)?.focus();
      return;
    }
    const path = `/api/v1/routes/stops/${encodeURIComponent(s.id)}/reassign`;
    await this.change(
      () => api("POST", path, { collector: to }),
      t("routesReports.reassigned", { debtor: s.debtor, collector: to }),
      null,
    );
  }

  /** Runs an edit, then reads the day again whatever happened (the server is the truth). */
  private async change(
    edit: () => Promise<unknown>,
    done: string,
    focus: string | null,
  ): Promise<void> {
    this.busy = true;
    this.render();
    try {
      await edit();
      this.notice = { ok: true, text: done };
      this.focusAfter = focus;
    } catch (e) {
      this.notice = { ok: false, text: e instanceof ApiError ? e.plain : String(e) };
    }
    this.busy = false;
    if (!this.destroyed) await this.load();
  }
}
