// Draws the map model with Leaflet: a marker per collector (colour and outline by freshness,
// battery under it, low battery in red), today's track, today's stops by status, and refused
// check-ins. Every marker carries data-* attributes and an accessible name, so keyboard users,
// screen readers and the browser tests read the same facts the colours show.

import L from "leaflet";
import "leaflet/dist/leaflet.css";

import { ago, h, initials } from "../format";
import { clock, percent, t, tMaybe } from "../i18n";
import { reasonsText } from "../notifications";
import { type Collector, type MapModel, type Refusal, type Stop, freshness, isLow } from "./model";

/** Where the map opens when nothing has a location yet (Bogotá). */
const DEFAULT_CENTER: L.LatLngTuple = [4.65, -74.1];

/** Freshness colours of the canvas markers (the CSS variables of the same names). */
const FRESH_COLOURS: Record<string, string> = { live: "#1a7f37", late: "#9a6700", silent: "#57606a" };

const STOP_COLOURS: Record<string, string> = {
  planned: "#ffffff",
  in_progress: "#0969da",
  done: "#1a7f37",
  not_done: "#9a6700",
  cancelled: "#6e7781",
};

/** The battery words of a position. */
export function batteryText(
  battery: number | null,
  low: boolean,
  charging: boolean | null,
): string {
  if (battery === null) return t("battery.unknown");
  const words = t(low ? "battery.low" : "battery.label", { pct: percent(battery) });
  return charging ? `${words}, ${t("battery.charging")}` : words;
}

/** The Leaflet map of a model. */
export class MapView {
  private readonly map: L.Map;
  private readonly markers = new Map<string, L.Marker | L.CircleMarker>();
  /** An organization too large for detail (tracks and stops come per collector) is drawn as
   * dots on one canvas: thousands of DOM markers make panning stutter for seconds. The list
   * beside the map is then the keyboard's and screen reader's way to each collector. */
  private readonly overview: boolean;
  private readonly canvas = L.canvas({ padding: 0.2 });
  /** What each marker's icon shows, to replace it only when that changes. */
  private readonly shown = new Map<string, string>();
  private readonly tracks = new Map<string, L.Polyline>();
  private readonly stops = new Map<string, L.LayerGroup>();
  private readonly refusals = L.layerGroup();

  constructor(
    container: HTMLElement,
    private readonly model: MapModel,
    onTilesFailed: () => void,
  ) {
    this.overview = [...model.collectors.values()].some((c) => !c.detail);
    this.map = L.map(container, { zoomControl: true, attributionControl: true });
    this.map.attributionControl.setPrefix(false);
    const tiles = model.settings.tiles;
    if (tiles) {
      const layer = L.tileLayer(tiles.url, {
        maxZoom: 19,
        attribution: escapeHtml(tiles.attribution),
      });
      layer.once("tileerror", onTilesFailed);
      layer.addTo(this.map);
    } else {
      container.classList.add("no-tiles");
    }
    this.refusals.addTo(this.map);
    this.map.setView(DEFAULT_CENTER, 12);
  }

  /** Draws everything again (first load, a snapshot, a language switch). */
  drawAll(): void {
    for (const c of this.model.collectors.values()) this.drawCollector(c.username);
    this.refusals.clearLayers();
    for (const r of this.model.refused) this.addRefusal(r);
  }

  /** Frames every position and stop. */
  fitAll(): void {
    const points: L.LatLngTuple[] = [];
    for (const c of this.model.collectors.values()) {
      if (c.position) points.push([c.position.lat, c.position.lon]);
      for (const s of c.stops) if (s.lat !== null && s.lon !== null) points.push([s.lat, s.lon]);
    }
    // Markers hang below their point (the battery badge): more room at the bottom.
    if (points.length > 0) {
      this.map.fitBounds(L.latLngBounds(points), {
        paddingTopLeft: [50, 50],
        paddingBottomRight: [50, 90],
        maxZoom: 16,
        // An animated zoom still running when the page leaves breaks Leaflet's removal.
        animate: false,
      });
    }
  }

  /** Redraws one collector's marker, track and stops. */
  drawCollector(username: string): void {
    const c = this.model.collectors.get(username);
    if (!c) return;
    this.drawTrack(c);
    this.drawStops(c);
    this.drawMarker(c);
  }

  /** Redraws what a new position changes: the marker and the track, not the stops. */
  drawPosition(username: string): void {
    const c = this.model.collectors.get(username);
    if (!c) return;
    this.drawTrack(c);
    this.drawMarker(c);
  }

  /** Re-evaluates freshness (time passes without events). */
  refresh(): void {
    for (const c of this.model.collectors.values()) this.drawMarker(c);
  }

  /** Centres a collector and opens their popup. */
  focus(username: string): void {
    const marker = this.markers.get(username);
    if (!marker) return;
    this.map.setView(marker.getLatLng(), Math.max(this.map.getZoom(), 15));
    marker.openPopup();
  }

  /** Marks a refused check-in. */
  addRefusal(r: Refusal): void {
    if (r.lat === null || r.lon === null) return;
    const label = `${t("map.refused")}: ${r.debtor} (${reasonsText(r)})`;
    const icon = L.divIcon({
      className: "refusal-marker",
      html: h("span", { "aria-hidden": "true" }, "✕"),
      iconSize: [28, 28],
      iconAnchor: [14, 14],
    });
    const popup = h(
      "div",
      { class: "popup" },
      h("strong", {}, t("map.refused")),
      h("p", {}, `${r.debtor} · ${r.username}`),
      h("p", {}, t("map.refusedAt", { time: clock(new Date(r.at)) })),
      h("p", {}, reasonsText(r)),
    );
    L.marker([r.lat, r.lon], { icon, title: label, alt: label, keyboard: true, zIndexOffset: 500 })
      .bindPopup(popup)
      .addTo(this.refusals);
  }

  /** Removes the map (the page is leaving). */
  destroy(): void {
    this.map.stop();
    this.map.remove();
  }

  private drawMarker(c: Collector): void {
    const p = c.position;
    const old = this.markers.get(c.username);
    if (!p) {
      old?.remove();
      this.markers.delete(c.username);
      this.shown.delete(c.username);
      return;
    }
    const s = this.model.settings;
    const fresh = freshness(new Date(p.last_seen), new Date(), s);
    const low = isLow(p.battery, s);
    const battery = batteryText(p.battery, low, p.charging);
    if (this.overview) {
      this.drawDot(c, old, fresh, low, battery);
      return;
    }
    const badge = p.battery === null ? "?" : percent(p.battery);
    // The name a screen reader says starts with what the marker shows (initials, battery), so
    // someone who sees it and speaks to their reader can name it (WCAG 2.5.3).
    const label = `${initials(c.display_name)} ${badge} · ${c.display_name}: ${t(`fresh.${fresh}`)}, ${battery}`;
    const popup = this.popup(c, fresh, battery, low);
    // A new icon is a new element: a keyboard user focused on the marker would lose the focus,
    // so the icon is only replaced when something it shows changed.
    const shown = [fresh, low, badge, label, p.lat, p.lon, p.charging].join("|");
    if (old && this.shown.get(c.username) === shown) {
      old.setPopupContent(popup);
      return;
    }
    this.shown.set(c.username, shown);
    const html = h(
      "div",
      {
        class: `collector ${fresh}${low ? " low" : ""}`,
        "data-username": c.username,
        "data-lat": String(p.lat),
        "data-lon": String(p.lon),
        "data-freshness": fresh,
        "data-battery": p.battery === null ? "" : String(p.battery),
      },
      h("span", { class: "dot", "aria-hidden": "true" }, initials(c.display_name)),
      h(
        "span",
        { class: "battery", "aria-hidden": "true" },
        `${low ? "⚠ " : ""}${p.charging ? "⚡" : ""}${badge}`,
      ),
    );
    const icon = L.divIcon({
      className: "collector-marker",
      html,
      iconSize: [56, 62],
      iconAnchor: [28, 22],
    });
    if (old) {
      old.setLatLng([p.lat, p.lon]);
      (old as L.Marker).setIcon(icon);
      (old as L.Marker).options.title = label;
      old.getElement()?.setAttribute("title", label);
      old.getElement()?.setAttribute("aria-label", label);
      old.setPopupContent(popup);
      return;
    }
    const marker = L.marker([p.lat, p.lon], {
      icon,
      title: label,
      alt: label,
      keyboard: true,
      riseOnHover: true,
      zIndexOffset: 1000,
    })
      .bindPopup(popup)
      .addTo(this.map);
    marker.getElement()?.setAttribute("aria-label", label);
    this.markers.set(c.username, marker);
  }

  /** A collector as a dot on the canvas: colour by freshness, a thick red ring when the
   * battery is low; the popup is built when opened, not for every dot on every redraw. */
  private drawDot(
    c: Collector,
    old: L.Marker | L.CircleMarker | undefined,
    fresh: string,
    low: boolean,
    battery: string,
  ): void {
    const p = c.position!;
    const style: L.CircleMarkerOptions = {
      renderer: this.canvas,
      radius: low ? 8 : 7,
      color: low ? "#cf222e" : "#ffffff",
      weight: low ? 3 : 1.5,
      fillColor: FRESH_COLOURS[fresh] ?? FRESH_COLOURS.silent,
      fillOpacity: 0.95,
    };
    const popup = () => this.popup(c, fresh, battery, low);
    if (old instanceof L.CircleMarker) {
      old.setLatLng([p.lat, p.lon]);
      old.setStyle(style);
      old.setPopupContent(popup as unknown as L.Content);
      return;
    }
    old?.remove();
    // Leaflet calls a function content when the popup opens (its typings omit that form).
    const dot = L.circleMarker([p.lat, p.lon], style)
      .bindPopup(popup as unknown as L.Content)
      .addTo(this.map);
    this.markers.set(c.username, dot);
  }

  private popup(c: Collector, fresh: string, battery: string, low: boolean): HTMLElement {
    const p = c.position!;
    const done = c.stops_done;
    return h(
      "div",
      { class: "popup" },
      h("strong", {}, c.display_name),
      h(
        "p",
        {},
        `${t(`fresh.${fresh}` as "fresh.live")} · ${t("map.lastSeen", { ago: ago(new Date(p.last_seen), new Date()) })}`,
      ),
      h("p", { class: low ? "low-battery" : undefined }, battery),
      h(
        "p",
        {},
        t("map.fixTime", { time: clock(new Date(p.t)), accuracy: Math.round(p.accuracy_m) }),
      ),
      c.stops_total > 0 ? h("p", {}, t("map.stops", { done, total: c.stops_total })) : null,
    );
  }

  private drawTrack(c: Collector): void {
    const line = this.tracks.get(c.username);
    if (line) {
      line.setLatLngs(c.track);
      return;
    }
    if (c.track.length < 2) return;
    const drawn = L.polyline(c.track, {
      color: "#0b5cad",
      weight: 3,
      opacity: 0.75,
      interactive: false,
    }).addTo(this.map);
    this.tracks.set(c.username, drawn);
  }

  private drawStops(c: Collector): void {
    this.stops.get(c.username)?.remove();
    const group = L.layerGroup();
    for (const s of c.stops) {
      if (s.lat === null || s.lon === null) continue;
      L.circleMarker([s.lat, s.lon], {
        radius: 8,
        color: "#24292f",
        weight: 2,
        fillColor: STOP_COLOURS[s.status] ?? "#ffffff",
        fillOpacity: 1,
        className: `stop stop-${s.status}`,
      })
        .bindTooltip(`${stopLabel(s)} · ${c.display_name}`)
        .addTo(group);
    }
    group.addTo(this.map);
    this.stops.set(c.username, group);
  }
}

function stopLabel(s: Stop): string {
  const status = tMaybe(`status.${s.status}`, s.status);
  const outcome = s.outcome ? `, ${tMaybe(`outcome.${s.outcome}`, s.outcome)}` : "";
  return `${t("map.stop", { n: s.position + 1, debtor: s.debtor })} (${status}${outcome})`;
}

function escapeHtml(text: string): string {
  const div = document.createElement("div");
  div.textContent = text;
  return div.innerHTML;
}
