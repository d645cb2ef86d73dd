/**
 * Enroll: a subject id, an optional name, a gallery and photos (files or camera), sent as one multipart
 * `POST /v1/enroll`. The answer is shown photo by photo, in the order sent: the faces accepted drawn on their
 * photo (`faces[].image_index`), the photos rejected with their reasons (`rejected[]`: code, detail and, for
 * LOW_QUALITY, each limit missed).
 */

import { call } from "./api.js";
import { mountCamera } from "./camera.js";
import { byId, el, status } from "./dom.js";
import { facePhoto } from "./draw.js";
import { photoList } from "./photos.js";
import { qualityFailure } from "./words.js";

export function mountEnroll(onEnrolled) {
  const form = byId("enroll-form");
  const files = byId("enroll-files");
  const report = status(byId("enroll-status"));
  const results = byId("enroll-results");
  const photos = photoList(byId("enroll-photos"));
  let added = 0;

  files.addEventListener("change", () => {
    for (const file of files.files) photos.add(file, file.name);
    files.value = ""; // the same file can be picked again
  });
  mountCamera(form.querySelector("[data-camera]"), {
    name: "camera", label: "a photo to enroll",
    onCapture(file) {
      added += 1;
      photos.add(file, `Camera photo ${added}`);
    },
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const sent = photos.files;
    if (sent.length === 0) {
      report.problem(new Error("Add at least one photo (a file or a camera photo)."));
      files.focus();
      return;
    }
    const body = new FormData();
    const fields = new FormData(form);
    for (const name of ["subject", "gallery", "name"]) {
      const value = String(fields.get(name) ?? "").trim();
      if (value) body.append(name, value);
    }
    for (const file of sent) body.append("images", file, file.name);
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    results.replaceChildren();
    report.busy(`Enrolling ${sent.length} photo${sent.length === 1 ? "" : "s"}...`);
    try {
      const answer = await call("POST", "v1/enroll", { form: body });
      const { subject } = answer;
      const who = subject.name ? `${subject.subject} (${subject.name})` : subject.subject;
      report.notice(`Enrolled ${who} in gallery ${subject.gallery}: ${answer.faces.length} of ${sent.length} `
        + `photos accepted; ${subject.face_count} face${subject.face_count === 1 ? "" : "s"} enrolled in all.`);
      results.replaceChildren(photoResults(sent, answer.faces, answer.rejected));
      photos.clear();
      onEnrolled(subject.gallery);
    } catch (error) {
      report.problem(error);
      if (error.code === "ENROLLMENT_REJECTED") results.replaceChildren(photoResults(sent, [], error.errors));
    } finally {
      submit.disabled = false;
    }
  });
}

/** Every photo sent, with what became of it. */
function photoResults(sent, faces, rejected) {
  return el("div", { class: "result-grid" }, sent.map((file, index) => {
    const accepted = faces.filter((face) => face.image_index === index);
    const refusals = rejected.filter((entry) => entry.image_index === index);
    const caption = `Photo ${index + 1}: ${file.name}`;
    const drawn = accepted.map((face) => ({ ...face, kind: "match", label: "accepted" }));
    return el("section", { class: "photo-result", "aria-label": caption },
      facePhoto(file, drawn, caption),
      accepted.map((face) => el("p", { class: "accepted" }, "Accepted ",
        el("span", { class: "muted" }, "(face ", el("code", { text: face.face_id }), ")"))),
      refusals.map((entry) => el("div", { class: "rejected-photo" },
        el("p", { class: "rejected" }, "Rejected: ", el("code", { text: entry.code ?? "" }), ` ${entry.detail ?? ""}`),
        (entry.failures ?? []).length
          ? el("ul", { class: "reasons" }, entry.failures.map((failure) => el("li", { text: qualityFailure(failure) })))
          : null)),
      accepted.length || refusals.length ? null : el("p", { class: "muted", text: "No answer for this photo." }));
  }));
}
