// A scheme's page (#/schemes/<name>): its state and actions (run now, pause/resume), a chart
// of its recent runs, its runs, and its failed records with the target's message and a Retry
// button (POST api/schemes/<name>/retry) after which the page refreshes.

import { get, path, post } from "./api.js";
import { runChart } from "./chart.js";
import { h, link, pill, table } from "./dom.js";
import { count, duration, endpoint, nowUnix, rate, relative, time } from "./format.js";
import { stateCell } from "./list.js";

const RUN_LIMIT = 30;
const FAILED_LIMIT = 50;

function fact(label, ...value) {
  return [h("dt", null, label), h("dd", null, ...value)];
}

function triggeredText(what, answer) {
  if (answer && answer.triggered === "already_running") {
    return `${what}: a run of this scheme is already in progress`;
  }
  return `${what}: started`;
}

/** A button that POSTs `url`, reports the answer, and refreshes the page. */
function actionButton(ctx, attrs, label, url, describe) {
  const button = h("button", { type: "button", ...attrs }, label);
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const answer = await post(url);
      ctx.flash(describe(answer), "ok");
    } catch (error) {
      ctx.fail(error);
    }
    ctx.refreshSoon();
  });
  return button;
}

function runRow(run) {
  const c = run.counts;
  return {
    attrs: { "data-run": run.id },
    cells: [
      [{ class: "num" }, link(["runs", run.id], String(run.id))],
      run.kind,
      pill(run.status),
      time(run.started_at),
      [{ class: "num" }, duration(run.duration_secs)],
      [{ class: "num" }, count(c.fetched)],
      [{ class: "num" }, count(c.written)],
      [{ class: c.failed > 0 ? "num bad" : "num" }, count(c.failed)],
      [{ class: "num" }, count(c.skipped)],
      [{ class: "error-text" }, run.error ?? ""],
    ],
  };
}

function payloadCell(record) {
  if (record.payload === null || record.payload === undefined) return "";
  return h("details", { "data-key": `payload:${record.key}` },
    h("summary", null, "payload"),
    h("pre", { class: "payload" }, JSON.stringify(record.payload, null, 2)));
}

function failedRow(record) {
  return {
    attrs: { "data-key": record.key },
    cells: [
      [{ class: "key" }, record.key],
      [{ class: "num" }, count(record.attempts)],
      [{ class: "error-text" }, record.error ?? ""],
      time(record.updated_at),
      [{ class: "payload-cell" }, payloadCell(record)],
    ],
  };
}

function nextRun(scheme, now) {
  if (scheme.paused) return "paused";
  if (scheme.next_run === null || scheme.next_run === undefined) return "not scheduled";
  return `${time(scheme.next_run)} (${relative(scheme.next_run, now)})`;
}

function header(ctx, scheme, now) {
  const base = ["schemes", scheme.name];
  const pause = scheme.paused
    ? actionButton(ctx, { id: "resume" }, "Resume", path(...base, "resume"), () => "resumed")
    : actionButton(ctx, { id: "pause" }, "Pause", path(...base, "pause"), () => "paused");
  const runNow = actionButton(ctx, { id: "run-now", class: "primary" }, "Run now",
    path(...base, "run"), (answer) => triggeredText("run", answer));
  const c = scheme.counts;
  const checkpoint = scheme.checkpoint === null
    ? "none yet"
    : `${time(scheme.checkpoint)} (lag ${duration(scheme.checkpoint_lag_secs)})`;
  return [
    h("div", { class: "title-row" },
      h("h1", { id: "scheme-name" }, scheme.name),
      h("span", { class: "state" }, stateCell(scheme)),
      h("span", { class: "actions" }, runNow, pause)),
    h("p", { class: "route" }, endpoint(scheme.source), h("span", { class: "arrow" }, " → "),
      endpoint(scheme.target)),
    h("dl", { class: "facts" },
      fact("Schedule", scheme.schedule ?? "manual only"),
      fact("Next run", nextRun(scheme, now)),
      fact("Remedy", scheme.remedy ?? "none"),
      fact("Next remedy", time(scheme.next_remedy)),
      fact("Checkpoint", checkpoint),
      fact("Throughput", rate(scheme.throughput)),
      fact("Ledger", `${count(c.written)} written · ${count(c.pending)} pending · ` +
        `${count(c.skipped)} skipped · `, h("span", { class: c.failed > 0 ? "bad" : null },
        `${count(c.failed)} failed`)),
      fact("Overlaps skipped", count(scheme.overlaps_skipped))),
  ];
}

function failedSection(ctx, scheme, failed) {
  const total = scheme.counts.failed;
  const retry = actionButton(ctx, { id: "retry", class: "primary" }, "Retry failed records",
    path("schemes", scheme.name, "retry"), (answer) => triggeredText("retry", answer));
  if (failed.length === 0) retry.disabled = true;
  const shown = failed.length < total
    ? h("p", { class: "muted" }, `Showing the first ${failed.length} of ${count(total)} failed records.`)
    : null;
  return h("section", { id: "failed-section" },
    h("div", { class: "title-row" }, h("h2", null, `Failed records (${count(total)})`), retry),
    shown,
    table({ id: "failed", class: "grid-table" },
      ["Key", "Attempts", "Target's message", "Updated", "Payload"],
      failed.map(failedRow), "No failed records."));
}

export async function render([name], ctx) {
  const base = ["schemes", name];
  const [scheme, runs, failed] = await Promise.all([
    get(path(...base)),
    get(`${path(...base, "runs")}?limit=${RUN_LIMIT}`),
    get(`${path(...base, "records")}?status=failed&limit=${FAILED_LIMIT}`),
  ]);
  const now = nowUnix();
  const node = h("section", null,
    header(ctx, scheme, now),
    h("h2", null, "Recent runs"),
    runChart(runs),
    failedSection(ctx, scheme, failed),
    h("h2", null, "Runs"),
    table({ id: "runs", class: "grid-table" },
      ["Run", "Kind", "Status", "Started", "Duration", "Fetched", "Written", "Failed", "Skipped",
        "Error"],
      runs.map(runRow), "No runs yet."));
  return { crumbs: [{ label: scheme.name }], node };
}
