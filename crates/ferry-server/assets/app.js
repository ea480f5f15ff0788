// The console's entry point: hash routing (#/, #/schemes/<name>, #/runs/<id>), auto-refresh
// every few seconds, the token form shown when the API answers 401, and the status line.

import { Unauthorized, adoptTokenFromUrl, setToken, token } from "./api.js";
import { h, link } from "./dom.js";
import * as list from "./list.js";
import * as run from "./run.js";
import * as scheme from "./scheme.js";

const REFRESH_MS = 5000;
const SOON_MS = [300, 1500];
const FLASH_MS = 10000;

const main = document.getElementById("main");
const crumbs = document.getElementById("crumbs");
const status = document.getElementById("status");

let generation = 0;
let timer = null;
let flashMessage = null;
let askingToken = false;

/** The view and its parameters for the current hash. */
function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean)
    .map((part) => decodeURIComponent(part));
  if (parts[0] === "schemes" && parts.length === 2) return [scheme, [parts[1]]];
  if (parts[0] === "runs" && parts.length === 2) return [run, [parts[1]]];
  return [list, []];
}

function setStatus(text, kind) {
  status.textContent = text;
  status.className = `status ${kind || ""}`;
}

function renderCrumbs(items) {
  const nodes = [link([], "schemes")];
  for (const item of items) {
    nodes.push(h("span", { class: "sep" }, " / "));
    nodes.push(item.segments ? link(item.segments, item.label) : h("span", null, item.label));
  }
  crumbs.replaceChildren(...nodes);
}

/** Keys of the open <details> elements, so a refresh keeps them open. */
function openDetails() {
  return new Set([...main.querySelectorAll("details[open]")].map((el) => el.dataset.key));
}

function showTokenForm() {
  askingToken = true;
  renderCrumbs([]);
  const input = h("input", {
    id: "token", type: "password", name: "token", autocomplete: "current-password",
    placeholder: "token from [server].token in ferry.toml", required: true,
  });
  const form = h("form", { id: "token-form", class: "card" },
    h("h1", null, "Sign in"),
    h("p", null, "This ferry needs an API token. It is kept in this browser's local storage."),
    token() ? h("p", { class: "bad", id: "token-refused" }, "The saved token was refused.") : null,
    h("input", { type: "text", name: "username", autocomplete: "username", value: "ferry", hidden: true }),
    h("label", { for: "token" }, "Token"), input,
    h("button", { type: "submit", class: "primary" }, "Save token"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    setToken(input.value.trim());
    askingToken = false;
    refresh();
  });
  main.replaceChildren(form);
  setStatus("token required", "bad");
  input.focus();
}

const ctx = {
  flash(message, kind) {
    flashMessage = { message, kind, until: Date.now() + FLASH_MS };
  },
  fail(error) {
    ctx.flash(error.message, "bad");
  },
  refreshSoon() {
    for (const delay of SOON_MS) setTimeout(refresh, delay);
    refresh();
  },
};

/** Renders the current view; an older render that finishes late is dropped. */
async function refresh() {
  const mine = ++generation;
  const [view, params] = route();
  try {
    const { crumbs: items, node } = await view.render(params, ctx);
    if (mine !== generation) return;
    const open = openDetails();
    for (const details of node.querySelectorAll("details")) {
      if (open.has(details.dataset.key)) details.open = true;
    }
    if (flashMessage && Date.now() > flashMessage.until) flashMessage = null;
    if (flashMessage) {
      node.prepend(h("p", { id: "flash", class: `flash ${flashMessage.kind}` }, flashMessage.message));
    }
    renderCrumbs(items);
    main.replaceChildren(node);
    document.title = items.length ? `${items[items.length - 1].label} · ferry` : "ferry console";
    setStatus(`updated ${new Date().toLocaleTimeString("en-GB")}`, "ok");
  } catch (error) {
    if (mine !== generation) return;
    if (error instanceof Unauthorized) {
      showTokenForm();
      return;
    }
    setStatus(error.message, "bad");
    if (!main.querySelector("section")) {
      main.replaceChildren(h("p", { class: "notice bad", id: "load-error" }, error.message));
    }
  }
}

function schedule() {
  clearInterval(timer);
  timer = setInterval(() => {
    if (!askingToken && !document.hidden) refresh();
  }, REFRESH_MS);
}

adoptTokenFromUrl();
window.addEventListener("hashchange", () => {
  flashMessage = null;
  askingToken = false;
  window.scrollTo(0, 0);
  refresh();
});
document.addEventListener("visibilitychange", () => {
  if (!document.hidden && !askingToken) refresh();
});
schedule();
refresh();
