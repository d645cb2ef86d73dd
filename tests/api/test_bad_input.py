"""Bad input gets the documented 4xx and a stable code, never a 5xx, and changes nothing."""

from __future__ import annotations

import base64
import io
import struct
import zlib

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from tests.api.conftest import assert_problem


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) \
        + chunk(b"IEND", b"")


def _jpeg(width: int = 256, height: int = 256) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (120, 90, 60)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture(scope="module", autouse=True)
def default_gallery(client: TestClient, portrait: bytes) -> None:
    """Someone in the default gallery: searching a gallery that does not exist is a 404 before any decoding."""
    response = client.post("/v1/enroll", data={"subject": "resident"}, files={"images": ("r.jpg", portrait)})
    assert response.status_code == 201, response.text


@pytest.mark.parametrize(
    ("files", "status", "code"),
    [
        ({"image": ("a.bin", b"", "application/octet-stream")}, 422, "IMAGE_DECODE_FAILED"),
        ({"image": ("a.txt", b"certainly not an image" * 20, "text/plain")}, 415, "UNSUPPORTED_MEDIA_TYPE"),
        ({"image": ("a.jpg", _jpeg()[:300], "image/jpeg")}, 422, "IMAGE_DECODE_FAILED"),
        ({"image": ("a.png", _png_header(20_000, 20_000), "image/png")}, 413, "IMAGE_TOO_LARGE"),
        ({"image": ("a.jpg", _jpeg(), "image/jpeg")}, 422, "NO_FACE"),
    ],
    ids=["empty", "not-an-image", "truncated-jpeg", "huge-png-header", "no-face"],
)
def test_bad_images_on_identify(client: TestClient, files: dict, status: int, code: str) -> None:
    response = client.post("/v1/identify", files=files)
    assert_problem(response, status, code)


def test_empty_body(client: TestClient) -> None:
    assert_problem(client.post("/v1/identify/json"), 422, "VALIDATION_ERROR")
    assert "multipart/form-data" in assert_problem(client.post("/v1/identify"), 415, "UNSUPPORTED_MEDIA_TYPE")["detail"]
    assert_problem(client.post("/v1/enroll/json", json={}), 422, "VALIDATION_ERROR")


def test_wrong_field_types(client: TestClient) -> None:
    response = client.post("/v1/identify/json", json={"image": {"data": "aGVsbG8="}, "top_k": "many"})
    problem = assert_problem(response, 422, "VALIDATION_ERROR")
    assert any(error["loc"][-1] == "top_k" for error in problem["errors"])
    assert_problem(client.post("/v1/identify/json", json={"image": "not-an-object"}), 422, "VALIDATION_ERROR")
    assert_problem(client.post("/v1/identify/json", json={"image": {"data": "%%%"}}), 422, "VALIDATION_ERROR")
    assert_problem(client.post("/v1/identify/json", json=[1, 2]), 422, "VALIDATION_ERROR")
    assert_problem(client.post("/v1/identify/json", content=b"{not json", headers={"content-type": "application/json"}),
                   422, "VALIDATION_ERROR")
    assert_problem(client.post("/v1/identify/json", json={"image": {"data": "aGk="}, "top_k": 101}),
                   422, "VALIDATION_ERROR")


def test_unsupported_body_type(client: TestClient) -> None:
    for path in ("/v1/identify", "/v1/identify/json"):
        response = client.post(path, content=b"x", headers={"content-type": "text/plain"})
        assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")


@pytest.mark.parametrize("operation", ["enroll", "verify", "identify"])
def test_each_operation_takes_one_body_type_and_names_the_other(client: TestClient, portrait: bytes,
                                                               operation: str) -> None:
    """One content type per operation (what SDK generators handle): a JSON body sent to the multipart operation,
    or a form to the JSON one, is refused before it is read, and the answer says where it belongs."""
    as_json = client.post(f"/v1/{operation}", json={"image": {"data": base64.b64encode(portrait).decode()}})
    assert f"/v1/{operation}/json takes the other form" in assert_problem(as_json, 415, "UNSUPPORTED_MEDIA_TYPE")[
        "detail"]
    as_form = client.post(f"/v1/{operation}/json", files={"image": ("p.jpg", portrait, "image/jpeg")})
    assert f"/v1/{operation} takes the other form" in assert_problem(as_form, 415, "UNSUPPORTED_MEDIA_TYPE")["detail"]


def test_verify_needs_one_of_its_two_forms(client: TestClient, portrait: bytes) -> None:
    image = {"data": base64.b64encode(portrait).decode()}
    assert_problem(client.post("/v1/verify/json", json={"image_a": image}), 422, "VALIDATION_ERROR")
    assert_problem(client.post("/v1/verify/json", json={"image_a": image, "image_b": image, "image": image,
                                                   "subject": "x"}), 422, "VALIDATION_ERROR")


def test_unknown_subject_and_face(client: TestClient, portrait: bytes) -> None:
    response = client.post("/v1/verify", files={"image": ("p.jpg", portrait, "image/jpeg")},
                           data={"subject": "nobody-by-this-name"})
    assert_problem(response, 404, "SUBJECT_NOT_FOUND")
    assert_problem(client.get("/v1/subjects/nobody-by-this-name"), 404, "SUBJECT_NOT_FOUND")
    assert_problem(client.delete("/v1/subjects/nobody-by-this-name"), 404, "SUBJECT_NOT_FOUND")
    assert_problem(client.delete("/v1/faces/00000000-0000-0000-0000-000000000000"), 404, "FACE_NOT_FOUND")


def test_second_face_with_require_single(client: TestClient, group_photo: bytes) -> None:
    response = client.post("/v1/verify", files={"image_a": ("g.jpg", group_photo, "image/jpeg"),
                                                "image_b": ("g.jpg", group_photo, "image/jpeg")},
                           data={"face_selection": "require_single"})
    assert_problem(response, 422, "MULTIPLE_FACES")


def test_enroll_with_no_usable_image_stores_nothing(client: TestClient, group_photo: bytes) -> None:
    response = client.post("/v1/enroll", data={"subject": "rejected-person", "gallery": "bad-input",
                                                "face_selection": "require_single"},
                           files=[("images", ("a.jpg", _jpeg(), "image/jpeg")),
                                  ("images", ("g.jpg", group_photo, "image/jpeg")),
                                  ("images", ("t.txt", b"text" * 40, "text/plain"))])
    problem = assert_problem(response, 422, "ENROLLMENT_REJECTED")
    assert [(e["image_index"], e["code"]) for e in problem["errors"]] == [
        (0, "NO_FACE"), (1, "MULTIPLE_FACES"), (2, "UNSUPPORTED_MEDIA_TYPE")]
    # Nothing stored: not even the gallery came into being.
    assert_problem(client.get("/v1/subjects/rejected-person", params={"gallery": "bad-input"}),
                   404, "GALLERY_NOT_FOUND")


def test_too_many_images(client: TestClient, portrait: bytes) -> None:
    files = [("images", (f"{i}.jpg", portrait, "image/jpeg")) for i in range(11)]
    response = client.post("/v1/enroll", data={"subject": "many"}, files=files)
    assert_problem(response, 413, "TOO_MANY_IMAGES")


def test_unknown_model(client: TestClient, portrait: bytes) -> None:
    response = client.post("/v1/identify", files={"image": ("p.jpg", portrait, "image/jpeg")},
                           data={"model": "arcface"})
    assert_problem(response, 404, "MODEL_NOT_FOUND")


def test_unknown_route_is_a_problem_too(client: TestClient) -> None:
    assert_problem(client.get("/v2/nothing"), 404, "NOT_FOUND")

