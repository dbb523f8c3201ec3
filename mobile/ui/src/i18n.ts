// The UI's words: Spanish first (the collectors'), English second. Few words, plain ones.

import type { Text } from "./generated";

const es = {
  appName: "Terreno",
  login: "Ingresar",
  server: "Servidor",
  user: "Usuario",
  password: "Contraseña",
  loggingIn: "Ingresando…",
  route: "Ruta de hoy",
  noStops: "No hay visitas para hoy. Sincronice para traer la ruta.",
  pending: "Pendientes",
  lastSync: "Última sincronización",
  never: "nunca",
  syncNow: "Sincronizar",
  syncing: "Sincronizando…",
  offline: "Sin conexión: todo queda guardado en el teléfono",
  synced: "Sincronizado",
  shiftOn: "En turno · GPS activo",
  shiftOff: "Fuera de turno · GPS apagado",
  startShift: "Iniciar turno",
  endShift: "Terminar turno",
  battery: "Batería",
  charging: "cargando",
  unknown: "desconocida",
  noGps: "Sin GPS en este equipo",
  replay: "Recorrido simulado",
  move: "Mover a",
  back: "Volver",
  status_planned: "Pendiente",
  status_checked_in: "En visita",
  status_done: "Hecha",
  status_not_done: "No realizada",
  notNow: "Ahora no",
  allowedFrom: "Se puede desde",
  window: "Horario",
  balance: "Saldo",
  bucket: "Mora",
  distance: "Distancia",
  phones: "Teléfonos",
  history: "Visitas anteriores",
  noHistory: "Sin visitas anteriores",
  checkIn: "Registrar llegada",
  checkingIn: "Verificando…",
  accuracy: "Precisión",
  noPosition: "Esperando ubicación…",
  noLocationNotice:
    "Este deudor no tiene ubicación. Quédese en la puerta: su llegada propondrá su posición para que el supervisor la apruebe.",
  checkInAndPropose: "Registrar llegada y proponer ubicación",
  locationProposed: "Ubicación propuesta (±{acc} m): su supervisor la revisará.",
  refused: "No se puede registrar la llegada",
  continueVisit: "Continuar visita",
  openVisit: "Ver visita",
  visit: "Visita",
  required: "Obligatoria",
  saved: "Guardado",
  photo: "Tomar o elegir foto",
  clear: "Borrar",
  sign: "Firme aquí",
  saveSignature: "Guardar firma",
  addAnother: "Agregar otro",
  outcome: "Resultado de la visita",
  complete: "Terminar visita",
  completed: "Visita terminada",
  fixFirst: "Corrija antes de terminar",
  backToRoute: "Volver a la ruta",
  revoked: "Este teléfono fue desactivado por un administrador. Sus datos se borraron.",
  mapNoLocation: "El cliente no tiene ubicación: la visita la registrará",
  you: "Usted",
  outcome_paid: "Pagó",
  outcome_promise_to_pay: "Promesa de pago",
  outcome_contacted: "Contactado, sin compromiso",
  outcome_third_party: "Atendió un tercero",
  outcome_nobody_home: "Nadie en casa",
  outcome_wrong_address: "Dirección errada",
  outcome_refused: "Se negó a atender",
  reason_no_fixes: "Aún no hay ubicación del GPS",
  reason_stale_fix: "La ubicación es vieja (hace {age} s): espere una nueva",
  reason_mock_provider: "Se detectó una app de ubicación falsa",
  reason_poor_accuracy: "Precisión del GPS {acc} m: espere",
  reason_teleport: "Salto imposible de ubicación ({speed} m/s)",
  reason_outside_radius: "Muy lejos: {dist} m (máximo {radius} m)",
  reason_insufficient_dwell: "Quédese en la dirección un momento ({secs} de {min} s)",
  rule_holiday: "Hoy es festivo: no se visita",
  rule_closed_day: "Hoy no se visita",
  rule_too_soon: "Se contactó hace poco",
  rule_weekly_limit: "Ya tiene el máximo de contactos de la semana",
  rule_daily_limit: "Ya tiene el máximo de contactos del día",
  rule_outside_hours: "Fuera del horario permitido",
  rule_outside_debtor_window: "Fuera del horario que pidió el cliente",
  error_offline: "No hay conexión con el servidor",
  error_rejected: "El servidor rechazó la solicitud",
  language: "English",
};

export type Key = keyof typeof es;

const en: Record<Key, string> = {
  appName: "Terreno",
  login: "Log in",
  server: "Server",
  user: "User",
  password: "Password",
  loggingIn: "Logging in…",
  route: "Today's route",
  noStops: "No visits today. Sync to fetch the route.",
  pending: "Pending",
  lastSync: "Last sync",
  never: "never",
  syncNow: "Sync",
  syncing: "Syncing…",
  offline: "Offline: everything stays saved on the phone",
  synced: "Synced",
  shiftOn: "On shift · GPS on",
  shiftOff: "Off shift · GPS off",
  startShift: "Start shift",
  endShift: "End shift",
  battery: "Battery",
  charging: "charging",
  unknown: "unknown",
  noGps: "No GPS on this machine",
  replay: "Simulated track",
  move: "Move to",
  back: "Back",
  status_planned: "To do",
  status_checked_in: "Visiting",
  status_done: "Done",
  status_not_done: "Not done",
  notNow: "Not now",
  allowedFrom: "Allowed from",
  window: "Hours",
  balance: "Balance",
  bucket: "Overdue",
  distance: "Distance",
  phones: "Phones",
  history: "Past visits",
  noHistory: "No past visits",
  checkIn: "Check in",
  checkingIn: "Checking…",
  accuracy: "Accuracy",
  noPosition: "Waiting for a position…",
  noLocationNotice:
    "This debtor has no location. Stay at the door: your check-in will propose your position for the supervisor to approve.",
  checkInAndPropose: "Check in and propose the location",
  locationProposed: "Location proposed (±{acc} m): your supervisor will review it.",
  refused: "Check-in refused",
  continueVisit: "Continue visit",
  openVisit: "See visit",
  visit: "Visit",
  required: "Required",
  saved: "Saved",
  photo: "Take or choose a photo",
  clear: "Clear",
  sign: "Sign here",
  saveSignature: "Save signature",
  addAnother: "Add another",
  outcome: "Visit outcome",
  complete: "Finish visit",
  completed: "Visit finished",
  fixFirst: "Fix before finishing",
  backToRoute: "Back to the route",
  revoked: "An administrator deactivated this phone. Its data was deleted.",
  mapNoLocation: "The debtor has no location: the visit will record one",
  you: "You",
  outcome_paid: "Paid",
  outcome_promise_to_pay: "Promise to pay",
  outcome_contacted: "Contacted, no commitment",
  outcome_third_party: "Third party",
  outcome_nobody_home: "Nobody home",
  outcome_wrong_address: "Wrong address",
  outcome_refused: "Refused to talk",
  reason_no_fixes: "No GPS position yet",
  reason_stale_fix: "Position is old ({age} s ago): wait for a new one",
  reason_mock_provider: "A fake-location app was detected",
  reason_poor_accuracy: "GPS accuracy {acc} m: wait",
  reason_teleport: "Impossible jump in position ({speed} m/s)",
  reason_outside_radius: "Too far: {dist} m (limit {radius} m)",
  reason_insufficient_dwell: "Stay at the address a moment ({secs} of {min} s)",
  rule_holiday: "Today is a holiday: no visits",
  rule_closed_day: "No visits today",
  rule_too_soon: "Contacted too recently",
  rule_weekly_limit: "Weekly contact limit reached",
  rule_daily_limit: "Daily contact limit reached",
  rule_outside_hours: "Outside allowed hours",
  rule_outside_debtor_window: "Outside the debtor's requested hours",
  error_offline: "Cannot reach the server",
  error_rejected: "The server refused the request",
  language: "Español",
};

export type Lang = "es" | "en";
let lang: Lang = localStorage.getItem("terreno.lang") === "en" ? "en" : "es";

export function currentLang(): Lang {
  return lang;
}

export function toggleLang(): void {
  lang = lang === "es" ? "en" : "es";
  localStorage.setItem("terreno.lang", lang);
  document.documentElement.lang = lang;
}

/** The text of `key`, with `{name}` placeholders filled. */
export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = (lang === "en" ? en : es)[key];
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ""));
}

/** A key built at run time (status_, outcome_, reason_, rule_), or the raw code if unknown. */
export function tCode(prefix: string, code: string, vars: Record<string, string | number> = {}): string {
  const key = `${prefix}_${code}`;
  return key in es ? t(key as Key, vars) : code.replace(/_/g, " ");
}

/** A form text (label, hint, message) in the UI's language, else the form's default. */
export function formText(text: Text | undefined, fallbackLanguage: string | null): string {
  if (!text) return "";
  const entries = Object.entries(text);
  const want = lang === "en" ? /\(en\)|english/i : /\(es\)|español|spanish/i;
  const hit = entries.find(([k]) => want.test(k));
  if (hit) return hit[1] ?? "";
  if (fallbackLanguage && text[fallbackLanguage]) return text[fallbackLanguage];
  return text["default"] ?? entries[0]?.[1] ?? "";
}

/** The organization's zone: contact windows are on its clock, whatever the phone's zone is. */
let zone: string | undefined;

/** Shows times in `timeZone` from now on (`null`: the device's own zone). */
export function setTimeZone(timeZone: string | null): void {
  zone = timeZone ?? undefined;
}

export function formatTime(iso: string | null): string {
  if (!iso) return t("never");
  const d = new Date(iso);
  return d.toLocaleString(lang === "en" ? "en-GB" : "es-CO", {
    timeZone: zone,
    day: "numeric",
    month: "short",
    hour: "2-digit",
    minute: "2-digit",
  });
}

export function formatDistance(m: number | null): string {
  if (m === null || m === undefined) return "—";
  return m < 1000 ? `${Math.round(m)} m` : `${(m / 1000).toFixed(1)} km`;
}
