// What the live map knows, kept apart from how it is drawn: the first load of
// `/api/v1/map`, then every feed event applied to it. Each apply says what changed, so the view
// redraws only that collector, stop or refusal. No DOM, no Leaflet here.

import type {
  LiveEvent,
  MapCollector,
  MapRefusal,
  MapResponse,
  MapSettings,
  MapStop,
  Position,
} from "../generated";

/** The map's records, by the names the map's modules use (`GET /api/v1/map`). */
export type Stop = MapStop;
export type Refusal = MapRefusal;
export type Collector = MapCollector;
export type { MapResponse, MapSettings };

/** How recently a collector was heard from. */
export type Freshness = "live" | "late" | "silent";

/** The freshness of a position last heard at `lastSeen`, as of `now`. */
export function freshness(lastSeen: Date, now: Date, s: MapSettings): Freshness {
  const secs = (now.getTime() - lastSeen.getTime()) / 1000;
  if (secs >= s.silent_after_secs) return "silent";
  if (secs >= s.late_after_secs) return "late";
  return "live";
}

/** Whether a battery level is below the server's low threshold. */
export function isLow(battery: number | null, s: MapSettings): boolean {
  return battery !== null && battery < s.low_battery;
}

/** What an applied event changed. */
export type Change =
  | { kind: "position"; username: string }
  | { kind: "collector"; username: string }
  | { kind: "all" }
  | { kind: "refusal"; refusal: Refusal }
  | { kind: "none" };

/** Collectors by login name, and the day's refusals. */
export class MapModel {
  readonly collectors = new Map<string, Collector>();
  readonly refused: Refusal[] = [];

  /** `growsTracks`: live positions extend the tracks (only when the map shows today). */
  constructor(
    readonly settings: MapSettings,
    load: MapResponse,
    private readonly growsTracks: boolean,
  ) {
    for (const c of load.collectors) this.collectors.set(c.username, c);
    this.refused.push(...load.refused);
  }

  /** Collectors sorted by the name shown. */
  sorted(): Collector[] {
    return [...this.collectors.values()].sort((a, b) =>
      a.display_name.localeCompare(b.display_name),
    );
  }

  /** Applies a feed event. */
  apply(e: LiveEvent): Change {
    switch (e.type) {
      case "snapshot":
        for (const p of e.positions) this.place(p);
        return { kind: "all" };
      case "position": {
        const { type: _, ...p } = e;
        return this.place(p) ? { kind: "position", username: p.username } : { kind: "none" };
      }
      case "visit_completed": {
        const c = this.collectors.get(e.username);
        const stop = this.stopOf(e.username, e.account);
        if (!c || !stop) {
          // Without detail only the count is known; a stop with an earlier visit that day
          // may count twice until the next load.
          if (!c || c.detail) return { kind: "none" };
          c.stops_done = Math.min(c.stops_total, c.stops_done + 1);
          return { kind: "collector", username: e.username };
        }
        if (stop.status === "planned" || stop.status === "in_progress") c.stops_done += 1;
        stop.status = ["nobody_home", "wrong_address"].includes(e.outcome) ? "not_done" : "done";
        stop.outcome = e.outcome;
        return { kind: "collector", username: e.username };
      }
      case "check_in": {
        const stop = this.stopOf(e.username, e.account);
        if (!stop || stop.status !== "planned") return { kind: "none" };
        stop.status = "in_progress";
        return { kind: "collector", username: e.username };
      }
      case "check_in_refused": {
        const stop = this.stopOf(e.username, e.account);
        const refusal: Refusal = {
          visit: e.visit,
          account: e.account,
          username: e.username,
          debtor: stop?.debtor ?? e.account,
          lat: stop?.lat ?? null,
          lon: stop?.lon ?? null,
          at: e.at,
          server_verdict: e.server_verdict,
        };
        this.refused.push(refusal);
        return { kind: "refusal", refusal };
      }
      case "device_offline":
      case "low_battery":
        // Freshness and battery come from positions; these only notify.
        return { kind: "none" };
    }
  }

  /** Moves a collector to a newer position; false when it is not newer than the one shown. */
  private place(p: Position): boolean {
    let c = this.collectors.get(p.username);
    if (!c) {
      c = {
        username: p.username,
        display_name: p.username,
        team: null,
        position: null,
        detail: true,
        track: [],
        stops: [],
        stops_total: 0,
        stops_done: 0,
      };
      this.collectors.set(p.username, c);
    }
    if (c.position && new Date(c.position.t) > new Date(p.t)) return false;
    const moved = !c.position || c.position.lat !== p.lat || c.position.lon !== p.lon;
    c.position = p;
    if (moved && this.growsTracks && c.detail) c.track.push([p.lat, p.lon]);
    return true;
  }

  /** Fills in a collector's track and stops, loaded on demand (`?username=`). */
  addDetail(loaded: Collector): void {
    const c = this.collectors.get(loaded.username);
    if (!c || c.detail) return;
    c.detail = true;
    c.track = loaded.track;
    c.stops = loaded.stops;
    c.stops_total = loaded.stops_total;
    c.stops_done = loaded.stops_done;
  }

  private stopOf(username: string, account: string): Stop | undefined {
    return this.collectors.get(username)?.stops.find((s) => s.account === account);
  }
}
