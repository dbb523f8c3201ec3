// The Forms page in a real browser (Debian's Chromium, headless, playwright-core) against the
// real `terreno-server demo`: the demo supervisor uploads an XLSForm with a problem and reads it
// with its row, uploads a good one and finds it in the list, previews it (answering reveals a
// hidden question, a broken constraint shows its message, a repeat grows), makes it the visit
// form, and the page switches to English. Screenshots go to server/ui/test-artifacts/forms-*.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { mkdirSync } from "node:fs";
import { join } from "node:path";

import { startDemoServer, openBrowser } from "./harness.mjs";

const ARTIFACTS = new URL("../test-artifacts/", import.meta.url).pathname;
const FIXTURES = new URL("../../../samples/", import.meta.url).pathname;

/** pyxform refuses it with "[row : 34] Missing calculation." (fixtures MANIFEST, 1c). */
const BAD_FORM = "form_missing_calculation.xls";

/** Over 18 asks the reason; age must be under 120; payments is a repeat the collector grows. */
const GOOD_FORM =
  [
    "type,name,label,hint,relevant,constraint,constraint_message,required,calculation",
    "integer,edad,Edad del deudor,En años cumplidos,,. < 120,La edad debe ser menor de 120,yes,",
    "text,motivo,Motivo del atraso,,${edad} > 18,,,,",
    "calculate,meses,Edad en meses,,,,,,${edad} * 12",
    "begin repeat,pagos,Pago,,,,,,",
    "decimal,monto,Monto,,,. > 0,El monto debe ser positivo,,",
    "end repeat,,,,,,,,",
  ].join("\n") + "\n";

describe("the forms page", { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];
  const shot = (name, fullPage = true) =>
    page.screenshot({ path: `${ARTIFACTS}forms-${name}.png`, fullPage });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startDemoServer();
    ({ browser, page } = await openBrowser(pageErrors, { height: 900 }));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test("the supervisor opens the forms page and sees the visit form", async () => {
    await page.goto(server.url);
    await page.waitForURL("**/login");
    await page.getByLabel("Usuario").fill("supervisor");
    await page.getByLabel("Contraseña").fill("terreno-demo");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await page.getByRole("link", { name: "Formularios" }).click();
    await page.waitForURL((u) => u.pathname === "/forms");
    await page.getByRole("heading", { level: 1, name: "Formularios" }).waitFor();
    const shipped = page.locator("table.forms tr.visit-form");
    await shipped.waitFor();
    assert.equal(await shipped.count(), 1);
    assert.match(await shipped.innerText(), /En uso para visitas/);
  });

  test("a form with a problem is refused and the problem shows with its row", async () => {
    await page.getByLabel("Archivo XLSForm").setInputFiles(join(FIXTURES, BAD_FORM));
    await page.getByRole("button", { name: "Subir formulario" }).click();
    await page.getByRole("heading", { name: /no se guardó/ }).waitFor();
    const row = page.locator("#forms-problems tr[data-row='34']");
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /survey/);
    assert.match(text, /34/);
    assert.match(text, /calculation/i);
    await shot("01-refused");
  });

  test("a good form is stored and listed", async () => {
    await page.getByLabel("Archivo XLSForm").setInputFiles({
      name: "cobro_prueba.csv",
      mimeType: "text/csv",
      buffer: Buffer.from(GOOD_FORM),
    });
    await page.getByRole("button", { name: "Subir formulario" }).click();
    await page.getByRole("heading", { name: /Guardado: cobro_prueba/ }).waitFor();
    const row = page.locator("table.forms tr[data-form='cobro_prueba']");
    await row.waitFor();
    assert.match(await row.innerText(), /supervisor/);
    assert.match(await row.innerText(), /sin versión/);
    await shot("02-stored");
  });

  test("its preview reveals a hidden question, shows a constraint message and grows a repeat", async () => {
    await page
      .locator("table.forms tr[data-form='cobro_prueba']")
      .getByRole("button", { name: "Probar" })
      .click();
    const age = page.getByLabel(/Edad del deudor/);
    await age.waitFor();
    const reason = page.locator(".pv-item[data-path='motivo']");
    assert.equal(await reason.count(), 0, "the reason is hidden before the age is known");

    await age.fill("30");
    await page.getByLabel("Motivo del atraso").waitFor();
    await page.locator("output[data-path='meses']").filter({ hasText: "360" }).waitFor();
    await age.fill("150");
    await page.getByText("La edad debe ser menor de 120").waitFor();
    assert.equal(await age.getAttribute("aria-invalid"), "true");
    await age.fill("12");
    await page.getByLabel("Motivo del atraso").waitFor({ state: "detached" });

    await page.getByRole("button", { name: "Añadir Pago" }).click();
    const amount = page.locator("input[data-path='pagos[1]/monto']");
    await amount.waitFor();
    await amount.fill("-3");
    await page.getByText("El monto debe ser positivo").waitFor();
    assert.match(
      await page.locator(".pv-status").innerText(),
      /1 respuesta\(s\) no cumple\(n\) su regla/,
    );
    await page.getByLabel("Mostrar también las preguntas ocultas").check();
    await page.locator(".pv-item.pv-hidden[data-path='motivo']").waitFor();
    await shot("03-preview");
  });

  test("the new form becomes the visit form", async () => {
    const row = page.locator("table.forms tr[data-form='cobro_prueba']");
    await row.getByRole("button", { name: /Usar cobro_prueba/ }).click();
    await row.getByText("En uso para visitas").waitFor();
    await page
      .getByRole("status")
      .filter({ hasText: /Listo: las visitas nuevas se llenarán con cobro_prueba/ })
      .waitFor();
    assert.equal(await page.locator("table.forms tr.visit-form").count(), 1);
    // The choice is stored: a reload lists it the same way.
    await page.reload();
    await page.locator("table.forms tr.visit-form[data-form='cobro_prueba']").waitFor();
  });

  test("the page switches to English", async () => {
    await page.getByLabel("Idioma", { exact: true }).selectOption("en");
    await page.getByRole("heading", { level: 1, name: "Forms" }).waitFor();
    await page.getByRole("columnheader", { name: "Questions" }).waitFor();
    await shot("04-english");
    assert.deepEqual(pageErrors, []);
  });
});
