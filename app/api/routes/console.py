"""The web console (/console): plain HTML, JavaScript modules and CSS from app/console/, for a person trying the
service in a browser.

The page calls the same /v1 API with the key its user types, so serving it grants nothing: the server only hands
out files, from a fixed list (a name never becomes a path of its own). Every answer carries a strict
Content-Security-Policy: no inline script or style exists to allow, nothing is loaded or called from another
origin, and photos the user picked are shown from blob: URLs. The page may use the camera (for enrolling from a
webcam) and no other device.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

router = APIRouter(include_in_schema=False)
PAGE = "/console"
ASSETS = PAGE + "/assets"
FOLDER = Path(str(files("app") / "console"))
INDEX = "index.html"
# Every file the page loads; app/console/ holds these and nothing else (tests/console checks both ways).
MEDIA_TYPES = {
    "console.css": "text/css",
    "console.js": "text/javascript",
    "api.js": "text/javascript",
    "camera.js": "text/javascript",
    "dom.js": "text/javascript",
    "draw.js": "text/javascript",
    "enroll.js": "text/javascript",
    "identify.js": "text/javascript",
    "photos.js": "text/javascript",
    "subjects.js": "text/javascript",
    "tabs.js": "text/javascript",
    "verify.js": "text/javascript",
    "words.js": "text/javascript",
}
# blob: for previews of the photos picked (URL.createObjectURL) and data: for the empty favicon (`data:,`, which
# spares a request answered 404); media-src blob: lets the camera preview play.
POLICY = "; ".join([
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
])
# The camera for this page's own origin (getUserMedia is refused without it), every other device refused.
PERMISSIONS = "camera=(self), microphone=(), geolocation=(), payment=(), usb=()"


def _file(name: str, media_type: str, request: Request, headers: dict[str, str]) -> Response:
    """The file, revalidated on each use (by ETag, answered 304 while unchanged): an upgraded server is never
    shadowed by a copy the browser cached."""
    path = FOLDER / name
    headers = {"Cache-Control": "no-cache", "Content-Security-Policy": POLICY, **headers}
    response = FileResponse(path, media_type=media_type, headers=headers, stat_result=path.stat())
    if request.headers.get("if-none-match") == response.headers["etag"]:
        return Response(status_code=304, headers={"ETag": response.headers["etag"], **headers})
    return response


@router.get(PAGE)
async def console_page(request: Request) -> Response:
    return _file(INDEX, "text/html", request, {"Permissions-Policy": PERMISSIONS})


@router.get(ASSETS + "/{name}")
async def console_asset(name: str, request: Request) -> Response:
    if name not in MEDIA_TYPES:
        raise HTTPException(404, f"no console asset {name!r}")
    return _file(name, MEDIA_TYPES[name], request, {})
