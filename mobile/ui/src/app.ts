// The UI's state: where the collector is (persisted, so reopening the app returns there), the
// last status, and whether the server answered the last sync.
import type { SessionStatus } from "./api";
import type { Completed } from "./generated";

export type Place =
  | { screen: "login" }
  | { screen: "route" }
  | { screen: "stop"; stop: string }
  | { screen: "visit"; stop: string }
  | { screen: "done"; stop: string; done: Completed };

const PLACE_KEY = "terreno.place";

function loadPlace(): Place {
  try {
    const p = JSON.parse(localStorage.getItem(PLACE_KEY) ?? "null");
    if (p && typeof p.screen === "string") return p as Place;
  } catch {
    // A damaged entry just means starting from the route.
  }
  return { screen: "route" };
}

export const state = {
  place: loadPlace(),
  status: null as SessionStatus | null,
  offline: false,
  syncing: false,
  notice: null as string | null,
};

type Listener = () => void;
const screenListeners: Listener[] = [];
const barListeners: Listener[] = [];

export function onScreen(l: Listener): void {
  screenListeners.push(l);
}

export function onBar(l: Listener): void {
  barListeners.push(l);
}

/** Goes to `place` (remembered across restarts). */
export function go(place: Place): void {
  state.place = place;
  localStorage.setItem(PLACE_KEY, JSON.stringify(place));
  window.scrollTo(0, 0);
  screenListeners.forEach((l) => l());
}

/** Redraws the status bar. */
export function refreshBar(): void {
  barListeners.forEach((l) => l());
}
