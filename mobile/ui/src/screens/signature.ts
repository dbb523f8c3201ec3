// A signature pad: draw with a finger (or a mouse), then save it as a PNG attachment.
import { h } from "../dom";
import { t } from "../i18n";

export function signaturePad(save: (png: Blob) => Promise<void>): HTMLElement {
  const canvas = h("canvas", { class: "pad", width: 600, height: 180, "aria-label": t("sign") });
  const ctx = canvas.getContext("2d")!;
  ctx.lineWidth = 4;
  ctx.lineCap = "round";
  ctx.strokeStyle = "#000";
  let drawing = false;
  let drawn = false;
  const at = (e: PointerEvent) => {
    const r = canvas.getBoundingClientRect();
    return [((e.clientX - r.left) * canvas.width) / r.width, ((e.clientY - r.top) * canvas.height) / r.height] as const;
  };
  canvas.addEventListener("pointerdown", (e) => {
    drawing = true;
    canvas.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...at(e));
  });
  canvas.addEventListener("pointermove", (e) => {
    if (!drawing) return;
    ctx.lineTo(...at(e));
    ctx.stroke();
    drawn = true;
  });
  canvas.addEventListener("pointerup", () => (drawing = false));
  const clear = h("button", { type: "button", onclick: () => { ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false; } }, t("clear"));
  const keep = h(
    "button",
    {
      type: "button",
      class: "primary",
      onclick: () => {
        if (!drawn) return;
        canvas.toBlob((b) => b && void save(b), "image/png");
      },
    },
    t("saveSignature"),
  );
  return h("div", {}, h("div", { class: "hint" }, t("sign")), canvas, h("div", { class: "row" }, clear, keep));
}
