"""Swagger UI (/docs) and ReDoc (/redoc), served with their scripts and styles from this server.

FastAPI's own pages load them from public CDNs, so on an offline or air-gapped host they are blank; the files here
come from the `fastapi-offline` wheel (a dependency in pyproject.toml). Each page carries its own
Content-Security-Policy: scripts and styles from this server only, plus the page's inline bootstrap by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, Response

router = APIRouter(include_in_schema=False)
ASSETS = "/docs/assets"
_STATIC = Path(str(files("fastapi_offline") / "static"))
_MEDIA_TYPES = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "redoc.standalone.js": "text/javascript",
    "favicon.png": "image/png",
}
_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.DOTALL)


def _digest(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def policy(html: str, *, generated_styles: bool = False) -> str:
    """The page's CSP: nothing but this server, and the inline blocks of this very page by hash.

    ReDoc (styled-components) writes `<style>` elements as it renders, which no hash can name: its page allows
    inline styles (`generated_styles`), never inline scripts. A hash beside 'unsafe-inline' would make browsers
    ignore the latter, so that page lists none. ReDoc runs its search in a web worker made from a blob: URL;
    Swagger UI draws its icons from data: URLs.
    """
    inline: dict[str, list[str]] = {"script": [], "style": []}
    for tag, body in _INLINE.findall(html):
        inline[tag].append(_digest(body))
    styles = ["'unsafe-inline'"] if generated_styles else inline["style"]
    return "; ".join([
        "default-src 'none'",
        " ".join(["script-src 'self'", *inline["script"]]),
        " ".join(["style-src 'self'", *styles]),
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src blob:",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ])


def _page(response: HTMLResponse, *, generated_styles: bool = False) -> HTMLResponse:
    response.headers["Content-Security-Policy"] = policy(bytes(response.body).decode(),
                                                         generated_styles=generated_styles)
    return response


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _page(get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - Swagger UI",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS}/favicon.png",
        oauth2_redirect_url=None,
        swagger_ui_parameters=request.app.swagger_ui_parameters,
    ))


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return _page(get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} - ReDoc",
        redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
        with_google_fonts=False,
    ), generated_styles=True)


@router.get(ASSETS + "/{name}")
async def asset(name: str, request: Request) -> Response:
    """Only the files listed above: the name never becomes a path of its own. Revalidated on each use (by ETag,
    answered 304 while unchanged), so an upgraded package is never shadowed by a cached copy."""
    if name not in _MEDIA_TYPES:
        raise HTTPException(404, f"no docs asset {name!r}")
    path = _STATIC / name
    response = FileResponse(path, media_type=_MEDIA_TYPES[name], headers={"Cache-Control": "no-cache"},
                            stat_result=path.stat())
    if request.headers.get("if-none-match") == response.headers["etag"]:
        return Response(status_code=304, headers={"ETag": response.headers["etag"], "Cache-Control": "no-cache"})
    return response
