// The Rust side, one function per Tauri command (`mobile/src-tauri/src/commands`). Every
// failure arrives as a CommandError {code, message, details?}; a Tauri-level failure (an
// argument that does not deserialize) arrives as a string and is wrapped as `invalid` here.
import { invoke } from "@tauri-apps/api/core";
import type { Outcome, Verdict, VisitStatus } from "./generated";

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

export interface Enrolled {
  device_id: string;
  username: string;
  new_device: boolean;
}

export interface DeviceStatus {
  device_id: string;
  username: string;
  display_name: string;
  server_url: string;
  pending_events: number;
  pending_attachments: number;
  rejected_events: number;
  last_sync: string | null;
  last_fix_at: string | null;
  last_fix: [number, number] | null;
  battery_percent: number | null;
  shift_started: string | null;
  /** The organization's IANA zone, once synced: times are shown on its clock. */
  time_zone: string | null;
  /** The credit of the organization's map tile server, shown on the stop map with its tiles. */
  map_attribution: string | null;
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
  device: DeviceStatus;
  position: Position;
}

export interface RouteStop {
  order: number;
  stop_id: string;
  external_id: string;
  name: string;
  address: string;
  status: "planned" | "checked_in" | "done" | "not_done";
  checked_in_at: string | null;
  distance_m: number | null;
  bucket: string;
  balance: string;
  contact_window: string | null;
  next_allowed: string | null;
  eta: string | null;
  planned_date: string;
}

export interface Account {
  external_id: string;
  name: string;
  address: string;
  neighbourhood: string | null;
  lat: number | null;
  lon: number | null;
  phones: string[];
  balance_minor: number;
  currency: string;
  days_past_due: number;
  bucket: string;
  contact_window: string | null;
}

export interface PastVisit {
  visit_id: string;
  status: VisitStatus;
  outcome: string | null;
  checked_in_at: string | null;
  completed_at: string | null;
  flagged: boolean;
}

export interface StopDetail {
  stop_id: string | null;
  planned_date: string | null;
  account: Account;
  visits: PastVisit[];
}

export interface CheckIn {
  visit_id: string;
  verdict: Verdict;
}

export type Text = Record<string, string>;

export interface FormIssue {
  path: string;
  message: string;
}

export interface LiveForm {
  visit_id: string | null;
  external_id: string;
  form: { id: string; form_id: string; version: string; title: string };
  definition: FormDefinition;
  state: {
    answers: Record<string, string>;
    relevant: Record<string, boolean>;
    missing_required: FormIssue[];
    failed_constraints: FormIssue[];
    calculated: Record<string, string>;
    choices: Record<string, string[]>;
    repeat_counts: Record<string, number>;
    errors: FormIssue[];
    complete: boolean;
  };
}

export interface FormDefinition {
  settings: { default_language: string | null; form_title: string | null };
  languages: string[];
  children: FormNode[];
  choices: Record<string, { name: string; label: Text }[]>;
}

// The form tree of terreno_shared::form::xlsform as serde writes it (tag `node`).
export type FormNode = Question | Group;

export type Condition = "never" | "always" | { when: string };

export interface Question {
  node: "question";
  name: string;
  kind: { type: string; list?: string; [k: string]: unknown };
  label: Text;
  hint: Text;
  required: Condition;
  read_only: Condition;
  appearance: string | null;
  parameters: Record<string, string>;
}

export interface Group {
  node: "group";
  name: string;
  kind: { kind: "group" } | { kind: "repeat"; count: string | null };
  label: Text;
  hint: Text;
  appearance: string | null;
  children: FormNode[];
}

export interface Completed {
  visit_id: string;
  outcome: string;
  status: string;
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
