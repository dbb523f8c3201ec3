// A visit's check-in evidence on a small Leaflet map: every fix a verdict was judged on with
// its accuracy circle (mock-location fixes in red), and the debtor's location the geofence
// measured from. No street tiles: the distances between the dots are the evidence, and the
// map must read the same offline. Beside it, a sentence says what the map shows, for people
// who cannot see it.

import L from "leaflet";
import "leaflet/dist/leaflet.css";

import { h } from "./format";
import type { RawFix } from "./generated";
import { clock, t } from "./i18n";

/** Where the debtor lives, when the account has a location. */
export interface DebtorPlace {
  lat: number;
  lon: number;
  name: string;
}

/** A drawn evidence map; `destroy` releases Leaflet's handlers. */
export interface EvidenceMap {
  element: HTMLElement;
  /** Draws into the element once it is in the document (Leaflet measures its box). */
  draw(): void;
  destroy(): void;
}

/** The map of `fixes` around `debtor`. */
export function evidenceMap(fixes: RawFix[], debtor: DebtorPlace | null): EvidenceMap {
  const box = h("div", {
    class: "evidence-map map no-tiles",
    // A region, not an image: it can be zoomed and its circles have tooltips (an image must
    // hold nothing interactive).
    role: "region",
    "aria-label": t("visits.mapLabel", { n: fixes.length }),
  });
  const summary = h(
    "p",
    { class: "muted" },
    debtor
      ? t("visits.mapSummary", { n: fixes.length, debtor: debtor.name })
      : t("visits.mapNoDebtor", { n: fixes.length }),
  );
  const element = h("figure", { class: "evidence" }, box, h("figcaption", {}, summary));
  let map: L.Map | null = null;
  return {
    element,
    draw() {
      if (map) return;
      map = L.map(box, { attributionControl: false, zoomControl: true });
      const bounds = L.latLngBounds([]);
      for (const f of fixes) {
        const at = L.latLng(f.lat, f.lon);
        const colour = f.mock ? "#b3261e" : "#0b5cad";
        const accuracy = Math.round(f.accuracy_m);
        L.circle(at, {
          radius: f.accuracy_m,
          color: colour,
          weight: 1,
          fillOpacity: 0.08,
          className: "fix-accuracy",
        }).addTo(map);
        L.circleMarker(at, { radius: 3, color: colour, fillOpacity: 1, weight: 1 })
          .bindTooltip(t("map.fixTime", { time: clock(new Date(f.t)), accuracy }))
          .addTo(map);
        bounds.extend(at);
      }
      if (debtor) {
        const home = L.latLng(debtor.lat, debtor.lon);
        L.circleMarker(home, {
          radius: 9,
          color: "#1f2328",
          weight: 3,
          fillColor: "#ffbf47",
          fillOpacity: 1,
          className: "debtor-place",
        })
          .bindTooltip(t("visits.debtorHere", { debtor: debtor.name }), {
            permanent: true,
            direction: "top",
            offset: [0, -8],
          })
          .addTo(map);
        bounds.extend(home);
      }
      if (bounds.isValid()) map.fitBounds(bounds.pad(0.3), { maxZoom: 18 });
      else map.setView([4.65, -74.1], 11);
    },
    destroy() {
      map?.remove();
      map = null;
    },
  };
}
