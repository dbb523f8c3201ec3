// The People page's forms: invite a person, set a password, register a tracker. Each hands its
// request to the page's `act`, which shows the outcome and reloads the list. A refused field
// (the server's message starts with its name: `username: ...`) is marked on the input and
// explained in the dashboard's language, with the server's words kept for detail.

import { ApiError, api } from "./api";
import { h } from "./format";
import type { Invited, PasswordSet, Person, Team } from "./generated";
import { type Key, t } from "./i18n";
import type { Notice } from "./people";
import { currentUser } from "./session";

/** Runs an action and shows what it did (the page's `act`). */
export type Act = (work: () => Promise<Notice>) => Promise<void>;

const FIELDS = ["username", "display_name", "role", "team", "email", "password", "ident"];

/** The sentence for a refused request; marks the input of the field it names, if any. */
function refusal(e: unknown, form: HTMLFormElement): Notice {
  if (!(e instanceof ApiError)) return { ok: false, text: String(e) };
  const field = FIELDS.find((f) => e.serverMessage.startsWith(`${f}:`));
  if (e.code === "username_taken") return { ok: false, text: t("people.taken") };
  if (!field || (e.status !== 422 && e.status !== 409)) return { ok: false, text: e.plain };
  const input = form.querySelector<HTMLElement>(`[name="${field}"]`);
  input?.setAttribute("aria-invalid", "true");
  input?.focus();
  const detail = e.serverMessage.slice(field.length + 1).trim();
  return { ok: false, text: t(`people.bad.${field}` as Key, { detail }) };
}

function field(id: string, label: string, control: HTMLElement, hint?: string): HTMLElement {
  const box = h("div", { class: "field" }, h("label", { for: id }, label), control);
  if (hint) {
    control.setAttribute("aria-describedby", `${id}-hint`);
    box.append(h("span", { class: "hint", id: `${id}-hint` }, hint));
  }
  return box;
}

/** Clears the marks of a previous refusal before the next try. */
function unmark(form: HTMLFormElement): void {
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
}

/** The invitation form: name, login, role, team, email; the answer's password is shown once. */
export function inviteForm(teams: Team[], act: Act): HTMLElement {
  const admin = currentUser()?.role === "admin";
  const roles = admin ? ["collector", "supervisor", "admin"] : ["collector"];
  const role = h(
    "select",
    { id: "invite-role", name: "role" },
    ...roles.map((r) => h("option", { value: r }, t(`people.role.${r}` as Key))),
  );
  const team = h(
    "select",
    { id: "invite-team", name: "team" },
    ...teams.map((tm) => h("option", { value: tm.name }, tm.name)),
  );
  const input = (id: string, name: string, type = "text", required = true) =>
    h("input", { id, name, type, required, autocomplete: "off" });
  const form = h(
    "form",
    { class: "invite", "aria-labelledby": "invite-title" },
    h("h2", { id: "invite-title" }, t("people.inviteTitle")),
    h("p", { class: "hint" }, t("people.inviteHint")),
    h(
      "div",
      { class: "fields" },
      field("invite-name", t("people.name"), input("invite-name", "display_name")),
      field(
        "invite-username",
        t("people.username"),
        input("invite-username", "username"),
        t("people.usernameHint"),
      ),
      field("invite-role", t("people.role"), role),
      field("invite-team", t("people.teamLabel"), team),
      field(
        "invite-email",
        t("people.email"),
        input("invite-email", "email", "email", false),
        t("people.emailHint"),
      ),
    ),
    h("button", { type: "submit", class: "primary" }, t("people.invite")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    unmark(form);
    const data = new FormData(form);
    const value = (k: string) => String(data.get(k) ?? "").trim();
    const body = {
      display_name: value("display_name"),
      username: value("username"),
      role: value("role"),
      team: value("role") === "admin" ? null : value("team") || null,
      email: value("email") || null,
    };
    void act(async () => {
      try {
        const r = await api<Invited>(
          "POST",
          "/api/v1/users",
          body,
        );
        form.reset();
        const text = t("people.invited.done", {
          name: r.person.display_name,
          username: r.person.username,
        });
        return { ok: true, text, password: r.temporary_password };
      } catch (err) {
        return refusal(err, form);
      }
    });
  });
  return form;
}

/** A new password for `p`: the one typed, or, left empty, a one-time one the server makes. */
export function passwordForm(p: Person, act: Act): HTMLElement {
  const id = `password-${p.username}`;
  const input = h("input", {
    id,
    name: "password",
    type: "password",
    autocomplete: "new-password",
  });
  const form = h(
    "form",
    { class: "password" },
    field(id, t("people.newPassword", { name: p.display_name }), input, t("people.passwordHint")),
    h("button", { type: "submit" }, t("people.setPassword")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    unmark(form);
    const password = input.value;
    void act(async () => {
      try {
        const r = await api<PasswordSet>(
          "PUT",
          `/api/v1/users/${encodeURIComponent(p.username)}/password`,
          password ? { password } : {},
        );
        const text = t("people.passwordSet", { name: p.display_name });
        return { ok: true, text, password: r.temporary_password ?? undefined };
      } catch (err) {
        return refusal(err, form);
      }
    });
  });
  return form;
}

/** Registers an external tracker (Traccar Client / OsmAnd) identifier for collector `p`. */
export function trackerForm(p: Person, act: Act): HTMLElement {
  const id = `tracker-${p.username}`;
  const input = h("input", {
    id,
    name: "ident",
    type: "text",
    required: true,
    autocomplete: "off",
  });
  const form = h(
    "form",
    { class: "tracker" },
    field(id, t("people.trackerId", { name: p.display_name }), input, t("people.trackerHint")),
    h("button", { type: "submit" }, t("people.addTracker")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    unmark(form);
    const ident = input.value.trim();
    void act(async () => {
      try {
        await api("POST", "/api/v1/trackers", { ident, username: p.username });
        return { ok: true, text: t("people.trackerAdded", { ident, name: p.display_name }) };
      } catch (err) {
        // The tracker route answers 422 without naming its field: the identifier is what to fix.
        if (!(err instanceof ApiError && err.status === 422)) return refusal(err, form);
        input.setAttribute("aria-invalid", "true");
        input.focus();
        return { ok: false, text: t("people.bad.ident", { detail: err.serverMessage }) };
      }
    });
  });
  return form;
}
