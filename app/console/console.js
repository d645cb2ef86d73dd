/**
 * The console's entry point: signing in and out, and the four panels (enroll, verify, identify, subjects).
 *
 * A key is checked before it is kept: `GET /v1/models` answers any valid key, so a refused key (401, or 403)
 * is said at once, in words, and never saved. The key lives in sessionStorage only (api.js).
 */

import { ApiError, call, forgetKey, savedKey, saveKey } from "./api.js";
import { stopCamera } from "./camera.js";
import { byId, el, status } from "./dom.js";
import { mountEnroll } from "./enroll.js";
import { mountIdentify } from "./identify.js";
import { mountSubjects } from "./subjects.js";
import { mountTabs } from "./tabs.js";
import { mountVerify } from "./verify.js";

const signIn = byId("sign-in");
const workspace = byId("workspace");
const signInStatus = status(byId("sign-in-status"));

/** The key's public id (`fg_<id>_<secret>`), to say which key is in use without showing its secret. */
function keyName(key) {
  const parts = /^fg_([A-Za-z0-9]+)_/.exec(key);
  return parts ? `key fg_${parts[1]}_...` : "signed in";
}

/** Galleries this key may read, offered as suggestions in every gallery field; a key without the scope gets none. */
async function suggestGalleries() {
  try {
    const answer = await call("GET", "v1/galleries");
    byId("galleries").replaceChildren(...answer.items.map((item) => el("option", { value: item.gallery })));
  } catch {
    byId("galleries").replaceChildren();
  }
}

function showWorkspace(key, models) {
  const model = models.models.find((item) => item.default)?.name;
  byId("who-key").textContent = model ? `${keyName(key)} - model ${model}` : keyName(key);
  byId("who").hidden = false;
  signIn.hidden = true;
  workspace.hidden = false;
  suggestGalleries();
}

function showSignIn() {
  stopCamera();
  byId("who").hidden = true;
  workspace.hidden = true;
  signIn.hidden = false;
  byId("api-key").focus();
}

async function tryKey(key) {
  signInStatus.busy("Checking the key...");
  try {
    const models = await call("GET", "v1/models", { key });
    saveKey(key);
    signInStatus.clear();
    showWorkspace(key, models);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.keyRefused) forgetKey();
    signInStatus.problem(error);
    return false;
  }
}

byId("sign-in-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const field = byId("api-key");
  const key = field.value.trim();
  if (await tryKey(key)) field.value = "";
});

byId("sign-out").addEventListener("click", () => {
  forgetKey();
  signInStatus.notice("Signed out: the key is forgotten by this tab.");
  showSignIn();
});

const subjects = mountSubjects();
mountEnroll(() => suggestGalleries());
mountVerify();
mountIdentify();
mountTabs(workspace.querySelector("[role=tablist]"), (name) => {
  stopCamera();
  if (name === "subjects" && savedKey()) subjects.show();
}).start();

const remembered = savedKey();
if (remembered) {
  tryKey(remembered).then((kept) => {
    if (!kept) showSignIn();
  });
} else {
  showSignIn();
}
