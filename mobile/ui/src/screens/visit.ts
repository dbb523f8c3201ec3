// The visit: the questionnaire, then the outcome and completion (refused by the core, with
// every missing answer and failed check, until the form is complete), then a done screen.
import { api, isCommandError } from "../api";
import { go } from "../app";
import type { Completed, LiveForm, Outcome } from "../generated";
import { h, mount } from "../dom";
import { t, tCode } from "../i18n";
import { syncNow } from "../session";
import { FormView } from "./form";

const OUTCOMES: Outcome[] = ["paid", "promise_to_pay", "contacted", "third_party", "nobody_home", "wrong_address", "refused"];

export async function renderVisit(screen: HTMLElement, stop: string): Promise<void> {
  let live: LiveForm;
  try {
    live = await api.form(stop);
  } catch (e) {
    mount(screen, back(), h("div", { class: "error-box" }, isCommandError(e) ? e.message : String(e)));
    return;
  }
  const view = new FormView(stop, live);
  const outcome = h("select", { id: "outcome" }, h("option", { value: "" }, "—"), OUTCOMES.map((o) => h("option", { value: o }, tCode("outcome", o))));
  const saved = localStorage.getItem(`terreno.outcome.${stop}`);
  if (saved) outcome.value = saved;
  outcome.addEventListener("change", () => localStorage.setItem(`terreno.outcome.${stop}`, outcome.value));
  const problems = h("div", { id: "complete-error", role: "alert" });
  const finish = h(
    "button",
    {
      class: "primary big",
      id: "complete",
      onclick: async () => {
        mount(problems);
        if (!outcome.value) {
          mount(problems, h("div", { class: "error-box" }, t("outcome")));
          outcome.focus();
          return;
        }
        finish.disabled = true;
        try {
          const done = await api.complete(stop, outcome.value as Outcome);
          localStorage.removeItem(`terreno.outcome.${stop}`);
          go({ screen: "done", stop, done });
          void syncNow();
        } catch (e) {
          view.showMissing = true;
          view.update(await api.form(stop));
          mount(problems, h("div", { class: "error-box" }, h("strong", {}, t("fixFirst")), h("br"), isCommandError(e) ? e.message : String(e)));
          (view.firstIssue() ?? problems).scrollIntoView({ block: "center" });
        } finally {
          finish.disabled = false;
        }
      },
    },
    t("complete"),
  );
  mount(
    screen,
    back(),
    h("h1", {}, `${t("visit")} · ${live.external_id}`),
    h("p", { class: "muted" }, live.form.title),
    view.root,
    h("div", { class: "complete-box" }, h("label", { for: "outcome" }, t("outcome")), outcome, problems, h("p", {}, finish)),
  );
}

function back(): HTMLElement {
  return h("p", {}, h("button", { id: "back", onclick: () => go({ screen: "route" }) }, `← ${t("backToRoute")}`));
}

export function renderDone(screen: HTMLElement, done: Completed): void {
  mount(
    screen,
    h(
      "div",
      { class: "done-box", id: "done" },
      h("div", { class: "check" }, "✓"),
      h("h1", {}, t("completed")),
      h("p", {}, tCode("outcome", done.outcome)),
      h("button", { class: "primary big", id: "to-route", onclick: () => go({ screen: "route" }) }, t("backToRoute")),
    ),
  );
}
