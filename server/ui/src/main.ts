// The dashboard's shell: header (skip link, sections, language, who is signed in, log out), a
// <main> holding the current page, the toast region, and the routes. A page is created when
// its route is entered and destroyed when left, so a page's live feed and timers never outlive
// it; logging out destroys the page first, which closes the feed.

import "./styles.css";

import { whenUnauthorized } from "./api";
import { h } from "./format";
import { type Key, LANGUAGES, type Lang, language, onLanguageChange, setLanguage, t } from "./i18n";
import { exportsPage } from "./exports";
import { loginPage } from "./login";
import { mapPage } from "./map/page";
import type { Page } from "./page";
import { reportsPage } from "./reports";
import { routesPage } from "./routeImport";
import { visitsPage } from "./visits";
import { type User, currentUser, forget, logout, restore } from "./session";

/** The signed-in pages, by path; later sections add theirs here. */
const ROUTES: Record<string, { nav: Key; open: () => Page }> = {
  "/": { nav: "nav.map", open: () => mapPage(toasts, () => signedOut(t("error.session"))) },
  "/visits": { nav: "nav.visits", open: () => visitsPage() },
  "/routes": { nav: "nav.routes", open: () => routesPage() },
  "/reports": { nav: "nav.reports", open: () => reportsPage() },
  "/exports": { nav: "nav.exports", open: () => exportsPage() },
};

const header = h("header", { class: "top" });
const main = h("main", { id: "main", tabindex: "-1" });
const toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
let page: Page | null = null;
let mountedPath = "";

function mount(next: Page): void {
  page?.destroy();
  page = next;
  mountedPath = location.pathname;
  main.replaceChildren(next.element);
  document.title = `${next.title()} · ${t("app.name")}`;
  renderHeader();
}

function go(path: string, replace = false): void {
  if (replace) history.replaceState(null, "", path);
  else if (location.pathname !== path) history.pushState(null, "", path);
  route();
}

function route(): void {
  const user = currentUser();
  if (!user) {
    if (location.pathname !== "/login") history.replaceState(null, "", "/login");
    mount(loginPage(() => go("/", true)));
    return;
  }
  const known = ROUTES[location.pathname];
  if (!known) {
    history.replaceState(null, "", "/");
    mount(ROUTES["/"].open());
    return;
  }
  mount(known.open());
  main.focus();
}

function signedOut(notice?: string): void {
  page?.destroy();
  page = null;
  forget();
  history.replaceState(null, "", "/login");
  mount(loginPage(() => go("/", true), notice));
}

async function onLogout(): Promise<void> {
  // The page goes first: its live feed closes before the token is revoked.
  page?.destroy();
  page = null;
  await logout().catch(() => undefined);
  signedOut();
}

/** "Skip to content": moves the focus into <main> without touching the URL or the page. */
function skipLink(): HTMLElement {
  const a = h("a", { class: "skip", href: "#main" }, t("app.skip"));
  a.addEventListener("click", (e) => {
    e.preventDefault();
    main.focus();
  });
  return a;
}

function renderHeader(): void {
  const user: User | null = currentUser();
  const select = h("select", { id: "lang" });
  for (const l of LANGUAGES) {
    select.append(
      h("option", { value: l.code, selected: l.code === language(), lang: l.code }, l.name),
    );
  }
  select.addEventListener("change", () => setLanguage(select.value as Lang));
  const nav = user
    ? h(
        "nav",
        { "aria-label": t("nav.label") },
        h(
          "ul",
          {},
          ...Object.entries(ROUTES).map(([path, r]) => {
            const a = h(
              "a",
              { href: path, "aria-current": location.pathname === path ? "page" : undefined },
              t(r.nav),
            );
            a.addEventListener("click", (e) => {
              e.preventDefault();
              go(path);
            });
            return h("li", {}, a);
          }),
        ),
      )
    : null;
  const account = user
    ? h(
        "div",
        { class: "account" },
        h("span", {}, t("nav.signedInAs", { name: user.display_name })),
        (() => {
          const b = h("button", { type: "button", id: "logout" }, t("nav.logout"));
          b.addEventListener("click", () => void onLogout());
          return b;
        })(),
      )
    : null;
  const parts: HTMLElement[] = [skipLink(), h("span", { class: "brand" }, t("app.name"))];
  if (nav) parts.push(nav);
  parts.push(h("div", { class: "lang" }, h("label", { for: "lang" }, t("lang.label")), select));
  if (account) parts.push(account);
  header.replaceChildren(...parts);
}

onLanguageChange(() => {
  renderHeader();
  page?.relabel?.();
  if (page) document.title = `${page.title()} · ${t("app.name")}`;
});
whenUnauthorized(() => signedOut(t("error.session")));
// A fragment link (the skip link) also fires popstate: only a new path is a new page.
window.addEventListener("popstate", () => {
  if (location.pathname !== mountedPath) route();
});

async function boot(): Promise<void> {
  const app = document.getElementById("app")!;
  app.replaceChildren(header, main, toasts);
  renderHeader();
  main.replaceChildren(h("p", { class: "loading", role: "status" }, "…"));
  try {
    await restore();
  } catch {
    // The server cannot be reached: show the login page, which says so when used.
  }
  route();
}

void boot();
