/**
 * Photos with the faces the API found drawn on them: a box and the five landmarks (eyes, nose tip, mouth
 * corners) per face, and a label. The photo is painted into a canvas at its own size, because the API's
 * coordinates are pixels of the photo as the server decoded it (EXIF orientation applied, as createImageBitmap
 * also does); CSS then scales the canvas to fit. When painting is done the canvas says what it drew in
 * `data-boxes` ([[x, y, width, height], ...], rounded) and `data-drawn` (how many faces).
 */

import { el } from "./dom.js";

export const COLOURS = { match: "#16a34a", unknown: "#f59e0b", face: "#2563eb" };

/**
 * A <figure> with the photo (a Blob) and `faces`: [{box: {x, y, width, height}, landmarks: [[x, y], ...],
 * label?: string, kind?: "match" | "unknown" | "face"}]. `caption`: text under it.
 */
export function facePhoto(blob, faces, caption) {
  const count = faces.length === 1 ? "1 face marked" : `${faces.length} faces marked`;
  const canvas = el("canvas", { role: "img", "aria-label": `${caption ?? "Photo"}: ${count}` });
  const figure = el("figure", { class: "face-photo" }, canvas, caption ? el("figcaption", { text: caption }) : null);
  paint(canvas, blob, faces).catch(() => {
    figure.append(el("p", { class: "muted", text: "This browser cannot show this photo." }));
  });
  return figure;
}

async function paint(canvas, blob, faces) {
  const bitmap = await createImageBitmap(blob);
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext("2d");
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  // Lines stay visible once the canvas is scaled down to the page: about 1/150 of the photo's longer side.
  const line = Math.max(2, Math.round(Math.max(canvas.width, canvas.height) / 150));
  for (const face of faces) drawFace(context, face, line);
  canvas.dataset.boxes = JSON.stringify(faces.map(({ box }) => [box.x, box.y, box.width, box.height].map(Math.round)));
  canvas.dataset.drawn = String(faces.length);
}

function drawFace(context, face, line) {
  const { x, y, width, height } = face.box;
  const colour = COLOURS[face.kind ?? "face"] ?? COLOURS.face;
  context.lineWidth = line;
  context.strokeStyle = colour;
  context.strokeRect(x, y, width, height);
  context.fillStyle = colour;
  for (const [px, py] of face.landmarks ?? []) {
    context.beginPath();
    context.arc(px, py, line * 1.5, 0, 2 * Math.PI);
    context.fill();
  }
  if (face.label) drawLabel(context, face.label, x, y, line, colour);
}

/** The label sits above the box (below its top edge when the box touches the photo's top), never over it. */
function drawLabel(context, text, x, y, line, colour) {
  const size = Math.max(12, line * 4);
  context.font = `600 ${size}px system-ui, sans-serif`;
  const padding = Math.round(size / 3);
  const width = context.measureText(text).width + 2 * padding;
  const height = size + 2 * padding;
  const top = y - line - height >= 0 ? y - line - height : y + line;
  const left = x - line / 2;
  context.fillStyle = colour;
  context.fillRect(left, top, width, height);
  context.fillStyle = "#ffffff";
  context.textBaseline = "top";
  context.fillText(text, left + padding, top + padding);
}
