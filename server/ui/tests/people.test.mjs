// The People page in a real browser (Debian's Chromium via playwright-core) against the real
// `terreno-server demo` binary, with a collector's phone enrolled through the real `terreno` CLI.
//
// Steps: the demo supervisor opens People and sees the team with the enrolled phone; an invalid
// invitation is refused in plain words naming the field; a collector is invited and the one-time
// password shown logs in through the API; a tracker is registered and a one-time password set;
// the phone is revoked (after a confirmation) and its
// next sync is told to wipe; a collector is disabled and can no longer log in.
// Every step leaves a screenshot in server/ui/test-artifacts/people-*.png.

import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";

import { Collector, startDemoServer, openBrowser } from "./harness.mjs";

const ARTIFACTS = new URL("../test-artifacts/", import.meta.url).pathname;
const DEMO_PASSWORD = "terreno-demo";

describe("the People page", { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];
  const dialogs = [];
  const ramirez = new Collector("gestor.ramirez");

  const shot = (name) =>
    page.screenshot({ path: `${ARTIFACTS}people-${name}.png`, fullPage: true });
  const person = (username) => page.locator(`li.person[data-username="${username}"]`);

  /** POST /api/v1/auth/login straight to the server, as a phone would. */
  const login = (username, password) =>
    fetch(`${server.url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startDemoServer();
    await ramirez.login(server.url);
    ({ browser, page } = await openBrowser(pageErrors, { height: 900 }));
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.accept();
    });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    ramirez.remove();
  });

  test("the demo supervisor sees the team with its phones", async () => {
    await page.goto(server.url);
    await page.getByLabel("Usuario").fill("supervisor");
    await page.getByLabel("Contraseña").fill(DEMO_PASSWORD);
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await page.getByRole("link", { name: "Personas" }).click();
    await page.getByRole("heading", { name: "Personas", level: 1 }).waitFor();
    await person("gestor.ramirez").waitFor();
    for (const name of ["gestor.ospina", "gestor.beltran", "gestor.nunez", "supervisor"]) {
      assert.equal(await person(name).count(), 1, `${name} is listed`);
    }
    const phone = person("gestor.ramirez").locator("table.devices tbody tr");
    assert.equal(await phone.count(), 1, "the enrolled phone is listed");
    await phone.getByRole("button", { name: /Revocar .* de Gestor Ramírez/ }).waitFor();
    assert.equal(
      await person("supervisor").getByRole("button", { name: "Desactivar" }).count(),
      0,
      "nobody is offered to disable themselves",
    );
    await shot("01-team");
  });

  test("an invalid invitation names the field in plain words", async () => {
    await page.getByLabel("Nombre", { exact: true }).fill("Gestora Nueva");
    await page.getByLabel("Usuario", { exact: true }).fill("Gestora Nueva");
    await page.getByRole("button", { name: "Invitar", exact: true }).click();
    await page.getByRole("alert").filter({ hasText: "Revise el usuario" }).waitFor();
    const username = page.getByLabel("Usuario", { exact: true });
    assert.equal(await username.getAttribute("aria-invalid"), "true");
    assert.equal(
      await page.getByLabel("Nombre", { exact: true }).inputValue(),
      "Gestora Nueva",
      "what was typed stays",
    );
    await shot("02-invalid-invitation");
  });

  test("an invited collector logs in with the one-time password", async () => {
    await page.getByLabel("Usuario", { exact: true }).fill("gestora.nueva");
    await page.getByRole("button", { name: "Invitar", exact: true }).click();
    const secret = page.locator(".temporary-password code");
    await secret.waitFor();
    const password = await secret.textContent();
    assert.match(password, /^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    await person("gestora.nueva").waitFor();
    await shot("03-invited");

    const r = await login("gestora.nueva", password);
    assert.equal(r.status, 200, await r.clone().text());
    assert.equal((await r.json()).user.role, "collector");
  });

  test("a tracker is registered and a password set from the folded forms", async () => {
    const ospina = person("gestor.ospina");
    await ospina.getByText("Contraseña y rastreador de Gestor Ospina").click();
    const ident = ospina.getByLabel("Identificador del rastreador de Gestor Ospina");
    await ident.fill("358240051111110");
    await ospina.getByRole("button", { name: "Registrar rastreador" }).click();
    await ospina.locator(".trackers code").getByText("358240051111110").waitFor();
    // The list reloaded after the registration: the forms are folded again.
    await ospina.getByText("Contraseña y rastreador de Gestor Ospina").click();
    await ospina.getByRole("button", { name: "Cambiar contraseña" }).click();
    const secret = page.locator(".temporary-password code");
    const done = page.getByRole("status").filter({ hasText: "La contraseña de Gestor Ospina" });
    await done.waitFor();
    const r = await login("gestor.ospina", await secret.textContent());
    assert.equal(r.status, 200, await r.text());
    await shot("04-password-set");
  });

  test("a revoked phone is told to wipe on its next sync", async () => {
    const phone = person("gestor.ramirez").locator("table.devices tbody tr");
    await phone.getByRole("button", { name: /Revocar/ }).click();
    await phone.getByText(/revocado el/).waitFor();
    assert.match(dialogs.at(-1), /borrará sus datos/, "the confirmation says what happens");
    await shot("05-revoked");

    await assert.rejects(ramirez.cli(["sync"]), /revoked|revocad|wip/i);
  });

  test("a disabled collector can no longer log in", async () => {
    assert.equal((await login("gestor.nunez", DEMO_PASSWORD)).status, 200);
    await person("gestor.nunez").getByRole("button", { name: "Desactivar" }).click();
    await person("gestor.nunez").getByText("desactivado", { exact: true }).waitFor();
    await page.getByRole("status").filter({ hasText: "quedó desactivado" }).waitFor();
    await shot("06-disabled");

    assert.notEqual((await login("gestor.nunez", DEMO_PASSWORD)).status, 200);
    assert.deepEqual(pageErrors, []);
  });
});
