// Reviewing a visit from its detail: the current review state, a form to approve or reject it
// with a comment (`POST /api/v1/visits/{id}/review`; rejecting needs one, and the form says so
// before sending), and the visit's history (`GET /api/v1/visits/{id}/history`): reviews, each
// answer edit with who made it, on which phone, and the value before and after, and edits that
// were overwritten, newest first.

import { api, ApiError } from "./api";
import { h } from "./format";
import type { HistoryEntry, VisitHistory, VisitReview } from "./generated";
import { clock, language, t, tMaybe } from "./i18n";

/** The review state's words and badge class; `pending` when not reviewed. */
export function reviewBadge(review: string | null, status: string): HTMLElement | null {
  if (review === null && status !== "done") return null;
  const state = review ?? "pending";
  return h("span", { class: `badge review ${state}` }, tMaybe(`review.state.${state}`, state));
}

/** The review section of a completed visit; `onReviewed` runs once a review is stored. */
export function reviewSection(
  visitId: string,
  status: string,
  latest: VisitReview | null,
  onReviewed: (r: VisitReview) => void,
): HTMLElement {
  const box = h("section", { class: "review", "aria-labelledby": "review-title" });
  box.append(h("h3", { id: "review-title" }, t("review.title")));
  box.append(
    h(
      "p",
      { class: "review-state", tabindex: "-1", role: "status" },
      t("review.current"),
      " ",
      reviewBadge(latest?.decision ?? null, status) ?? t("review.notCompleted"),
    ),
  );
  if (latest) {
    box.append(
      h(
        "p",
        { class: "muted" },
        t("review.by", { name: latest.reviewer_name, when: moment(latest.at_ms) }),
        latest.comment ? ` — “${latest.comment}”` : "",
      ),
    );
  }
  if (status === "done") box.append(reviewForm(visitId, onReviewed));
  return box;
}

function reviewForm(visitId: string, onReviewed: (r: VisitReview) => void): HTMLFormElement {
  const choice = (value: string) =>
    h(
      "label",
      { class: "choice" },
      h("input", { type: "radio", name: "decision", value, required: true }),
      ` ${t(`review.decide.${value}` as "review.decide.approved")}`,
    );
  const comment = h("textarea", {
    id: "review-comment",
    name: "comment",
    rows: "3",
    maxlength: "2000",
    "aria-describedby": "review-comment-hint",
  });
  const message = h("p", { class: "form-message", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, t("review.submit"));
  const form = h(
    "form",
    { class: "review-form", novalidate: true },
    h(
      "fieldset",
      {},
      h("legend", {}, t("review.decision")),
      choice("approved"),
      choice("rejected"),
    ),
    h("label", { for: "review-comment" }, t("review.comment")),
    h("p", { id: "review-comment-hint", class: "muted" }, t("review.commentHint")),
    comment,
    submit,
    message,
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const decision = new FormData(form).get("decision");
    const text = comment.value.trim();
    message.className = "form-message error-inline";
    if (decision !== "approved" && decision !== "rejected") {
      message.textContent = t("review.needDecision");
      form.querySelector<HTMLInputElement>("input[name=decision]")?.focus();
      return;
    }
    if (decision === "rejected" && !text) {
      message.textContent = t("review.needComment");
      comment.setAttribute("aria-invalid", "true");
      comment.focus();
      return;
    }
    comment.removeAttribute("aria-invalid");
    submit.disabled = true;
    message.className = "form-message";
    message.textContent = t("review.saving");
    const path = `/api/v1/visits/${encodeURIComponent(visitId)}/review`;
    api<VisitReview>("POST", path, { decision, comment: text })
      .then(onReviewed)
      .catch((err: unknown) => {
        submit.disabled = false;
        message.className = "form-message error-inline";
        message.textContent = err instanceof ApiError ? err.plain : String(err);
      });
  });
  return form;
}

/** The visit's history, loaded into its own section (it shows a loading line meanwhile);
 * `fieldName` names an answer's path as the detail does (its question's label). */
export function historySection(visitId: string, fieldName: (path: string) => string): HTMLElement {
  const box = h("section", { class: "history", "aria-labelledby": "history-title" });
  const loading = h("p", { class: "loading-inline", role: "status" }, t("review.history.loading"));
  const body = h("div", {}, loading);
  box.append(h("h3", { id: "history-title" }, t("review.history.title")), body);
  const path = `/api/v1/visits/${encodeURIComponent(visitId)}/history`;
  api<VisitHistory>("GET", path)
    .then(({ entries }) => {
      body.replaceChildren(
        entries.length === 0
          ? h("p", { class: "empty" }, t("review.history.empty"))
          : h("ol", { class: "history" }, ...entries.map((e) => entryItem(e, fieldName))),
      );
    })
    .catch((e: unknown) => {
      body.replaceChildren(
        h(
          "p",
          { class: "error-inline", role: "alert" },
          e instanceof ApiError ? e.plain : String(e),
        ),
      );
    });
  return box;
}

function entryItem(e: HistoryEntry, fieldName: (path: string) => string): HTMLElement {
  const at = h("strong", {}, moment(e.at_ms));
  switch (e.kind) {
    case "review":
      return h(
        "li",
        { class: `review ${e.decision}` },
        at,
        " ",
        t("review.history.review", {
          name: e.reviewer_name,
          decision: tMaybe(`review.state.${e.decision}`, e.decision),
        }),
        e.comment ? h("span", { class: "comment" }, ` “${e.comment}”`) : null,
      );
    case "edit":
      return h(
        "li",
        { class: `edit ${e.state}` },
        at,
        " ",
        t(e.old_value === null ? "review.history.set" : "review.history.changed", {
          name: e.user_name,
          device: e.device_label,
          field: fieldName(e.field),
          old: shown(e.old_value),
          new: shown(e.new_value),
        }),
        e.state === "rejected"
          ? h(
              "span",
              { class: "badge danger" },
              t("review.history.rejected", { reason: e.reason ?? "" }),
            )
          : null,
      );
    case "conflict":
      return h(
        "li",
        { class: "conflict" },
        at,
        " ",
        t("review.history.conflict", {
          field: fieldName(e.field),
          lost: shown(e.lost_value),
          loser: e.lost_username ?? "?",
          won: shown(e.won_value),
          winner: e.won_username ?? "?",
        }),
      );
  }
}

function shown(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "object") {
    const o = v as { attachment_id?: string };
    return o.attachment_id ? t("review.history.attachment") : JSON.stringify(v);
  }
  return String(v);
}

function moment(ms: number): string {
  const at = new Date(ms);
  const day = at.toLocaleDateString(language() === "es" ? "es-CO" : "en-US", {
    day: "numeric",
    month: "short",
  });
  return `${day} ${clock(at)}`;
}
