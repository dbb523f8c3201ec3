// The status bar, on every screen: offline banner, pending changes, last sync and a sync
// button; the shift (and so whether the GPS records) with its button; battery. On a desktop
// replaying a track, a strip to move the simulated position and clock.
import { api, isCommandError } from "./api";
import { refreshBar, state } from "./app";
import { h, mount } from "./dom";
import { formatTime, t, toggleLang } from "./i18n";
import { pollStatus, syncNow } from "./session";

// The replay strip (desktop) sits below the screen, built once and only its value updated
// (never while being typed in); the bar is redrawn on every status poll.
let replay: { strip: HTMLElement; input: HTMLInputElement } | null = null;

export function renderBar(bar: HTMLElement, footer: HTMLElement): void {
  const s = state.status;
  if (s?.position.replay) {
    if (!replay) {
      replay = replayStrip();
      mount(footer, replay.strip);
    }
    const at = s.position.replay.at ?? s.position.replay.starts_at ?? "";
    if (document.activeElement !== replay.input) replay.input.value = at;
  }
  renderMain(bar);
}

function renderMain(bar: HTMLElement): void {
  const s = state.status;
  const parts: HTMLElement[] = [];
  if (state.offline) parts.push(h("div", { class: "banner offline", id: "offline" }, t("offline")));
  if (state.notice) parts.push(h("div", { class: "banner info", id: "notice" }, state.notice));
  if (!s) {
    parts.push(h("div", { class: "bar" }, h("div", { class: "line" }, h("strong", {}, t("appName")))));
    mount(bar, ...parts);
    return;
  }
  const d = s.device;
  const pending = d.pending_events + d.pending_attachments;
  const battery = s.position.battery;
  const level =
    battery.level !== null
      ? `${Math.round(battery.level * 100)} %${battery.charging ? ` (${t("charging")})` : ""}`
      : d.battery_percent !== null
        ? `${d.battery_percent} %`
        : t("unknown");
  parts.push(
    h(
      "div",
      { class: "bar" },
      h(
        "div",
        { class: "line" },
        h("span", { class: "pending", id: "pending" }, `${t("pending")}: ${pending}`),
        h(
          "button",
          { id: "sync", onclick: () => void syncNow(), disabled: state.syncing },
          state.syncing ? t("syncing") : t("syncNow"),
        ),
      ),
      h("div", { class: "line small" }, h("span", { id: "last-sync" }, `${t("lastSync")}: ${formatTime(d.last_sync)}`)),
      h(
        "div",
        { class: "line small" },
        h("span", { id: "shift" }, d.shift_started ? t("shiftOn") : t("shiftOff")),
        h("span", { id: "battery" }, `${t("battery")}: ${level}`),
      ),
      s.position.source === "none" ? h("div", { class: "line small" }, t("noGps")) : null,
    ),
  );
  mount(bar, ...parts);
}

/** The shift button (on the route screen): tracking runs only on shift. */
export function shiftButton(): HTMLElement {
  const on = Boolean(state.status?.device.shift_started);
  return h("button", { id: "shift-toggle", class: on ? "" : "primary", onclick: () => void toggleShift() }, on ? t("endShift") : t("startShift"));
}

/** Switches the UI's language (Spanish / English). */
export function languageButton(): HTMLElement {
  return h("button", { id: "language", onclick: () => { toggleLang(); location.reload(); } }, t("language"));
}

async function toggleShift(): Promise<void> {
  try {
    if (state.status?.device.shift_started) await api.shiftEnd();
    else await api.shiftStart();
    state.notice = null;
  } catch (e) {
    state.notice = isCommandError(e) ? e.message : String(e);
  }
  await pollStatus();
  window.dispatchEvent(new Event("terreno:changed"));
}

// Desktop demos and tests: the replay moves the position and the clock together.
function replayStrip(): { strip: HTMLElement; input: HTMLInputElement } {
  const input = h("input", { id: "replay-at", "aria-label": t("replay") });
  const move = async (iso: string) => {
    try {
      await api.replayTo(new Date(iso).toISOString());
      state.notice = null;
    } catch (e) {
      state.notice = isCommandError(e) ? e.message : String(e);
    }
    await pollStatus();
    refreshBar();
    window.dispatchEvent(new Event("terreno:changed"));
  };
  const plus = (minutes: number) => () => {
    const base = new Date(input.value || Date.now());
    void move(new Date(base.getTime() + minutes * 60_000).toISOString());
  };
  const strip = h(
    "div",
    { class: "replay row" },
    h("strong", {}, t("replay")),
    input,
    h("button", { id: "replay-go", onclick: () => void move(input.value) }, t("move")),
    h("button", { onclick: plus(1) }, "+1"),
    h("button", { onclick: plus(5) }, "+5"),
  );
  return { strip, input };
}
