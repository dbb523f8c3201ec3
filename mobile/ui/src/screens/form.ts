// The visit questionnaire, rendered from the form's definition and kept in step with the
// core's evaluation: relevance (skip logic), constraint and required messages, calculated
// values, filtered choices, repeat instances. Every answer is saved as it is entered (typed
// text after a short pause, everything else at once); what could not be saved yet (a value the
// core refused) stays as a draft on the device and is shown again when the visit is reopened.
import { api, isCommandError } from "../api";
import type { LiveForm, Node, Question } from "../generated";
import { h, mount } from "../dom";
import { formText, t } from "../i18n";
import { signaturePad } from "./signature";

const TYPE_PAUSE_MS = 600;

interface Block {
  el: HTMLElement;
  issue: HTMLElement;
  saved?: HTMLElement;
  calc?: HTMLElement;
  input?: HTMLInputElement | HTMLTextAreaElement;
  options?: Map<string, { el: HTMLElement; input: HTMLInputElement }>;
}

export class FormView {
  readonly root = h("div", { id: "form" });
  private blocks = new Map<string, Block>();
  private groups = new Map<string, HTMLElement>();
  private extra = new Map<string, number>();
  private timers = new Map<string, number>();
  private language: string | null;
  showMissing = false;

  constructor(
    private stop: string,
    private live: LiveForm,
  ) {
    this.language = live.definition.settings.default_language;
    this.build();
  }

  private draftKey(path: string): string {
    return `terreno.draft.${this.stop}.${path}`;
  }

  private build(): void {
    this.blocks.clear();
    this.groups.clear();
    mount(this.root, ...this.nodes(this.live.definition.children, ""));
    this.update(this.live);
  }

  private nodes(nodes: Node[], prefix: string): HTMLElement[] {
    const out: HTMLElement[] = [];
    for (const n of nodes) {
      if (n.node === "question") {
        const b = this.question(n, `${prefix}${n.name}`);
        if (b) out.push(b);
      } else if (n.kind.kind === "group") {
        const path = `${prefix}${n.name}`;
        const el = h("fieldset", { class: "group", "data-path": path }, h("legend", {}, formText(n.label, this.language)), this.nodes(n.children, `${path}/`));
        this.groups.set(path, el);
        out.push(el);
      } else {
        const path = `${prefix}${n.name}`;
        const count = Math.max(1, (this.live.state.repeat_counts[path] ?? 0) + (this.extra.get(path) ?? 0));
        for (let i = 1; i <= count; i++) {
          const inst = `${path}[${i}]`;
          const el = h("fieldset", { class: "group", "data-path": inst }, h("legend", {}, `${formText(n.label, this.language)} ${i}`), this.nodes(n.children, `${inst}/`));
          this.groups.set(inst, el);
          out.push(el);
        }
        if (n.kind.count === null) {
          out.push(
            h("button", { onclick: () => { this.extra.set(path, (this.extra.get(path) ?? 0) + 1); this.build(); } }, `+ ${t("addAnother")}`),
          );
        }
      }
    }
    return out;
  }

  private question(q: Question, path: string): HTMLElement | null {
    const type = q.kind.type;
    if (type === "metadata" || ((type === "hidden" || type === "calculate") && !Object.keys(q.label).length)) return null;
    const issue = h("div", { class: "issue", role: "alert" });
    const saved = h("span", { class: "saved" });
    const required = q.required !== "never" ? h("span", { class: "req" }, t("required")) : null;
    const block: Block = { el: h("div"), issue, saved };
    const label = h("label", { for: `q-${path}` }, formText(q.label, this.language), required, saved);
    const hint = formText(q.hint, this.language);
    const body = this.control(q, path, block);
    block.el = h("div", { class: "q", "data-path": path }, label, hint ? h("div", { class: "hint" }, hint) : null, body, issue);
    this.blocks.set(path, block);
    return block.el;
  }

  private control(q: Question, path: string, block: Block): HTMLElement | null {
    const type = q.kind.type;
    const id = `q-${path}`;
    const appearance = q.appearance ?? "";
    if (type === "note") return null;
    if (type === "calculate" || type === "hidden") {
      block.calc = h("div", { class: "calc", id });
      return block.calc;
    }
    if (q.kind.type === "select_one" || q.kind.type === "select_multiple") {
      const multiple = q.kind.type === "select_multiple";
      const options = new Map<string, { el: HTMLElement; input: HTMLInputElement }>();
      const list = this.live.definition.choices[q.kind.list] ?? [];
      const box = h("div", { class: "opts", id });
      for (const c of list) {
        const input = h("input", { type: multiple ? "checkbox" : "radio", name: id, value: c.name });
        input.addEventListener("change", () => {
          const chosen = [...options.values()].filter((o) => o.input.checked).map((o) => o.input.value);
          void this.save(path, chosen.join(" "));
        });
        const el = h("label", { class: "opt", "data-choice": c.name }, input, formText(c.label, this.language) || c.name);
        options.set(c.name, { el, input });
        box.append(el);
      }
      block.options = options;
      return box;
    }
    if (type === "image" || type === "file" || type === "audio" || type === "video") {
      if (appearance.includes("signature")) {
        return signaturePad((png) => this.attach(path, png, "firma.png"));
      }
      const preview = h("div");
      const input = h("input", {
        type: "file",
        id,
        accept: type === "image" ? "image/*" : type === "audio" ? "audio/*" : type === "video" ? "video/*" : "",
        capture: type === "image" ? "environment" : undefined,
      });
      input.addEventListener("change", () => {
        const file = input.files?.[0];
        if (!file) return;
        if (file.type.startsWith("image/")) mount(preview, h("img", { class: "thumb", src: URL.createObjectURL(file), alt: "" }));
        void this.attach(path, file, file.name);
      });
      // A plain, visible file input: on phones it opens the camera (capture), on desktop a
      // file picker; styled large rather than hidden behind a button, so it stays reachable.
      return h("div", {}, h("div", { class: "hint" }, t("photo")), input, preview);
    }
    if (type === "acknowledge") {
      const input = h("input", { type: "checkbox", id });
      input.addEventListener("change", () => void this.save(path, input.checked ? "OK" : ""));
      block.options = new Map([["OK", { el: h("span"), input }]]);
      return h("label", { class: "opt" }, input, "OK");
    }
    const multiline = type === "text" && appearance.includes("multiline");
    const input = multiline ? h("textarea", { id, rows: 3 }) : h("input", { id, ...inputKind(type) });
    input.addEventListener("input", () => {
      localStorage.setItem(this.draftKey(path), input.value);
      window.clearTimeout(this.timers.get(path));
      this.timers.set(path, window.setTimeout(() => void this.save(path, input.value), TYPE_PAUSE_MS));
    });
    input.addEventListener("change", () => {
      window.clearTimeout(this.timers.get(path));
      void this.save(path, input.value);
    });
    block.input = input;
    return input;
  }

  private async save(path: string, value: string): Promise<void> {
    const block = this.blocks.get(path);
    if (block?.saved) mount(block.saved, "…");
    try {
      const live = await api.answer(this.stop, path, value);
      localStorage.removeItem(this.draftKey(path));
      this.update(live);
      if (block?.saved) mount(block.saved, `✓ ${t("saved")}`);
    } catch (e) {
      if (block) {
        mount(block.issue, isCommandError(e) ? e.message : String(e));
        if (block.saved) mount(block.saved);
      }
    }
  }

  private async attach(path: string, file: Blob, name: string): Promise<void> {
    const block = this.blocks.get(path);
    if (block?.saved) mount(block.saved, "…");
    try {
      this.update(await api.attach(this.stop, path, file, name));
      if (block?.saved) mount(block.saved, `✓ ${t("saved")}`);
    } catch (e) {
      if (block) mount(block.issue, isCommandError(e) ? e.message : String(e));
    }
  }

  /** Brings every question in step with an evaluation (never touching the field being typed in). */
  update(live: LiveForm): void {
    const repeatsChanged = Object.entries(live.state.repeat_counts).some(([k, n]) => n !== (this.live.state.repeat_counts[k] ?? 0));
    this.live = live;
    if (repeatsChanged) {
      this.extra.clear();
      this.build();
      return;
    }
    const s = live.state;
    const issues = new Map<string, string>();
    if (this.showMissing) s.missing_required.forEach((i) => issues.set(i.path, i.message));
    s.failed_constraints.forEach((i) => issues.set(i.path, i.message));
    for (const [path, el] of this.groups) el.classList.toggle("hidden", s.relevant[path] === false);
    for (const [path, b] of this.blocks) {
      b.el.classList.toggle("hidden", s.relevant[path] === false);
      mount(b.issue, issues.get(path) ?? "");
      const value = s.calculated[path] ?? s.answers[path] ?? "";
      if (b.calc) mount(b.calc, value);
      if (b.input && document.activeElement !== b.input) {
        const draft = localStorage.getItem(this.draftKey(path));
        b.input.value = draft ?? value;
      }
      if (b.options) {
        const chosen = new Set(value.split(" ").filter(Boolean));
        const allowed = s.choices[path] ? new Set(s.choices[path]) : null;
        for (const [name, o] of b.options) {
          o.input.checked = chosen.has(name);
          o.el.classList.toggle("on", o.input.checked);
          o.el.classList.toggle("hidden", allowed !== null && !allowed.has(name));
        }
      }
      if (b.saved && !b.saved.textContent && s.answers[path] && (b.input || b.options) === undefined) {
        mount(b.saved, `✓ ${t("saved")}`);
      }
    }
  }

  /** The first visible question with an issue, to scroll to. */
  firstIssue(): HTMLElement | null {
    return this.root.querySelector(".q:not(.hidden) .issue:not(:empty)");
  }
}

function inputKind(type: string): Record<string, string> {
  switch (type) {
    case "integer":
      return { type: "text", inputmode: "numeric" };
    case "decimal":
    case "range":
      return { type: "text", inputmode: "decimal" };
    case "date":
      return { type: "date" };
    case "time":
      return { type: "time" };
    case "date_time":
    case "datetime":
      return { type: "datetime-local" };
    default:
      return { type: "text" };
  }
}
