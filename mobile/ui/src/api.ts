// The Rust side, one function per Tauri command (`mobile/src-tauri/src/commands`). Every
// failure arrives as a CommandError {code, message, details?}; a Tauri-level failure (an
// argument that does not deserialize) arrives as a string and is wrapped as `invalid` here.
import { invoke } from "@tauri-apps/api/core";
import type {
  CheckIn,
  Completed,
  Enrolled,
  LiveForm,
  Outcome,
  RouteStop,
  Status,
  StopDetail,
} from "./generated";

export interface CommandError {
  code: string;
  message: string;
  details?: any;
}

export function isCommandError(e: unknown): e is CommandError {
  return typeof e === "object" && e !== null && "code" in e && "message" in e;
}

async function call<T>(cmd: string, args: Record<string, unknown> = {}): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    if (isCommandError(e)) throw e;
    throw { code: "invalid", message: String(e) } satisfies CommandError;
  }
}

export interface LastFix {
  at: string;
  lat: number;
  lon: number;
  accuracy_m: number;
  mock: boolean;
}

export interface Position {
  source: "device" | "replay" | "none";
  last: LastFix | null;
  battery: { level: number | null; charging: boolean | null };
  replay: { file: string; starts_at: string | null; ends_at: string | null; at: string | null } | null;
}

export interface SessionStatus {
  device: Status;
  position: Position;
}

export const api = {
  login: (server_url: string, username: string, password: string) =>
    call<Enrolled>("session_login", { server_url, username, password }),
  status: () => call<SessionStatus>("session_status"),
  sync: () => call<Record<string, unknown>>("sync_run"),
  route: () => call<RouteStop[]>("route_list"),
  stop: (stop: string) => call<StopDetail>("stop_get", { stop }),
  /** Map tile z/x/y as image bytes, or null when there is none to show (offline, no tile server). */
  tile: (z: number, x: number, y: number) => call<ArrayBuffer | null>("map_tile", { z, x, y }),
  shiftStart: () => call<string>("shift_start"),
  shiftEnd: () => call<string>("shift_end"),
  position: () => call<Position>("position_get"),
  record: (fixes: unknown[]) => call<unknown>("position_record", { fixes }),
  replayTo: (at: string) => call<Position>("position_replay_to", { at }),
  checkIn: (stop: string) => call<CheckIn>("checkin_create", { stop }),
  form: (stop: string) => call<LiveForm>("visit_form", { stop }),
  answer: (stop: string, path: string, value: string) =>
    call<LiveForm>("visit_answer", { stop, path, value }),
  attach: async (stop: string, question: string, file: File | Blob, name: string) => {
    const bytes = new Uint8Array(await file.arrayBuffer());
    try {
      return await invoke<LiveForm>("visit_attach", bytes, {
        headers: {
          "x-stop": encodeURIComponent(stop),
          "x-question": encodeURIComponent(question),
          "x-file-name": encodeURIComponent(name),
        },
      });
    } catch (e) {
      if (isCommandError(e)) throw e;
      throw { code: "invalid", message: String(e) } satisfies CommandError;
    }
  },
  complete: (stop: string, outcome: Outcome) => call<Completed>("visit_complete", { stop, outcome }),
};
