// The dashboard's shell: header (skip link, sections, notifications, language, who is signed
// in, log out), a <main> holding the current page, the toast region, and the routes. A page is
// created when its route is entered and destroyed when left, so its timers never outlive it.
// The live feed belongs to the session, not to a page: it opens on sign-in, raises the
// notifications on every page, hands its frames to the page that wants them, and closes
// before the session is revoked on logout.

import "./styles.css";

import { whenUnauthorized } from "./api";
import { h } from "./format";
import { type Key, LANGUAGES, type Lang, language, onLanguageChange, setLanguage, t } from "./i18n";
import { exportsPage } from "./exports";
import { formsPage } from "./forms";
import { type FeedState, LiveFeed } from "./live";
import { loginPage } from "./login";
import { mapPage } from "./map/page";
import { type Note, Notifications, noteOf } from "./notifications";
import type { Page } from "./page";
import { peoplePage } from "./people";
import { reportsPage } from "./reports";
import { routesPage } from "./routeImport";
import { visitsPage } from "./visits";
import { type User, currentUser, forget, logout, restore } from "./session";

/** The signed-in pages, by path; later sections add theirs here. */
const ROUTES: Record<string, { nav: Key; open: () => Page }> = {
  "/": { nav: "nav.map", open: () => mapPage(notes, feedState) },
  "/visits": { nav: "nav.visits", open: () => visitsPage() },
  "/routes": { nav: "nav.routes", open: () => routesPage() },
  "/reports": { nav: "nav.reports", open: () => reportsPage() },
  "/exports": { nav: "nav.exports", open: () => exportsPage() },
  "/forms": { nav: "forms.nav", open: () => formsPage() },
  "/people": { nav: "people.nav", open: () => peoplePage() },
};

const header = h("header", { class: "top" });
const main = h("main", { id: "main", tabindex: "-1" });
const toasts = h("div", { class: "toasts", role: "status", "aria-live": "polite" });
let page: Page | null = null;
let mountedPath = "";
let feed: LiveFeed | null = null;
let feedState: FeedState = { kind: "connecting" };
const notes = new Notifications(toasts, openNote);
const notesPanel = h("div", { class: "notes-panel", id: "notes-panel", hidden: true });
let unseen = 0;

/** Opens what a notification is about: in place when the page can, else its visit or the
 * collector on the map. */
function openNote(n: Note): void {
  closeNotesPanel();
  if (page?.openNote?.(n)) return;
  if (n.visit && n.kind === "visit_completed") go(`/visits?visit=${encodeURIComponent(n.visit)}`);
  else go(`/?focus=${encodeURIComponent(n.username)}`);
}

function startFeed(): void {
  if (feed) return;
  feed = new LiveFeed({
    event: (e) => {
      const note = noteOf(e);
      if (note) notes.add(note);
      page?.live?.(e);
    },
    state: (s) => {
      feedState = s;
      page?.feedState?.(s);
    },
    sessionEnded: () => signedOut(t("error.session")),
  });
}

function stopFeed(): void {
  feed?.close();
  feed = null;
  feedState = { kind: "connecting" };
  notes.clear();
}

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
  else if (location.pathname + location.search !== path) history.pushState(null, "", path);
  route();
}

function route(): void {
  const user = currentUser();
  if (!user) {
    if (location.pathname !== "/login") history.replaceState(null, "", "/login");
    mount(loginPage(() => go("/", true)));
    return;
  }
  startFeed();
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
  stopFeed();
  forget();
  history.replaceState(null, "", "/login");
  mount(loginPage(() => go("/", true), notice));
}

async function onLogout(): Promise<void> {
  // The live feed closes before the token is revoked.
  page?.destroy();
  page = null;
  stopFeed();
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

const notesButton = h("button", {
  type: "button",
  id: "notes-toggle",
  class: "notes-toggle",
  "aria-controls": "notes-panel",
  "aria-expanded": "false",
});
notesButton.addEventListener("click", () => {
  if (notesPanel.hidden) openNotesPanel();
  else closeNotesPanel();
});
notesPanel.addEventListener("keydown", (e) => {
  if (e.key !== "Escape") return;
  closeNotesPanel();
  notesButton.focus();
});

function relabelNotesButton(): void {
  notesButton.replaceChildren(
    t("notes.title"),
    unseen > 0 ? h("span", { class: "badge" }, String(unseen)) : "",
  );
  notesButton.setAttribute(
    "aria-label",
    unseen > 0 ? t("notes.buttonUnseen", { n: unseen }) : t("notes.title"),
  );
}

function openNotesPanel(): void {
  const close = h("button", { type: "button", class: "close" }, t("notes.close"));
  close.addEventListener("click", () => {
    closeNotesPanel();
    notesButton.focus();
  });
  notesPanel.replaceChildren(notes.section("notes-panel-title"), close);
  // Just under the header, however many lines it wraps to.
  notesPanel.style.top = `${header.getBoundingClientRect().bottom + window.scrollY + 4}px`;
  notesPanel.hidden = false;
  notesButton.setAttribute("aria-expanded", "true");
  notes.seen();
  (notesPanel.querySelector("button.note") as HTMLElement | null ?? close).focus();
}

function closeNotesPanel(): void {
  notesPanel.hidden = true;
  notesButton.setAttribute("aria-expanded", "false");
}

function renderHeader(): void {
  relabelNotesButton();
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
        // The name alone on screen, and only on wide screens (the header fits one line at
        // 1280 px); the whole phrase for screen readers.
        h(
          "span",
          { class: "who" },
          h("span", { class: "sr-only" }, t("nav.signedInAs", { name: "" })),
          user.display_name,
        ),
        (() => {
          const b = h("button", { type: "button", id: "logout" }, t("nav.logout"));
          b.addEventListener("click", () => void onLogout());
          return b;
        })(),
      )
    : null;
  const parts: HTMLElement[] = [skipLink(), h("span", { class: "brand" }, t("app.name"))];
  if (nav) parts.push(nav);
  if (user) parts.push(notesButton);
  // The label stays for screen readers; the options name themselves in their own language.
  parts.push(
    h("div", { class: "lang" }, h("label", { for: "lang", class: "sr-only" }, t("lang.label")), select),
  );
  if (account) parts.push(account);
  header.replaceChildren(...parts);
}

onLanguageChange(() => {
  renderHeader();
  notes.relabel();
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
  app.replaceChildren(header, notesPanel, main, toasts);
  notes.onUnseen((n) => {
    unseen = n;
    relabelNotesButton();
  });
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
