// The dashboard's words, Spanish first and English second. The language comes from the
// browser (English only when the browser prefers it) and can be switched; the choice is kept.
// Pages re-render on a switch through onLanguageChange, so no text is cached elsewhere.

const es = {
  "app.name": "Terreno",
  "app.skip": "Saltar al contenido",
  "lang.label": "Idioma",
  "nav.label": "Secciones",
  "nav.map": "Mapa en vivo",
  "nav.routes": "Rutas",
  "nav.visits": "Visitas",
  "nav.exports": "Exportar",
  "exports.title": "Exportar",
  "exports.intro":
    "Descargue los datos de sus equipos para abrirlos en una hoja de cálculo o un programa de mapas. Solo se incluye lo que usted puede ver.",
  "exports.visitsTitle": "Visitas",
  "exports.visitsHint":
    "Las visitas completadas entre dos días (hora local de la organización), con promesa, pago y veredictos de llegada.",
  "exports.from": "Desde",
  "exports.to": "Hasta",
  "exports.visitsCsv": "Visitas en CSV",
  "exports.visitsXlsx": "Visitas en Excel",
  "exports.visitsGeojson": "Visitas en GeoJSON",
  "exports.tracksTitle": "Recorridos",
  "exports.tracksHint": "Todas las posiciones de un día, por gestor.",
  "exports.date": "Día del recorrido",
  "exports.collector": "Usuario del gestor (opcional)",
  "exports.collectorHint": "Vacío: todos los gestores que usted supervisa.",
  "exports.tracksGpx": "Recorridos en GPX",
  "exports.tracksGeojson": "Recorridos en GeoJSON",
  "exports.busy": "Preparando {what}…",
  "exports.done": "Descargado: {file}.",
  "exports.needDays": "Elija los dos días (desde y hasta) y vuelva a intentar.",
  "exports.needDate": "Elija el día del recorrido y vuelva a intentar.",
  "nav.reports": "Informes",
  "reports.title": "Informes",
  "reports.from": "Desde",
  "reports.to": "Hasta",
  "reports.show": "Ver informe",
  "reports.loading": "Calculando el informe…",
  "reports.contactTitle": "Tasa de contacto por día y hora",
  "reports.contactHint":
    "Cuándo se encuentra a los deudores: en cada celda, contactos / visitas con resultado (se habló con alguien: pagó, prometió pagar, contactado, un tercero o se negó); más oscuro, más contactos por visita.",
  "reports.empty":
    "No hay visitas con resultado en estos días. Elija otros días; las visitas aparecen al sincronizar los teléfonos.",
  "reports.zone": "Visitas contadas: {n}. Horas de {zone}.",
  "reports.caption": "Contactos / visitas por día de la semana y hora",
  "reports.weekday": "Día",
  "reports.cellTitle": "{contacts} contactos en {visits} visitas ({rate} %)",
  "reports.downloadContactCsv": "Descargar la tasa de contacto en CSV",
  "reports.downloadPromisesCsv": "Descargar las promesas en CSV",
  "reports.promisesTitle": "Promesas de pago por tramo de mora",
  "reports.promisesHint":
    "Las promesas hechas en estos días, por los días de mora actuales de la cuenta. Cumplida: una visita registró un pago hasta la fecha prometida; incumplida: pasó la fecha sin pago registrado en visita.",
  "reports.noPromises": "No hubo promesas de pago en estos días. Elija otros días.",
  "reports.promisesCaption": "Promesas hechas, cumplidas, incumplidas y pendientes",
  "reports.bucket": "Tramo de mora",
  "reports.bucketDays": "{days} días",
  "reports.currency": "Moneda",
  "reports.made": "Hechas",
  "reports.kept": "Cumplidas",
  "reports.broken": "Incumplidas",
  "reports.pending": "Pendientes",
  "reports.madeAmount": "Monto prometido",
  "reports.keptAmount": "Monto cumplido",
  "reports.brokenAmount": "Monto incumplido",
  "reports.mon": "Lunes",
  "reports.tue": "Martes",
  "reports.wed": "Miércoles",
  "reports.thu": "Jueves",
  "reports.fri": "Viernes",
  "reports.sat": "Sábado",
  "reports.sun": "Domingo",
  "visits.title": "Visitas",
  "visits.listTitle": "Lista de visitas",
  "visits.any": "Todos",
  "visits.date": "Día",
  "visits.collector": "Gestor",
  "visits.outcome": "Resultado",
  "visits.status": "Estado",
  "visits.apply": "Filtrar",
  "visits.loading": "Cargando las visitas…",
  "visits.loadingOne": "Cargando la visita…",
  "visits.empty":
    "No hay visitas con estos filtros. Quite un filtro o elija otro día; las visitas aparecen al sincronizar los teléfonos.",
  "visits.open": "{debtor}",
  "visits.when": "Cuándo",
  "visits.debtor": "Deudor",
  "visits.flagged": "registro dudoso",
  "visits.more": "Cargar más visitas",
  "visits.choose": "Elija una visita de la lista para ver su detalle.",
  "visits.detailTitle": "Detalle de la visita",
  "visits.completed": "Completada",
  "visits.promise": "Promesa de pago",
  "visits.payment": "Pago recibido",
  "visits.answers": "Respuestas",
  "visits.noAnswers": "Sin respuestas todavía.",
  "visits.checkins": "Registros de llegada",
  "visits.noCheckins": "Sin registros de llegada.",
  "visits.deviceVerdict": "Teléfono: {verdict}",
  "visits.serverVerdict": "Servidor: {verdict}",
  "visits.allowed": "aceptado a {m} m de la dirección (precisión ±{accuracy} m)",
  "visits.refused": "rechazado: {reasons}",
  "visits.locationCapture": "deudor sin ubicación: se propuso la del gestor",
  "visits.mapLabel": "Mapa de la evidencia del registro: {n} posiciones",
  "visits.mapSummary":
    "Las {n} posiciones con que se juzgó la llegada, con su círculo de precisión, y la dirección de {debtor}.",
  "visits.mapNoDebtor":
    "Las {n} posiciones con que se juzgó la llegada, con su círculo de precisión; el deudor no tiene ubicación.",
  "visits.debtorHere": "Dirección de {debtor}",
  "routes.title": "Importar rutas",
  "routes.intro":
    "Suba la planilla de la ruta (CSV o Excel): cada fila es un deudor con su gestor. Las filas correctas se importan; las que tienen errores se listan con su línea para corregirlas.",
  "routes.file": "Planilla de la ruta",
  "routes.fileHint": "CSV (cualquier separador y codificación) o Excel (.xlsx, .xls).",
  "routes.date": "Fecha de visita (opcional)",
  "routes.dateHint": "Para las filas sin fecha; si la deja vacía, se usa la fecha de hoy.",
  "routes.strict": "No importar nada si alguna fila tiene errores",
  "routes.submit": "Subir e importar",
  "routes.busy": "Importando…",
  "routes.uploading": "Importando {file}…",
  "routes.noFile": "Elija primero el archivo de la ruta.",
  "routes.empty": "Todavía no ha subido ninguna planilla en esta visita a la página.",
  "routes.unreadable":
    "No se pudo leer el archivo: {message}. Revise que sea la planilla de la ruta y vuelva a subirla.",
  "routes.tooLarge":
    "El archivo es demasiado grande para subirlo. Divídalo en partes más pequeñas.",
  "routes.forbidden": "Su cuenta no puede importar rutas. Pida ayuda a un administrador.",
  "routes.written": "{file} importado en la cartera «{portfolio}»",
  "routes.notWritten": "{file} no se importó: no se guardó nada",
  "routes.rowsRead": "Filas leídas",
  "routes.created": "Deudores nuevos",
  "routes.updated": "Deudores actualizados",
  "routes.unchanged": "Deudores sin cambios",
  "routes.rejectedCount": "Filas con errores",
  "routes.closed": "Cuentas cerradas",
  "routes.needsLocation": "Deudores sin ubicación (se captura en la primera visita)",
  "routes.collectorsCreated": "Gestores nuevos, invitados: {names}",
  "routes.noErrors": "Todas las filas se importaron sin errores.",
  "routes.rejectedTitle": "Filas con errores ({count})",
  "routes.fixAndRetry":
    "Estas filas no se importaron. Corríjalas en la planilla y vuelva a subirla: las filas ya importadas no se duplican.",
  "routes.fixAll": "Corrija estas filas en la planilla y vuelva a subirla.",
  "routes.line": "Línea",
  "routes.column": "Columna",
  "routes.reason": "Motivo",
  "routes.wholeRow": "toda la fila",
  "routes.moreErrors": "Se muestran las primeras {shown} de {count} filas con errores.",
  "nav.logout": "Cerrar sesión",
  "nav.signedInAs": "Sesión de {name}",
  "login.title": "Entrar al tablero",
  "login.intro": "Ingrese con su usuario de supervisor o administrador.",
  "login.username": "Usuario",
  "login.password": "Contraseña",
  "login.submit": "Entrar",
  "login.busy": "Entrando…",
  "login.wrong": "Usuario o contraseña incorrectos. Revise los datos e intente de nuevo.",
  "login.disabled": "Esta cuenta está desactivada. Pida a un administrador que la active.",
  "login.tooMany": "Demasiados intentos fallidos. Espere un minuto y vuelva a intentar.",
  "login.collector":
    "Esta cuenta es de gestor: el tablero es para supervisores y administradores. Use la app del teléfono.",
  "login.missing": "Escriba su usuario y su contraseña.",
  "error.network":
    "No hay conexión con el servidor. Revise su conexión a internet; se reintentará solo.",
  "error.server": "El servidor tuvo un problema ({status}). Intente de nuevo en un momento.",
  "error.session": "Su sesión terminó. Vuelva a entrar.",
  "error.cut": "La descarga se cortó antes de terminar. Intente de nuevo en un momento.",
  "error.request": "El servidor rechazó la solicitud: {message}",
  "map.title": "Mapa en vivo",
  "map.loading": "Cargando el mapa…",
  "map.retry": "Reintentar",
  "map.region": "Mapa de gestores",
  "map.noTiles": "Mapa sin fondo de calles: no hay servidor de mapas configurado.",
  "map.tilesFailed":
    "No se pudo cargar el fondo de calles; los gestores y las paradas se muestran igual.",
  "map.collectors": "Gestores ({count})",
  "map.noCollectors": "Todavía no hay gestores en su equipo. Importe una ruta para crearlos.",
  "map.noPosition": "sin posición todavía",
  "map.day": "Día de recorridos y paradas",
  "map.stops": "{done} de {total} paradas visitadas",
  "map.trackPoints": "recorrido de hoy",
  "map.showOnMap": "Ver {name} en el mapa",
  "map.refused": "Registro rechazado",
  "map.refusedAt": "Rechazado a las {time}",
  "map.stop": "Parada {n}: {debtor}",
  "map.lastSeen": "Última señal: {ago}",
  "map.fixTime": "Posición de las {time}, precisión ±{accuracy} m",
  "feed.connecting": "Conectando con el servidor…",
  "feed.open": "Actualización en vivo",
  "feed.retrying": "Sin conexión en vivo; reintentando en {secs} s",
  "fresh.live": "en vivo",
  "fresh.late": "con retraso",
  "fresh.silent": "sin señal",
  "battery.label": "batería {pct}",
  "battery.low": "batería baja {pct}",
  "battery.unknown": "batería desconocida",
  "battery.charging": "cargando",
  "status.planned": "pendiente",
  "status.in_progress": "en curso",
  "status.done": "visitada",
  "status.not_done": "no realizada",
  "status.cancelled": "cancelada",
  "ago.now": "ahora mismo",
  "ago.secs": "hace {n} s",
  "ago.mins": "hace {n} min",
  "ago.hours": "hace {n} h",
  "notes.title": "Avisos",
  "notes.empty": "Sin avisos todavía. Aparecerán aquí las visitas, rechazos y baterías bajas.",
  "notes.dismiss": "Cerrar aviso",
  "notes.visitCompleted": "{who} completó la visita a {debtor} ({outcome})",
  "notes.checkInRefused": "Registro rechazado a {who}: {reasons}",
  "notes.lowBattery": "Batería baja de {who}: {pct}",
  "notes.deviceOffline": "{who} sin señal desde {time}",
  "notes.buttonUnseen": "Avisos: {n} sin ver",
  "notes.close": "Cerrar avisos",
  "reason.no_fixes": "sin posición",
  "reason.stale_fix": "posición vieja",
  "reason.mock_provider": "ubicación simulada",
  "reason.poor_accuracy": "posición imprecisa",
  "reason.teleport": "salto imposible",
  "reason.outside_radius": "lejos de la dirección ({m} m)",
  "reason.insufficient_dwell": "poco tiempo en la dirección",
  "outcome.paid": "pagó",
  "outcome.promise_to_pay": "promesa de pago",
  "outcome.contacted": "contactado",
  "outcome.third_party": "mensaje con un tercero",
  "outcome.nobody_home": "nadie en casa",
  "outcome.wrong_address": "dirección equivocada",
  "outcome.refused": "se negó a atender",
};

type Key = keyof typeof es;

const en: Record<Key, string> = {
  "app.name": "Terreno",
  "app.skip": "Skip to content",
  "lang.label": "Language",
  "nav.label": "Sections",
  "nav.map": "Live map",
  "nav.routes": "Routes",
  "nav.visits": "Visits",
  "nav.exports": "Export",
  "exports.title": "Export",
  "exports.intro":
    "Download your teams' data to open it in a spreadsheet or a mapping program. Only what you may see is included.",
  "exports.visitsTitle": "Visits",
  "exports.visitsHint":
    "Visits completed between two days (the organization's local time), with promise, payment and check-in verdicts.",
  "exports.from": "From",
  "exports.to": "To",
  "exports.visitsCsv": "Visits as CSV",
  "exports.visitsXlsx": "Visits as Excel",
  "exports.visitsGeojson": "Visits as GeoJSON",
  "exports.tracksTitle": "Tracks",
  "exports.tracksHint": "Every position of a day, by collector.",
  "exports.date": "Day of the tracks",
  "exports.collector": "Collector's username (optional)",
  "exports.collectorHint": "Empty: every collector you supervise.",
  "exports.tracksGpx": "Tracks as GPX",
  "exports.tracksGeojson": "Tracks as GeoJSON",
  "exports.busy": "Preparing {what}…",
  "exports.done": "Downloaded: {file}.",
  "exports.needDays": "Choose both days (from and to) and try again.",
  "exports.needDate": "Choose the day of the tracks and try again.",
  "nav.reports": "Reports",
  "reports.title": "Reports",
  "reports.from": "From",
  "reports.to": "To",
  "reports.show": "Show report",
  "reports.loading": "Computing the report…",
  "reports.contactTitle": "Contact rate by day and hour",
  "reports.contactHint":
    "When debtors are reached: each cell shows contacts / visits with an outcome (someone was reached: paid, promised to pay, contacted, a third party, or refused); darker means more contacts per visit.",
  "reports.empty":
    "No visits with an outcome on these days. Choose other days; visits appear as phones sync.",
  "reports.zone": "Visits counted: {n}. Hours in {zone}.",
  "reports.caption": "Contacts / visits by weekday and hour",
  "reports.weekday": "Day",
  "reports.cellTitle": "{contacts} contacts in {visits} visits ({rate}%)",
  "reports.downloadContactCsv": "Download the contact rate as CSV",
  "reports.downloadPromisesCsv": "Download the promises as CSV",
  "reports.promisesTitle": "Promises to pay by delinquency bucket",
  "reports.promisesHint":
    "Promises made on these days, by the account's current days past due. Kept: a visit recorded a payment by the promised date; broken: the date passed with no payment recorded in a visit.",
  "reports.noPromises": "No promises to pay on these days. Choose other days.",
  "reports.promisesCaption": "Promises made, kept, broken and pending",
  "reports.bucket": "Delinquency bucket",
  "reports.bucketDays": "{days} days",
  "reports.currency": "Currency",
  "reports.made": "Made",
  "reports.kept": "Kept",
  "reports.broken": "Broken",
  "reports.pending": "Pending",
  "reports.madeAmount": "Amount promised",
  "reports.keptAmount": "Amount kept",
  "reports.brokenAmount": "Amount broken",
  "reports.mon": "Monday",
  "reports.tue": "Tuesday",
  "reports.wed": "Wednesday",
  "reports.thu": "Thursday",
  "reports.fri": "Friday",
  "reports.sat": "Saturday",
  "reports.sun": "Sunday",
  "visits.title": "Visits",
  "visits.listTitle": "List of visits",
  "visits.any": "Any",
  "visits.date": "Day",
  "visits.collector": "Collector",
  "visits.outcome": "Outcome",
  "visits.status": "Status",
  "visits.apply": "Filter",
  "visits.loading": "Loading the visits…",
  "visits.loadingOne": "Loading the visit…",
  "visits.empty":
    "No visits match these filters. Remove a filter or pick another day; visits appear as phones sync.",
  "visits.open": "{debtor}",
  "visits.when": "When",
  "visits.debtor": "Debtor",
  "visits.flagged": "doubtful check-in",
  "visits.more": "Load more visits",
  "visits.choose": "Choose a visit in the list to see its detail.",
  "visits.detailTitle": "Visit detail",
  "visits.completed": "Completed",
  "visits.promise": "Promise to pay",
  "visits.payment": "Payment received",
  "visits.answers": "Answers",
  "visits.noAnswers": "No answers yet.",
  "visits.checkins": "Check-ins",
  "visits.noCheckins": "No check-ins.",
  "visits.deviceVerdict": "Phone: {verdict}",
  "visits.serverVerdict": "Server: {verdict}",
  "visits.allowed": "allowed {m} m from the address (accuracy ±{accuracy} m)",
  "visits.refused": "refused: {reasons}",
  "visits.locationCapture": "debtor without a location: the collector's was proposed",
  "visits.mapLabel": "Map of the check-in evidence: {n} positions",
  "visits.mapSummary":
    "The {n} positions the check-in was judged on, with their accuracy circles, and {debtor}'s address.",
  "visits.mapNoDebtor":
    "The {n} positions the check-in was judged on, with their accuracy circles; the debtor has no location.",
  "visits.debtorHere": "{debtor}'s address",
  "routes.title": "Import routes",
  "routes.intro":
    "Upload the route spreadsheet (CSV or Excel): each row is a debtor with their collector. Good rows are imported; rows with errors are listed with their line so they can be fixed.",
  "routes.file": "Route spreadsheet",
  "routes.fileHint": "CSV (any separator and encoding) or Excel (.xlsx, .xls).",
  "routes.date": "Visit date (optional)",
  "routes.dateHint": "For rows without a date; left empty, today's date is used.",
  "routes.strict": "Import nothing if any row has errors",
  "routes.submit": "Upload and import",
  "routes.busy": "Importing…",
  "routes.uploading": "Importing {file}…",
  "routes.noFile": "Choose the route file first.",
  "routes.empty": "You have not uploaded a spreadsheet on this visit to the page yet.",
  "routes.unreadable":
    "The file could not be read: {message}. Check it is the route spreadsheet and upload it again.",
  "routes.tooLarge": "The file is too large to upload. Split it into smaller parts.",
  "routes.forbidden": "Your account cannot import routes. Ask an administrator for help.",
  "routes.written": "{file} imported into the “{portfolio}” portfolio",
  "routes.notWritten": "{file} was not imported: nothing was saved",
  "routes.rowsRead": "Rows read",
  "routes.created": "New debtors",
  "routes.updated": "Debtors updated",
  "routes.unchanged": "Debtors unchanged",
  "routes.rejectedCount": "Rows with errors",
  "routes.closed": "Accounts closed",
  "routes.needsLocation": "Debtors without a location (captured at the first visit)",
  "routes.collectorsCreated": "New collectors, invited: {names}",
  "routes.noErrors": "Every row was imported without errors.",
  "routes.rejectedTitle": "Rows with errors ({count})",
  "routes.fixAndRetry":
    "These rows were not imported. Fix them in the spreadsheet and upload it again: rows already imported are not duplicated.",
  "routes.fixAll": "Fix these rows in the spreadsheet and upload it again.",
  "routes.line": "Line",
  "routes.column": "Column",
  "routes.reason": "Reason",
  "routes.wholeRow": "whole row",
  "routes.moreErrors": "Showing the first {shown} of {count} rows with errors.",
  "nav.logout": "Log out",
  "nav.signedInAs": "Signed in as {name}",
  "login.title": "Sign in to the dashboard",
  "login.intro": "Sign in with your supervisor or administrator account.",
  "login.username": "Username",
  "login.password": "Password",
  "login.submit": "Sign in",
  "login.busy": "Signing in…",
  "login.wrong": "Wrong username or password. Check them and try again.",
  "login.disabled": "This account is disabled. Ask an administrator to enable it.",
  "login.tooMany": "Too many failed attempts. Wait a minute and try again.",
  "login.collector":
    "This is a collector's account: the dashboard is for supervisors and administrators. Use the phone app.",
  "login.missing": "Enter your username and password.",
  "error.network":
    "The server cannot be reached. Check your internet connection; it will retry by itself.",
  "error.server": "The server had a problem ({status}). Try again in a moment.",
  "error.session": "Your session ended. Sign in again.",
  "error.cut": "The download stopped before it finished. Try again in a moment.",
  "error.request": "The server refused the request: {message}",
  "map.title": "Live map",
  "map.loading": "Loading the map…",
  "map.retry": "Try again",
  "map.region": "Collectors map",
  "map.noTiles": "Map without a street background: no tile server is configured.",
  "map.tilesFailed":
    "The street background could not be loaded; collectors and stops are shown anyway.",
  "map.collectors": "Collectors ({count})",
  "map.noCollectors": "There are no collectors in your team yet. Import a route to create them.",
  "map.noPosition": "no position yet",
  "map.day": "Day of tracks and stops",
  "map.stops": "{done} of {total} stops visited",
  "map.trackPoints": "today's track",
  "map.showOnMap": "Show {name} on the map",
  "map.refused": "Check-in refused",
  "map.refusedAt": "Refused at {time}",
  "map.stop": "Stop {n}: {debtor}",
  "map.lastSeen": "Last heard: {ago}",
  "map.fixTime": "Position at {time}, accuracy ±{accuracy} m",
  "feed.connecting": "Connecting to the server…",
  "feed.open": "Live updates on",
  "feed.retrying": "Live updates lost; retrying in {secs} s",
  "fresh.live": "live",
  "fresh.late": "late",
  "fresh.silent": "silent",
  "battery.label": "battery {pct}",
  "battery.low": "low battery {pct}",
  "battery.unknown": "battery unknown",
  "battery.charging": "charging",
  "status.planned": "pending",
  "status.in_progress": "in progress",
  "status.done": "visited",
  "status.not_done": "not done",
  "status.cancelled": "cancelled",
  "ago.now": "just now",
  "ago.secs": "{n} s ago",
  "ago.mins": "{n} min ago",
  "ago.hours": "{n} h ago",
  "notes.title": "Notifications",
  "notes.empty": "No notifications yet. Visits, refusals and low batteries will appear here.",
  "notes.dismiss": "Dismiss notification",
  "notes.visitCompleted": "{who} completed the visit to {debtor} ({outcome})",
  "notes.checkInRefused": "Check-in refused for {who}: {reasons}",
  "notes.lowBattery": "Low battery for {who}: {pct}",
  "notes.deviceOffline": "{who} silent since {time}",
  "notes.buttonUnseen": "Notifications: {n} unseen",
  "notes.close": "Close notifications",
  "reason.no_fixes": "no position",
  "reason.stale_fix": "old position",
  "reason.mock_provider": "mock location",
  "reason.poor_accuracy": "imprecise position",
  "reason.teleport": "impossible jump",
  "reason.outside_radius": "away from the address ({m} m)",
  "reason.insufficient_dwell": "too short at the address",
  "outcome.paid": "paid",
  "outcome.promise_to_pay": "promise to pay",
  "outcome.contacted": "contacted",
  "outcome.third_party": "message with a third party",
  "outcome.nobody_home": "nobody home",
  "outcome.wrong_address": "wrong address",
  "outcome.refused": "refused to talk",
};

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
