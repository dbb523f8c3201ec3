// The Routes page's captured locations: debtors without a location for whom a collector's
// check-in proposed one (`GET /api/v1/location-captures`). Each shows the proposed point, its
// accuracy, who checked in and when; approving makes it the debtor's location (devices get it on
// their next pull), rejecting drops it. The list is read again after each decision.

import { ApiError, api } from "./api";
import { h } from "./format";
import type { LocationCapture } from "./generated";
import { clock, t } from "./i18n";

type State =
  { kind: "loading" } | { kind: "failed"; plain: string } | { kind: "ready"; captures: LocationCapture[] };

/** The captured-locations section; `element` stays the same node across renders. */
export class LocationCaptures {
  readonly element = h("section", { class: "captures", "aria-labelledby": "captures-title" });
  private state: State = { kind: "loading" };
  private notice: { ok: boolean; text: string } | null = null;
  private busy = false;
  private destroyed = false;

  destroy(): void {
    this.destroyed = true;
  }

  async load(): Promise<void> {
    try {
      const captures = await api<LocationCapture[]>("GET", "/api/v1/location-captures");
      this.state = { kind: "ready", captures };
    } catch (e) {
      this.state = { kind: "failed", plain: e instanceof ApiError ? e.plain : String(e) };
    }
    if (!this.destroyed) this.render();
  }

  render(): void {
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
      h("h2", { id: "captures-title", tabindex: "-1" }, t("routesReports.capturesTitle")),
      h("p", { class: "hint" }, t("routesReports.capturesHint")),
      notice,
      this.body(),
    );
  }

  private body(): HTMLElement {
    const s = this.state;
    if (s.kind === "loading") {
      return h("p", { class: "loading", role: "status" }, t("routesReports.loadingCaptures"));
    }
    if (s.kind === "failed") return h("p", { class: "error", role: "alert" }, s.plain);
    if (s.captures.length === 0) return h("p", { class: "empty" }, t("routesReports.noCaptures"));
    const head = [
      "routesReports.debtor",
      "routesReports.proposed",
      "routesReports.accuracy",
      "routesReports.collector",
      "routesReports.when",
      "routesReports.decision",
    ] as const;
    return h(
      "table",
      { class: "captures-table" },
      h("caption", {}, t("routesReports.capturesCaption", { n: s.captures.length })),
      h("thead", {}, h("tr", {}, ...head.map((k) => h("th", { scope: "col" }, t(k))))),
      h("tbody", {}, ...s.captures.map((c) => this.row(c))),
    );
  }

  private row(c: LocationCapture): HTMLElement {
    const approve = h(
      "button",
      {
        type: "button",
        class: "primary",
        disabled: this.busy,
        "aria-label": t("routesReports.approveFor", { debtor: c.debtor }),
      },
      t("routesReports.approve"),
    );
    const reject = h(
      "button",
      {
        type: "button",
        disabled: this.busy,
        "aria-label": t("routesReports.rejectFor", { debtor: c.debtor }),
      },
      t("routesReports.reject"),
    );
    approve.addEventListener("click", () => void this.decide(c, "approve"));
    reject.addEventListener("click", () => void this.decide(c, "reject"));
    return h(
      "tr",
      { "data-capture": `${c.device}/${c.seq}` },
      h(
        "th",
        { scope: "row" },
        h("strong", {}, c.debtor),
        h("br"),
        `${c.external_id} · ${c.address}`,
      ),
      h("td", {}, `${c.lat.toFixed(5)}, ${c.lon.toFixed(5)}`),
      h("td", {}, t("routesReports.metres", { n: Math.round(c.accuracy_m) })),
      h("td", {}, c.collector),
      h("td", {}, `${new Date(c.at).toLocaleDateString()} ${clock(new Date(c.at))}`),
      h("td", { class: "decision" }, approve, reject),
    );
  }

  private async decide(c: LocationCapture, how: "approve" | "reject"): Promise<void> {
    this.busy = true;
    this.render();
    const path = `/api/v1/location-captures/${encodeURIComponent(c.device)}/${c.seq}/${how}`;
    try {
      await api("POST", path);
      const key = how === "approve" ? "routesReports.approved" : "routesReports.rejected";
      this.notice = { ok: true, text: t(key, { debtor: c.debtor }) };
    } catch (e) {
      this.notice = { ok: false, text: e instanceof ApiError ? e.plain : String(e) };
    }
    this.busy = false;
    if (!this.destroyed) await this.load();
    this.element.querySelector<HTMLElement>("#captures-title")?.focus();
  }
}
