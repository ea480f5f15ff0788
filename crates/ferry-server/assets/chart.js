// A scheme's recent runs as an SVG bar chart: records written (green) and failed (red,
// stacked on top) per run, oldest on the left, with the run's throughput in each bar's tooltip.

import { svg, h } from "./dom.js";
import { count, duration, time } from "./format.js";

const WIDTH = 720;
const HEIGHT = 200;
const PAD = { top: 14, right: 12, bottom: 26, left: 56 };

/** A "nice" axis maximum at or above `value`: 1, 2 or 5 times a power of ten. */
function niceMax(value) {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

/** The chart for `runs` (newest first, as the API lists them). */
export function runChart(runs) {
  const shown = runs.filter((run) => run.status !== "running").slice(0, 40).reverse();
  if (shown.length === 0) {
    return h("p", { class: "muted chart-empty" }, "No finished runs yet.");
  }
  const peak = Math.max(...shown.map((run) => run.counts.written + run.counts.failed));
  const top = niceMax(peak);
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / shown.length;
  const barWidth = Math.max(2, Math.min(28, slot * 0.7));
  const y = (value) => PAD.top + plotHeight - (value / top) * plotHeight;

  const chart = svg("svg", {
    class: "chart",
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: "img",
    "aria-label": "records written and failed per run",
  });
  for (const fraction of [0, 0.5, 1]) {
    const value = top * fraction;
    chart.appendChild(svg("line", {
      class: "grid", x1: PAD.left, x2: WIDTH - PAD.right, y1: y(value), y2: y(value),
    }));
    chart.appendChild(svg("text", {
      class: "axis", x: PAD.left - 6, y: y(value) + 4, "text-anchor": "end",
    }, Number.isInteger(value) ? count(value) : value.toFixed(1)));
  }
  shown.forEach((run, index) => {
    const x = PAD.left + index * slot + (slot - barWidth) / 2;
    const written = run.counts.written;
    const failed = run.counts.failed;
    const secs = run.duration_secs;
    const throughput = secs ? `${(written / secs).toFixed(1)}/s` : "—";
    const tip = `run ${run.id} (${run.kind}, ${run.status}) ${time(run.started_at)}\n` +
      `written ${count(written)}, failed ${count(failed)}, ${duration(secs)}, ${throughput}`;
    const group = svg("g", { class: "bar" }, svg("title", null, tip));
    group.appendChild(svg("rect", {
      class: "written", x, width: barWidth, y: y(written), height: y(0) - y(written),
    }));
    if (failed > 0) {
      group.appendChild(svg("rect", {
        class: "failed", x, width: barWidth,
        y: y(written + failed), height: y(written) - y(written + failed),
      }));
    }
    chart.appendChild(group);
  });
  const first = shown[0];
  const last = shown[shown.length - 1];
  chart.appendChild(svg("text", { class: "axis", x: PAD.left, y: HEIGHT - 8 }, time(first.started_at)));
  if (shown.length > 1) {
    chart.appendChild(svg("text", {
      class: "axis", x: WIDTH - PAD.right, y: HEIGHT - 8, "text-anchor": "end",
    }, time(last.started_at)));
  }
  const legend = h("p", { class: "legend" },
    h("span", { class: "swatch written" }), "written per run ",
    h("span", { class: "swatch failed" }), "failed per run",
    h("span", { class: "muted" }, ` · last ${shown.length} finished runs`));
  return h("figure", { class: "chart-box" }, chart, legend);
}
