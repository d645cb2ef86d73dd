/**
 * Choosing photos: from a file input or from the camera, with a thumbnail of each. Thumbnails are blob: URLs
 * (revoked when the photo is replaced or removed, so their memory goes too).
 */

import { mountCamera } from "./camera.js";
import { el } from "./dom.js";

function thumbnail(file, caption, ...extra) {
  const url = URL.createObjectURL(file);
  const image = el("img", { src: url, alt: caption });
  return { node: [image, el("span", { text: caption }), ...extra], revoke: () => URL.revokeObjectURL(url) };
}

/**
 * One photo (verify's two, identify's one): the latest file picked or photo taken wins. `slot` is the
 * fieldset holding the file input, a `[data-camera]` and a `[data-preview]` element.
 */
export function singlePhoto(slot, label) {
  const input = slot.querySelector("input[type=file]");
  const preview = slot.querySelector("[data-preview]");
  let current = null;
  let revoke = () => {};

  function choose(file, caption) {
    revoke();
    current = file;
    if (file === null) {
      preview.replaceChildren();
      revoke = () => {};
      return;
    }
    const thumb = thumbnail(file, caption);
    revoke = thumb.revoke;
    preview.replaceChildren(el("figure", {}, thumb.node));
  }

  input.addEventListener("change", () => choose(input.files[0] ?? null, input.files[0]?.name ?? ""));
  const camera = slot.querySelector("[data-camera]");
  mountCamera(camera, {
    name: camera.dataset.camera, label,
    onCapture(file) {
      input.value = "";
      choose(file, "Camera photo");
    },
  });
  return {
    get file() {
      return current;
    },
  };
}

/**
 * Several photos (enroll): files and camera photos added to a list, each removable. `list` is the <ul>.
 */
export function photoList(list) {
  const photos = []; // { file, caption, revoke }

  function render() {
    list.replaceChildren(...photos.map((photo, index) => {
      const remove = el("button", { type: "button", class: "secondary small", text: "Remove",
        "aria-label": `Remove photo ${index + 1} (${photo.caption})` });
      remove.addEventListener("click", () => {
        photos.splice(index, 1)[0].revoke();
        render();
        list.closest("fieldset")?.querySelector("input[type=file]")?.focus();
      });
      return el("li", {}, photo.node, remove);
    }));
  }

  return {
    add(file, caption) {
      const thumb = thumbnail(file, caption);
      photos.push({ file, caption, ...thumb });
      render();
    },
    /** The photos in the order they were added: the order `image_index` refers to. */
    get files() {
      return photos.map((photo) => photo.file);
    },
    clear() {
      photos.splice(0).forEach((photo) => photo.revoke());
      render();
    },
  };
}
