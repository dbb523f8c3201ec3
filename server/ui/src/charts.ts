// Bar charts of the Reports page, drawn by Chart.js (only the pieces bars need are registered,
// so the bundle carries no other chart type). A chart is a picture of the table below it: the
// canvas is hidden from screen readers, which read the table, and its figure's caption says
// what it shows. Charts are built once their canvas is in the page (Chart.js measures it) and
// destroyed before the page re-renders, so no resize observer outlives its canvas.

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  Tooltip,
} from "chart.js";

import { h } from "./format";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
// The page's type is large for supervisors reading all day; the charts' labels follow.
Chart.defaults.font.size = 14;
Chart.defaults.color = "#24292f";

/** One series of bars. */
export interface Series {
  label: string;
  data: number[];
  colour: string;
}

/** What a bar chart shows. */
export interface BarSpec {
  labels: string[];
  series: Series[];
  /** Bars along the x axis (long category names: collectors, reasons). */
  horizontal?: boolean;
  /** Series stacked in one bar per category. */
  stacked?: boolean;
  /** Values are fractions shown as percentages. */
  percent?: boolean;
}

/** Colours that stay apart for the common colour-vision deficiencies (Okabe–Ito). */
export const COLOURS = {
  blue: "#0072b2",
  green: "#009e73",
  orange: "#e69f00",
  red: "#d55e00",
  grey: "#6e7781",
};

/** Charts waiting for their canvas to be in the page, and the ones drawn. */
export class Charts {
  private pending: Array<{ canvas: HTMLCanvasElement; spec: BarSpec }> = [];
  private drawn: Chart[] = [];

  /** A figure for `spec` with `caption`; drawn by the next `draw()`. */
  figure(spec: BarSpec, caption: string): HTMLElement {
    const canvas = h("canvas", { "aria-hidden": "true" });
    this.pending.push({ canvas, spec });
    // A horizontal chart grows with its categories so each bar keeps a readable height.
    const height = spec.horizontal ? Math.max(160, 28 * spec.labels.length + 60) : 260;
    const box = h("div", { class: "chart-box" }, canvas);
    box.style.height = `${height}px`;
    return h("figure", { class: "chart" }, box, h("figcaption", {}, caption));
  }

  /** Draws the figures made since the last call (their canvases are in the page now). */
  draw(): void {
    for (const { canvas, spec } of this.pending) {
      if (!canvas.isConnected) continue;
      this.drawn.push(make(canvas, spec));
    }
    this.pending = [];
  }

  /** Removes every chart (before a re-render, or when the page leaves). */
  destroy(): void {
    for (const c of this.drawn) c.destroy();
    this.drawn = [];
    this.pending = [];
  }
}

function make(canvas: HTMLCanvasElement, spec: BarSpec): Chart {
  const value = spec.horizontal ? "x" : "y";
  const category = spec.horizontal ? "y" : "x";
  const format = (v: number | string) =>
    spec.percent ? `${Math.round(Number(v) * 100)} %` : String(v);
  return new Chart(canvas, {
    type: "bar",
    data: {
      labels: spec.labels,
      datasets: spec.series.map((s) => ({
        label: s.label,
        data: s.data,
        backgroundColor: s.colour,
        borderColor: s.colour,
        // One category (a single day, one collector) stays a bar, not a wall.
        maxBarThickness: 56,
      })),
    },
    options: {
      indexAxis: spec.horizontal ? "y" : "x",
      maintainAspectRatio: false,
      // Drawn at once: a report is read, not watched; screenshots show the final picture.
      animation: false,
      plugins: {
        legend: { display: spec.series.length > 1, position: "bottom" },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${format(item.parsed[value] ?? 0)}`,
          },
        },
      },
      scales: {
        [category]: { stacked: spec.stacked ?? false, grid: { display: false } },
        [value]: {
          stacked: spec.stacked ?? false,
          beginAtZero: true,
          ...(spec.percent ? { max: 1 } : {}),
          ticks: { precision: spec.percent ? undefined : 0, callback: format },
        },
      },
    },
  });
}
