// Reviewing a visit in a real browser (Debian's Chromium, headless, via playwright-core) against
// the real `terreno-server demo`: a collector's phone (the `terreno` CLI) completes a visit with a
// promise to pay, a façade photo and the debtor's signature; the supervisor opens it and sees
// the answers under their questions' labels, the choices in words, the photo and the signature
// as images fetched with the session's token and the promise; rejecting without a comment is
// stopped in the form, rejecting with one is stored, the list shows the visit as rejected, the
// history lists the review and the answers' edits, and the review-state filter finds it.
// Screenshots go to server/ui/test-artifacts/review/.

import assert from "node:assert/strict";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { deflateSync } from "node:zlib";

import { Collector, startDemoServer, openBrowser } from "./harness.mjs";

const ARTIFACTS = new URL("../test-artifacts/review/", import.meta.url).pathname;
const FIXTURES = new URL("../../../samples/", import.meta.url).pathname;

/** A `width` x `height` PNG of one colour (`rgb`), written from scratch so the test needs no
 * image files. */
function png(width, height, [r, g, b]) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc(body), body.length + 4);
    return out;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill([r, g, b]).flat())]);
  const pixels = Buffer.concat(Array(height).fill(row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** Completes a visit of `account` on the demo's day with a promise, a photo and a signature. */
async function completePromiseVisit(phone, account) {
  const at = (time) => ["--now", `2026-11-24T${time}:00Z`];
  const photo = join(phone.dir, "fachada.png");
  const signature = join(phone.dir, "firma.png");
  writeFileSync(photo, png(64, 48, [30, 110, 200]));
  writeFileSync(signature, png(80, 30, [20, 20, 20]));
  await phone.cli(["sync"]);
  await phone.cli([...at("12:59"), "shift", "start"]);
  const track = join(FIXTURES, "track_day.jsonl");
  await phone.cli([...at("13:03"), "track", "import", track, "--until", "2026-11-24T13:03:00Z"]);
  await phone.cli([...at("13:03"), "checkin", account]);
  await phone.cli([...at("13:05"), "visit", "answer", account, "contact_result=third_party"]);
  await phone.cli([
    ...at("13:06"),
    "visit",
    "answer",
    account,
    "contact_result=debtor",
    "person_contacted=José González",
    "promise_amount=20000",
    "promise_date=2026-11-30",
    `photo=${photo}`,
    `signature=${signature}`,
  ]);
  await phone.cli([...at("13:08"), "visit", "complete", account, "--outcome", "promise_to_pay"]);
  await phone.cli(["sync"]);
}

describe("reviewing a visit", { timeout: 120_000 }, () => {
  let server;
  let browser;
  let page;
  const pageErrors = [];
  const phone = new Collector("gestor.ramirez");
  const shot = (name) => page.screenshot({ path: `${ARTIFACTS}${name}.png`, fullPage: true });

  before(async () => {
    rmSync(ARTIFACTS, { recursive: true, force: true });
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startDemoServer();
    await phone.login(server.url);
    await completePromiseVisit(phone, "CL-100000");
    ({ browser, page } = await openBrowser(pageErrors, { height: 900 }));
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    phone.remove();
  });

  test("the supervisor reads labelled answers, the images and the promise", async () => {
    await page.goto(`${server.url}/login`);
    await page.getByLabel("Usuario").fill("supervisor");
    await page.getByLabel("Contraseña").fill("terreno-demo");
    await page.getByRole("button", { name: "Entrar" }).click();
    await page.waitForURL((u) => u.pathname === "/");
    await page.goto(`${server.url}/visits?date=2026-11-24&outcome=promise_to_pay`);
    const row = page.locator("table.visits tbody tr").first();
    await row.waitFor();
    assert.match(await row.innerText(), /por revisar/, "a completed visit waits for review");
    await row.getByRole("button").click();

    const detail = page.locator(".visit-detail");
    await detail.getByRole("heading", { name: "Detalle de la visita" }).waitFor();
    const answers = detail.locator("dl.answers");
    await answers.waitFor();
    const text = await answers.innerText();
    assert.match(text, /Resultado del contacto\s+Deudor contactado/, "a choice by its label");
    assert.match(text, /¿Con quién habló\?\s+José González/);
    assert.match(text, /Fecha prometida de pago\s+30 de noviembre de 2026/);
    assert.doesNotMatch(text, /contact_result/, "no raw question names");
    const photo = answers.getByRole("img", { name: "Foto: Foto de la fachada" });
    const signature = answers.getByRole("img", { name: "Firma: Firma del cliente" });
    await photo.waitFor();
    await signature.waitFor();
    assert.match(await photo.getAttribute("src"), /^blob:/, "fetched with the token");
    assert.equal(await photo.evaluate((img) => img.naturalWidth), 64, "the photo decoded");
    assert.equal(await signature.evaluate((img) => img.naturalWidth), 80);
    const facts = await detail.locator("dl.facts").innerText();
    assert.match(facts, /Promesa de pago\s+\$\s?20\.000 para el 30 de noviembre de 2026/);
    await detail.locator("ol.history li").first().waitFor();
    const history = await detail.locator("ol.history").innerText();
    assert.match(history, /cambió Resultado del contacto de third_party a debtor/, "old and new");
    await shot("01-visit-detail");
  });

  test("rejecting needs a comment; once rejected the list and history show it", async () => {
    const detail = page.locator(".visit-detail");
    await detail.getByLabel("Rechazar").check();
    await detail.getByRole("button", { name: "Guardar revisión" }).click();
    await detail
      .getByRole("alert")
      .filter({ hasText: "Para rechazar escriba un comentario" })
      .waitFor();
    assert.equal(await detail.getByLabel("Comentario").getAttribute("aria-invalid"), "true");
    await shot("02-reject-needs-comment");

    await detail.getByLabel("Comentario").fill("La foto no muestra la fachada");
    await detail.getByRole("button", { name: "Guardar revisión" }).click();
    await detail.locator(".review-state .badge.rejected").waitFor();
    const row = page.locator("table.visits tbody tr").first();
    assert.match(await row.locator(".review-cell").innerText(), /rechazada/);
    await detail
      .locator("ol.history li.review")
      .filter({ hasText: "La foto no muestra la fachada" })
      .waitFor();
    await shot("03-visit-rejected");

    await page.locator("#visits-review").selectOption("rejected");
    await page.getByRole("button", { name: "Filtrar" }).click();
    await page.waitForURL((u) => u.search.includes("review=rejected"));
    await page.locator("table.visits tbody tr .badge.rejected").first().waitFor();
    await page.locator("#visits-review").selectOption("pending");
    await page.getByRole("button", { name: "Filtrar" }).click();
    await page.waitForURL((u) => u.search.includes("review=pending"));
    await page.locator(".visit-list p.empty, table.visits").first().waitFor();
    assert.equal(
      await page.locator("table.visits tbody tr .badge.rejected").count(),
      0,
      "a rejected visit is no longer pending",
    );
    await shot("04-filter-pending");
    assert.deepEqual(pageErrors, [], "no script errors");
  });
});
