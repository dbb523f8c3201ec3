// What the browser test runs against: the real `terreno-server demo` on a free port with a
// database of its own, and collector devices driven through the real `terreno` CLI (login,
// shift, fixes imported and synced as signed events), each in a temporary folder.

import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

import { chromium } from "playwright-core";

const run = promisify(execFile);
const TARGET = process.env.CARGO_TARGET_DIR ?? join(homedir(), ".cache", "terreno-target");
export const SERVER_BIN = process.env.TERRENO_SERVER_BIN ?? join(TARGET, "debug", "terreno-server");
const CLI_BIN = process.env.TERRENO_CLI_BIN ?? join(TARGET, "debug", "terreno");
const DEMO_PASSWORD = "terreno-demo";
const START_TIMEOUT_MS = 60_000;

/** Starts `terreno-server demo` without map tiles (this machine has no internet); resolves
 * with its URL and a `stop()` once it prints where it serves. */
export async function startDemoServer() {
  const dir = mkdtempSync(join(tmpdir(), "terreno-dashboard-"));
  const child = spawn(
    SERVER_BIN,
    [
      "--db",
      join(dir, "demo.db"),
      "demo",
      "--listen",
      "127.0.0.1:0",
      "--mail-dir",
      join(dir, "mail"),
    ],
    {
      cwd: dir,
      env: { ...process.env, TERRENO_TILE_URL: "", TERRENO_LOG: process.env.TERRENO_LOG ?? "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let output = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () =>
        reject(
          new Error(`terreno-server demo printed no URL within ${START_TIMEOUT_MS} ms:\n${output}`),
        ),
      START_TIMEOUT_MS,
    );
    const read = (chunk) => {
      output += chunk;
      const found = /serving on (http:\/\/\S+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found[1]);
      }
    };
    child.stdout.on("data", read);
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", (e) =>
      reject(
        new Error(
          `could not start ${SERVER_BIN}: ${e.message} (build it with cargo build -p terreno-server)`,
        ),
      ),
    );
    child.on("exit", (code) =>
      reject(new Error(`terreno-server demo exited with ${code}:\n${output}`)),
    );
  });
  return {
    url,
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A demo collector's phone: the `terreno` CLI on a data folder of its own. */
export class Collector {
  constructor(username) {
    this.username = username;
    this.dir = mkdtempSync(join(tmpdir(), `terreno-device-${username}-`));
  }

  async cli(args, input) {
    const child = run(CLI_BIN, ["--data", this.dir, ...args], { timeout: 30_000 });
    if (input !== undefined) child.child.stdin.end(input);
    try {
      return (await child).stdout;
    } catch (e) {
      throw new Error(
        `terreno ${args.join(" ")} failed for ${this.username}: ${e.stderr || e.message}`,
      );
    }
  }

  /** Logs in (enrolling the device) and starts a shift, so fixes are recorded. */
  async enroll(serverUrl) {
    await this.login(serverUrl);
    await this.cli(["shift", "start"]);
  }

  /** Logs in, enrolling the device. */
  async login(serverUrl) {
    await this.cli(["login", "--server", serverUrl, "--user", this.username], `${DEMO_PASSWORD}\n`);
  }

  /** Visits `account` on the demo's day as the README's walk-through does, on a simulated
   * clock: a shift, the fixtures' track up to the arrival, a check-in, the shortest valid visit
   * form (the debtor refused) and the completion; then syncs. Resolves once the server has it. */
  async completeRefusedVisit(account, fixtures) {
    const at = (time) => ["--now", `2026-11-24T${time}:00Z`];
    await this.cli(["sync"]);
    await this.cli([...at("12:59"), "shift", "start"]);
    const track = join(fixtures, "track_day.jsonl");
    await this.cli([...at("13:03"), "track", "import", track, "--until", "2026-11-24T13:03:00Z"]);
    await this.cli([...at("13:03"), "checkin", account]);
    await this.cli([...at("13:06"), "visit", "answer", account, "contact_result=refused"]);
    await this.cli([...at("13:08"), "visit", "complete", account, "--outcome", "refused"]);
    await this.cli(["sync"]);
  }

  /** Records one fix now and syncs it: resolves once the server acknowledged the push. */
  async push({ lat, lon, battery }) {
    // A millisecond after the shift began at the earliest: fixes before it are not recorded.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const fix = {
      t: new Date().toISOString(),
      lat,
      lon,
      accuracy_m: 6,
      speed_ms: null,
      battery,
      mock: false,
    };
    const file = join(this.dir, "fix.jsonl");
    writeFileSync(file, JSON.stringify(fix) + "\n");
    const imported = await this.cli(["track", "import", file]);
    if (!/1 stored/.test(imported)) throw new Error(`the fix was not recorded: ${imported}`);
    await this.cli(["sync"]);
  }

  remove() {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Debian's Chromium, headless, kept off the network this machine does not have; as root it
 * needs no sandbox. Answers the browser and a page of a Bogotá supervisor (Spanish, their time
 * zone) whose script errors and console errors land in `pageErrors` (a refused request is a
 * failed load the browser logs: that is what the tests exercise, not a bug). */
export async function openBrowser(pageErrors, { height = 800, bypassCSP = false } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    chromiumSandbox: process.getuid?.() !== 0,
    args: [
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      "--disable-gpu",
    ],
  });
  const context = await browser.newContext({
    locale: "es-CO",
    timezoneId: "America/Bogota",
    viewport: { width: 1280, height },
    // Only for injecting a checker (axe) into the page; the page's own policy stays tested.
    bypassCSP,
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource"))
      pageErrors.push(m.text());
  });
  return { browser, page };
}
