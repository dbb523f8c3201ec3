// A small map that needs no tiles (collectors are offline most of the day): the debtor's door,
// the collector's position and its accuracy circle, drawn to scale in SVG.
import { h } from "../dom";
import { t } from "../i18n";
import type { LastFix } from "../api";

const SVG = "http://www.w3.org/2000/svg";
const W = 600;
const HGT = 220;
const MIN_SPAN_M = 200;

function el(tag: string, attrs: Record<string, string | number>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  return e;
}

export function miniMap(lat: number | null, lon: number | null, fix: LastFix | null): Element {
  if (lat === null || lon === null) return h("p", { class: "notnow" }, t("mapNoLocation"));
  // Local flat projection around the door: metres east and north.
  const cos = Math.cos((lat * Math.PI) / 180);
  const toM = (la: number, lo: number): [number, number] => [(lo - lon) * 111_320 * cos, (la - lat) * 110_540];
  const you = fix ? toM(fix.lat, fix.lon) : null;
  const reach = Math.max(MIN_SPAN_M / 2, you ? Math.hypot(you[0], you[1]) + fix!.accuracy_m : 0);
  const scale = (Math.min(W, HGT) / 2 - 14) / reach;
  const px = ([x, y]: [number, number]) => [W / 2 + x * scale, HGT / 2 - y * scale];
  const svg = el("svg", { viewBox: `0 0 ${W} ${HGT}`, class: "map", role: "img" });
  const [dx, dy] = px([0, 0]);
  svg.append(el("rect", { x: dx - 9, y: dy - 9, width: 18, height: 18, fill: "#a3001b", stroke: "#000", "stroke-width": 3 }));
  if (you && fix) {
    const [yx, yy] = px(you);
    svg.append(
      el("circle", { cx: yx, cy: yy, r: Math.max(4, fix.accuracy_m * scale), fill: "rgba(11,79,58,0.18)", stroke: "#0b4f3a", "stroke-width": 2 }),
      el("circle", { cx: yx, cy: yy, r: 8, fill: "#0b4f3a", stroke: "#fff", "stroke-width": 3 }),
    );
    const label = el("text", { x: yx + 12, y: yy - 10, "font-size": 22, "font-weight": 800 });
    label.textContent = t("you");
    svg.append(label);
  }
  const bar = el("text", { x: 10, y: HGT - 10, "font-size": 18 });
  bar.textContent = `${Math.round(reach)} m`;
  svg.append(bar);
  return svg;
}
