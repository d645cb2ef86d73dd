"""The HTTP surface a browser and a network see: offline docs, security headers, CORS, 405s, and errors that
neither drop the connection nor flood the log.

Everything runs against a real uvicorn server on loopback (one SQLite database, the real models), because
keep-alive connections, client disconnects and a real browser only exist there.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.api.browser import API_POLICY
from app.config import Settings
from app.main import create_app
from app.store.migrate import upgrade
from app.telemetry.logging import JsonFormatter
from tests.api.conftest import assert_problem
from tests.browser import WATCH_CSP, chromium, needs_chromium
from tests.servers import serving

ADMIN_KEY = "surface-admin-key-0123456789abcdef0123"
AUTH = {"Authorization": f"Bearer {ADMIN_KEY}"}
TRUSTED = "https://app.example"
HOSTILE = "https://evil.example"
MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".json": "application/json"}
# ReDoc 2 links its maker's logo from a CDN; the page's CSP blocks it before any request leaves the browser.
REDOC_LOGO = "img-src https://cdn.redoc.ly/redoc/logo-mini.svg"


@pytest.fixture(scope="module")
def surface_settings(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("surface")
    url = f"sqlite:///{folder / 'facegate.db'}"
    upgrade(url)
    return Settings(database_url=url, data_dir=folder, admin_key=ADMIN_KEY, runtime={"models_dir": models_dir})


def _with_failing_route(app: FastAPI) -> FastAPI:
    """A test-only route that fails the way a bug would."""

    @app.get("/test/boom", include_in_schema=False)
    async def boom() -> dict:
        raise RuntimeError("boom")

    return app


@pytest.fixture(scope="module")
def server(surface_settings: Settings) -> Iterator[tuple[FastAPI, str]]:
    """The app behind a real uvicorn server; uvicorn leaves logging alone, so its records reach caplog."""
    app = _with_failing_route(create_app(surface_settings))
    with serving(app) as base:
        yield app, base


@pytest.fixture
def http(server: tuple[FastAPI, str]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[1], timeout=60) as client:
        yield client


class _References(HTMLParser):
    """Every URL a page loads by itself: src and href attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [value for name, value in attrs if name in {"src", "href"} and value]


# --- 1. Docs offline ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("path", "spec_attribute"), [("/docs", "url: '/openapi.json'"),
                                                      ("/redoc", 'spec-url="/openapi.json"')])
def test_docs_pages_load_only_local_assets_of_the_right_type(http: httpx.Client, path: str,
                                                             spec_attribute: str) -> None:
    page = http.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert re.findall(r"https?://", page.text) == []
    assert spec_attribute in page.text
    parser = _References()
    parser.feed(page.text)
    assert parser.urls, "the page loads its scripts and styles by URL"
    for url in [*parser.urls, "/openapi.json"]:
        absolute = urljoin(str(page.url), url)
        assert urlsplit(absolute).netloc == urlsplit(str(page.url)).netloc, url
        asset = http.get(absolute)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] == MEDIA_TYPES[Path(urlsplit(url).path).suffix], url
        assert int(asset.headers["content-length"]) > 1000, url
    assert http.get("/docs/assets/..%2Fcore.py").status_code == 404


def test_docs_assets_revalidate_and_pages_allow_no_inline_script_but_their_own(http: httpx.Client) -> None:
    asset = http.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.headers["cache-control"] == "no-cache"
    assert http.get("/docs/assets/swagger-ui-bundle.js",
                    headers={"If-None-Match": asset.headers["etag"]}).status_code == 304
    swagger = http.get("/docs").headers["content-security-policy"]
    directives = dict(part.split(" ", 1) for part in swagger.split("; "))
    assert directives["default-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert re.fullmatch(r"'self' 'sha256-[A-Za-z0-9+/]{43}='", directives["script-src"])
    assert directives["style-src"] == "'self'"
    assert directives["connect-src"] == "'self'"
    redoc = dict(part.split(" ", 1) for part in http.get("/redoc").headers["content-security-policy"].split("; "))
    assert redoc["script-src"] == "'self'"
    assert redoc["style-src"] == "'self' 'unsafe-inline'"  # styled-components writes <style> as it renders


@needs_chromium
@pytest.mark.parametrize(("path", "operation"), [("/docs", "[data-path='/v1/identify']"),
                                                 ("/redoc", "xpath=//*[text()='/v1/identify']")])
def test_docs_render_in_a_real_browser_with_the_network_cut_off(server: tuple[FastAPI, str], path: str,
                                                                 operation: str) -> None:
    from playwright.sync_api import Route

    base = server[1]
    blocked: list[str] = []

    def local_only(route: Route) -> None:
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    with chromium() as browser:
        page = browser.new_page()
        page.route("**/*", local_only)
        page.add_init_script(WATCH_CSP)
        page.goto(base + path)
        page.locator(operation).first.wait_for(state="visible", timeout=60_000)
        assert page.locator(operation).count() >= 1
        violations = page.evaluate("window.violations")
    assert blocked == []
    assert [v for v in violations if v != REDOC_LOGO] == []


# --- 2. Security headers -----------------------------------------------------------------------------------------

def test_every_answer_carries_the_security_headers(http: httpx.Client) -> None:
    answers = {
        "/healthz": http.get("/healthz"),
        "/openapi.json": http.get("/openapi.json"),
        "/docs": http.get("/docs"),
        "/v1/models": http.get("/v1/models", headers=AUTH),
        "/v1/subjects/nobody": http.get("/v1/subjects/nobody", headers=AUTH),
        "/v1/models without a key": http.get("/v1/models"),
        "/v1/subjects/x PUT": http.put("/v1/subjects/x", headers=AUTH),
        "/test/boom": http.get("/test/boom"),
        "/nowhere": http.get("/nowhere"),
    }
    assert answers["/v1/models"].status_code == 200
    assert answers["/v1/subjects/nobody"].status_code == 404
    for name, response in answers.items():
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] == "no-referrer", name
        assert response.headers["x-frame-options"] == "DENY", name
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], name
        if name != "/docs":
            assert response.headers["content-security-policy"] == API_POLICY, name
        if name.startswith("/v1"):
            assert response.headers["cache-control"] == "no-store", name


# --- 3. CORS -----------------------------------------------------------------------------------------------------

def _preflight(client: httpx.Client | TestClient, origin: str) -> httpx.Response:
    return client.options("/v1/identify", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type"})


def _cors_headers(response: httpx.Response) -> dict[str, str]:
    return {name: value for name, value in response.headers.items() if name.startswith("access-control-")}


def test_cors_is_off_by_default(http: httpx.Client) -> None:
    preflight = _preflight(http, TRUSTED)
    assert preflight.status_code == 405
    assert _cors_headers(preflight) == {}
    read = http.get("/v1/models", headers={**AUTH, "Origin": TRUSTED})
    assert read.status_code == 200
    assert _cors_headers(read) == {}


@pytest.mark.parametrize("browser_headers", [{"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                                             {}, {"Origin": "null"}])
def test_a_cross_origin_post_never_reaches_the_api(http: httpx.Client, portrait: bytes,
                                                   browser_headers: dict[str, str]) -> None:
    """A form on another site can POST multipart without a preflight; the API refuses it before reading it."""
    headers = {"Origin": HOSTILE, **browser_headers}
    response = http.post("/v1/identify", headers=headers, files={"image": ("p.jpg", portrait, "image/jpeg")})
    assert_problem(response, 403, "CROSS_ORIGIN_REFUSED")
    assert _cors_headers(response) == {}


@pytest.mark.parametrize("browser_headers", [{"Sec-Fetch-Site": "same-origin"}, {"Sec-Fetch-Site": "none"},
                                             {"Origin": "http://{host}"}, {}])
def test_same_origin_and_non_browser_posts_pass(http: httpx.Client, browser_headers: dict[str, str]) -> None:
    host = urlsplit(str(http.base_url)).netloc
    headers = {name: value.format(host=host) for name, value in browser_headers.items()}
    response = http.post("/v1/identify/json", headers={**AUTH, **headers}, json={})
    assert_problem(response, 422, "VALIDATION_ERROR")


@pytest.fixture(scope="module")
def cors_client(surface_settings: Settings) -> Iterator[TestClient]:
    settings = surface_settings.model_copy(update={"http": surface_settings.http.model_copy(
        update={"cors_origins": [TRUSTED]})})
    with TestClient(create_app(settings)) as client:
        yield client


def test_cors_allows_the_configured_origins_only(cors_client: TestClient) -> None:
    preflight = _preflight(cors_client, TRUSTED)
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == TRUSTED
    assert {"POST", "GET", "PATCH", "DELETE"} <= set(preflight.headers["access-control-allow-methods"].split(", "))
    allowed = {h.strip().lower() for h in preflight.headers["access-control-allow-headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed
    assert "access-control-allow-credentials" not in preflight.headers
    assert preflight.headers["x-content-type-options"] == "nosniff"

    refused = _preflight(cors_client, HOSTILE)
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers

    read = cors_client.get("/v1/models", headers={**AUTH, "Origin": TRUSTED})
    assert read.status_code == 200
    assert read.headers["access-control-allow-origin"] == TRUSTED
    assert "x-request-id" in read.headers["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in cors_client.get("/v1/models",
                                                                headers={**AUTH, "Origin": HOSTILE}).headers

    post = cors_client.post("/v1/identify/json", headers={**AUTH, "Origin": TRUSTED, "Sec-Fetch-Site": "cross-site"},
                            json={})
    assert_problem(post, 422, "VALIDATION_ERROR")
    assert post.headers["access-control-allow-origin"] == TRUSTED
    assert_problem(cors_client.post("/v1/identify", headers={**AUTH, "Origin": HOSTILE,
                                                               "Sec-Fetch-Site": "cross-site"}, json={}),
                   403, "CROSS_ORIGIN_REFUSED")


# --- 4. 405 ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("method", "path", "allowed"), [
    ("PUT", "/v1/subjects/someone", {"GET", "PATCH", "DELETE"}),
    ("POST", "/v1/subjects/someone", {"GET", "PATCH", "DELETE"}),
    ("GET", "/v1/identify", {"POST"}),
    ("DELETE", "/healthz", {"GET"}),
])
def test_405_lists_every_method_of_the_path(http: httpx.Client, method: str, path: str, allowed: set[str]) -> None:
    response = http.request(method, path, headers=AUTH)
    assert_problem(response, 405, "METHOD_NOT_ALLOWED")
    assert set(response.headers["allow"].split(", ")) == allowed


# --- 5. A client that goes away mid-body --------------------------------------------------------------------------

def _samples(app: FastAPI, name: str) -> dict[tuple[tuple[str, str], ...], float]:
    return {tuple(sorted(sample.labels.items())): sample.value
            for family in app.state.metrics.registry.collect() for sample in family.samples if sample.name == name}


def test_a_client_that_disconnects_mid_body_is_one_quiet_line(server: tuple[FastAPI, str], portrait: bytes,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    app, base = server
    caplog.set_level(logging.INFO)
    internal_errors = _samples(app, "facegate_errors_total").get((("code", "INTERNAL_ERROR"),), 0)
    head = (b'--B\r\nContent-Disposition: form-data; name="subject"\r\n\r\nleaver\r\n--B\r\n'
            b'Content-Disposition: form-data; name="images"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n')
    body = head + portrait[: len(portrait) // 2]
    with socket.create_connection(("127.0.0.1", urlsplit(base).port)) as sock:
        sock.sendall(b"POST /v1/enroll HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     + f"Authorization: Bearer {ADMIN_KEY}\r\n".encode()
                     + b"Content-Type: multipart/form-data; boundary=B\r\n"
                     + f"Content-Length: {len(head) + len(portrait) + 8}\r\n\r\n".encode() + body)
        time.sleep(0.5)
    deadline = time.monotonic() + 10
    while not [r for r in caplog.records if "disconnected" in r.getMessage()]:
        assert time.monotonic() < deadline, [r.getMessage() for r in caplog.records]
        time.sleep(0.05)
    time.sleep(0.3)  # let anything else the disconnect causes be logged too
    lines = [r for r in caplog.records if "disconnected" in r.getMessage()]
    assert [(r.name, r.levelno, r.exc_info) for r in lines] == [("app.api.failsafe", logging.INFO, None)]
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    statuses = {dict(labels)["status"] for labels in _samples(app, "facegate_http_request_duration_seconds_count")
                if dict(labels)["route"] == "/v1/enroll"}
    assert statuses == {"499"}
    assert _samples(app, "facegate_errors_total").get((("code", "INTERNAL_ERROR"),), 0) == internal_errors


# --- 6. An unexpected error -----------------------------------------------------------------------------------------

def test_an_unexpected_error_is_a_500_problem_and_the_connection_lives_on(
        http: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    lines: list[dict] = []
    handler = logging.Handler()
    handler.emit = lambda record: lines.append(json.loads(JsonFormatter().format(record)))  # type: ignore[method-assign]
    logging.getLogger("app.api.failsafe").addHandler(handler)
    try:
        failed = http.get("/test/boom", headers={"X-Request-ID": "boom-1"})
        after = http.get("/healthz")
    finally:
        logging.getLogger("app.api.failsafe").removeHandler(handler)
    body = assert_problem(failed, 500, "INTERNAL_ERROR")
    assert "boom" not in json.dumps(body)
    assert "connection" not in failed.headers
    assert after.status_code == 200
    used = [r.extensions["network_stream"].get_extra_info("client_addr") for r in (failed, after)]
    assert used[0] == used[1], "the second request had to open a new connection"
    assert failed.headers["x-request-id"] == "boom-1"
    assert [(line["level"], line["request_id"]) for line in lines] == [("error", "boom-1")]
    assert "RuntimeError: boom" in lines[0]["exception"]
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [(r.name, r.exc_info is not None) for r in errors] == [("app.api.failsafe", True)]
