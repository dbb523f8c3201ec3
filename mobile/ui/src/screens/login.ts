// Login and enrollment. The server address is remembered; a server that cannot be reached
// says so plainly (whatever the device already holds stays usable once logged in).
import { api, isCommandError } from "../api";
import { go, state } from "../app";
import { languageButton } from "../bar";
import { h, mount } from "../dom";
import { t } from "../i18n";
import { pollStatus, syncNow } from "../session";

const SERVER_KEY = "terreno.server";

export function renderLogin(screen: HTMLElement): void {
  const server = h("input", {
    id: "server",
    type: "url",
    inputmode: "url",
    autocomplete: "url",
    value: localStorage.getItem(SERVER_KEY) ?? "http://",
  });
  const user = h("input", { id: "username", autocomplete: "username", autocapitalize: "none" });
  const password = h("input", { id: "password", type: "password", autocomplete: "current-password" });
  const error = h("div", { id: "login-error", role: "alert" });
  const button = h("button", { id: "login", class: "primary big", type: "submit" }, t("login"));
  const form = h(
    "form",
    {
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        button.disabled = true;
        button.textContent = t("loggingIn");
        mount(error);
        try {
          localStorage.setItem(SERVER_KEY, server.value.trim());
          await api.login(server.value.trim(), user.value.trim(), password.value);
          state.notice = null;
          await pollStatus();
          go({ screen: "route" });
          await syncNow();
          go({ screen: "route" });
        } catch (e) {
          const code = isCommandError(e) ? e.code : "internal";
          const words = code === "offline" ? t("error_offline") : code === "rejected" ? t("error_rejected") : "";
          mount(error, h("div", { class: "error-box" }, words, words ? h("br") : null, isCommandError(e) ? e.message : String(e)));
          button.disabled = false;
          button.textContent = t("login");
        }
      },
    },
    h("label", { for: "server" }, t("server")),
    server,
    h("label", { for: "username" }, t("user")),
    user,
    h("label", { for: "password" }, t("password")),
    password,
    error,
    h("p", {}, button),
  );
  mount(screen, h("div", { class: "row" }, h("h1", { class: "grow" }, t("login")), languageButton()), form);
}
