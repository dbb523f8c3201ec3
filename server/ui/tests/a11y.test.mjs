// Every page of the dashboard checked by axe-core (the accessibility engine browsers' own tools
// use) in a real Chromium against the real `terreno-server demo`, with data on it: a collector
// has reported a position and completed a visit, so the map has a marker, the visits list a
// row and the detail its answers and evidence. A page passes when axe finds no violation of
// WCAG 2.1 A or AA rules (labels, names, contrast, landmarks, ARIA) of serious or critical
// impact; each violation is reported with the rule and the elements.
// Screenshots go to server/ui/test-artifacts/a11y/.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";

import { Collector, openBrowser, startDemoServer } from "./harness.mjs";

const ARTIFACTS = new URL("../test-artifacts/a11y/", import.meta.url).pathname;
const FIXTURES = new URL("../../../samples/", import.meta.url).pathname;
const AXE = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

/** Runs axe on the page as it is; answers the serious and critical violations, readable. */
async function violations(page) {
  if (!(await page.evaluate(() => "axe" in window))) await page.addScriptTag({ path: AXE });
  const found = await page.evaluate(async () => {
    const result = await window.axe.run(document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => ({
        rule: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")),
      }));
  });
  return found;
}

describe("every dashboard page passes axe (WCAG 2.1 A and AA)", { timeout: 180_000 }, () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];
  const ramirez = new Collector("gestor.ramirez");
  /** Ramírez's second phone, on the demo's day (a simulated clock). */
  const visitor = new Collector("gestor.ramirez");

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startDemoServer();
    await ramirez.enroll(server.url);
    await ramirez.push({ lat: 4.6076527, lon: -74.1218349, battery: 0.1 });
    await visitor.login(server.url);
    await visitor.completeRefusedVisit("CL-100000", FIXTURES);
    ({ browser, page } = await openBrowser(pageErrors, { bypassCSP: true }));
    await page.goto(server.url);
    await page.getByLabel("Usuario").fill("supervisor");
    await page.getByLabel("Contraseña").fill("terreno-demo");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.waitForURL((u) => u.pathname === "/");
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    ramirez.remove();
    visitor.remove();
  });

  /** Opens a section by its link, waits for what shows it is ready, checks it. */
  async function check(name, link, ready) {
    if (link) await page.getByRole("link", { name: link, exact: true }).click();
    await ready();
    await page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });
    const found = await violations(page);
    assert.deepEqual(found, [], `${name}: ${JSON.stringify(found, null, 2)}`);
  }

  test("the login page", async () => {
    const context = await browser.newContext({ locale: "es-CO", bypassCSP: true });
    const fresh = await context.newPage();
    await fresh.goto(server.url);
    await fresh.getByLabel("Usuario").waitFor();
    const found = await violations(fresh);
    await context.close();
    assert.deepEqual(found, [], JSON.stringify(found, null, 2));
  });

  test("the live map", () =>
    check("map", null, () => page.locator('.collector[data-username="gestor.ramirez"]').waitFor()));

  test("the notifications panel", async () => {
    await page.locator("#notes-toggle").click();
    await page.locator("#notes-panel ol.notes").waitFor();
    const found = await violations(page);
    await page.keyboard.press("Escape");
    assert.deepEqual(found, [], JSON.stringify(found, null, 2));
  });

  test("the visits list and a visit's detail", () =>
    check("visits", "Visitas", async () => {
      await page.getByLabel("Día").fill("2026-11-24");
      await page.getByRole("button", { name: "Filtrar" }).click();
      await page.locator("table.visits tbody tr").first().getByRole("button").click();
      const detail = page.locator(".visit-detail");
      await detail.getByRole("heading", { name: "Detalle de la visita" }).waitFor();
      await detail.locator(".evidence-map path.fix-accuracy").first().waitFor();
    }));

  test("the routes page", () =>
    check("routes", "Rutas", () => page.getByRole("heading", { level: 1 }).waitFor()));

  test("the reports page with data", () =>
    check("reports", "Informes", async () => {
      await page.getByLabel("Desde").fill("2026-11-24");
      await page.getByLabel("Hasta").fill("2026-11-24");
      await page.getByRole("button", { name: "Ver informe" }).click();
      await page.locator("table.heatmap").first().waitFor();
    }));

  test("the exports page", () =>
    check("exports", "Exportar", () => page.getByRole("heading", { level: 1 }).waitFor()));

  test("the forms page", () =>
    check("forms", "Formularios", () => page.getByRole("heading", { level: 1 }).waitFor()));

  test("the people page", () =>
    check("people", "Personas", () => page.locator("text=gestor.ramirez").first().waitFor()));

  test("no script errors on any page", () => {
    assert.deepEqual(pageErrors, []);
  });
});
