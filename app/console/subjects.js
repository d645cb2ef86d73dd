/**
 * Subjects of a gallery: listed a page at a time (`GET /v1/subjects`, following `next_cursor`), searched by id
 * or name among the pages loaded (the API has no search of its own), one subject's faces shown
 * (`GET /v1/subjects/{subject}/faces`), and a subject erased after a confirmation (`DELETE /v1/subjects/...`),
 * whose receipt is shown.
 */

import { call, subjectPath } from "./api.js";
import { byId, el, facts, status, when } from "./dom.js";
import { score } from "./words.js";

const PAGE = 50;

export function mountSubjects() {
  const form = byId("subjects-form");
  const galleryField = byId("subjects-gallery");
  const filter = byId("subjects-filter");
  const table = byId("subjects-table");
  const rows = byId("subjects-rows");
  const count = byId("subjects-count");
  const more = byId("subjects-more");
  const faces = byId("subject-faces");
  const report = status(byId("subjects-status"));
  const state = { gallery: "", items: [], cursor: null };

  async function load(fresh) {
    if (fresh) {
      state.gallery = galleryField.value.trim() || "default";
      state.items = [];
      state.cursor = null;
      faces.replaceChildren();
    }
    report.busy("Loading subjects...");
    more.disabled = true;
    try {
      const page = await call("GET", "v1/subjects", { query: { gallery: state.gallery, limit: PAGE, cursor: state.cursor } });
      state.items.push(...page.items);
      state.cursor = page.next_cursor;
      report.clear();
    } catch (error) {
      report.problem(error);
    } finally {
      more.disabled = false;
      render();
    }
  }

  function render() {
    const needle = filter.value.trim().toLowerCase();
    const shown = state.items.filter((item) => !needle || item.subject.toLowerCase().includes(needle)
      || (item.name ?? "").toLowerCase().includes(needle));
    rows.replaceChildren(...shown.map(row));
    table.hidden = shown.length === 0;
    more.hidden = state.cursor === null;
    const loaded = `${state.items.length} subject${state.items.length === 1 ? "" : "s"} loaded from gallery ${state.gallery}`;
    const further = state.cursor === null ? "" : "; more on the server (Load more)";
    count.textContent = needle ? `${shown.length} of ${loaded} match "${filter.value.trim()}"${further}.`
      : `${loaded}${further}.`;
  }

  function row(item) {
    const show = el("button", { type: "button", class: "secondary small", text: "Faces",
      "aria-label": `Show the faces of ${item.subject}` });
    const remove = el("button", { type: "button", class: "danger small", text: "Delete",
      "aria-label": `Delete ${item.subject}` });
    show.addEventListener("click", () => showFaces(item));
    remove.addEventListener("click", () => erase(item));
    return el("tr", { dataset: { subject: item.subject } },
      el("td", {}, el("code", { text: item.subject })),
      el("td", { text: item.name ?? "" }),
      el("td", { text: item.face_count }),
      el("td", { text: when(item.created_at) }),
      el("td", { class: "actions" }, show, remove));
  }

  async function showFaces(item) {
    faces.replaceChildren(el("p", { class: "busy", text: `Loading the faces of ${item.subject}...` }));
    try {
      const answer = await call("GET", subjectPath(item.subject, "/faces"), { query: { gallery: state.gallery } });
      faces.replaceChildren(faceList(item, answer.items));
      faces.dataset.subject = item.subject;
    } catch (error) {
      faces.replaceChildren();
      report.problem(error);
    }
  }

  async function erase(item) {
    const owned = item.face_count === 1 ? "its face" : `its ${item.face_count} faces`;
    const sure = await confirmDelete(`${item.subject}${item.name ? ` (${item.name})` : ""} will be erased from `
      + `gallery ${state.gallery}, with ${owned} and their embeddings. This cannot be undone.`);
    if (!sure) return;
    report.busy(`Deleting ${item.subject}...`);
    try {
      const receipt = await call("DELETE", subjectPath(item.subject), { query: { gallery: state.gallery } });
      state.items = state.items.filter((other) => other.subject !== item.subject);
      if (faces.dataset.subject === item.subject) {
        faces.replaceChildren();
        delete faces.dataset.subject;
      }
      report.notice(`Deleted ${receipt.subjects.join(", ")} from gallery ${receipt.gallery}: `
        + `${receipt.face_ids.length} face${receipt.face_ids.length === 1 ? "" : "s"} and their embeddings erased `
        + `(audit entry ${receipt.audit_id}).`);
      render();
      filter.focus();
    } catch (error) {
      report.problem(error);
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    load(true);
  });
  more.addEventListener("click", () => load(false));
  filter.addEventListener("input", render);
  wireDialog();
  return { show: () => load(true) };
}

function faceList(subject, items) {
  const title = subject.name ? `Faces of ${subject.subject} (${subject.name})` : `Faces of ${subject.subject}`;
  const metadata = Object.keys(subject.metadata ?? {}).length
    ? el("div", {}, el("h4", { text: "Metadata" }), el("pre", { text: JSON.stringify(subject.metadata, null, 2) }))
    : null;
  return el("section", { class: "face-result", dataset: { subject: subject.subject }, "aria-label": title },
    el("h3", { text: title }),
    el("p", { class: "muted", text: "Photos are never stored, only each face's geometry, its embedding and the "
      + "photo's sha256." }),
    metadata,
    el("ul", { class: "face-list" }, items.map((face) => el("li", {},
      facts([
        ["Face", el("code", { text: face.face_id })],
        ["Model", `${face.model} (${face.model_version})`],
        ["Detection", `score ${score(face.detection_score)}; face ${Math.round(face.box.width)} x `
          + `${Math.round(face.box.height)} px`],
        ["Enrolled", when(face.created_at)],
        ["Photo sha256", el("code", { text: face.image_sha256 })],
      ])))));
}

let dialogAnswered = null;

function wireDialog() {
  const dialog = byId("confirm-delete");
  for (const button of dialog.querySelectorAll("[data-answer]")) {
    button.addEventListener("click", () => dialog.close(button.dataset.answer));
  }
  dialog.addEventListener("close", () => {
    dialogAnswered?.(dialog.returnValue === "delete");
    dialogAnswered = null;
  });
}

/** A modal question (Escape or Cancel: no); resolves true only for Delete. */
function confirmDelete(text) {
  const dialog = byId("confirm-delete");
  byId("confirm-delete-text").textContent = text;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialogAnswered = resolve;
    dialog.showModal();
    dialog.querySelector("[data-answer=cancel]").focus();
  });
}
