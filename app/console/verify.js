/**
 * Verify: are two photos the same person? One multipart `POST /v1/verify` with `image_a` and `image_b`; the
 * answer is shown as a decision, the score against the threshold and its operating point, and how often a
 * different person would score this high (`estimated_fmr`), with the face compared drawn on each photo.
 */

import { call } from "./api.js";
import { byId, el, facts, status } from "./dom.js";
import { facePhoto } from "./draw.js";
import { singlePhoto } from "./photos.js";
import { falseMatchRate, operatingPoint, score } from "./words.js";

export function mountVerify() {
  const form = byId("verify-form");
  const report = status(byId("verify-status"));
  const results = byId("verify-results");
  const [first, second] = form.querySelectorAll(".photo-slot");
  const photos = { image_a: singlePhoto(first, "first photo"), image_b: singlePhoto(second, "second photo") };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = new FormData();
    for (const [name, photo] of Object.entries(photos)) {
      if (photo.file === null) {
        report.problem(new Error("Choose two photos: a file or a camera photo for each."));
        return;
      }
      body.append(name, photo.file, photo.file.name);
    }
    const point = byId("verify-point").value;
    if (point) body.append("operating_point", point);
    const sent = { image_a: photos.image_a.file, image_b: photos.image_b.file };
    const submit = form.querySelector("button[type=submit]");
    submit.disabled = true;
    results.replaceChildren();
    report.busy("Comparing...");
    try {
      const answer = await call("POST", "v1/verify", { form: body });
      report.clear();
      results.replaceChildren(verdict(answer, sent));
    } catch (error) {
      report.problem(error);
    } finally {
      submit.disabled = false;
    }
  });
}

function verdict(answer, sent) {
  const decision = answer.match ? "Match: the same person" : "No match: not the same person";
  const kind = answer.match ? "match" : "unknown";
  const photo = (name, caption) => {
    const face = answer.faces[name];
    return facePhoto(sent[name], face ? [{ ...face, kind, label: caption }] : [], caption);
  };
  return el("div", { class: "verdict-block" },
    el("p", { class: `verdict ${answer.match ? "yes" : "no"}`, id: "verify-decision", text: decision }),
    facts([
      ["Score", `${score(answer.score)} (a match needs ${score(answer.threshold)} or more)`],
      ["Operating point", operatingPoint(answer.operating_point)],
      ["False matches", falseMatchRate(answer.estimated_fmr)],
      ["Model", answer.model],
    ]),
    el("div", { class: "result-grid" }, photo("image_a", "First photo"), photo("image_b", "Second photo")));
}
