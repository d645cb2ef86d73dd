"""The web console (/console) as a person uses it: in a real browser (Debian's chromium), against the real app on a
real SQLite file with the real models, with real photos, and a camera fed from a photo of a real face.

One server and one browser per module; each test opens a fresh browser context (an empty sessionStorage) and
uses its own gallery, so the tests stay independent. Every browser test ends by checking that the page ran under
its strict CSP without a violation, without a script error, and without a request leaving the machine.
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from app.api.routes import console
from app.config import Settings
from app.main import create_app
from app.store.migrate import upgrade
from tests.api.conftest import ADMIN, ADMIN_KEY, assert_problem
from tests.browser import FAKE_CAMERA, WATCH_CSP, chromium, needs_chromium
from tests.servers import new_key, serving

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

ROOT = Path(__file__).resolve().parents[2]
USER_SCOPES = ["enroll", "verify", "identify", "subjects:read", "subjects:write"]
MATCH_GREEN = (0x16, 0xA3, 0x4A)  # COLOURS.match in app/console/draw.js
TIMEOUT_MS = 60_000


@dataclass(frozen=True)
class Photos:
    """Real photos, from the studio set's identification list: one person's photos for enrolling (two files and
    the camera), a different photo of them to search with, someone else, and a photo with no face at all."""

    subject: str
    enroll: tuple[Path, Path]
    camera: Path
    probe: Path
    stranger: Path
    no_face: Path


@pytest.fixture(scope="module")
def photos(faces_dir: Path) -> Photos:
    listing = faces_dir / "studio" / "identification.csv"
    no_faces = sorted((faces_dir / "nonface" / "images").glob("*.jpg"))
    if not listing.exists() or not no_faces:
        pytest.skip(f"studio/identification.csv or nonface/ photos missing under {faces_dir}")
    by_person: dict[str, list[Path]] = defaultdict(list)
    with listing.open(newline="") as rows:
        for row in csv.DictReader(rows):
            if row["role"] in {"gallery", "probe"}:
                by_person[row["identity"]].append(faces_dir / "studio" / "images" / row["path"])
    people = sorted(by_person, key=lambda person: (-len(by_person[person]), person))
    if len(people) < 2 or len(by_person[people[0]]) < 4:
        pytest.skip(f"{listing} names nobody with 4 photos (needed: 2 to enroll, 1 for the camera, 1 to search)")
    mine = sorted(by_person[people[0]])
    return Photos(subject=people[0], enroll=(mine[0], mine[1]), camera=mine[2], probe=mine[3],
                  stranger=sorted(by_person[people[1]])[0], no_face=no_faces[0])


@pytest.fixture(scope="module")
def console_settings(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("console")
    url = f"sqlite:///{folder / 'facegate.db'}"
    upgrade(url)
    return Settings(database_url=url, data_dir=folder, admin_key=ADMIN_KEY, runtime={"models_dir": models_dir},
                    abuse={"rate_per_second": 1000, "burst": 1000})


@pytest.fixture(scope="module")
def base_url(console_settings: Settings) -> Iterator[str]:
    with serving(create_app(console_settings)) as base:
        yield base


@pytest.fixture(scope="module")
def api(base_url: str) -> Iterator[httpx.Client]:
    """The API itself, with the admin key: to make the keys the console signs in with, and to check its work."""
    with httpx.Client(base_url=base_url, headers=ADMIN, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def user_key(base_url: str) -> str:
    """A key for a person trying the service: every scope but admin."""
    return new_key(base_url, "console-user", USER_SCOPES)


@pytest.fixture(scope="module")
def camera_feed(photos: Photos, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A one-frame MJPEG file of a real face, which Chromium's fake camera plays in a loop (even dimensions, as
    video frames need)."""
    image = Image.open(photos.camera).convert("RGB")
    image = image.resize((image.width // 2 * 2, image.height // 2 * 2))
    path = tmp_path_factory.mktemp("camera") / "face.mjpeg"
    image.save(path, "JPEG", quality=90)
    return path


@pytest.fixture(scope="module")
def browser(camera_feed: Path) -> Iterator[Browser]:
    with chromium(*FAKE_CAMERA, f"--use-file-for-fake-video-capture={camera_feed}") as running:
        yield running


@dataclass
class Tab:
    """A browser tab on the console, and what went wrong in it that the page did not show."""

    page: Page
    base: str
    script_errors: list[str] = field(default_factory=list)
    left_the_machine: list[str] = field(default_factory=list)

    def sign_in(self, key: str) -> None:
        self.page.goto(self.base + "/console")
        self.page.get_by_label("API key").fill(key)
        self.page.get_by_role("button", name="Sign in").click()

    def tab(self, name: str) -> None:
        self.page.get_by_role("tab", name=name).click()

    def assert_clean(self) -> None:
        assert self.page.evaluate("window.violations") == []
        assert self.script_errors == []
        assert self.left_the_machine == []


@pytest.fixture
def tab(browser: Browser, base_url: str) -> Iterator[Tab]:
    context = browser.new_context(permissions=["camera"])
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    opened = Tab(page, base_url)

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            opened.left_the_machine.append(route.request.url)
            route.abort()

    page.route("**/*", local_only)
    page.add_init_script(WATCH_CSP)
    page.on("pageerror", lambda error: opened.script_errors.append(str(error)))
    try:
        yield opened
    finally:
        context.close()


def _pixel(page: Page, canvas: str, x: int, y: int) -> tuple[int, int, int]:
    red, green, blue = page.evaluate(
        "([selector, x, y]) => Array.from(document.querySelector(selector).getContext('2d')"
        ".getImageData(x, y, 1, 1).data.slice(0, 3))", [canvas, x, y])
    return red, green, blue


def _assert_box_drawn(page: Page, canvas: str) -> None:
    """The canvas lists one face box, and the box's left edge (halfway down) is painted in the match colour."""
    from playwright.sync_api import expect

    expect(page.locator(canvas)).to_have_attribute("data-drawn", "1")
    boxes = page.eval_on_selector(canvas, "node => JSON.parse(node.dataset.boxes)")
    assert len(boxes) == 1
    x, y, width, height = boxes[0]
    assert min(width, height) > 50, boxes
    pixel = _pixel(page, canvas, x, y + height // 2)
    assert all(abs(a - b) <= 8 for a, b in zip(pixel, MATCH_GREEN, strict=True)), pixel


# --- In the browser ------------------------------------------------------------------------------------------------

@needs_chromium
def test_enroll_identify_list_and_delete_a_person(tab: Tab, photos: Photos, user_key: str,
                                                  api: httpx.Client) -> None:
    from playwright.sync_api import expect

    page, subject, gallery = tab.page, "console-person", "console-journey"
    tab.sign_in(user_key)
    expect(page.locator("#who-key")).to_contain_text("key fg_")
    assert page.evaluate("sessionStorage.getItem('facegate.console.key')") == user_key
    assert page.evaluate("localStorage.length") == 0

    # Enroll from two files, a photo with no face, and a camera photo.
    page.get_by_label("Subject id").fill(subject)
    page.get_by_label("Name (optional)").fill("Console <b>Person</b>")  # markup in user data stays text
    page.locator("#enroll-gallery").fill(gallery)
    page.get_by_label("Add photo files").set_input_files([*photos.enroll, photos.no_face])
    page.get_by_role("button", name="Use camera").first.click()
    page.get_by_role("button", name="Take photo: a photo to enroll").click()
    expect(page.locator("#enroll-photos li")).to_have_count(4)
    page.get_by_role("button", name="Enroll", exact=True).click()
    notice = page.locator("#enroll-status .notice")
    expect(notice).to_have_text(f"Enrolled {subject} (Console <b>Person</b>) in gallery {gallery}: 3 of 4 photos "
                                "accepted; 3 faces enrolled in all.")
    assert page.locator("#enroll-results b").count() == 0
    results = page.locator("#enroll-results .photo-result")
    expect(results).to_have_count(4)
    expect(results.nth(2).locator(".rejected")).to_contain_text("NO_FACE")
    expect(results.nth(3).locator(".accepted")).to_have_count(1)  # the camera photo: a real face
    for index in (0, 1, 3):
        _assert_box_drawn(page, f"#enroll-results .photo-result:nth-child({index + 1}) canvas")

    # Identify another photo of the same person.
    tab.tab("Identify")
    page.get_by_label("Photo file", exact=True).set_input_files(photos.probe)
    page.locator("#identify-gallery").fill(gallery)
    page.get_by_role("button", name="Identify", exact=True).click()
    expect(page.locator("#identify-results .match-subject")).to_have_text(subject)
    expect(page.locator("#identify-results .face-result .accepted")).to_contain_text("A stranger scores this high")
    _assert_box_drawn(page, "#identify-results canvas")

    # The subject is listed, found by a search on its name, and its faces are shown; then it is deleted.
    tab.tab("Subjects")
    page.locator("#subjects-gallery").fill(gallery)
    page.get_by_role("button", name="Show subjects").click()
    row = page.locator(f"#subjects-rows tr[data-subject='{subject}']")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text("3")
    page.get_by_label("Search by id or name").fill("person</B")
    expect(row).to_have_count(1)
    page.get_by_label("Search by id or name").fill("nobody-like-this")
    expect(page.locator("#subjects-rows tr")).to_have_count(0)
    page.get_by_label("Search by id or name").fill("")
    page.get_by_role("button", name=f"Show the faces of {subject}").click()
    expect(page.locator("#subject-faces .face-list li")).to_have_count(3)

    page.get_by_role("button", name=f"Delete {subject}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("cannot be undone")
    page.keyboard.press("Escape")  # the dialog is modal: Escape is "no"
    expect(dialog).to_be_hidden()
    expect(row).to_have_count(1)
    page.get_by_role("button", name=f"Delete {subject}").click()
    dialog.get_by_role("button", name="Delete").click()
    expect(page.locator("#subjects-status .notice")).to_contain_text(
        f"Deleted {subject} from gallery {gallery}: 3 faces and their embeddings erased")
    expect(row).to_have_count(0)
    expect(page.locator("#subject-faces")).to_be_empty()
    gone = api.get(f"/v1/subjects/{subject}", params={"gallery": gallery})
    # The gallery goes with its last subject, so the API may say either.
    assert gone.status_code == 404
    assert gone.json()["code"] in {"SUBJECT_NOT_FOUND", "GALLERY_NOT_FOUND"}

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    tab.assert_clean()


@needs_chromium
def test_verify_says_the_decision_and_the_false_match_rate_in_words(tab: Tab, photos: Photos,
                                                                   user_key: str) -> None:
    from playwright.sync_api import expect

    page = tab.page
    tab.sign_in(user_key)
    page.get_by_role("tab", name="Enroll").focus()
    page.keyboard.press("ArrowRight")  # the tabs work from the keyboard
    expect(page.get_by_role("tab", name="Verify")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_label("First photo file")).to_be_visible()
    page.get_by_label("First photo file").set_input_files(photos.enroll[0])
    page.get_by_label("Second photo file").set_input_files(photos.probe)
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#verify-decision")).to_have_text("Match: the same person")
    facts = page.locator("#verify-results .facts")
    expect(facts).to_contain_text(re.compile(r"A different person scores this high (at most )?about 1 time in "
                                             r"[0-9,]+ comparisons"))
    expect(facts).to_contain_text("Operating point")
    expect(page.locator("#verify-results canvas[data-drawn='1']")).to_have_count(2)

    page.get_by_label("Second photo file").set_input_files(photos.stranger)
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#verify-decision")).to_have_text("No match: not the same person")
    tab.assert_clean()


@needs_chromium
def test_a_refused_key_is_said_in_plain_words_and_never_kept(tab: Tab) -> None:
    from playwright.sync_api import expect

    tab.sign_in("fg_nosuchkey_0123456789abcdef")
    alert = tab.page.locator("#sign-in-status [role=alert]")
    expect(alert).to_contain_text("The server refused this API key.")
    expect(alert).to_contain_text("UNAUTHENTICATED")
    expect(tab.page.locator("#workspace")).to_be_hidden()
    assert tab.page.evaluate("sessionStorage.length") == 0
    tab.assert_clean()


@needs_chromium
def test_a_key_without_the_scope_is_told_so(tab: Tab, base_url: str) -> None:
    from playwright.sync_api import expect

    tab.sign_in(new_key(base_url, "console-identify-only", ["identify"]))
    tab.tab("Subjects")
    alert = tab.page.locator("#subjects-status [role=alert]")
    expect(alert).to_contain_text("This API key may not do that.")
    expect(alert).to_contain_text("FORBIDDEN")
    tab.assert_clean()


# --- Over HTTP -----------------------------------------------------------------------------------------------------

class _Loaded(HTMLParser):
    """What a page loads (src and href), and anything that would be inline code."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]
        self.inline += [f"{tag} {name}" for name, _ in attrs if name.startswith("on") or name == "style"]
        if tag in {"script", "style"} and "src" not in named:
            self.inline.append(tag)


def _modules(source: str) -> set[str]:
    return set(re.findall(r'from "\./([a-z]+\.js)"', source))


def test_the_console_and_its_assets_are_served_with_a_strict_policy(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=30) as http:
        page = http.get("/console")
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.headers["content-security-policy"] == console.POLICY
        assert "script-src 'self';" in console.POLICY
        assert "'unsafe-inline'" not in console.POLICY
        assert "camera=(self)" in page.headers["permissions-policy"]
        assert page.headers["x-frame-options"] == "DENY"
        parsed = _Loaded()
        parsed.feed(page.text)
        assert parsed.inline == []
        loaded = {url.removeprefix("console/assets/") for url in parsed.urls if url.startswith("console/assets/")}
        assert {"console.css", "console.js"} <= loaded

        # Every module the page imports, followed from console.js, is served with its type and the policy.
        wanted, seen = ["console.js"], set()
        while wanted:
            name = wanted.pop()
            seen.add(name)
            asset = http.get(f"/console/assets/{name}")
            assert asset.status_code == 200, name
            assert asset.headers["content-type"].startswith("text/javascript"), name
            assert asset.headers["content-security-policy"] == console.POLICY, name
            assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(", asset.text), name
            wanted += sorted(_modules(asset.text) - seen)
        css = http.get("/console/assets/console.css")
        assert css.headers["content-type"].startswith("text/css")
        assert seen | {"console.css"} == set(console.MEDIA_TYPES)

        again = http.get("/console/assets/console.js", headers={"If-None-Match": http.get(
            "/console/assets/console.js").headers["etag"]})
        assert again.status_code == 304
        for name in ("nope.js", "index.html", "..%2Fapi%2Froutes%2Fconsole.py", "%2e%2e"):
            assert_problem(http.get(f"/console/assets/{name}"), 404, "NOT_FOUND")
        assert "permissions-policy" not in http.get("/healthz").headers  # other pages keep what they had


def test_the_allow_list_is_the_folder_and_the_package_ships_it() -> None:
    shipped = {path.name for path in console.FOLDER.iterdir() if path.is_file()}
    assert shipped == {console.INDEX, *console.MEDIA_TYPES}
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "console/*" in package_data["app"]
    assert "COPY app/ app/" in (ROOT / "Dockerfile").read_text()


def test_the_console_can_be_switched_off(console_settings: Settings) -> None:
    off = console_settings.model_copy(update={"http": console_settings.http.model_copy(update={"console": False})})
    client = TestClient(create_app(off))  # no lifespan: serving files needs no models
    assert_problem(client.get("/console"), 404, "NOT_FOUND")
    assert_problem(client.get("/console/assets/console.js"), 404, "NOT_FOUND")
