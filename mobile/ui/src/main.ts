// Boot: the status bar on top, one screen below, a status poll, sync on a timer and when the
// network returns, and (on phones) the platform's position watch feeding the core.
import "./style.css";
import { onBar, onScreen, state } from "./app";
import { renderBar } from "./bar";
import { h, mount } from "./dom";
import { currentLang } from "./i18n";
import { pollStatus, syncNow } from "./session";
import { renderLogin } from "./screens/login";
import { renderRoute } from "./screens/route";
import { renderStop } from "./screens/stop";
import { renderVisit, renderDone } from "./screens/visit";

const STATUS_EVERY_MS = 5_000;
// Sync by itself now and then; also when the OS says the network is back.
const SYNC_EVERY_MS = 60_000;

document.documentElement.lang = currentLang();
const root = document.getElementById("app")!;
const bar = h("header", { id: "bar" });
const screen = h("main", { id: "screen", class: "screen" });
const footer = h("footer", { id: "footer" });
mount(root, bar, screen, footer);

function drawBar(): void {
  renderBar(bar, footer);
}

function drawScreen(): void | Promise<void> {
  const p = state.place;
  if (p.screen !== "login" && !state.status) {
    mount(screen, h("p", {}, "…"));
    return;
  }
  switch (p.screen) {
    case "login":
      return renderLogin(screen);
    case "route":
      return renderRoute(screen);
    case "stop":
      return renderStop(screen, p.stop);
    case "visit":
      return renderVisit(screen, p.stop);
    case "done":
      return renderDone(screen, p.done);
  }
}

onBar(drawBar);
onScreen(() => {
  drawBar();
  drawScreen();
});

window.addEventListener("online", () => void syncNow());
setInterval(() => void pollStatus(), STATUS_EVERY_MS);
setInterval(() => void syncNow(), SYNC_EVERY_MS);

void (async () => {
  await pollStatus();
  drawScreen();
  if (state.status) void syncNow().then(drawScreen);
})();
