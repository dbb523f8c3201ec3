// The People page: the collectors and supervisors the signed-in user manages (`GET
// /api/v1/users`: a supervisor their team, an admin everyone), grouped by team, each with their
// phones and external trackers. From here a supervisor invites a collector (the server answers a
// one-time password, shown once to hand over), sets a password, registers a tracker, revokes a
// phone and disables a person. The server enforces who may do what; the page only hides the
// buttons that would be refused, so the two cannot disagree about a rule's outcome.

import { ApiError, api } from "./api";
import { h } from "./format";
import type { People, Person, PersonDevice, Team } from "./generated";
import { type Key, language, t } from "./i18n";
import type { Page } from "./page";
import { inviteForm, passwordForm, trackerForm } from "./peopleForms";
import { currentUser } from "./session";

type State =
  | { kind: "loading" }
  | { kind: "failed"; plain: string }
  | { kind: "ready"; people: Person[]; teams: Team[] };

/** What the page tells after an action: an outcome, and a one-time password to hand over. */
export interface Notice {
  ok: boolean;
  text: string;
  password?: string;
}

/** Opens the People page. */
export function peoplePage(): Page {
  const root = h("div", { class: "people-page" });
  const state = new PeoplePageState(root);
  void state.load();
  return {
    title: () => t("people.title"),
    element: root,
    relabel: () => state.render(),
    destroy: () => state.destroy(),
  };
}

/** A time in the dashboard's language, or "—" when there is none. */
export function when(ms: number | null): string {
  if (ms === null) return t("people.never");
  return new Date(ms).toLocaleString(language() === "es" ? "es-CO" : "en-US", {
    dateStyle: "medium",
    timeStyle: "short",
  });
}

/** The plain sentence of a failed request. */
export function plain(e: unknown): string {
  return e instanceof ApiError ? e.plain : String(e);
}

class PeoplePageState {
  private state: State = { kind: "loading" };
  private destroyed = false;
  // Kept across re-renders, so a screen reader announces what an action did.
  private readonly notice = h("div", {
    class: "notice",
    role: "status",
    "aria-live": "polite",
    tabindex: "-1",
  });

  constructor(private readonly root: HTMLElement) {}

  destroy(): void {
    this.destroyed = true;
  }

  async load(): Promise<void> {
    try {
      const r = await api<People>("GET", "/api/v1/users");
      this.state = { kind: "ready", people: r.people, teams: r.teams };
    } catch (e) {
      this.state = { kind: "failed", plain: plain(e) };
    }
    if (!this.destroyed) this.render();
  }

  /** Runs an action and says how it went; a done one reloads the list. A refused one does
   * not, so the form keeps what was typed. */
  readonly act = async (work: () => Promise<Notice>): Promise<void> => {
    let notice: Notice;
    try {
      notice = await work();
    } catch (e) {
      notice = { ok: false, text: plain(e) };
    }
    this.show(notice);
    if (!notice.ok) return;
    await this.load();
    // The one-time password is the thing to read out now: take the reader there.
    if (notice.password && !this.destroyed) this.notice.focus();
  };

  private show(n: Notice): void {
    this.notice.className = n.ok ? "notice ok" : "notice error";
    this.notice.setAttribute("role", n.ok ? "status" : "alert");
    this.notice.replaceChildren(h("p", {}, n.text));
    if (n.password) {
      this.notice.append(
        h(
          "p",
          { class: "temporary-password" },
          t("people.passwordIs"),
          " ",
          h("code", { class: "secret" }, n.password),
        ),
        h("p", {}, t("people.passwordOnce")),
      );
    }
  }

  render(): void {
    const s = this.state;
    const parts: HTMLElement[] = [
      h("h1", {}, t("people.title")),
      h("p", { class: "intro" }, t("people.intro")),
      this.notice,
    ];
    if (s.kind === "loading") {
      parts.push(h("p", { class: "loading", role: "status" }, t("people.loading")));
    } else if (s.kind === "failed") {
      const retry = h("button", { type: "button" }, t("people.retry"));
      retry.addEventListener("click", () => void this.load());
      parts.push(h("div", { class: "error", role: "alert" }, h("p", {}, s.plain), retry));
    } else {
      parts.push(inviteForm(s.teams, this.act), ...this.groups(s.people));
    }
    this.root.replaceChildren(...parts);
  }

  /** A section per team; with no collector yet, first a hint at what to do. */
  private groups(people: Person[]): HTMLElement[] {
    const teams = [...new Set(people.map((p) => p.team ?? ""))].sort();
    const sections = teams.map((team, i) => {
      const id = `people-team-${i}`;
      const members = people.filter((p) => (p.team ?? "") === team);
      return h(
        "section",
        { class: "team", "aria-labelledby": id },
        h("h2", { id }, team ? t("people.team", { team }) : t("people.noTeam")),
        h("ul", { class: "people" }, ...members.map((p) => this.person(p))),
      );
    });
    if (people.some((p) => p.role === "collector")) return sections;
    return [h("p", { class: "empty" }, t("people.empty")), ...sections];
  }

  private person(p: Person): HTMLElement {
    const me = currentUser();
    const manageable =
      p.active && p.id !== me?.id && (me?.role === "admin" || p.role === "collector");
    const status: Key = !p.active
      ? "people.disabled"
      : p.invited
        ? "people.invited"
        : "people.active";
    const item = h(
      "li",
      { class: p.active ? "person" : "person inactive", "data-username": p.username },
      h("h3", {}, p.display_name),
      h(
        "p",
        { class: "facts" },
        h("span", {}, p.username),
        h("span", {}, t(`people.role.${p.role}` as Key)),
        h("span", { class: `badge ${p.active ? "" : "danger"}`.trim() }, t(status)),
        h("span", {}, t("people.lastSeen", { when: when(p.last_seen_ms) })),
      ),
    );
    // Supervisors and admins work from a browser: a phone list for them only when they have one.
    if (p.role === "collector" || p.devices.length) item.append(this.devices(p, manageable));
    if (p.role === "collector") item.append(this.trackers(p));
    if (manageable) item.append(this.actions(p));
    return item;
  }

  private devices(p: Person, manageable: boolean): HTMLElement {
    const box = h("div", { class: "devices" }, h("h4", {}, t("people.devices")));
    if (p.devices.length === 0) {
      box.append(h("p", { class: "empty" }, t("people.noDevices")));
      return box;
    }
    const rows = p.devices.map((d) => {
      const state: HTMLElement = d.revoked_ms
        ? h("span", { class: "badge danger" }, t("people.revokedAt", { when: when(d.revoked_ms) }))
        : manageable
          ? this.revokeButton(p, d)
          : h("span", {}, t("people.inUse"));
      return h(
        "tr",
        { "data-device": d.id },
        h("th", { scope: "row" }, d.label),
        h("td", {}, when(d.enrolled_ms)),
        h("td", {}, when(d.last_seen_ms)),
        h("td", {}, state),
      );
    });
    const head: Key[] = ["people.device", "people.enrolled", "people.deviceSeen", "people.state"];
    box.append(
      h(
        "table",
        { class: "devices" },
        h("thead", {}, h("tr", {}, ...head.map((k) => h("th", { scope: "col" }, t(k))))),
        h("tbody", {}, ...rows),
      ),
    );
    return box;
  }

  private revokeButton(p: Person, d: PersonDevice): HTMLElement {
    const who = { device: d.label, name: p.display_name };
    const b = h(
      "button",
      { type: "button", class: "danger", "aria-label": t("people.revokeLabel", who) },
      t("people.revoke"),
    );
    b.addEventListener("click", () => {
      if (!confirm(t("people.revokeConfirm", who))) return;
      void this.act(async () => {
        await api("POST", `/api/v1/devices/${encodeURIComponent(d.id)}/revoke`, {});
        return { ok: true, text: t("people.revoked", who) };
      });
    });
    return b;
  }

  private trackers(p: Person): HTMLElement {
    const box = h("div", { class: "trackers" }, h("h4", {}, t("people.trackers")));
    if (p.trackers.length === 0) box.append(h("p", { class: "empty" }, t("people.noTrackers")));
    else
      box.append(
        h(
          "ul",
          {},
          ...p.trackers.map((d) =>
            h(
              "li",
              {},
              h("code", {}, d.ident ?? d.label),
              " · ",
              d.revoked_ms
                ? t("people.revokedAt", { when: when(d.revoked_ms) })
                : t("people.lastSeen", { when: when(d.last_seen_ms) }),
            ),
          ),
        ),
      );
    return box;
  }

  private actions(p: Person): HTMLElement {
    const disable = h("button", { type: "button", class: "danger" }, t("people.disable"));
    disable.addEventListener("click", () => {
      if (!confirm(t("people.disableConfirm", { name: p.display_name }))) return;
      void this.act(async () => {
        await api("POST", `/api/v1/users/${encodeURIComponent(p.username)}/disable`, {});
        return { ok: true, text: t("people.disabledDone", { name: p.display_name }) };
      });
    });
    // The forms are folded away: a team's list stays short enough to scan.
    const more = h(
      "details",
      { class: "manage" },
      h(
        "summary",
        {},
        t(p.role === "collector" ? "people.manage" : "people.managePassword", {
          name: p.display_name,
        }),
      ),
      passwordForm(p, this.act),
      p.role === "collector" ? trackerForm(p, this.act) : null,
    );
    return h("div", { class: "actions" }, more, disable);
  }
}
