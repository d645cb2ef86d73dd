/**
 * Building the page from data without ever parsing markup: every string given here becomes text (textContent or
 * a text node), so a subject's name or metadata, which are user data, cannot turn into elements or scripts.
 * Event handlers are attached with addEventListener, never as attributes (the page's CSP forbids inline code).
 */

import { ApiError } from "./api.js";
import { problemErrorLines, problemHeadline } from "./words.js";

/**
 * A new element. `props`: `text` (its text), `class`, `dataset` (an object), `on<event>` (a listener), any other
 * name an attribute (`true` for an empty one; false, null and undefined leave it out). Children: elements or
 * strings (as text); null, undefined and false are skipped, arrays flattened.
 */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.className = value;
    else if (name === "dataset") Object.assign(node.dataset, value);
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/** The element with this id; a missing one is a bug in index.html, said at once rather than later. */
export function byId(id) {
  const node = document.getElementById(id);
  if (node === null) throw new Error(`index.html has no element #${id}`);
  return node;
}

/** A definition list of [term, description] pairs (descriptions: strings or elements). */
export function facts(pairs) {
  return el("dl", { class: "facts" }, pairs.flatMap(([term, value]) => [el("dt", { text: term }), el("dd", {}, value)]));
}

/** A date-time from the API in the reader's own format. */
export function when(text) {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? String(text) : date.toLocaleString();
}

/**
 * A status region (an `aria-live` element from index.html): a busy line, a notice, or a problem. Problems are
 * role="alert", so a screen reader says them at once; they show the server's `detail` and `code` verbatim.
 */
export function status(region) {
  return {
    clear() {
      region.replaceChildren();
    },
    busy(text) {
      region.replaceChildren(el("p", { class: "busy", text }));
    },
    notice(text) {
      region.replaceChildren(el("p", { class: "notice", text }));
    },
    problem(error) {
      region.replaceChildren(problemView(error));
    },
  };
}

function problemView(error) {
  if (!(error instanceof ApiError)) {
    return el("div", { class: "problem", role: "alert" }, el("strong", { text: String(error.message ?? error) }));
  }
  const lines = problemErrorLines(error.errors);
  return el("div", { class: "problem", role: "alert", dataset: { code: error.code } },
    el("strong", { text: problemHeadline(error) }),
    el("span", { text: error.detail }),
    error.code ? el("span", { class: "code" }, " (", el("code", { text: error.code }), ")") : null,
    lines.length ? el("ul", { class: "reasons" }, lines.map((line) => el("li", { text: line }))) : null);
}
