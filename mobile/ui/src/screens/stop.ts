// A stop: the debtor, phones, a small map, the visit history, and the check-in with live
// distance and accuracy. A refused check-in lists its reasons in the collector's words. A debtor
// without a location says so first: the check-in then proposes where the collector stands, for
// the supervisor to approve, and the banner confirms it was proposed.
import { api, isCommandError, type CommandError } from "../api";
import type { StopDetail } from "../generated";
import { go, refreshBar, state } from "../app";
import { h, mount } from "../dom";
import { formatDistance, formatTime, t, tCode } from "../i18n";
import { miniMap } from "./map";

const LIVE_EVERY_MS = 3_000;
let timer: number | undefined;

export async function renderStop(screen: HTMLElement, stop: string): Promise<void> {
  window.clearInterval(timer);
  let detail: StopDetail;
  try {
    detail = await api.stop(stop);
  } catch (e) {
    mount(screen, backButton(), h("div", { class: "error-box" }, isCommandError(e) ? e.message : String(e)));
    return;
  }
  const a = detail.account;
  const noLocation = a.lat === null || a.lon === null;
  const live = h("div", { class: "live", id: "live" }, t("noPosition"));
  const map = h("div", { id: "map" });
  const refusal = h("div", { id: "refusal", role: "alert" });
  const onRoute = (await api.route().catch(() => [])).find((s) => s.external_id === a.external_id);
  const status = onRoute?.status ?? "planned";
  const action =
    status === "checked_in"
      ? h("button", { class: "primary big", id: "continue", onclick: () => go({ screen: "visit", stop }) }, t("continueVisit"))
      : status === "done" || status === "not_done"
        ? h("p", { class: "good" }, tCode("status", status))
        : checkInButton(stop, refusal, noLocation);
  mount(
    screen,
    backButton(),
    h("h1", { id: "stop-name" }, a.name),
    h("p", {}, a.address, a.neighbourhood ? ` · ${a.neighbourhood}` : ""),
    h(
      "table",
      { class: "facts-table" },
      h("tr", {}, h("th", {}, t("balance")), h("td", {}, `${(a.balance_minor / 100).toLocaleString("es-CO")} ${a.currency}`)),
      h("tr", {}, h("th", {}, t("bucket")), h("td", {}, `${a.bucket} (${a.days_past_due} d)`)),
      a.contact_window ? h("tr", {}, h("th", {}, t("window")), h("td", {}, a.contact_window)) : null,
    ),
    a.phones.length
      ? h("div", { class: "phones" }, h("strong", {}, `${t("phones")}: `), a.phones.map((p) => h("a", { href: `tel:${p}` }, p)))
      : null,
    noLocation && status !== "done" && status !== "not_done"
      ? h("p", { class: "banner info", id: "no-location" }, t("noLocationNotice"))
      : null,
    live,
    action,
    refusal,
    map,
    h("h2", {}, t("history")),
    detail.visits.length
      ? h(
          "ul",
          { class: "history" },
          detail.visits.map((v) =>
            h("li", {}, `${formatTime(v.completed_at ?? v.checked_in_at)} · ${v.outcome ? tCode("outcome", v.outcome) : tCode("status", v.status)}`),
          ),
        )
      : h("p", { class: "muted" }, t("noHistory")),
  );
  const update = async () => {
    if (state.place.screen !== "stop" || !live.isConnected) {
      window.clearInterval(timer);
      return;
    }
    const [route, position] = await Promise.all([api.route().catch(() => []), api.position().catch(() => null)]);
    const here = route.find((s) => s.external_id === a.external_id);
    const fix = position?.last ?? null;
    mount(
      live,
      !fix
        ? t("noPosition")
        : noLocation
          ? `${t("accuracy")}: ±${Math.round(fix.accuracy_m)} m`
          : `${t("distance")}: ${formatDistance(here?.distance_m ?? null)} · ${t("accuracy")}: ±${Math.round(fix.accuracy_m)} m`,
    );
    mount(map, miniMap(a.lat, a.lon, fix));
  };
  void update();
  timer = window.setInterval(() => void update(), LIVE_EVERY_MS);
  onMoved = () => void update();
}

// The position, the clock or the data changed (a replay step, a sync): refresh at once.
let onMoved: () => void = () => {};
window.addEventListener("terreno:changed", () => onMoved());

function backButton(): HTMLElement {
  return h("p", {}, h("button", { id: "back", onclick: () => go({ screen: "route" }) }, `← ${t("back")}`));
}

function checkInButton(stop: string, refusal: HTMLElement, noLocation: boolean): HTMLElement {
  const label = noLocation ? t("checkInAndPropose") : t("checkIn");
  const button = h(
    "button",
    {
      class: "primary big",
      id: "checkin",
      onclick: async () => {
        button.disabled = true;
        button.textContent = t("checkingIn");
        mount(refusal);
        try {
          const done = await api.checkIn(stop);
          if (done.verdict.verdict === "location_capture") {
            state.notice = t("locationProposed", { acc: Math.round(done.verdict.accuracy_m) });
            refreshBar();
          }
          go({ screen: "visit", stop });
        } catch (e) {
          mount(refusal, refusalBox(e));
          refusal.scrollIntoView({ block: "center" });
          button.disabled = false;
          button.textContent = label;
        }
      },
    },
    label,
  );
  return button;
}

/** The reasons of a refused check-in, in plain words. */
export function refusalBox(e: unknown): HTMLElement {
  if (!isCommandError(e)) return h("div", { class: "error-box" }, String(e));
  const reasons = reasonsOf(e);
  return h(
    "div",
    { class: "refusal" },
    h("h3", {}, t("refused")),
    h("ul", { id: "reasons" }, (reasons.length ? reasons : [e.message]).map((r) => h("li", {}, r))),
  );
}

function reasonsOf(e: CommandError): string[] {
  const d = e.details ?? {};
  const r = (x: number | undefined) => Math.round(x ?? 0);
  if (d.verdict?.reasons) {
    return d.verdict.reasons.map((x: any) =>
      tCode("reason", x.reason, {
        age: r(x.age_secs),
        acc: r(x.accuracy_m),
        speed: r(x.speed_ms),
        dist: r(x.distance_m),
        radius: r(x.radius_m),
        secs: r(x.secs),
        min: r(x.min_secs),
      }),
    );
  }
  if (d.contact?.rule) {
    const rules = [d.contact.rule, ...(d.contact.also ?? [])].map((x: any) => tCode("rule", x.rule));
    if (d.contact.next_allowed) rules.push(`${t("allowedFrom")} ${formatTime(d.contact.next_allowed)}`);
    return rules;
  }
  return [];
}
