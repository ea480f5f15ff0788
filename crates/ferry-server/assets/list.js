// The schemes list (#/): one row per scheme with its state, last and next run, throughput,
// failed records and checkpoint lag, from GET api/schemes.

import { get, path } from "./api.js";
import { h, link, pill, table } from "./dom.js";
import { count, duration, endpoint, nowUnix, rate, relative } from "./format.js";

/** "running", "paused" or "idle". */
export function schemeState(scheme) {
  if (scheme.running) return "running";
  if (scheme.paused) return "paused";
  return "idle";
}

/** The state pill, with the running run's kind. */
export function stateCell(scheme) {
  const state = schemeState(scheme);
  return [pill(state), scheme.running ? h("span", { class: "muted" }, ` ${scheme.running}`) : null];
}

function lastRunCell(run, now) {
  if (!run) return h("span", { class: "muted" }, "never");
  const c = run.counts;
  return h("span", null,
    link(["runs", run.id], pill(run.status)),
    " ",
    h("span", { class: "when" }, relative(run.finished_at ?? run.started_at, now)),
    h("br"),
    h("span", { class: "muted small" },
      `fetched ${count(c.fetched)} · written ${count(c.written)} · failed ${count(c.failed)}`));
}

function routeCell(scheme) {
  return h("span", { class: "route" },
    h("span", { title: endpoint(scheme.source) }, scheme.source.connection),
    h("span", { class: "arrow" }, " → "),
    h("span", { title: endpoint(scheme.target) }, scheme.target.connection));
}

export async function render() {
  const schemes = await get(path("schemes"));
  const now = nowUnix();
  const rows = schemes.map((scheme) => ({
    attrs: { "data-scheme": scheme.name },
    cells: [
      [{ class: "name" }, link(["schemes", scheme.name], scheme.name)],
      [{ class: "route-cell" }, routeCell(scheme)],
      [{ class: "state" }, stateCell(scheme)],
      [{ class: "last-run" }, lastRunCell(scheme.last_run, now)],
      [{ class: "next-run" }, scheme.paused ? "paused" : relative(scheme.next_run, now)],
      [{ class: "num" }, rate(scheme.throughput)],
      [{ class: scheme.counts.failed > 0 ? "num failed-count bad" : "num failed-count" },
        count(scheme.counts.failed)],
      [{ class: "num" }, duration(scheme.checkpoint_lag_secs)],
    ],
  }));
  const running = schemes.filter((scheme) => scheme.running).length;
  const failing = schemes.filter((scheme) => scheme.counts.failed > 0).length;
  return {
    crumbs: [],
    node: h("section", null,
      h("h1", null, "Schemes"),
      h("p", { class: "muted" },
        `${schemes.length} schemes · ${running} running · ${failing} with failed records`),
      table({ id: "schemes", class: "grid-table" },
        ["Scheme", "Source → target", "State", "Last run", "Next run", "Throughput", "Failed",
          "Checkpoint lag"],
        rows, "No schemes are configured.")),
  };
}
