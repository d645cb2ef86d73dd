"""Every operation x (no key, a key without the scope, a key for other galleries, the right key).

The table below must name every operation the OpenAPI document declares with the bearer scheme, so a new
operation cannot ship without its row.
"""

from __future__ import annotations

import base64
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import assert_problem

GALLERY = "matrix"
SCOPES = ["enroll", "verify", "identify", "subjects:read", "subjects:write"]
_serial = itertools.count()

Request = Callable[[str, dict[str, Any]], dict[str, Any]]
"""(gallery, fixtures) -> keyword arguments of `TestClient.request`."""


def _base64(fixtures: dict[str, Any]) -> dict[str, str]:
    return {"data": base64.b64encode(fixtures["portrait"]).decode()}


def _image(field: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda f: {field: ("p.jpg", f["portrait"], "image/jpeg")}


# operation id -> (method, path, scope or None for any key, gallery-scoped, request, success status)
OPERATIONS: dict[str, tuple[str, str, str | None, bool, Request, int]] = {
    "enroll": ("POST", "/v1/enroll", "enroll", True,
               lambda g, f: {"data": {"subject": f"new-{next(_serial)}", "gallery": g},
                             "files": _image("images")(f)}, 201),
    "verify": ("POST", "/v1/verify", "verify", True,
               lambda g, f: {"data": {"subject": "alice", "gallery": g}, "files": _image("image")(f)}, 200),
    "identify": ("POST", "/v1/identify", "identify", True,
                 lambda g, f: {"data": {"gallery": g}, "files": _image("image")(f)}, 200),
    "enroll_json": ("POST", "/v1/enroll/json", "enroll", True,
                    lambda g, f: {"json": {"subject": f"new-{next(_serial)}", "gallery": g,
                                           "images": [_base64(f)]}}, 201),
    "verify_json": ("POST", "/v1/verify/json", "verify", True,
                    lambda g, f: {"json": {"subject": "alice", "gallery": g, "image": _base64(f)}}, 200),
    "identify_json": ("POST", "/v1/identify/json", "identify", True,
                      lambda g, f: {"json": {"gallery": g, "image": _base64(f)}}, 200),
    "list_subjects": ("GET", "/v1/subjects", "subjects:read", True, lambda g, f: {"params": {"gallery": g}}, 200),
    "get_subject": ("GET", "/v1/subjects/alice", "subjects:read", True, lambda g, f: {"params": {"gallery": g}},
                    200),
    "list_subject_faces": ("GET", "/v1/subjects/alice/faces", "subjects:read", True,
                           lambda g, f: {"params": {"gallery": g}}, 200),
    "update_subject": ("PATCH", "/v1/subjects/alice", "subjects:write", True,
                       lambda g, f: {"params": {"gallery": g}, "json": {"name": "Alice"}}, 200),
    "delete_subject": ("DELETE", "/v1/subjects/{victim}", "subjects:write", True,
                       lambda g, f: {"params": {"gallery": g}}, 200),
    "delete_face": ("DELETE", "/v1/faces/{face}", "subjects:write", True, lambda g, f: {"params": {"gallery": g}},
                    200),
    "list_galleries": ("GET", "/v1/galleries", "subjects:read", False, lambda g, f: {}, 200),
    "delete_gallery": ("DELETE", "/v1/galleries/{gallery}", "subjects:write", True, lambda g, f: {}, 200),
    # Admin keys reach every gallery, so these two have no "other gallery" case.
    "export_gallery": ("GET", "/v1/galleries/{gallery}/export", "admin", False, lambda g, f: {}, 200),
    "import_gallery": ("POST", "/v1/galleries/{gallery}/import", "admin", False,
                       lambda g, f: {"content": f["export"]}, 200),
    "create_key": ("POST", "/v1/keys", "admin", False,
                   lambda g, f: {"json": {"name": "made-in-matrix", "scopes": ["verify"]}}, 201),
    "list_keys": ("GET", "/v1/keys", "admin", False, lambda g, f: {}, 200),
    "revoke_key": ("DELETE", "/v1/keys/{key}", "admin", False, lambda g, f: {}, 200),
    "list_audit": ("GET", "/v1/audit", "admin", False, lambda g, f: {}, 200),
    "list_models": ("GET", "/v1/models", None, False, lambda g, f: {}, 200),
}


def make_key(client: TestClient, scopes: list[str], galleries: list[str] | None = None) -> dict[str, str]:
    response = client.post("/v1/keys", json={"name": f"k{next(_serial)}", "scopes": scopes, "galleries": galleries})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['secret']}"}


def enroll(client: TestClient, portrait: bytes, subject: str, gallery: str = GALLERY) -> str:
    response = client.post("/v1/enroll", data={"subject": subject, "gallery": gallery},
                           files={"images": ("p.jpg", portrait, "image/jpeg")})
    assert response.status_code == 201, response.text
    return response.json()["faces"][0]["face_id"]


def _call(client: TestClient, operation: str, headers: dict[str, str], gallery: str, fixtures: dict[str, Any]):
    method, path, _, _, request, _ = OPERATIONS[operation]
    if "{victim}" in path:
        path = path.replace("{victim}", fixtures.get("victim", "nobody"))
    if "{face}" in path:
        path = path.replace("{face}", fixtures.get("face", "00000000-0000-0000-0000-000000000000"))
    if "{key}" in path:
        path = path.replace("{key}", fixtures.get("key", "nosuchkey0"))
    path = path.replace("{gallery}", gallery)
    return client.request(method, path, headers=headers, **request(gallery, fixtures))


def test_the_table_covers_every_secured_operation(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["ApiKey"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "fg_<id>_<secret>",
        "description": spec["components"]["securitySchemes"]["ApiKey"]["description"]}
    secured, open_ = set(), set()
    for path, item in spec["paths"].items():
        for operation in item.values():
            (secured if operation.get("security") == [{"ApiKey": []}] else open_).add(operation["operationId"])
            if path.startswith("/v1/"):
                assert operation.get("security") == [{"ApiKey": []}], path
                assert {"401", "403", "429"} <= set(operation["responses"]), path
    assert secured == set(OPERATIONS)
    assert open_ == {"healthz", "readyz"}


@pytest.fixture(scope="module")
def people(client: TestClient, portrait: bytes) -> None:
    enroll(client, portrait, "alice")
    enroll(client, portrait, "bob")


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_authorization_matrix(client: TestClient, portrait: bytes, operation: str) -> None:
    _, _, scope, gallery_scoped, _, success = OPERATIONS[operation]
    target = f"{GALLERY}-{operation}" if operation == "delete_gallery" else GALLERY
    fixtures: dict[str, Any] = {"portrait": portrait,
                                "export": client.get(f"/v1/galleries/{GALLERY}/export").content}

    def prepare() -> None:
        """Fresh things for destructive operations to destroy."""
        fixtures["victim"] = f"victim-{next(_serial)}"
        fixtures["face"] = enroll(client, portrait, fixtures["victim"], target)
        created = client.post("/v1/keys", json={"name": "victim", "scopes": ["verify"]})
        fixtures["key"] = created.json()["id"]

    prepare()
    # 1. No key, and a key that does not exist: 401 with a bearer challenge.
    for headers in ({"Authorization": ""}, {"Authorization": "Bearer fg_aaaaaaaaaa_" + "x" * 43}):
        response = _call(client, operation, headers, target, fixtures)
        assert_problem(response, 401, "UNAUTHENTICATED")
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="facegate"')
    # 2. A key with every other scope: 403.
    if scope is not None:
        others = [s for s in SCOPES if s != scope]
        assert_problem(_call(client, operation, make_key(client, others), target, fixtures), 403, "FORBIDDEN")
    # 3. The right scope for other galleries: exactly what a gallery that does not exist answers.
    if gallery_scoped:
        elsewhere = make_key(client, [scope] if scope else SCOPES, galleries=["elsewhere"])
        refused = _call(client, operation, elsewhere, target, fixtures)
        absent = [_call(client, operation, elsewhere, "ghost-gallery", fixtures)]  # a gallery nobody made
        if not operation.startswith("enroll"):  # enroll makes galleries; elsewhere the admin key gets the same 404 too
            absent.append(_call(client, operation, {}, "ghost-gallery", fixtures))
        assert_problem(refused, 404, "GALLERY_NOT_FOUND")
        for answer in absent:
            assert_problem(answer, 404, "GALLERY_NOT_FOUND")
            assert refused.json()["detail"].replace(target, "ghost-gallery") == answer.json()["detail"]
            assert {k: v for k, v in refused.json().items() if k != "detail"} == \
                   {k: v for k, v in answer.json().items() if k != "detail"}
    # 4. The right key: the operation succeeds.
    right = make_key(client, [scope] if scope else ["verify"], galleries=[target] if gallery_scoped else None)
    response = _call(client, operation, right, target, fixtures)
    assert response.status_code == success, response.text


def test_gallery_listing_shows_only_the_keys_galleries(client: TestClient, portrait: bytes) -> None:
    enroll(client, portrait, "left-1", "list-left")
    enroll(client, portrait, "left-2", "list-left")
    enroll(client, portrait, "right-1", "list-right")
    everyone = {g["gallery"]: g for g in client.get("/v1/galleries").json()["items"]}
    assert everyone["list-left"] == {"gallery": "list-left", "subject_count": 2, "face_count": 2}
    assert everyone["list-right"]["subject_count"] == 1
    limited = client.get("/v1/galleries", headers=make_key(client, ["subjects:read"], ["list-left", "ghost"]))
    assert [g["gallery"] for g in limited.json()["items"]] == ["list-left"]
