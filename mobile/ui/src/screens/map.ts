// A small map that works without tiles (collectors are offline most of the day): the debtor's
// door, the collector's position and its accuracy circle, drawn to scale in SVG. Under them go
// the map tiles of the organization's tile server when the core has them (its offline cache, or
// one fetch while online), with the server's credit in a corner; with none the map stays plain.
import { api } from "../api";
import { state } from "../app";
import { h } from "../dom";
import { t } from "../i18n";
import type { LastFix } from "../api";

const SVG = "http://www.w3.org/2000/svg";
const W = 600;
const HGT = 220;
const MIN_SPAN_M = 200;
/** Metres per pixel of a 256-pixel web-mercator tile at zoom 0, on the equator. */
const M_PER_PX_Z0 = 156_543.033_92;
/** The deepest zoom asked for (OpenStreetMap's standard tiles stop at 19). */
const MAX_ZOOM = 19;
/** More tiles than this means the span is wrong, not a map worth drawing. */
const MAX_TILES = 24;
/** A tile that came back empty is not asked for again before this. */
const RETRY_MISSING_MS = 60_000;
const MAX_LAT = 85.051_128;

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
  const [tiles, credit] = tileLayer(lat, lon, scale, (la, lo) => px(toM(la, lo)) as [number, number]);
  svg.append(tiles);
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
  svg.append(bar, credit);
  return svg;
}

// ---- Tiles -------------------------------------------------------------------------------

/** One tile of the current drawing: its key `z/x/y` and where it goes in the SVG. */
interface Placed {
  z: number;
  x: number;
  y: number;
  box: { x: number; y: number; width: number; height: number };
}

/** The drawing tiles arrive into: the newest map's tile group, the tiles it wants, its credit. */
let current: { layer: SVGGElement; wanted: Map<string, Placed>; credit: SVGTextElement } | null = null;
/** Blob URLs of the tiles the current map shows; the ones a redraw no longer uses are revoked. */
const shown = new Map<string, string>();
const inFlight = new Set<string>();
/** Tiles that came back empty (offline, none on the server), and when. */
const missing = new Map<string, number>();

/** Web-mercator tile coordinates (fractional) of a point at zoom `z`. */
function tileOf(la: number, lo: number, z: number): [number, number] {
  const n = 2 ** z;
  const phi = (Math.max(-MAX_LAT, Math.min(MAX_LAT, la)) * Math.PI) / 180;
  return [((lo + 180) / 360) * n, ((1 - Math.log(Math.tan(phi) + 1 / Math.cos(phi)) / Math.PI) / 2) * n];
}

/** The latitude and longitude of a tile corner. */
function cornerOf(x: number, y: number, z: number): [number, number] {
  const n = 2 ** z;
  return [(Math.atan(Math.sinh(Math.PI * (1 - (2 * y) / n))) * 180) / Math.PI, (x / n) * 360 - 180];
}

/**
 * The group of tile images under the vector layer, for a map centred on `lat`/`lon` at `scale`
 * SVG units per metre (`at` places a point), and the tile server's credit, hidden until a tile
 * shows. Tiles already shown are drawn at once, the others are asked for and added as they come.
 */
function tileLayer(
  lat: number,
  lon: number,
  scale: number,
  at: (la: number, lo: number) => [number, number],
): [SVGGElement, SVGTextElement] {
  // Tiles reach past the map's edges; the clip keeps them inside its frame.
  const clipId = `map-clip-${Math.random().toString(36).slice(2)}`;
  const clip = el("clipPath", { id: clipId });
  clip.append(el("rect", { x: 0, y: 0, width: W, height: HGT }));
  const defs = el("defs", {});
  defs.append(clip);
  const layer = el("g", { "clip-path": `url(#${clipId})` }) as SVGGElement;
  const group = el("g", {}) as SVGGElement;
  group.append(defs, layer);
  const wanted = covering(lat, lon, scale, at);
  const credit = el("text", {
    x: W - 6,
    y: HGT - 6,
    "font-size": 13,
    "text-anchor": "end",
    fill: "#222",
    stroke: "#fff",
    "stroke-width": 3,
    "paint-order": "stroke",
    visibility: "hidden",
  }) as SVGTextElement;
  credit.textContent = state.status?.device.map_attribution ?? "";
  current = { layer, wanted, credit };
  for (const [key, url] of shown) {
    if (!wanted.has(key)) {
      URL.revokeObjectURL(url);
      shown.delete(key);
    }
  }
  const now = Date.now();
  for (const [key, placed] of wanted) {
    const url = shown.get(key);
    if (url) draw(placed, url);
    else if (!inFlight.has(key) && now - (missing.get(key) ?? -Infinity) >= RETRY_MISSING_MS) void fetchTile(key, placed);
  }
  return [group, credit];
}

/** The tiles covering the map, at the zoom whose tile pixels are closest to screen pixels. */
function covering(lat: number, lon: number, scale: number, at: (la: number, lo: number) => [number, number]): Map<string, Placed> {
  const wanted = new Map<string, Placed>();
  const cos = Math.cos((lat * Math.PI) / 180);
  // The map is as wide as the screen, at most W pixels: on a phone one SVG unit is under a pixel.
  const pxPerUnit = Math.min(1, (document.documentElement.clientWidth || W) / W);
  const z = Math.max(0, Math.min(MAX_ZOOM, Math.round(Math.log2(M_PER_PX_Z0 * cos * scale * pxPerUnit))));
  // No tile server (the status carries its credit when there is one): nothing to ask for.
  if (state.status?.device.map_attribution == null || !Number.isFinite(z)) return wanted;
  // The map's corners: metres from the centre, back to degrees with the map's own projection.
  const halfE = W / 2 / scale / (111_320 * cos);
  const halfN = HGT / 2 / scale / 110_540;
  const [x0, y0] = tileOf(lat + halfN, lon - halfE, z);
  const [x1, y1] = tileOf(lat - halfN, lon + halfE, z);
  const last = 2 ** z - 1;
  const xs = [Math.max(0, Math.floor(x0)), Math.min(last, Math.floor(x1))];
  const ys = [Math.max(0, Math.floor(y0)), Math.min(last, Math.floor(y1))];
  if ((xs[1] - xs[0] + 1) * (ys[1] - ys[0] + 1) > MAX_TILES) return wanted;
  for (let x = xs[0]; x <= xs[1]; x++) {
    for (let y = ys[0]; y <= ys[1]; y++) {
      const [nx, ny] = at(...cornerOf(x, y, z));
      const [sx, sy] = at(...cornerOf(x + 1, y + 1, z));
      // Half a unit of overlap hides the seams between neighbours.
      wanted.set(`${z}/${x}/${y}`, { z, x, y, box: { x: nx, y: ny, width: sx - nx + 0.5, height: sy - ny + 0.5 } });
    }
  }
  return wanted;
}

async function fetchTile(key: string, placed: Placed): Promise<void> {
  inFlight.add(key);
  let bytes: ArrayBuffer | null = null;
  try {
    bytes = await api.tile(placed.z, placed.x, placed.y);
  } catch {
    // A tile is decoration: without it the plain map is still right.
  } finally {
    inFlight.delete(key);
  }
  if (!bytes || bytes.byteLength === 0) {
    missing.set(key, Date.now());
    return;
  }
  missing.delete(key);
  const now = current?.wanted.get(key);
  if (!now || shown.has(key)) return;
  const url = URL.createObjectURL(new Blob([bytes], { type: imageType(new Uint8Array(bytes)) }));
  shown.set(key, url);
  draw(now, url);
}

function draw(placed: Placed, url: string): void {
  if (!current) return;
  const { x, y, width, height } = placed.box;
  current.layer.append(el("image", { href: url, x, y, width, height, preserveAspectRatio: "none" }));
  if (current.credit.textContent) current.credit.setAttribute("visibility", "visible");
}

/** The image's media type from its first bytes (tile servers send PNG, JPEG or WebP). */
function imageType(b: Uint8Array): string {
  if (b[0] === 0x89 && b[1] === 0x50) return "image/png";
  if (b[0] === 0xff && b[1] === 0xd8) return "image/jpeg";
  if (b[0] === 0x52 && b[8] === 0x57) return "image/webp";
  return "application/octet-stream";
}
