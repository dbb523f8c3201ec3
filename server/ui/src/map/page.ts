// The live map page: loads `/api/v1/map`, draws it, then follows the shell's live feed. Beside
// the map, the collectors as a list (the keyboard and screen-reader way to the same facts: name,
// freshness, battery, stops) and the notifications. The feed's state is always shown, so a
// supervisor knows whether what they see is current.

import { api, ApiError } from "../api";
import { ago, h } from "../format";
import type { LiveEvent } from "../generated";
import { t } from "../i18n";
import type { FeedState } from "../live";
import type { Note, Notifications } from "../notifications";
import type { Page } from "../page";
import { type Collector, type MapResponse, MapModel, freshness, isLow } from "./model";
import { MapView, batteryText } from "./view";

/** How often freshness is re-evaluated with no event (live turns late by itself). */
const REFRESH_MS = 15_000;
/** The list is rebuilt at most this often: with a team reporting every few seconds, one
 * rebuild per event would keep the browser busy redrawing a list nobody can read that fast. */
const LIST_EVERY_MS = 500;
/** Above this many collectors, at most one rebuild every few seconds: a list of thousands
 * costs tens of milliseconds to build, which would eat the frames panning needs. */
const LONG_LIST = 200;
const LONG_LIST_EVERY_MS = 3_000;

/** Opens the live map page, with the session's notifications beside it and the feed's state as
 * the shell last saw it; `?focus=USERNAME` centres that collector once loaded. */
export function mapPage(notes: Notifications, feedState: FeedState): Page {
  const root = h("div", { class: "map-page" });
  const state = new MapPageState(root, notes, feedState);
  void state.load(new URLSearchParams(location.search).get("focus"));
  return {
    title: () => t("map.title"),
    element: root,
    relabel: () => state.relabel(),
    destroy: () => state.destroy(),
    live: (e) => state.onEvent(e),
    feedState: (s) => state.setFeedState(s),
    openNote: (n) => state.open(n),
  };
}

class MapPageState {
  private model: MapModel | null = null;
  private view: MapView | null = null;
  private timer: number | undefined;
  private listTimer: number | undefined;
  private destroyed = false;
  private tilesFailed = false;
  /** Redraws waiting for the next frame. */
  private frame: number | undefined;
  private dirtyAll = false;
  private readonly dirty = new Set<string>();
  private readonly moved = new Set<string>();
  private readonly side = h("aside", { class: "side" });
  private readonly status = h("p", { class: "feed-status", role: "status" });
  private mapBox = h("div", { class: "map", id: "map", role: "region" });
  /** The day shown (`YYYY-MM-DD`); null: today, as the server counts it. */
  private day: string | null = null;
  private shownDay = "";
  private readonly banner = h("p", { class: "map-banner", role: "note" });

  constructor(
    private readonly root: HTMLElement,
    private readonly notes: Notifications,
    private feedState: FeedState,
  ) {}

  /** (Re)loads the map of the day chosen, then centres `focus` (a username) if given. */
  async load(focus: string | null = null): Promise<void> {
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
    if (focus) void this.focus(focus);
    if (this.timer !== undefined) return;
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
    if (this.frame !== undefined) cancelAnimationFrame(this.frame);
    window.clearInterval(this.timer);
    window.clearTimeout(this.listTimer);
    this.view?.destroy();
  }

  /** A frame of the live feed (the shell raises its notifications). The model takes it at
   * once; drawing waits for the next animation frame, so a burst of positions (2,000
   * collectors reporting every few seconds) redraws each collector at most once per frame. */
  onEvent(e: LiveEvent): void {
    if (!this.model || !this.view) return;
    const change = this.model.apply(e);
    if (change.kind === "none") return;
    if (change.kind === "all") this.dirtyAll = true;
    if (change.kind === "collector") this.dirty.add(change.username);
    if (change.kind === "position") this.moved.add(change.username);
    if (change.kind === "refusal") this.view.addRefusal(change.refusal);
    if (this.frame === undefined) this.frame = requestAnimationFrame(() => this.flush());
    this.scheduleSide();
  }

  private flush(): void {
    this.frame = undefined;
    const view = this.view;
    if (!view || this.destroyed) return;
    if (this.dirtyAll) view.drawAll();
    else {
      for (const u of this.dirty) view.drawCollector(u);
      for (const u of this.moved) if (!this.dirty.has(u)) view.drawPosition(u);
    }
    this.dirtyAll = false;
    this.dirty.clear();
    this.moved.clear();
  }

  setFeedState(s: FeedState): void {
    this.feedState = s;
    this.relabelStatus();
  }

  /** A notification about a collector centres them here; one about a visit opens the visit. */
  open(n: Note): boolean {
    if (n.kind === "visit_completed" || !this.view) return false;
    void this.focus(n.username);
    return true;
  }

  /** Centres a collector, first loading their track and stops when the load left them out. */
  private async focus(username: string): Promise<void> {
    const c = this.model?.collectors.get(username);
    if (c && !c.detail) {
      const query = new URLSearchParams({ username, date: this.shownDay });
      try {
        const one = await api<MapResponse>("GET", `/api/v1/map?${query}`);
        if (this.destroyed || !this.model || !this.view) return;
        const loaded = one.collectors[0];
        if (loaded) {
          this.model.addDetail(loaded);
          this.view.drawCollector(username);
        }
      } catch {
        // The marker is still there to centre; the track comes on a later look.
      }
    }
    this.view?.focus(username);
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
    }, (this.model?.collectors.size ?? 0) > LONG_LIST ? LONG_LIST_EVERY_MS : LIST_EVERY_MS);
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
    const stops =
      c.stops_total > 0 ? t("map.stops", { done: c.stops_done, total: c.stops_total }) : null;
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
    button.addEventListener("click", () => this.focus(c.username));
    return button;
  }
}
