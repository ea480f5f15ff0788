// A run's page (#/runs/<id>): its summary and its windows (range, pages, counts, the total
// the platform reported, status and error), from GET api/runs/<id>.

import { get, path } from "./api.js";
import { h, link, pill, table } from "./dom.js";
import { count, duration, time } from "./format.js";

function fact(label, ...value) {
  return [h("dt", null, label), h("dd", null, ...value)];
}

function windowRow(window, index) {
  const mismatch = window.reported_total !== null && window.reported_total !== window.fetched;
  return {
    attrs: { "data-status": window.status },
    cells: [
      [{ class: "num" }, index + 1],
      time(window.from),
      time(window.to),
      [{ class: "num" }, count(window.pages)],
      [{ class: "num" }, count(window.fetched)],
      [{ class: "num" }, count(window.pending)],
      [{ class: "num" }, count(window.skipped)],
      [{ class: mismatch ? "num bad" : "num" }, count(window.reported_total)],
      pill(window.status),
      [{ class: "error-text" }, window.error ?? ""],
    ],
  };
}

export async function render([id]) {
  const run = await get(path("runs", id));
  const c = run.counts;
  const range = run.range ? `${time(run.range.from)} → ${time(run.range.to)}` : "—";
  const node = h("section", null,
    h("h1", null, `Run ${run.id} `, pill(run.status)),
    h("p", null, "Scheme ", link(["schemes", run.scheme], run.scheme)),
    h("dl", { class: "facts" },
      fact("Kind", run.kind),
      fact("Started", time(run.started_at)),
      fact("Finished", time(run.finished_at)),
      fact("Duration", duration(run.duration_secs)),
      fact("Range", range),
      fact("Fetched", count(c.fetched)),
      fact("Became pending", count(c.pending)),
      fact("Skipped", count(c.skipped)),
      fact("Written", count(c.written)),
      fact("Failed", h("span", { class: c.failed > 0 ? "bad" : null }, count(c.failed)))),
    run.error ? h("p", { class: "notice error-text", id: "run-error" }, run.error) : null,
    h("h2", null, `Windows (${run.windows.length})`),
    table({ id: "windows", class: "grid-table" },
      ["#", "From", "To", "Pages", "Fetched", "Pending", "Skipped", "Reported total", "Status",
        "Error"],
      run.windows.map(windowRow), "This run recorded no windows."));
  return { crumbs: [
      { label: run.scheme, segments: ["schemes", run.scheme] },
      { label: `run ${run.id}` },
    ], node };
}
