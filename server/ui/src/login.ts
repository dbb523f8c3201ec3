// The login page: a form with labels, errors in plain words said aloud (role=alert), and the
// focus put back where the person can fix what is wrong. Collectors are turned away with a
// sentence: the dashboard is not theirs, and their token is revoked at once.

import { ApiError } from "./api";
import { h } from "./format";
import { t } from "./i18n";
import type { Page } from "./page";
import { type User, login, logout } from "./session";

/** Opens the login page; `done` runs once a supervisor or admin is signed in. */
export function loginPage(done: (u: User) => void, notice?: string): Page {
  const root = h("div", { class: "login-page" });
  const error = h("p", { class: "error", role: "alert", id: "login-error" });
  let message = notice ?? "";
  let busy = false;
  const username = h("input", {
    id: "username",
    name: "username",
    autocomplete: "username",
    required: true,
    autocapitalize: "none",
    spellcheck: "false",
  });
  const password = h("input", {
    id: "password",
    name: "password",
    type: "password",
    autocomplete: "current-password",
    required: true,
  });

  const render = () => {
    const submit = h(
      "button",
      { type: "submit", class: "primary", disabled: busy },
      busy ? t("login.busy") : t("login.submit"),
    );
    error.textContent = message;
    error.hidden = message === "";
    const form = h(
      "form",
      { novalidate: true, "aria-describedby": "login-error" },
      h("h1", {}, t("login.title")),
      h("p", {}, t("login.intro")),
      error,
      h("label", { for: "username" }, t("login.username")),
      username,
      h("label", { for: "password" }, t("login.password")),
      password,
      submit,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void attempt();
    });
    root.replaceChildren(form);
  };

  const fail = (text: string, field: HTMLInputElement) => {
    message = text;
    busy = false;
    render();
    field.setAttribute("aria-invalid", "true");
    field.focus();
  };

  const attempt = async () => {
    if (busy) return;
    username.removeAttribute("aria-invalid");
    password.removeAttribute("aria-invalid");
    if (!username.value.trim() || !password.value) {
      fail(t("login.missing"), username.value.trim() ? password : username);
      return;
    }
    busy = true;
    message = "";
    render();
    try {
      const user = await login(username.value.trim(), password.value);
      if (user.role === "collector") {
        await logout().catch(() => undefined);
        fail(t("login.collector"), username);
        return;
      }
      password.value = "";
      done(user);
    } catch (e) {
      const err = e instanceof ApiError ? e : null;
      if (err?.status === 401) fail(t("login.wrong"), password);
      else if (err?.code === "account_disabled") fail(t("login.disabled"), username);
      else if (err?.status === 429) fail(t("login.tooMany"), password);
      else fail(err?.plain ?? String(e), username);
    }
  };

  render();
  return {
    title: () => t("login.title"),
    element: root,
    relabel: render,
    destroy: () => {},
  };
}
