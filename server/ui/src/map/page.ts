// The live map page: loads `/api/v1/map`, draws it, then follows the live feed. Beside the
// map, the collectors as a list (the keyboard and screen-reader way to the same facts: name,
// freshness, battery, stops) and the notifications. The feed's state is always shown, so a
// supervisor knows whether what they see is current.

import { api, ApiError } from "../api";
import { ago, h } from "../format";
import { clock, percent, t, tMaybe } from "../i18n";
import { type FeedState, type LiveEvent, LiveFeed } from "../live";
import { type Note, Notifications } from "../notifications";
import type { Page } from "../page";
import { type Collector, type MapResponse, MapModel, freshness, isLow } from "./model";
import { MapView, batteryText, reasonsText } from "./view";

/** How often freshness is re-evaluated with no event (live turns late by itself). */
const REFRESH_MS = 15_000;
/** The list is rebuilt at most this often: with a team reporting every few seconds, one
 * rebuild per event would keep the browser busy redrawing a list nobody can read that fast. */
const LIST_EVERY_MS = 500;

/** Opens the live map page; `sessionEnded` is called when the feed says the session is over. */
export function mapPage(toasts: HTMLElement, sessionEnded: () => void): Page {
  const root = h("div", { class: "map-page" });
  const state = new MapPageState(root, toasts, sessionEnded);
  void state.load();
  return {
    title: () => t("map.title"),
    element: root,
    relabel: () => state.relabel(),
    destroy: () => state.destroy(),
  };
}

class MapPageState {
  private model: MapModel | null = null;
  private view: MapView | null = null;
  private feed: LiveFeed | null = null;
  private feedState: FeedState = { kind: "connecting" };
  private timer: number | undefined;
  private listTimer: number | undefined;
  private destroyed = false;
  private tilesFailed = false;
  private readonly notes: Notifications;
  private readonly side = h("aside", { class: "side" });
  private readonly status = h("p", { class: "feed-status", role: "status" });
  private mapBox = h("div", { class: "map", id: "map", role: "region" });
  /** The day shown (`YYYY-MM-DD`); null: today, as the server counts it. */
  private day: string | null = null;
  private shownDay = "";
  private readonly banner = h("p", { class: "map-banner", role: "note" });

  constructor(
    private readonly root: HTMLElement,
    toasts: HTMLElement,
    private readonly sessionEnded: () => void,
  ) {
    this.notes = new Notifications(toasts, (n) => this.open(n));
  }

  /** (Re)loads the map of the day chosen; the live feed, once open, stays open. */
  async load(): Promise<void> {
    this.view?.destroy();
    this.view = null;
    this.model = null;
    this.root.replaceChildren(h("p", { class: "loading", role: "status" }, t("map.loading")));
    let load: MapResponse;
    try {
      const query = this.day ? `?date=${encodeURIComponent(this.day)}` : "";
      load = await api<MapResponse>("GET", `/api/v1/map${query}`);
    } catch (e) {
      if (this.destroyed) return;
      const plain = e instanceof ApiError ? e.plain : String(e);
      const retry = h("button", { type: "button" }, t("map.retry"));
      retry.addEventListener("click", () => void this.load());
      this.root.replaceChildren(
        h("div", { class: "error", role: "alert" }, h("p", {}, plain), retry),
      );
      return;
    }
    if (this.destroyed) return;
    this.model = new MapModel(load.settings, load, this.day === null);
    this.shownDay = load.date;
    this.mapBox = h("div", { class: "map", id: "map", role: "region" });
    this.root.replaceChildren(
      this.side,
      h("div", { class: "map-column" }, this.banner, this.mapBox),
    );
    this.view = new MapView(this.mapBox, this.model, () => {
      this.tilesFailed = true;
      this.relabelBanner();
    });
    this.view.drawAll();
    this.view.fitAll();
    this.relabel();
    if (this.feed) return;
    this.feed = new LiveFeed({
      event: (e) => this.onEvent(e),
      state: (s) => {
        this.feedState = s;
        this.relabelStatus();
      },
      sessionEnded: this.sessionEnded,
    });
    this.timer = window.setInterval(() => {
      this.view?.refresh();
      this.renderSide();
    }, REFRESH_MS);
  }

  relabel(): void {
    this.mapBox.setAttribute("aria-label", t("map.region"));
    this.relabelBanner();
    this.relabelStatus();
    this.renderSide();
    this.view?.drawAll();
  }

  destroy(): void {
    this.destroyed = true;
    this.feed?.close();
    window.clearInterval(this.timer);
    window.clearTimeout(this.listTimer);
    this.view?.destroy();
  }

  private onEvent(e: LiveEvent): void {
    if (!this.model || !this.view) return;
    const change = this.model.apply(e);
    if (change.kind === "all") this.view.drawAll();
    if (change.kind === "collector") this.view.drawCollector(change.username);
    if (change.kind === "refusal") this.view.addRefusal(change.refusal);
    if (change.kind !== "none") this.scheduleSide();
    const note = this.noteOf(e);
    if (note) this.notes.add(note);
  }

  private noteOf(e: LiveEvent): Note | null {
    const who = (username: string) =>
      this.model?.collectors.get(username)?.display_name ?? username;
    const at = new Date();
    switch (e.type) {
      case "visit_completed":
        return {
          kind: e.type,
          at,
          username: e.username,
          text: () =>
            t("notes.visitCompleted", {
              who: who(e.username),
              debtor: e.debtor,
              outcome: tMaybe(`outcome.${e.outcome}`, e.outcome),
            }),
        };
      case "check_in_refused": {
        const refusal = this.model?.refused.find((r) => r.visit === e.visit && r.at === e.at);
        return {
          kind: e.type,
          at,
          username: e.username,
          text: () =>
            t("notes.checkInRefused", {
              who: who(e.username),
              reasons: refusal ? reasonsText(refusal) : "",
            }),
        };
      }
      case "low_battery":
        return {
          kind: e.type,
          at,
          username: e.username,
          text: () => t("notes.lowBattery", { who: who(e.username), pct: percent(e.battery) }),
        };
      case "device_offline":
        return {
          kind: e.type,
          at,
          username: e.username,
          text: () =>
            t("notes.deviceOffline", { who: who(e.username), time: clock(new Date(e.last_seen)) }),
        };
      default:
        return null;
    }
  }

  private open(n: Note): void {
    this.view?.focus(n.username);
  }

  private relabelBanner(): void {
    const text = this.tilesFailed
      ? t("map.tilesFailed")
      : this.model?.settings.tiles
        ? ""
        : t("map.noTiles");
    this.banner.textContent = text;
    this.banner.hidden = text === "";
  }

  private relabelStatus(): void {
    const s = this.feedState;
    this.status.className = `feed-status ${s.kind}`;
    this.status.textContent =
      s.kind === "open"
        ? t("feed.open")
        : s.kind === "connecting"
          ? t("feed.connecting")
          : t("feed.retrying", { secs: s.inSecs });
  }

  private scheduleSide(): void {
    if (this.listTimer !== undefined) return;
    this.listTimer = window.setTimeout(() => {
      this.listTimer = undefined;
      if (!this.destroyed) this.renderSide();
    }, LIST_EVERY_MS);
  }

  private renderSide(): void {
    if (!this.model) return;
    const collectors = this.model.sorted();
    const list = h("ul", { class: "collectors" });
    for (const c of collectors) list.append(h("li", {}, this.collectorButton(c)));
    if (collectors.length === 0) list.append(h("li", { class: "empty" }, t("map.noCollectors")));
    const day = h("input", { type: "date", id: "map-day", value: this.shownDay });
    day.addEventListener("change", () => {
      this.day = day.value || null;
      // The panel is rebuilt by the load: keep the keyboard where it was.
      void this.load().then(() => document.getElementById("map-day")?.focus());
    });
    this.side.replaceChildren(
      this.status,
      h("div", { class: "day" }, h("label", { for: "map-day" }, t("map.day")), day),
      h("h2", { id: "collectors-title" }, t("map.collectors", { count: collectors.length })),
      list,
      this.notes.section(),
    );
  }

  private collectorButton(c: Collector): HTMLElement {
    const s = this.model!.settings;
    const p = c.position;
    const done = c.stops.filter((x) => x.status !== "planned" && x.status !== "in_progress").length;
    const stops = c.stops.length > 0 ? t("map.stops", { done, total: c.stops.length }) : null;
    if (!p) {
      return h(
        "div",
        { class: "collector-row no-position", "data-username": c.username },
        h("span", { class: "name" }, c.display_name),
        h("span", { class: "detail" }, t("map.noPosition")),
        stops ? h("span", { class: "detail" }, stops) : null,
      );
    }
    const fresh = freshness(new Date(p.last_seen), new Date(), s);
    const low = isLow(p.battery, s);
    const button = h(
      "button",
      {
        type: "button",
        class: `collector-row ${fresh}`,
        "data-username": c.username,
        title: t("map.showOnMap", { name: c.display_name }),
      },
      h("span", { class: "name" }, c.display_name),
      h("span", { class: `pill ${fresh}` }, t(`fresh.${fresh}`)),
      h(
        "span",
        { class: `detail${low ? " low-battery" : ""}` },
        batteryText(p.battery, low, p.charging),
      ),
      h("span", { class: "detail" }, ago(new Date(p.last_seen), new Date())),
      stops ? h("span", { class: "detail" }, stops) : null,
    );
    button.addEventListener("click", () => this.view?.focus(c.username));
    return button;
  }
}
