// CSV downloads written in the browser from numbers a page already shows (the reports).

import { h } from "./format";

/** Hands CSV lines to the browser as a download (UTF-8 with BOM, for Excel). */
export function saveText(lines: string[], filename: string): void {
  const blob = new Blob(["\ufeff" + lines.join("\r\n") + "\r\n"], { type: "text/csv" });
  const url = URL.createObjectURL(blob);
  const a = h("a", { href: url, download: filename, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
