// The session: the device's status (which also tells whether anyone is logged in) and sync.
import { api, isCommandError } from "./api";
import { go, refreshBar, state } from "./app";
import { startDevicePosition } from "./geolocation";
import { setTimeZone, t } from "./i18n";

/** Reads the status; `not_enrolled` sends the collector to the login. */
export async function pollStatus(): Promise<void> {
  try {
    state.status = await api.status();
    setTimeZone(state.status.device.time_zone);
    if (state.place.screen === "login") go({ screen: "route" });
    if (state.status.position.source === "device") startDevicePosition();
  } catch (e) {
    if (isCommandError(e) && e.code === "not_enrolled") {
      state.status = null;
      if (state.place.screen !== "login") go({ screen: "login" });
    }
  }
  refreshBar();
}

/** Syncs unless one is running; notes whether the server answered. */
export async function syncNow(): Promise<boolean> {
  if (state.syncing || !state.status) return false;
  state.syncing = true;
  refreshBar();
  let ok = false;
  try {
    await api.sync();
    state.offline = false;
    state.notice = null;
    ok = true;
  } catch (e) {
    if (isCommandError(e) && e.code === "offline") state.offline = true;
    else if (isCommandError(e) && e.code === "revoked") {
      state.notice = t("revoked");
      state.status = null;
      go({ screen: "login" });
    } else state.notice = isCommandError(e) ? e.message : String(e);
  } finally {
    state.syncing = false;
  }
  await pollStatus();
  // Screens that only show data redraw; the questionnaire never does under the collector's hands.
  window.dispatchEvent(new Event("terreno:changed"));
  return ok;
}

