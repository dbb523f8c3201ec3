// The dashboard's words, Spanish first and English second. The language comes from the
// browser (English only when the browser prefers it) and can be switched; the choice is kept.
// Pages re-render on a switch through onLanguageChange, so no text is cached elsewhere.
// The words themselves live in one data file per language under `lang/`; this is the lookup.

import { en } from "./lang/en";
import { es, type Key } from "./lang/es";

/** A language the dashboard speaks. */
export type Lang = "es" | "en";

/** The languages, in the order the switch offers them, with their own names. */
export const LANGUAGES: ReadonlyArray<{ code: Lang; name: string }> = [
  { code: "es", name: "Español" },
  { code: "en", name: "English" },
];

const dictionaries: Record<Lang, Record<Key, string>> = { es, en };
const STORAGE_KEY = "terreno.lang";
const listeners = new Set<() => void>();

/** The browser's preference: English when it comes before Spanish, Spanish otherwise. */
export function preferredLanguage(languages: readonly string[]): Lang {
  for (const l of languages) {
    const base = l.toLowerCase().split("-")[0];
    if (base === "es") return "es";
    if (base === "en") return "en";
  }
  return "es";
}

function initial(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === "es" || saved === "en") return saved;
  return preferredLanguage(navigator.languages ?? [navigator.language]);
}

let current: Lang = initial();
document.documentElement.lang = current;

/** The language in use. */
export function language(): Lang {
  return current;
}

/** Switches the language, remembers it and re-renders whoever listens. */
export function setLanguage(lang: Lang): void {
  if (lang === current) return;
  current = lang;
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  listeners.forEach((f) => f());
}

/** Calls `f` after every language switch; returns the unsubscribe function. */
export function onLanguageChange(f: () => void): () => void {
  listeners.add(f);
  return () => listeners.delete(f);
}

/** The text of `key` with `{name}` placeholders filled in. */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  const text = dictionaries[current][key];
  return text.replace(/\{(\w+)\}/g, (all, name: string) =>
    name in params ? String(params[name]) : all,
  );
}

/** `t` for keys built at run time (a status or reason code from the server); `fallback` when
 * the dictionary has no such key, so a new code shows as itself rather than breaking. */
export function tMaybe(
  key: string,
  fallback: string,
  params: Record<string, string | number> = {},
): string {
  return key in es ? t(key as Key, params) : fallback;
}

/** A time of day in the dashboard's language. */
export function clock(at: Date): string {
  return at.toLocaleTimeString(current === "es" ? "es-CO" : "en-US", {
    hour: "2-digit",
    minute: "2-digit",
  });
}

/** A fraction as a whole percentage (0.153 → "15 %" / "15%"). */
export function percent(fraction: number): string {
  const n = Math.round(fraction * 100);
  return current === "es" ? `${n} %` : `${n}%`;
}

export type { Key };
