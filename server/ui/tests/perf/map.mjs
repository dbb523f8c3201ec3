// The live map with a large organization, in a real browser: the database the map bench
// leaves (2,000 collectors with a day of tracks), served by terreno-server; its admin logs in
// and this measures
//   - the first load: from pressing "Entrar" until every collector is listed and their dots are
//     drawn;
//   - panning and zooming for a few seconds: the intervals between animation frames (p50, p95,
//     the longest), the way a supervisor feels "smooth";
//   - a collector's click: until their track is drawn (the detail comes on demand).
//
//   cargo bench -p terreno-server --bench map -- --keep /tmp/terreno-map.db
//   cargo build -p terreno-server && scripts/build-ui
//   node server/ui/tests/perf/map.mjs /tmp/terreno-map.db
//
// Not part of the test suite (it needs the bench's database); figures go to
// docs/benchmarks.md. Binary: $TERRENO_SERVER_BIN, else $CARGO_TARGET_DIR/debug.

import { execFileSync, spawn } from "node:child_process";

import { SERVER_BIN, openBrowser } from "../harness.mjs";

const DB = process.argv[2] ?? "/tmp/terreno-map.db";
const PASSWORD = "bench-map-password";

execFileSync(SERVER_BIN, ["--db", DB, "user", "passwd", "admin"], { input: `${PASSWORD}\n` });
const server = spawn(SERVER_BIN, ["--db", DB, "serve", "--listen", "127.0.0.1:0"], {
  env: { ...process.env, TERRENO_TILE_URL: "", TERRENO_LOG: "info" },
  stdio: ["ignore", "pipe", "pipe"],
});
const url = await new Promise((resolve, reject) => {
  let out = "";
  const read = (chunk) => {
    out += chunk;
    const found = /serving on (http:\/\/\S+)/.exec(out);
    if (found) resolve(found[1]);
  };
  server.stdout.on("data", read);
  server.stderr.on("data", read);
  server.on("exit", (code) => reject(new Error(`terreno-server exited with ${code}:\n${out}`)));
});

const pageErrors = [];
const { browser, page } = await openBrowser(pageErrors);
try {
  await page.goto(url);
  await page.getByLabel("Usuario").fill("admin");
  await page.getByLabel("Contraseña").fill(PASSWORD);
  const started = Date.now();
  await page.getByRole("button", { name: "Entrar" }).click();
  // Every collector listed beside the map and the canvas of their dots drawn.
  await page.waitForFunction(
    () =>
      document.querySelectorAll(".collector-row[data-username]").length >= 2000 &&
      document.querySelector("#map canvas") !== null,
    null,
    { timeout: 60_000, polling: 50 },
  );
  const firstLoad = Date.now() - started;
  const markers = await page.locator(".collector-row[data-username]").count();

  // Frame intervals while the map pans and zooms, driven by the mouse and the wheel.
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    const tick = (now) => {
      window.__frames.push(now - last);
      last = now;
      if (window.__frames.length < 100_000) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  const box = await page.locator("#map").boundingBox();
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (let round = 0; round < 3; round++) {
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 0; i < 30; i++) await page.mouse.move(cx + i * 8, cy + i * 4);
    await page.mouse.up();
    await page.mouse.wheel(0, -300);
    await page.waitForTimeout(400);
    await page.mouse.wheel(0, 300);
    await page.waitForTimeout(400);
  }
  const frames = await page.evaluate(() => window.__frames.slice(1));
  frames.sort((a, b) => a - b);
  const pct = (p) => frames[Math.min(frames.length - 1, Math.ceil(frames.length * p) - 1)];

  // A collector picked from the list: their track comes on demand and is drawn.
  const clicked = Date.now();
  await page.locator('.collector-row[data-username="gestor0042"]').click();
  await page.waitForFunction(() => document.querySelectorAll("path.leaflet-interactive, svg path").length > 0, null, {
    timeout: 10_000,
    polling: 20,
  });
  const detail = Date.now() - clicked;

  console.log(
    JSON.stringify(
      {
        markers,
        first_load_ms: firstLoad,
        frames: frames.length,
        frame_p50_ms: Math.round(pct(0.5) * 10) / 10,
        frame_p95_ms: Math.round(pct(0.95) * 10) / 10,
        frame_max_ms: Math.round(frames[frames.length - 1] * 10) / 10,
        collector_detail_ms: detail,
      },
      null,
      2,
    ),
  );
} finally {
  await browser.close();
  server.kill("SIGTERM");
}
