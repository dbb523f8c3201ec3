// The dashboard in a real browser: Debian's Chromium, headless, driven by playwright-core,
// against the real `terreno-server demo` binary on a free port with its demo data, and real
// collector devices (the `terreno` CLI: signed events pushed through the sync API).
//
// Steps: log in as the demo supervisor (a wrong password first), the map shows the collectors,
// a pushed position moves that collector's marker within a second (and its low battery raises a
// toast), a reload keeps the session, another day shows its stops, a visit completed through
// the CLI raises a toast, is listed and shows its check-in verdicts, the visits CSV and a GPX
// track download and parse (the completed visit is in the CSV), the contact-rate report shows
// that visit in its heatmap and downloads as CSV, a route spreadsheet with errors
// is uploaded and its bad rows listed by line, the language switches, logout closes the live
// feed.
// Every step leaves a screenshot in server/ui/test-artifacts/.
//
// Binaries: $TERRENO_SERVER_BIN and $TERRENO_CLI_BIN, else $CARGO_TARGET_DIR/debug (default
// ~/.cache/terreno-target/debug); the browser: $CHROMIUM, else /usr/bin/chromium.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { readFileSync } from "node:fs";
import { join } from "node:path";

import { Collector, startDemoServer, openBrowser } from "./harness.mjs";

const ARTIFACTS = new URL("../test-artifacts/", import.meta.url).pathname;
/** The samples that ship with the repository (route spreadsheets, the track, a bad form). */
const FIXTURES = new URL("../../../samples/", import.meta.url).pathname;

/** Bogotá, near the demo's debtors. */
const A = { lat: 4.6076527, lon: -74.1218349 };
const B = { lat: 4.662251, lon: -74.132907 };
/** 300 m north of A. */
const A2 = { lat: 4.6103476, lon: -74.1218349 };

/** The records of a CSV text (RFC 4180: quoted fields may hold commas, quotes, newlines). */
function parseCsv(text) {
  const rows = [[]];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[++i];
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") rows.at(-1).push(field), (field = "");
    else if (c === "\n") rows.at(-1).push(field.replace(/\r$/, "")), rows.push([]), (field = "");
    else field += c;
  }
  if (field || rows.at(-1).length) rows.at(-1).push(field);
  return rows.filter((r) => r.length > 1 || r[0]);
}

describe("the supervisor dashboard", { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  const feeds = [];
  const pageErrors = [];
  const ramirez = new Collector("gestor.ramirez");
  const ospina = new Collector("gestor.ospina");
  /** Ramírez's second phone, on the demo's day (a simulated clock). */
  const visitor = new Collector("gestor.ramirez");

  const shot = (name, fullPage = false) =>
    page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage });
  const marker = (username) => page.locator(`.collector[data-username="${username}"]`);

  before(async () => {
    const { rmSync, mkdirSync } = await import("node:fs");
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startDemoServer();
    await ramirez.enroll(server.url);
    await ospina.enroll(server.url);
    await ramirez.push({ ...A, battery: 0.67 });
    await ospina.push({ ...B, battery: 0.1 });
    ({ browser, page } = await openBrowser(pageErrors, { height: 800 }));
    page.on("websocket", (ws) => feeds.push(ws));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    ramirez.remove();
    ospina.remove();
    visitor.remove();
  });

  test("a wrong password is refused in plain words", async () => {
    await page.goto(server.url);
    await page.waitForURL("**/login");
    await shot("01-login");
    await page.getByLabel("Usuario").fill("supervisor");
    await page.getByLabel("Contraseña").fill("not-the-password");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.getByRole("alert").filter({ hasText: "Usuario o contraseña incorrectos" }).waitFor();
    await shot("02-login-wrong-password");
  });

  test("the demo supervisor logs in and the map shows the collectors", async () => {
    await page.getByLabel("Contraseña").fill("terreno-demo");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await marker("gestor.ramirez").waitFor();
    await marker("gestor.ospina").waitFor();
    await page.getByText("Actualización en vivo").waitFor();
    assert.equal(
      await page.locator("ul.collectors > li").count(),
      4,
      "the four demo collectors are listed",
    );
    assert.equal(await marker("gestor.ospina").getAttribute("data-battery"), "0.1");
    assert.match(
      await marker("gestor.ospina").getAttribute("class"),
      /\blow\b/,
      "a low battery is highlighted",
    );
    assert.equal(await marker("gestor.ramirez").getAttribute("data-freshness"), "live");
    await page.getByText("Mapa sin fondo de calles").waitFor();
    await shot("03-map");
  });

  test("the keyboard reaches a collector's details", async () => {
    const skip = page.locator("a.skip");
    await skip.focus();
    assert.ok((await skip.boundingBox()).x >= 0, "the skip link shows when focused");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    assert.equal(
      await page.evaluate(() => document.activeElement?.id),
      "map-day",
      "past the skip link, the page's first control",
    );
    const row = page.locator('button.collector-row[data-username="gestor.ospina"]');
    await row.focus();
    await page.keyboard.press("Enter");
    const popup = page.locator(".leaflet-popup-content");
    await popup.filter({ hasText: "Gestor Ospina" }).waitFor();
    assert.match(await popup.innerText(), /batería baja 10 %/);
    await shot("03b-keyboard-popup");
    await page.keyboard.press("Escape");
  });

  test("a position pushed through the sync API moves the marker within a second", async () => {
    const before = Number(await marker("gestor.ramirez").getAttribute("data-lat"));
    assert.equal(before, A.lat);
    await ramirez.push({ ...A2, battery: 0.09 });
    const pushed = Date.now();
    await page.waitForFunction(
      (lat) =>
        Number(
          document.querySelector('.collector[data-username="gestor.ramirez"]')?.dataset.lat,
        ) === lat,
      A2.lat,
      { timeout: 1_000, polling: 20 },
    );
    const elapsed = Date.now() - pushed;
    console.log(`# the marker moved ${elapsed} ms after the push was acknowledged`);
    assert.ok(elapsed < 1_000, `the marker moved after ${elapsed} ms`);
    await page
      .locator(".toast.low_battery")
      .filter({ hasText: "Gestor Ramírez" })
      .waitFor({ timeout: 2_000 });
    assert.equal(
      await page.locator("ol.notes li button.note.low_battery").count(),
      1,
      "the notification is listed",
    );
    await shot("04-marker-moved-low-battery-toast");
  });

  test("a reload keeps the session", async () => {
    await page.reload();
    await marker("gestor.ramirez").waitFor();
    assert.equal(new URL(page.url()).pathname, "/");
    assert.equal(Number(await marker("gestor.ramirez").getAttribute("data-lat")), A2.lat);
    await page.getByText("Actualización en vivo").waitFor();
    await shot("05-after-reload");
  });

  test("another day shows that day's stops", async () => {
    // The demo's routes are for 2026-11-24 and 25; today has none.
    assert.equal(await page.locator("path.stop").count(), 0);
    await page.getByLabel("Día de recorridos y paradas").fill("2026-11-24");
    await page.locator("path.stop").first().waitFor();
    assert.ok((await page.locator("path.stop").count()) >= 4, "the stops of every route that day");
    await marker("gestor.ramirez").waitFor();
    await shot("06-stops-of-2026-11-24");
  });

  test("a visit completed on a phone raises a toast and is listed with its evidence", async () => {
    await visitor.login(server.url);
    await visitor.completeRefusedVisit("CL-100000", FIXTURES);
    await page
      .locator(".toast.visit_completed")
      .filter({ hasText: "se negó a atender" })
      .waitFor({ timeout: 5_000 });
    await shot("09a-visit-completed-toast");

    await page.getByRole("link", { name: "Visitas" }).click();
    await page.waitForURL("**/visits");
    await page.getByLabel("Día").fill("2026-11-24");
    await page.getByLabel("Resultado").selectOption("refused");
    await page.getByRole("button", { name: "Filtrar" }).click();
    await page.waitForURL((u) => u.search.includes("outcome=refused"));
    const rows = page.locator("table.visits tbody tr");
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1, "the one refused visit of that day");
    assert.match(await rows.first().innerText(), /Gestor Ramírez[\s\S]*visitada[\s\S]*se negó/);
    await shot("09b-visits-list", true);

    await rows.first().getByRole("button").click();
    const detail = page.locator(".visit-detail");
    await detail.getByRole("heading", { name: "Detalle de la visita" }).waitFor();
    const text = await detail.innerText();
    assert.match(text, /Resultado del contacto\s+Se negó a atender/, "the answer is shown");
    assert.match(text, /Teléfono: aceptado a \d+ m/, "the device's verdict");
    assert.match(text, /Servidor: aceptado a \d+ m/, "the server's verdict");
    const fixes = detail.locator(".evidence-map path.fix-accuracy");
    await fixes.first().waitFor();
    assert.ok((await fixes.count()) >= 3, "the fixes judged, each with its accuracy circle");
    await detail.locator(".evidence-map path.debtor-place").waitFor();
    await shot("09c-visit-detail", true);
    assert.match(
      await detail.locator(".evidence-map .leaflet-tooltip-pane").textContent(),
      /Dirección de José González Vargas/,
      "the debtor's location is named",
    );
  });

  test("an export downloads and parses: the CSV has the completed visit", async () => {
    await page.getByRole("link", { name: "Exportar" }).click();
    await page.waitForURL("**/exports");
    await page.getByRole("heading", { name: "Exportar", level: 1 }).waitFor();
    await page.getByLabel("Desde").fill("2026-11-24");
    await page.getByLabel("Hasta").fill("2026-11-24");
    const [csvFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Visitas en CSV" }).click(),
    ]);
    assert.equal(csvFile.suggestedFilename(), "visits_2026-11-24_2026-11-24.csv");
    const text = readFileSync(await csvFile.path(), "utf8");
    assert.ok(text.startsWith("\ufeff"), "a byte order mark, so Excel reads the accents");
    const [header, ...rows] = parseCsv(text.slice(1));
    const cell = (row, name) => row[header.indexOf(name)];
    const visit = rows.find((r) => cell(r, "external_id") === "CL-100000");
    assert.ok(visit, `the completed visit is exported:\n${text}`);
    assert.equal(cell(visit, "collector"), "gestor.ramirez");
    assert.equal(cell(visit, "outcome"), "refused");
    assert.equal(cell(visit, "server_verdict"), "allowed");
    assert.equal(cell(visit, "completed_at"), "2026-11-24 08:08:00", "Bogotá's wall clock");
    await page.getByText("Descargado: visits_2026-11-24_2026-11-24.csv.").waitFor();
    await shot("11-export-visits-csv");
    const [xlsxFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Visitas en Excel" }).click(),
    ]);
    assert.equal(xlsxFile.suggestedFilename(), "visits_2026-11-24_2026-11-24.xlsx");
    const xlsx = readFileSync(await xlsxFile.path());
    assert.equal(xlsx.subarray(0, 2).toString(), "PK", "an XLSX file is a zip archive");

    await page.getByLabel("Día del recorrido").fill("2026-11-24");
    await page.getByLabel("Usuario del gestor").fill("gestor.ramirez");
    const [gpxFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Recorridos en GPX" }).click(),
    ]);
    assert.equal(gpxFile.suggestedFilename(), "track_gestor.ramirez_2026-11-24.gpx");
    const gpx = readFileSync(await gpxFile.path(), "utf8");
    assert.match(gpx, /<name>gestor\.ramirez 2026-11-24<\/name>/);
    const points = [...gpx.matchAll(/<trkpt lat="([-\d.]+)" lon="([-\d.]+)"><time>([^<]+)</g)];
    assert.ok(points.length > 10, `the day's imported track: ${points.length} points`);
    // Bogotá's 2026-11-24 runs from 05:00 UTC that day to 05:00 UTC the next.
    const [start, end] = [Date.parse("2026-11-24T05:00:00Z"), Date.parse("2026-11-25T05:00:00Z")];
    const outside = points.filter(
      ([, lat, lon, time]) =>
        !(lat > 4.4 && lat < 4.9 && lon > -74.3 && lon < -73.9) ||
        !(Date.parse(time) >= start && Date.parse(time) < end),
    );
    assert.deepEqual(
      outside.map(([pt]) => pt),
      [],
      "points in Bogotá on that day",
    );
    await page.getByText("Descargado: track_gestor.ramirez_2026-11-24.gpx.").waitFor();
    await shot("12-export-tracks-gpx");
  });

  test("the reports render with data and download as CSV", async () => {
    await page.getByRole("link", { name: "Informes" }).click();
    await page.waitForURL("**/reports");
    await page.getByLabel("Desde").fill("2026-11-24");
    await page.getByLabel("Hasta").fill("2026-11-24");
    await page.getByRole("button", { name: "Ver informe" }).click();
    const table = page.getByRole("table", {
      name: "Contactos / visitas por día de la semana y hora",
    });
    await table.waitFor();
    // The refused visit was completed at 13:08 UTC: Tuesday 08:00 in Bogotá, no contact.
    const cell = table.locator('td[data-day="1"][data-hour="8"]');
    assert.ok(Number(await cell.getAttribute("data-visits")) >= 1, "the completed visit counts");
    assert.match(await cell.innerText(), /^\d+\/\d+$/);
    // The chart above the table (Chart.js) was drawn: a sized canvas with painted pixels.
    const chart = page
      .locator("figure.chart")
      .filter({ hasText: "Tasa de contacto por hora del día" })
      .locator("canvas");
    await chart.waitFor();
    const painted = await chart.evaluate((c) => {
      const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
      return { width: c.width, height: c.height, n };
    });
    assert.ok(painted.width > 100 && painted.height > 100, `a sized chart: ${JSON.stringify(painted)}`);
    assert.ok(painted.n > 500, `the chart has bars and axes painted: ${painted.n} pixels`);
    await shot("13-report-contact-rate", true);
    const [csvFile] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("button", { name: "Descargar la tasa de contacto en CSV" }).click(),
    ]);
    assert.equal(csvFile.suggestedFilename(), "contact_rate_2026-11-24_2026-11-24.csv");
    const [header, ...rows] = parseCsv(readFileSync(await csvFile.path(), "utf8").slice(1));
    assert.deepEqual(header, ["weekday", "hour", "visits", "contacts", "contact_rate_percent"]);
    const tuesday8 = rows.find(([day, hour]) => day === "2" && hour === "8");
    assert.ok(tuesday8 && Number(tuesday8[2]) >= 1, `Tuesday 08:00 is in the CSV: ${rows}`);
    // The promises table (or its empty state, for a day of only refusals) is there too.
    await page.getByRole("heading", { name: "Promesas de pago por tramo de mora" }).waitFor();
    await page
      .locator("table.promises, p.empty")
      .filter({ hasText: /Promesas hechas|No hubo promesas/ })
      .waitFor();
  });

  test("uploading a route with errors shows each bad row with its line", async () => {
    await page.getByRole("link", { name: "Rutas" }).click();
    await page.waitForURL("**/routes");
    await page.getByRole("heading", { name: "Importar rutas" }).waitFor();
    await shot("09-routes-empty");
    await page
      .getByLabel("Planilla de la ruta")
      .setInputFiles(join(FIXTURES, "route_with_errors.csv"));
    // A day of its own, so the map's days above keep their stops.
    await page.getByLabel("Fecha de visita (opcional)").fill("2026-11-27");
    await page.getByRole("button", { name: "Subir e importar" }).click();
    const table = page.getByRole("table", { name: "Filas con errores (4)" });
    await table.waitFor();
    const lines = await table.locator("tbody tr").evaluateAll((rows) =>
      rows.map((r) => Number(r.getAttribute("data-line"))),
    );
    assert.deepEqual(lines, [6, 9, 11, 13], "the fixture's four bad rows, by line");
    const text = await table.innerText();
    for (const column of ["latitude", "longitude", "balance", "days_past_due"]) {
      assert.ok(text.includes(column), `the column ${column} is named:\n${text}`);
    }
    assert.match(
      await page.locator(".result h2").innerText(),
      /route_with_errors\.csv importado/,
      "the good rows were written",
    );
    const counts = await page.locator("dl.counts").innerText();
    assert.match(counts, /Filas leídas\s+15/);
    assert.match(counts, /Deudores nuevos\s+11/);
    await shot("10-routes-with-errors", true);
    await page.getByRole("link", { name: "Mapa en vivo" }).click();
    await marker("gestor.ramirez").waitFor();
  });

  test("the language switches to English and back", async () => {
    await page.getByLabel("Idioma").selectOption("en");
    await page.getByRole("heading", { name: "Collectors (4)" }).waitFor();
    await page.getByRole("button", { name: "Log out" }).waitFor();
    await shot("07-english");
    await page.getByLabel("Language").selectOption("es");
    await page.getByRole("heading", { name: "Gestores (4)" }).waitFor();
  });

  test("logout closes the live feed and forgets the session", async () => {
    const feed = feeds.at(-1);
    assert.ok(feed && !feed.isClosed(), "a live feed is open");
    const closed = new Promise((resolve) => feed.on("close", resolve));
    await page.getByRole("button", { name: "Cerrar sesión" }).click();
    await page.waitForURL("**/login");
    await Promise.race([
      closed,
      new Promise((_, reject) =>
        setTimeout(() => reject(new Error("the feed stayed open")), 2_000),
      ),
    ]);
    assert.equal(await page.evaluate(() => localStorage.getItem("terreno.session")), null);
    await page.reload();
    await page.waitForURL("**/login");
    await page.getByLabel("Usuario").waitFor();
    await shot("08-logged-out");
    assert.deepEqual(pageErrors, [], "no script errors in the page");
  });
});
