/**
 * Photos from a webcam: a preview (getUserMedia) and a button that captures the current frame as a JPEG Blob
 * through a canvas. One camera stream is open at a time in the whole page: starting one stops the others, and
 * switching tabs or signing out stops it (`stopCamera`), so the camera light never stays on unseen.
 */

import { el } from "./dom.js";

let active = null; // { stop() } of the control whose stream is open

export function stopCamera() {
  active?.stop();
  active = null;
}

function cameraTrouble(error) {
  if (error.name === "NotAllowedError") return "Camera access was refused; allow it in the browser to take photos.";
  if (error.name === "NotFoundError" || error.name === "OverconstrainedError") return "No camera was found.";
  if (error.name === "NotReadableError") return "The camera is in use by another program.";
  return `The camera could not start (${error.message}).`;
}

function jpeg(canvas) {
  return new Promise((resolve, reject) => {
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("the frame could not be encoded"))),
      "image/jpeg", 0.92);
  });
}

/**
 * Controls (start, take photo, stop) and a preview, to put into `slot`; `onCapture(file)` gets each photo taken
 * as a File named `<name>-<n>.jpg`. `label` names the photo for assistive technology ("Take photo for ...").
 */
export function mountCamera(slot, { name, label, onCapture }) {
  const video = el("video", { hidden: true, playsinline: true, muted: true, "aria-label": `Camera preview: ${label}` });
  video.muted = true;
  const start = el("button", { type: "button", class: "secondary small", text: "Use camera" });
  const take = el("button", { type: "button", class: "small", text: "Take photo", hidden: true,
    "aria-label": `Take photo: ${label}` });
  const stop = el("button", { type: "button", class: "secondary small", text: "Stop camera", hidden: true });
  const note = el("p", { class: "hint", "aria-live": "polite" });
  let stream = null;
  let taken = 0;

  const control = {
    stop() {
      stream?.getTracks().forEach((track) => track.stop());
      stream = null;
      video.srcObject = null;
      video.hidden = take.hidden = stop.hidden = true;
      start.hidden = false;
    },
  };

  start.addEventListener("click", async () => {
    if (!navigator.mediaDevices?.getUserMedia) {
      note.textContent = "The camera is only available over HTTPS or on localhost.";
      return;
    }
    stopCamera();
    note.textContent = "Starting the camera...";
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 } }, audio: false });
    } catch (error) {
      note.textContent = cameraTrouble(error);
      return;
    }
    active = control;
    video.srcObject = stream;
    await video.play().catch(() => {});
    video.hidden = take.hidden = stop.hidden = false;
    start.hidden = true;
    note.textContent = "";
    take.focus();
  });

  take.addEventListener("click", async () => {
    if (video.videoWidth === 0) {
      note.textContent = "The camera has no picture yet; try again in a moment.";
      return;
    }
    const canvas = el("canvas", { width: video.videoWidth, height: video.videoHeight });
    canvas.getContext("2d").drawImage(video, 0, 0);
    try {
      const blob = await jpeg(canvas);
      taken += 1;
      onCapture(new File([blob], `${name}-${taken}.jpg`, { type: "image/jpeg" }));
      note.textContent = `Photo ${taken} taken.`;
    } catch (error) {
      note.textContent = `The photo could not be taken (${error.message}).`;
    }
  });

  stop.addEventListener("click", () => {
    stopCamera();
    start.focus();
  });

  slot.replaceChildren(el("div", { class: "camera" }, el("div", { class: "controls" }, start, take, stop), note, video));
}
