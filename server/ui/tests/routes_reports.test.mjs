// Routes management and the new reports in a real browser (Chromium via playwright-core) against
// the real `terreno-server demo`, with a real collector device (the `terreno` CLI).
//
// Steps: the supervisor opens the Routes page on the demo's day, hands one of Ramírez's stops to
// Ospina and sees it move to Ospina's route, moves a stop down by keyboard; Ramírez completes a
// visit on his phone and a check-in without a position is refused; the Reports page shows the
// visits per collector and the refusal reasons, and their Excel downloads open as workbooks.
// Every step leaves a screenshot in server/ui/test-artifacts/routes_reports/.
//
// Binaries and browser: as dashboard.test.mjs.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Collector, startDemoServer, openBrowser } from "./harness.mjs";

/** A folder of its own: dashboard.test.mjs empties test-artifacts/ when it starts. */
const ARTIFACTS = new URL("../test-artifacts/routes_reports/", import.meta.url).pathname;
const FIXTURES = new URL("../../../samples/", import.meta.url).pathname;
const DAY = "2026-11-24";

/** Whether `bytes` is an XLSX workbook: a zip (PK\x03\x04) holding the first sheet. */
function isWorkbook(bytes) {
  const zip = bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  return zip && bytes.includes(Buffer.from("xl/worksheets/sheet1.xml"));
}

describe("routes management and reports", { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];
  const ramirez = new Collector("gestor.ramirez");
  const ospina = new Collector("gestor.ospina");

  const shot = (name, fullPage = true) =>
    page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage });
  const route = (username) => page.locator(`.route-of[data-collector="${username}"]`);

  before(async () => {
    const { mkdirSync } = await import("node:fs");
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startDemoServer();
    ({ browser, page } = await openBrowser(pageErrors, { height: 800 }));
    await page.goto(server.url);
    await page.waitForURL("**/login");
    await page.getByLabel("Usuario").fill("supervisor");
    await page.getByLabel("Contraseña").fill("terreno-demo");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.waitForURL((u) => !u.pathname.endsWith("/login"));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    ramirez.remove();
    ospina.remove();
  });

  test("a stop handed to another collector moves to their route", async () => {
    await page.getByRole("link", { name: "Rutas" }).click();
    await page.getByRole("heading", { name: "Rutas del día" }).waitFor();
    await page.getByLabel("Día", { exact: true }).fill(DAY);
    await page.getByRole("button", { name: "Ver rutas" }).click();
    const stops = route("gestor.ramirez").locator("li");
    await stops.first().waitFor();
    await shot("01-routes-of-the-day");
    const before = await stops.count();
    // CL-100000 stays Ramírez's: the visit below is made there.
    const stop = route("gestor.ramirez").locator('li:not([data-external-id="CL-100000"])').last();
    const external = await stop.getAttribute("data-external-id");
    assert.notEqual(external, "CL-100000");
    const debtor = await stop.locator("strong").innerText();

    await stop.getByLabel(`Reasignar a ${debtor} al gestor`).selectOption("gestor.ospina");
    await stop.getByRole("button", { name: "Reasignar" }).click();

    await page.getByText(`${debtor} pasó a la ruta de gestor.ospina.`).waitFor();
    await route("gestor.ospina").locator(`li[data-external-id="${external}"]`).waitFor();
    assert.equal(
      await route("gestor.ramirez").locator(`li[data-external-id="${external}"]`).count(),
      0,
    );
    assert.equal(await stops.count(), before - 1);
    await shot("02-stop-reassigned");
  });

  test("a stop moves down by keyboard and keeps the focus", async () => {
    const stops = route("gestor.ramirez").locator("li");
    const first = await stops.nth(0).getAttribute("data-external-id");
    const debtor = await stops.nth(0).locator("strong").innerText();

    await stops
      .nth(0)
      .getByRole("button", { name: `Bajar a ${debtor} una posición` })
      .focus();
    await page.keyboard.press("Enter");

    await page.getByText(`${debtor} quedó en la posición 2.`).waitFor();
    assert.equal(await stops.nth(1).getAttribute("data-external-id"), first);
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("aria-label"));
    assert.match(focused ?? "", new RegExp(debtor), "the moved stop's button keeps the focus");
    await shot("03-stop-moved-down");
  });

  test("the new reports show a visit and a refusal, and download as Excel", async () => {
    await ramirez.login(server.url);
    await ramirez.completeRefusedVisit("CL-100000", FIXTURES);
    // No position recorded yet on this phone: the check-in is refused (no fixes), and the
    // attempt is still pushed as evidence.
    await ospina.login(server.url);
    await ospina.cli(["sync"]);
    await ospina.cli(["--now", `${DAY}T15:00:00Z`, "shift", "start"]);
    await assert.rejects(
      ospina.cli(["--now", `${DAY}T15:01:00Z`, "checkin", "CL-100001"]),
      /refused \(recorded as evidence\)/,
    );
    await ospina.cli(["sync"]);

    await page.getByRole("link", { name: "Informes" }).click();
    await page.getByLabel("Desde").fill(DAY);
    await page.getByLabel("Hasta").fill(DAY);
    await page.getByRole("button", { name: "Ver informe" }).click();
    const perCollector = page.locator("table.per-collector");
    await perCollector.waitFor();
    const row = perCollector.locator('tr[data-collector="gestor.ramirez"]');
    assert.match(await row.innerText(), /Gestor Ramírez[\s\S]*1[\s\S]*1/);
    const reasons = page.locator("table.bars");
    await reasons.waitFor();
    assert.match(await reasons.innerText(), /sin ubicación del teléfono\s*1/);
    await shot("04-reports");

    for (const section of ["Visitas por gestor y día", "Motivos de rechazo del check-in"]) {
      const box = page.locator("section", { has: page.getByRole("heading", { name: section }) });
      const [file] = await Promise.all([
        page.waitForEvent("download"),
        box.getByRole("button", { name: "Descargar Excel" }).click(),
      ]);
      assert.match(file.suggestedFilename(), /_2026-11-24_2026-11-24\.xlsx$/);
      assert.ok(isWorkbook(readFileSync(await file.path())), `${section}: a workbook`);
    }
    await page.getByText(/Se descargó refusal_reasons_2026-11-24_2026-11-24\.xlsx/).waitFor();
    assert.deepEqual(pageErrors, []);
  });
});
