// Phones: the platform's location services (tauri-plugin-geolocation) feed the core. Fixes are
// handed over in batches every few seconds; the core stores them only during a shift. The
// desktop build never starts this: its position source is the track replay in the shell.
import { api } from "./api";

const SEND_EVERY_MS = 10_000;
// A day of fixes at one a second: past that (a core refusing for hours), the oldest go first.
const MAX_BUFFERED = 86_400;
let started = false;
let buffer: unknown[] = [];

export async function startDevicePosition(): Promise<void> {
  if (started) return;
  started = true;
  const geo = await import("@tauri-apps/plugin-geolocation");
  let permission = await geo.checkPermissions();
  if (permission.location !== "granted") {
    permission = await geo.requestPermissions(["location"]);
  }
  if (permission.location !== "granted") {
    started = false;
    return;
  }
  await geo.watchPosition({ enableHighAccuracy: true, timeout: 10_000, maximumAge: 0 }, (pos) => {
    if (!pos) return;
    buffer.push({
      t: new Date(pos.timestamp).toISOString(),
      lat: pos.coords.latitude,
      lon: pos.coords.longitude,
      accuracy_m: pos.coords.accuracy,
      speed_ms: pos.coords.speed ?? null,
      altitude_m: pos.coords.altitude ?? undefined,
      heading_deg: pos.coords.heading ?? undefined,
      provider: "fused",
    });
  });
  setInterval(() => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    api.record(batch).catch(() => {
      // Kept for the next round: a fix is evidence, not dropped because the core was busy.
      buffer = batch.concat(buffer).slice(-MAX_BUFFERED);
    });
  }, SEND_EVERY_MS);
}
