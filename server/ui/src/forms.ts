// The Forms page: a supervisor uploads an XLSForm questionnaire to `POST /api/v1/forms` and
// reads what happened (every problem with its sheet, row and column, so the file can be fixed;
// or the stored version and its warnings), sees the organization's form versions
// (`GET /api/v1/forms`), chooses which one new visits are filled with
// (`PUT /api/v1/forms/visit-form`) and opens a version's live preview (formPreview.ts).

import { ApiError, api } from "./api";
import { FormPreview, versionText, versionWords } from "./formPreview";
import { h } from "./format";
import type { FormSummary, ImportedForm, Problem, Warning } from "./generated";
import { language, t } from "./i18n";
import type { Page } from "./page";
import { currentUser } from "./session";

/** A problem or warning of a form, located where the author can find it (the two have one
 * shape). */
type Finding = Problem | Warning;

type ListState =
  { kind: "loading" } | { kind: "failed"; plain: string } | { kind: "ready"; forms: FormSummary[] };

type Upload =
  | { kind: "none" }
  | { kind: "busy"; file: string }
  | { kind: "failed"; plain: string }
  | { kind: "invalid"; file: string; problems: Finding[] }
  | { kind: "done"; file: string; form: ImportedForm };

/** Opens the Forms page. */
export function formsPage(): Page {
  const root = h("div", { class: "forms-page" });
  const state = new FormsPageState(root);
  state.render();
  void state.load();
  return {
    title: () => t("forms.title"),
    element: root,
    relabel: () => state.render(),
    destroy: () => state.destroy(),
  };
}

class FormsPageState {
  private list: ListState = { kind: "loading" };
  private upload: Upload = { kind: "none" };
  /** The version being made the visit form, and the last such failure. */
  private choosing: string | null = null;
  private chooseError: string | null = null;
  private chosen: string | null = null;
  private preview: FormPreview | null = null;
  private destroyed = false;
  private readonly fileInput = h("input", {
    type: "file",
    id: "form-file",
    name: "file",
    accept: ".xlsx,.xls,.csv",
    required: true,
    "aria-describedby": "form-file-hint",
  });
  private readonly visitsInput = h("input", { type: "checkbox", id: "form-use-for-visits" });
  private readonly listSection = h("section", {
    class: "form-list",
    "aria-labelledby": "forms-list-title",
  });
  private readonly previewSection = h("section", { class: "form-preview-area" });

  constructor(private readonly root: HTMLElement) {}

  destroy(): void {
    this.destroyed = true;
    this.preview?.destroy();
  }

  async load(): Promise<void> {
    try {
      const forms = await api<FormSummary[]>("GET", "/api/v1/forms");
      this.list = { kind: "ready", forms };
    } catch (e) {
      this.list = { kind: "failed", plain: e instanceof ApiError ? e.plain : String(e) };
    }
    if (this.destroyed) return;
    this.renderList();
  }

  render(): void {
    const user = currentUser();
    const canEdit = user?.role === "admin" || user?.role === "supervisor";
    this.root.replaceChildren(
      h("h1", {}, t("forms.title")),
      h("p", { class: "intro" }, t("forms.intro")),
      canEdit ? this.uploadForm() : h("p", { class: "hint" }, t("forms.readOnly")),
      this.uploadResult(),
      this.listSection,
      this.previewSection,
    );
    this.renderList();
    this.preview?.render();
  }

  private uploadForm(): HTMLElement {
    const busy = this.upload.kind === "busy";
    const form = h(
      "form",
      { class: "upload", novalidate: true, "aria-labelledby": "forms-upload-title" },
      h("h2", { id: "forms-upload-title" }, t("forms.uploadTitle")),
      h("label", { for: "form-file" }, t("forms.file")),
      h("p", { class: "hint", id: "form-file-hint" }, t("forms.fileHint")),
      this.fileInput,
      h(
        "div",
        { class: "check" },
        this.visitsInput,
        h("label", { for: "form-use-for-visits" }, t("forms.useForVisits")),
      ),
      h(
        "button",
        { type: "submit", class: "primary", disabled: busy },
        busy ? t("forms.busy") : t("forms.submit"),
      ),
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.send();
    });
    return form;
  }

  private async send(): Promise<void> {
    const file = this.fileInput.files?.[0];
    if (!file) {
      this.upload = { kind: "failed", plain: t("forms.noFile") };
      this.render();
      this.fileInput.focus();
      return;
    }
    const body = new FormData();
    body.append("file", file, file.name);
    body.append("use_for_visits", this.visitsInput.checked ? "true" : "false");
    this.upload = { kind: "busy", file: file.name };
    this.render();
    try {
      const form = await api<ImportedForm>("POST", "/api/v1/forms", body);
      this.upload = { kind: "done", file: file.name, form };
      void this.load();
    } catch (e) {
      this.upload = refused(e, file.name);
    }
    if (this.destroyed) return;
    this.render();
    this.root.querySelector<HTMLElement>(".upload-result h2")?.focus();
  }

  private uploadResult(): HTMLElement {
    const u = this.upload;
    const section = (cls: string, ...c: Array<Node | null>) =>
      h("section", { class: `upload-result ${cls}`, "aria-live": "polite" }, ...c);
    switch (u.kind) {
      case "none":
        return section("empty");
      case "busy":
        return section(
          "",
          h("p", { class: "loading", role: "status" }, t("forms.uploading", { file: u.file })),
        );
      case "failed":
        return section("", h("div", { class: "error", role: "alert" }, h("p", {}, u.plain)));
      case "invalid":
        return section(
          "refused",
          h(
            "h2",
            { tabindex: "-1" },
            t("forms.invalidTitle", { file: u.file, count: u.problems.length }),
          ),
          h("p", {}, t("forms.invalidFix")),
          findingsTable(u.problems, "forms-problems"),
        );
      case "done": {
        const f = u.form;
        return section(
          "stored",
          h(
            "h2",
            { tabindex: "-1" },
            t("forms.stored", { title: f.title, version: versionWords(f) }),
          ),
          f.visit_form ? h("p", {}, t("forms.storedForVisits")) : null,
          f.warnings.length > 0
            ? h("p", {}, t("forms.warningsIntro", { count: f.warnings.length }))
            : h("p", { class: "ok" }, t("forms.noWarnings")),
          f.warnings.length > 0 ? findingsTable(f.warnings, "forms-warnings") : null,
        );
      }
    }
  }

  private renderList(): void {
    const l = this.list;
    const title = h("h2", { id: "forms-list-title" }, t("forms.listTitle"));
    if (l.kind === "loading") {
      this.listSection.replaceChildren(
        title,
        h("p", { class: "loading", role: "status" }, t("forms.loading")),
      );
      return;
    }
    if (l.kind === "failed") {
      const retry = h("button", { type: "button" }, t("forms.retry"));
      retry.addEventListener("click", () => {
        this.list = { kind: "loading" };
        this.renderList();
        void this.load();
      });
      this.listSection.replaceChildren(
        title,
        h(
          "div",
          { class: "error", role: "alert" },
          h("p", {}, t("forms.listFailed", { message: l.plain })),
          retry,
        ),
      );
      return;
    }
    if (l.forms.length === 0) {
      this.listSection.replaceChildren(title, h("p", { class: "empty" }, t("forms.none")));
      return;
    }
    const user = currentUser();
    const canEdit = user?.role === "admin" || user?.role === "supervisor";
    const rows = l.forms.map((f) => this.row(f, canEdit));
    this.listSection.replaceChildren(
      title,
      this.chooseError
        ? h("div", { class: "error", role: "alert" }, h("p", {}, this.chooseError))
        : "",
      h("p", { class: "ok chosen", role: "status" }, this.chosen ?? ""),
      h(
        "table",
        { class: "forms", "aria-labelledby": "forms-list-title" },
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ...(
              [
                "forms.colTitle",
                "forms.colId",
                "forms.colVersion",
                "forms.colWhen",
                "forms.colBy",
                "forms.colQuestions",
                "forms.colVisits",
                "forms.colPreview",
              ] as const
            ).map((k) => h("th", { scope: "col" }, t(k))),
          ),
        ),
        h("tbody", {}, ...rows),
      ),
    );
  }

  private row(f: FormSummary, canEdit: boolean): HTMLElement {
    let visits: HTMLElement;
    if (f.visit_form) {
      visits = h("span", { class: "badge-visit" }, t("forms.isVisitForm"));
    } else if (canEdit) {
      const busy = this.choosing === f.id;
      visits = h(
        "button",
        {
          type: "button",
          class: "use-for-visits",
          disabled: this.choosing !== null,
          "aria-label": t("forms.useThisLabel", { title: f.title, version: versionWords(f) }),
        },
        busy ? t("forms.choosing") : t("forms.useThis"),
      );
      visits.addEventListener("click", () => void this.choose(f));
    } else {
      visits = h("span", {}, "—");
    }
    const open = h(
      "button",
      {
        type: "button",
        class: "open-preview",
        "aria-label": t("forms.previewLabel", { title: f.title, version: versionWords(f) }),
      },
      t("forms.preview"),
    );
    open.addEventListener("click", () => this.openPreview(f));
    return h(
      "tr",
      { "data-form": f.form_id, "data-id": f.id, class: f.visit_form ? "visit-form" : undefined },
      h("th", { scope: "row" }, f.title),
      h("td", {}, h("code", {}, f.form_id)),
      h("td", {}, versionText(f)),
      h("td", {}, new Date(f.created_ms).toLocaleString(language() === "es" ? "es-CO" : "en-US")),
      h("td", {}, f.created_by ?? t("forms.byCommandLine")),
      h("td", { class: "num" }, String(f.questions)),
      h("td", {}, visits),
      h("td", {}, open),
    );
  }

  private async choose(f: FormSummary): Promise<void> {
    this.choosing = f.id;
    this.chooseError = null;
    this.chosen = null;
    this.renderList();
    try {
      await api<FormSummary>("PUT", "/api/v1/forms/visit-form", { id: f.id });
      if (this.list.kind === "ready") {
        for (const other of this.list.forms) other.visit_form = other.id === f.id;
      }
      this.chosen = t("forms.chosen", { title: f.title, version: versionWords(f) });
    } catch (e) {
      this.chooseError = t("forms.chooseFailed", {
        message: e instanceof ApiError ? e.plain : String(e),
      });
    }
    this.choosing = null;
    if (this.destroyed) return;
    this.renderList();
  }

  private openPreview(f: FormSummary): void {
    this.preview?.destroy();
    this.preview = new FormPreview(this.previewSection, f);
    this.preview.render();
    this.previewSection.querySelector<HTMLElement>("h2")?.focus();
  }
}

/** A refusal as the page shows it: a form with problems is a list to fix row by row. */
function refused(e: unknown, file: string): Upload {
  if (e instanceof ApiError) {
    const body = e.body as { problems?: Finding[] } | undefined;
    if (e.status === 422 && Array.isArray(body?.problems)) {
      return { kind: "invalid", file, problems: body.problems };
    }
    if (e.status === 422)
      return { kind: "failed", plain: t("forms.unreadable", { message: e.serverMessage }) };
    if (e.status === 409)
      return { kind: "failed", plain: t("forms.duplicate", { message: e.serverMessage }) };
    if (e.status === 413) return { kind: "failed", plain: t("forms.tooLarge") };
    if (e.status === 403) return { kind: "failed", plain: t("forms.forbidden") };
    return { kind: "failed", plain: e.plain };
  }
  return { kind: "failed", plain: String(e) };
}

/** Problems or warnings as a table: sheet, row, column, what is wrong. */
function findingsTable(findings: Finding[], id: string): HTMLElement {
  const rows = findings.map((p) =>
    h(
      "tr",
      { "data-row": p.row === null ? undefined : String(p.row) },
      h("td", {}, p.sheet),
      h("th", { scope: "row" }, p.row === null ? t("forms.wholeSheet") : String(p.row)),
      h("td", {}, p.column ?? t("forms.wholeRow")),
      h("td", {}, p.message),
    ),
  );
  return h(
    "table",
    { class: "rejected findings", id },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { scope: "col" }, t("forms.sheet")),
        h("th", { scope: "col" }, t("forms.row")),
        h("th", { scope: "col" }, t("forms.column")),
        h("th", { scope: "col" }, t("forms.problem")),
      ),
    ),
    h("tbody", {}, ...rows),
  );
}
