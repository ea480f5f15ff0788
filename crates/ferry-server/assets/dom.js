// DOM helpers. Every piece of data reaches the page as a text node or an attribute value set
// with setAttribute: nothing here parses HTML, so scheme names, platform error messages and
// payload values are shown as text, whatever characters they hold.

const SVG_NS = "http://www.w3.org/2000/svg";

function append(parent, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) {
      append(parent, child);
    } else if (child instanceof Node) {
      parent.appendChild(child);
    } else {
      parent.appendChild(document.createTextNode(String(child)));
    }
  }
}

function build(element, attrs, children) {
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

/** An HTML element: h("td", { class: "num" }, "42"). */
export function h(tag, attrs, ...children) {
  return build(document.createElement(tag), attrs, children);
}

/** An SVG element, same calling convention as h. */
export function svg(tag, attrs, ...children) {
  return build(document.createElementNS(SVG_NS, tag), attrs, children);
}

/** A link to a console page: link(["schemes", name], text). Segments are URI-encoded. */
export function link(segments, ...children) {
  const href = "#/" + segments.map((segment) => encodeURIComponent(String(segment))).join("/");
  return h("a", { href }, ...children);
}

/** A status pill: the class is derived from a known word only. */
export function pill(word) {
  const known = [
    "running", "succeeded", "failed", "cancelled", "abandoned", "paused", "idle",
    "complete", "incomplete", "pending", "written", "skipped",
  ];
  const kind = known.includes(word) ? word : "other";
  return h("span", { class: `pill pill-${kind}` }, word ?? "—");
}

/** A table with a header row; rows are arrays of cells (nodes, text, or [attrs, ...content]). */
export function table(attrs, headers, rows, emptyText) {
  const head = h("thead", null, h("tr", null, headers.map((title) => h("th", null, title))));
  const body = h("tbody");
  for (const row of rows) {
    const tr = h("tr");
    for (const cell of row.cells) {
      if (Array.isArray(cell)) {
        const [cellAttrs, ...content] = cell;
        tr.appendChild(h("td", cellAttrs, ...content));
      } else {
        tr.appendChild(h("td", null, cell));
      }
    }
    if (row.attrs) build(tr, row.attrs, []);
    body.appendChild(tr);
  }
  if (rows.length === 0 && emptyText) {
    body.appendChild(h("tr", { class: "empty" }, h("td", { colspan: headers.length }, emptyText)));
  }
  return h("table", attrs, head, body);
}
