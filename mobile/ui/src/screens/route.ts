// Today's route in visiting order: distance from here, delinquency bucket, balance, contact
// window, status, and for a stop that may not be visited now, from when it may.
import { api, isCommandError } from "../api";
import type { RouteStop } from "../generated";
import { go, state } from "../app";
import { languageButton, shiftButton } from "../bar";
import { h, mount } from "../dom";
import { formatDistance, formatTime, t, tCode } from "../i18n";

let shown: HTMLElement | null = null;
window.addEventListener("terreno:changed", () => {
  if (shown && state.place.screen === "route" && shown.isConnected) void renderRoute(shown);
});

export async function renderRoute(screen: HTMLElement): Promise<void> {
  shown = screen;
  let stops: RouteStop[];
  try {
    stops = await api.route();
  } catch (e) {
    mount(screen, h("h1", {}, t("route")), h("div", { class: "error-box" }, isCommandError(e) ? e.message : String(e)));
    return;
  }
  const list = h("ul", { class: "stops", id: "stops" }, stops.map(stopCard));
  mount(
    screen,
    h("div", { class: "row" }, h("h1", { class: "grow" }, t("route")), shiftButton()),
    stops.length ? list : h("p", { id: "no-stops" }, t("noStops")),
    h("p", {}, languageButton()),
  );
}

function stopCard(s: RouteStop): HTMLElement {
  return h(
    "li",
    {},
    h(
      "button",
      {
        class: `stop ${s.status}`,
        "data-stop": s.external_id,
        onclick: () => go({ screen: s.status === "checked_in" ? "visit" : "stop", stop: s.external_id }),
      },
      h("div", {}, h("span", { class: "order" }, s.order), h("span", { class: "name" }, s.name)),
      h("div", {}, s.address),
      h(
        "div",
        { class: "facts" },
        h("span", { class: `tag ${s.status}` }, tCode("status", s.status)),
        h("span", {}, `${t("distance")}: ${formatDistance(s.distance_m)}`),
        h("span", {}, `${t("bucket")}: ${s.bucket}`),
        h("span", {}, `${t("balance")}: ${s.balance}`),
        s.contact_window ? h("span", {}, `${t("window")}: ${s.contact_window}`) : null,
      ),
      s.next_allowed
        ? h("div", { class: "notnow" }, `${t("notNow")} · ${t("allowedFrom")} ${formatTime(s.next_allowed)}`)
        : null,
    ),
  );
}
