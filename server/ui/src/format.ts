// Small formatting helpers shared by the pages.

import { t } from "./i18n";

/** How long ago `at` was, as of `now` ("hace 3 min" / "3 min ago"). */
export function ago(at: Date, now: Date): string {
  const secs = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (secs < 10) return t("ago.now");
  if (secs < 60) return t("ago.secs", { n: secs });
  if (secs < 3600) return t("ago.mins", { n: Math.floor(secs / 60) });
  return t("ago.hours", { n: Math.floor(secs / 3600) });
}

/** An element with attributes and children; text children are inserted as text, never HTML. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | boolean | undefined> = {},
  ...children: Array<Node | string | null | undefined>
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children) {
    if (c !== null && c !== undefined) el.append(c);
  }
  return el;
}

/** Initials of a display name, for a marker ("Gestor Ramírez" → "GR"). */
export function initials(name: string): string {
  const words = name.split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words;
  return letters.map((w) => w[0]?.toUpperCase() ?? "").join("") || "?";
}
