// A form version's live preview: the questions as the collector's app shows them, answered by
// the supervisor. Every change is sent (debounced) to
// `POST /api/v1/forms/versions/{id}/preview`, where the shared form engine decides what is
// relevant, computed, filtered and refused; this file only draws its answer. The answers live
// here, so a slow or failed evaluation never loses what was typed.

import { ApiError, api } from "./api";
import { h } from "./format";
import type { FormSummary, Preview, PreviewItem } from "./generated";
import { t } from "./i18n";

/** Wait after the last change before asking the engine again. */
const DEBOUNCE_MS = 150;

type State =
  { kind: "loading" } | { kind: "failed"; plain: string } | { kind: "ready"; preview: Preview };

/** Types the preview asks for with a plain input of that type. */
const INPUT_TYPES: Record<string, string> = {
  text: "text",
  barcode: "text",
  integer: "number",
  decimal: "number",
  range: "number",
  date: "date",
  time: "time",
  date_time: "datetime-local",
};

export class FormPreview {
  private state: State = { kind: "loading" };
  private answers: Record<string, string> = {};
  private instances: Record<string, number> = {};
  private language: string | null = null;
  private showHidden = false;
  private timer: number | undefined;
  /** Answers to older requests are dropped: only the latest evaluation is drawn. */
  private sequence = 0;
  private destroyed = false;
  private readonly body = h("div", { class: "preview-body" });

  constructor(
    private readonly root: HTMLElement,
    private readonly form: FormSummary,
  ) {
    void this.evaluate();
  }

  destroy(): void {
    this.destroyed = true;
    window.clearTimeout(this.timer);
  }

  render(): void {
    const reset = h("button", { type: "button", class: "reset" }, t("forms.pvReset"));
    reset.addEventListener("click", () => {
      this.answers = {};
      this.instances = {};
      this.changed();
    });
    const hidden = h("input", { type: "checkbox", id: "pv-show-hidden", checked: this.showHidden });
    hidden.addEventListener("change", () => {
      this.showHidden = hidden.checked;
      this.drawBody();
    });
    this.root.replaceChildren(
      h(
        "h2",
        { tabindex: "-1", id: "pv-title" },
        t("forms.pvTitle", { title: this.form.title, version: versionWords(this.form) }),
      ),
      h("p", { class: "hint" }, t("forms.pvIntro")),
      h(
        "div",
        { class: "preview-tools" },
        this.languagePicker(),
        h(
          "div",
          { class: "check" },
          hidden,
          h("label", { for: "pv-show-hidden" }, t("forms.pvShowHidden")),
        ),
        reset,
      ),
      this.body,
    );
    this.drawBody();
  }

  private languagePicker(): HTMLElement | string {
    if (this.state.kind !== "ready" || this.state.preview.languages.length < 2) return "";
    const p = this.state.preview;
    const select = h("select", { id: "pv-language" });
    for (const l of p.languages) {
      const name = l === "default" ? t("forms.pvUntranslated") : l;
      select.append(h("option", { value: l, selected: l === p.language }, name));
    }
    select.addEventListener("change", () => {
      this.language = select.value;
      this.changed();
    });
    return h(
      "div",
      { class: "field" },
      h("label", { for: "pv-language" }, t("forms.pvLanguage")),
      select,
    );
  }

  /** Schedules an evaluation after the debounce. */
  private changed(): void {
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => void this.evaluate(), DEBOUNCE_MS);
  }

  private async evaluate(): Promise<void> {
    const mine = ++this.sequence;
    const firstLoad = this.state.kind !== "ready";
    try {
      const preview = await api<Preview>(
        "POST",
        `/api/v1/forms/versions/${encodeURIComponent(this.form.id)}/preview`,
        { answers: this.answers, instances: this.instances, language: this.language ?? undefined },
      );
      if (this.destroyed || mine !== this.sequence) return;
      this.state = { kind: "ready", preview };
    } catch (e) {
      if (this.destroyed || mine !== this.sequence) return;
      this.state = { kind: "failed", plain: e instanceof ApiError ? e.plain : String(e) };
    }
    if (firstLoad) this.render();
    else this.drawBody();
  }

  /** Redraws the questions, keeping the focus (and caret) where the supervisor was typing. */
  private drawBody(): void {
    const active = document.activeElement as HTMLInputElement | null;
    const focusId = active && this.body.contains(active) ? active.id : null;
    const caret = focusId && active && "selectionStart" in active ? safeCaret(active) : null;
    this.body.replaceChildren(...this.bodyParts());
    if (!focusId) return;
    const again = document.getElementById(focusId) as HTMLInputElement | null;
    again?.focus();
    if (again && caret) {
      try {
        again.setSelectionRange(caret[0], caret[1]);
      } catch {
        // Number and date inputs have no caret.
      }
    }
  }

  private bodyParts(): HTMLElement[] {
    const s = this.state;
    if (s.kind === "loading")
      return [h("p", { class: "loading", role: "status" }, t("forms.pvLoading"))];
    if (s.kind === "failed") {
      const retry = h("button", { type: "button" }, t("forms.retry"));
      retry.addEventListener("click", () => void this.evaluate());
      return [
        h(
          "div",
          { class: "error", role: "alert" },
          h("p", {}, t("forms.pvFailed", { message: s.plain })),
          retry,
        ),
      ];
    }
    const p = s.preview;
    const missing = p.state.missing_required.length;
    const failed = p.state.failed_constraints.length;
    const status = p.state.complete
      ? t("forms.pvComplete")
      : [
          missing > 0 ? t("forms.pvMissing", { n: missing }) : "",
          failed > 0 ? t("forms.pvBroken", { n: failed }) : "",
        ]
          .filter(Boolean)
          .join(" ");
    const parts: HTMLElement[] = [
      h("p", { class: `pv-status ${p.state.complete ? "ok" : ""}`, role: "status" }, status),
    ];
    if (p.state.errors.length > 0) {
      parts.push(
        h(
          "div",
          { class: "pv-errors" },
          h("p", {}, t("forms.pvExprErrors")),
          h("ul", {}, ...p.state.errors.map((e) => h("li", {}, `${e.path}: ${e.message}`))),
        ),
      );
    }
    const shown = p.items.filter((i) => i.relevant || this.showHidden);
    if (shown.length === 0) parts.push(h("p", { class: "empty" }, t("forms.pvNothing")));
    parts.push(h("div", { class: "pv-items" }, ...shown.map((i) => this.item(i))));
    return parts;
  }

  private item(i: PreviewItem): HTMLElement {
    const style = `margin-left: ${Math.min(i.depth, 8) * 1.25}rem`;
    const cls = `pv-item pv-${i.kind}${i.relevant ? "" : " pv-hidden"}`;
    const hiddenNote = i.relevant ? null : h("span", { class: "pv-tag" }, t("forms.pvHiddenTag"));
    switch (i.kind) {
      case "group":
        return h(
          "div",
          { class: cls, style, "data-path": i.path },
          h("h3", {}, i.label, hiddenNote),
        );
      case "instance":
        return h(
          "div",
          { class: cls, style, "data-path": i.path },
          h("h4", {}, i.label, hiddenNote),
        );
      case "repeat":
        return this.repeat(i, cls, style);
      case "question":
        return this.question(i, cls, style, hiddenNote);
    }
  }

  private repeat(i: PreviewItem, cls: string, style: string): HTMLElement {
    const count = i.count ?? 0;
    const parts: Array<Node | null> = [
      h("h3", {}, i.label),
      h(
        "p",
        { class: "hint" },
        i.fixed_count ? t("forms.pvRepeatFixed", { count }) : t("forms.pvRepeatCount", { count }),
      ),
    ];
    if (!i.fixed_count && i.relevant) {
      const add = h(
        "button",
        { type: "button", class: "pv-add" },
        t("forms.pvAdd", { label: i.label }),
      );
      add.addEventListener("click", () => {
        this.instances[i.path] = count + 1;
        this.changed();
      });
      parts.push(add);
      if (count > 0) {
        const remove = h(
          "button",
          { type: "button", class: "pv-remove" },
          t("forms.pvRemove", { label: i.label, n: count }),
        );
        remove.addEventListener("click", () => {
          const prefix = `${i.path}[${count}]`;
          for (const k of Object.keys(this.answers)) {
            if (k.startsWith(`${prefix}/`)) delete this.answers[k];
          }
          for (const k of Object.keys(this.instances)) {
            if (k.startsWith(`${prefix}/`)) delete this.instances[k];
          }
          this.instances[i.path] = count - 1;
          this.changed();
        });
        parts.push(remove);
      }
    }
    return h("div", { class: cls, style, "data-path": i.path }, ...parts);
  }

  private question(
    i: PreviewItem,
    cls: string,
    style: string,
    hiddenNote: HTMLElement | null,
  ): HTMLElement {
    const id = inputId(i.path);
    const touched = i.path in this.answers;
    // A required answer is only called missing once touched: a fresh preview is not all red.
    const issue = i.issue && (touched || !i.required || i.value) ? i.issue : null;
    const issueId = `${id}-issue`;
    const hintId = `${id}-hint`;
    const label = h(
      "span",
      { class: "pv-label" },
      i.label,
      i.required ? h("span", { class: "pv-required", "aria-hidden": "true" }, " *") : null,
      hiddenNote,
    );
    const describedBy =
      [i.hint ? hintId : "", issue ? issueId : ""].filter(Boolean).join(" ") || undefined;
    const parts: Array<Node | null> = [];
    const widget = i.widget ?? "text";
    if (widget === "note" || i.read_only) {
      parts.push(h("p", { class: "pv-note" }, label));
      if (i.hint) parts.push(h("p", { class: "hint", id: hintId }, i.hint));
      if (widget !== "note" || i.value) {
        parts.push(
          h(
            "p",
            { class: "pv-value" },
            i.computed ? t("forms.pvComputed") : t("forms.pvValue"),
            " ",
            h("output", { id, "data-path": i.path }, i.value ?? t("forms.pvEmptyValue")),
          ),
        );
      }
    } else if (
      (widget === "select_one" || widget === "select_multiple") &&
      i.choices &&
      i.choices.length > 0
    ) {
      const multiple = widget === "select_multiple";
      const chosen = new Set((this.answers[i.path] ?? i.value ?? "").split(" ").filter(Boolean));
      const options = i.choices.map((c, n) => {
        const optionId = `${id}-${n}`;
        const input = h("input", {
          type: multiple ? "checkbox" : "radio",
          id: optionId,
          name: id,
          value: c.name,
          checked: chosen.has(c.name),
          disabled: !i.relevant,
        });
        input.addEventListener("change", () => {
          if (multiple) {
            const picked = i.choices!.filter(
              (_, k) => (document.getElementById(`${id}-${k}`) as HTMLInputElement | null)?.checked,
            );
            this.answers[i.path] = picked.map((x) => x.name).join(" ");
          } else {
            this.answers[i.path] = c.name;
          }
          this.changed();
        });
        return h("div", { class: "check" }, input, h("label", { for: optionId }, c.label));
      });
      const clear = h("button", { type: "button", class: "pv-clear" }, t("forms.pvClear"));
      clear.addEventListener("click", () => {
        this.answers[i.path] = "";
        this.changed();
      });
      parts.push(
        h(
          "fieldset",
          {
            "aria-describedby": describedBy,
            "aria-invalid": issue ? "true" : undefined,
            "data-path": i.path,
          },
          h("legend", {}, label),
          i.hint ? h("p", { class: "hint", id: hintId }, i.hint) : null,
          ...options,
          chosen.size > 0 && i.relevant ? clear : null,
        ),
      );
    } else {
      const known = INPUT_TYPES[widget];
      const input = h("input", {
        type: widget === "acknowledge" ? "checkbox" : (known ?? "text"),
        id,
        "data-path": i.path,
        step: widget === "decimal" ? "any" : widget === "integer" ? "1" : undefined,
        "aria-describedby": describedBy,
        "aria-invalid": issue ? "true" : undefined,
        disabled: !i.relevant,
      });
      if (widget === "acknowledge") {
        input.checked = (this.answers[i.path] ?? i.value ?? "") === "OK";
        input.addEventListener("change", () => {
          this.answers[i.path] = input.checked ? "OK" : "";
          this.changed();
        });
      } else {
        input.value = this.answers[i.path] ?? i.value ?? "";
        input.addEventListener("input", () => {
          this.answers[i.path] = input.value;
          this.changed();
        });
      }
      parts.push(h("label", { for: id }, label));
      if (i.hint) parts.push(h("p", { class: "hint", id: hintId }, i.hint));
      if (!known && widget !== "acknowledge") {
        parts.push(h("p", { class: "hint" }, t("forms.pvAsText", { type: i.type ?? widget })));
      }
      parts.push(input);
    }
    if (issue) parts.push(h("p", { class: "pv-issue", id: issueId }, issue));
    return h("div", { class: cls, style, "data-path": i.path }, ...parts);
  }
}

/** A version as people read it ("sin versión" when the form has none). */
export function versionText(f: { version: string | null }): string {
  return f.version ?? t("forms.noVersion");
}

/** A version in a sentence ("versión 3", "sin versión"). */
export function versionWords(f: { version: string | null }): string {
  return f.version === null ? t("forms.noVersion") : t("forms.versionN", { version: f.version });
}

/** An element id for an answer path (`hh[2]/age` → `pv-hh-2--age`). */
function inputId(path: string): string {
  return "pv-" + path.replace(/[^A-Za-z0-9_-]/g, "-");
}

function safeCaret(el: HTMLInputElement): [number, number] | null {
  try {
    if (el.selectionStart === null || el.selectionEnd === null) return null;
    return [el.selectionStart, el.selectionEnd];
  } catch {
    return null;
  }
}
