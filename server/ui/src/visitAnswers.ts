// A visit's answers as the server labels them with the form version the visit was filled with
// (`answers` of `GET /api/v1/visits/{id}`): each question's label in the dashboard's language,
// the groups and repeat instances it sits in, choices by their labels, and photos and the
// signature as images. Attachments need the session's token, so an image is fetched into a
// blob URL rather than pointed at by a bare <img src>; the URLs are released on `destroy`.

import { ApiError, download } from "./api";
import { h } from "./format";
import type { AnswerForm, LabelledAnswer } from "./generated";
import { language, t } from "./i18n";

/** Text in the form's languages, by language name (`Español (es)`, `default`). */
export type Labels = LabelledAnswer["label"];

/** Rendered answers; `destroy` releases the images' blob URLs. */
export interface AnswersView {
  element: HTMLElement;
  destroy(): void;
}

/** The answers, in the form's order. */
export function answersView(answers: LabelledAnswer[], form: AnswerForm | null): AnswersView {
  const urls: string[] = [];
  let destroyed = false;
  const pick = (labels: Labels) => labelIn(labels, form);
  const rows = answers.flatMap((a) => {
    const where = a.groups
      .map((g) => {
        const name = pick(g.label) ?? g.name;
        if (g.instance === null) return name;
        return t("review.answers.instance", { group: name, n: g.instance });
      })
      .join(" › ");
    const question = pick(a.label) ?? a.path;
    const term = h(
      "dt",
      { "data-path": a.path },
      where ? h("span", { class: "muted group" }, `${where} › `) : null,
      question,
    );
    const value = h("dd", {}, answerValue(a, pick));
    if ((a.kind === "image" || a.kind === "signature") && a.attachment) {
      void showImage(value, a, question, urls, () => destroyed);
    }
    return [term, value];
  });
  const source = form
    ? h(
        "p",
        { class: "muted" },
        t("review.answers.form", { title: form.title, version: form.version }),
      )
    : h("p", { class: "muted" }, t("review.answers.noForm"));
  const element =
    answers.length === 0
      ? h("p", { class: "empty" }, t("visits.noAnswers"))
      : h("div", {}, source, h("dl", { class: "answers" }, ...rows));
  return {
    element,
    destroy() {
      destroyed = true;
      for (const u of urls) URL.revokeObjectURL(u);
    },
  };
}

/** A label in the dashboard's language: the form language named for it (`… (es)`), else the
 * form's default, else any; null when the question has no label at all. */
export function labelIn(labels: Labels, form: AnswerForm | null): string | null {
  const lang = language();
  const keys = Object.keys(labels);
  const mine = keys.find(
    (k) => k === lang || k.toLowerCase().endsWith(`(${lang})`) || k.toLowerCase() === lang,
  );
  const fallback = [form?.default_language ?? "", "default"].find((k) => k in labels);
  const key = mine ?? fallback ?? keys[0];
  return key === undefined ? null : (labels[key] ?? null);
}

function answerValue(a: LabelledAnswer, pick: (l: Labels) => string | null): string | HTMLElement {
  switch (a.kind) {
    case "choice":
      return a.choices.map((c) => pick(c.label) ?? c.name).join(", ") || "—";
    case "image":
    case "signature":
      return a.attachment
        ? h("span", { class: "muted", role: "status" }, t("review.answers.imageLoading"))
        : h("span", { class: "muted" }, t("review.answers.imageMissing"));
    case "date":
      return typeof a.value === "string" ? localDate(a.value) : plain(a.value);
    default:
      return plain(a.value);
  }
}

/** Fetches the attachment with the session's token and puts it in `into`. */
async function showImage(
  into: HTMLElement,
  a: LabelledAnswer,
  question: string,
  urls: string[],
  destroyed: () => boolean,
): Promise<void> {
  try {
    const file = await download(`/api/v1/blobs/${encodeURIComponent(a.attachment!.sha256)}`);
    if (destroyed()) return;
    const url = URL.createObjectURL(file.blob);
    urls.push(url);
    const alt =
      a.kind === "signature"
        ? t("review.answers.signatureAlt", { question })
        : t("review.answers.photoAlt", { question });
    into.replaceChildren(
      h(
        "a",
        { href: url, target: "_blank", rel: "noopener" },
        h("img", { src: url, alt, class: a.kind }),
      ),
    );
  } catch (e) {
    if (destroyed()) return;
    const missing = e instanceof ApiError && e.status === 404;
    const why = missing ? t("review.answers.imageMissing") : t("review.answers.imageError");
    into.replaceChildren(h("span", { class: "error-inline", role: "alert" }, why));
  }
}

function plain(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** A `YYYY-MM-DD` date as the dashboard's language writes dates; as sent when unreadable. */
export function localDate(day: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return at.toLocaleDateString(language() === "es" ? "es-CO" : "en-US", {
    timeZone: "UTC",
    day: "numeric",
    month: "long",
    year: "numeric",
  });
}
