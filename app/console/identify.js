/**
 * Identify: who is this? One multipart `POST /v1/identify` with `image` (and `gallery`, and optionally every
 * face of the photo); each face found is drawn on the photo, labelled with its match or "unknown person", and
 * listed with its candidates, their scores and how often a stranger would score as high.
 */

import { call } from "./api.js";
import { byId, el, facts, status } from "./dom.js";
import { facePhoto } from "./draw.js";
import { singlePhoto } from "./photos.js";
import { falseMatchRate, oneIn, operatingPoint, score } from "./words.js";

export function mountIdentify() {
  const form = byId("identify-form");
  const report = status(byId("identify-status"));
  const results = byId("identify-results");
  const photo = singlePhoto(form.querySelector(".photo-slot"), "photo to identify");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const file = photo.file;
    if (file === null) {
      report.problem(new Error("Choose a photo: a file or a camera photo."));
      return;
    }
    const body = new FormData();
    body.append("image", file, file.name);
    body.append("gallery", byId("identify-gallery").value.trim());
    for (const id of ["identify-selection", "identify-point"]) {
      const field = byId(id);
      if (field.value) body.append(field.name, field.value);
    }
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    results.replaceChildren();
    report.busy("Searching the gallery...");
    try {
      const answer = await call("POST", "v1/identify", { form: body });
      report.clear();
      results.replaceChildren(...identified(answer, file));
    } catch (error) {
      report.problem(error);
    } finally {
      submit.disabled = false;
    }
  });
}

function faceLabel(face, index, many) {
  const who = face.match ? face.match.subject : "unknown person";
  return many ? `${index + 1}: ${who}` : who;
}

function identified(answer, file) {
  const many = answer.faces.length > 1;
  const drawn = answer.faces.map((face, index) => ({
    ...face, kind: face.match ? "match" : "unknown", label: faceLabel(face, index, many),
  }));
  const size = answer.gallery_size === 1 ? "1 enrolled face" : `${answer.gallery_size} enrolled faces`;
  return [
    el("div", { class: "result-grid" },
      facePhoto(file, drawn, `${file.name}: ${answer.faces.length} face${many ? "s" : ""} searched`),
      el("div", {}, answer.faces.map((face, index) => faceResult(face, index, many, answer.gallery)))),
    facts([
      ["Gallery", `${answer.gallery} (${size})`],
      ["Threshold", `${score(answer.threshold)}; operating point ${operatingPoint(answer.operating_point)}`],
      ["Strangers", strangers(answer)],
      ["Model", answer.model],
    ]),
  ];
}

function faceResult(face, index, many, gallery) {
  const title = many ? `Face ${index + 1}` : "The face";
  const outcome = face.match
    ? el("p", { class: "accepted", dataset: { match: face.match.subject } }, "Match: ",
      el("strong", { class: "match-subject", text: face.match.subject }),
      ` (score ${score(face.match.score)}). ${falseMatchRate(face.match.estimated_fmr, "A stranger")}`)
    : el("p", { class: "unknown", text: `Unknown person: nobody in gallery ${gallery} reaches the threshold.` });
  return el("section", { class: "face-result", "aria-label": title },
    el("h3", { text: title }),
    outcome,
    face.candidates.length ? candidates(face.candidates) : el("p", { class: "muted", text: "No candidates." }));
}

function candidates(list) {
  return el("table", { class: "candidates" },
    el("caption", { class: "visually-hidden", text: "Candidates" }),
    el("thead", {}, el("tr", {}, ["Candidate", "Score", "How often a stranger scores this high"]
      .map((text) => el("th", { scope: "col", text })))),
    el("tbody", {}, list.map((candidate) => el("tr", {},
      el("td", { text: candidate.subject }),
      el("td", { text: score(candidate.score) }),
      el("td", { text: falseMatchRate(candidate.estimated_fmr, "A stranger") })))));
}

/** `expected_fpir` in words: how many searches by people not enrolled end in a (false) match. */
function strangers(answer) {
  if (!(answer.expected_fpir > 0)) return "Nobody is enrolled here, so nobody can be matched.";
  return `About ${oneIn(answer.expected_fpir)} searches by someone not enrolled would match a subject here `
    + `(${oneIn(answer.fmr_per_comparison)} per comparison with one subject).`;
}
