"""Hostile input: oversized, over-nested, malformed or unstorable requests get a 4xx problem with a stable code,
never a 500, and nothing is stored. The body limit is also checked on a real server, where streaming is real."""

from __future__ import annotations

import http.client
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
import uvicorn
from fastapi.testclient import TestClient
from httpx import Response

from app.config import LimitSettings, Settings
from app.main import create_app
from app.services.subject_rules import SUBJECT_ID_PATTERN
from tests.api.conftest import assert_problem

LIMITS = LimitSettings()  # the client fixture runs with the defaults
GALLERY = "hostile"
JSON = {"content-type": "application/json"}
JUNK = ("a.jpg", b"not an image", "image/jpeg")  # the checks under test come before any image is decoded


def _enroll_json(client: TestClient, subject: str = "someone", **fields: object) -> Response:
    body = {"subject": subject, "gallery": GALLERY, "images": [{"data": "bm90IGFuIGltYWdl"}], **fields}
    return client.post("/v1/enroll/json", json=body)


def _enroll_form(client: TestClient, subject: str = "someone", **fields: str) -> Response:
    return client.post("/v1/enroll", data={"subject": subject, "gallery": GALLERY, **fields},
                       files=[("images", JUNK)])


def _multipart(field: str, size: int, boundary: str = "hostile") -> tuple[bytes, dict[str, str]]:
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="big.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode()
    body = head + b"\xff" * size + f"\r\n--{boundary}--\r\n".encode()
    return body, {"content-type": f"multipart/form-data; boundary={boundary}"}


def _nested(depth: int) -> dict:
    value: dict = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"inner": value}
    return value


@pytest.fixture(scope="module")
def patient(client: TestClient, portrait: bytes) -> str:
    """An enrolled subject whose changes the PATCH tests try."""
    response = client.post("/v1/enroll", data={"subject": "patient", "gallery": GALLERY, "metadata": '{"k": 1}'},
                           files=[("images", ("p.jpg", portrait, "image/jpeg"))])
    assert response.status_code == 201, response.text
    return f"/v1/subjects/patient?gallery={GALLERY}"


# 1. Bodies are capped per operation, on Content-Length and on the bytes received.

def test_body_cap_is_per_operation(client: TestClient) -> None:
    """One image's worth plus a little: too large for identify (one image), not for verify (two), where the
    image itself is then over its own limit."""
    body, headers = _multipart("image", LIMITS.max_image_bytes + 100 * 1024)
    cap = LIMITS.max_image_bytes + LIMITS.max_text_bytes
    problem = assert_problem(client.post("/v1/identify", content=body, headers=headers), 413, "REQUEST_TOO_LARGE")
    assert f"at most {cap}" in problem["detail"]
    body, headers = _multipart("image_a", LIMITS.max_image_bytes + 100 * 1024)
    assert_problem(client.post("/v1/verify", content=body, headers=headers), 413, "IMAGE_TOO_LARGE")


def test_body_cap_without_content_length(client: TestClient) -> None:
    body, headers = _multipart("image", LIMITS.max_image_bytes + 100 * 1024)
    chunks = (body[i:i + 65536] for i in range(0, len(body), 65536))
    response = client.post("/v1/identify", content=chunks, headers=headers)
    assert "content-length" not in response.request.headers
    problem = assert_problem(response, 413, "REQUEST_TOO_LARGE")
    assert f"over {LIMITS.max_image_bytes + LIMITS.max_text_bytes} bytes" in problem["detail"]


def test_json_cap_allows_for_base64(client: TestClient) -> None:
    """Two images of the largest size, base64 in JSON, are read (and found not to be images); the same bytes
    as multipart are more than two images."""
    image = b"A" * (4 * (LIMITS.max_image_bytes // 3))  # decodes to at most max_image_bytes zeros
    body = b'{"image_a": {"data": "%s"}, "image_b": {"data": "%s"}}' % (image, image)
    response = client.post("/v1/verify", content=body, headers={"content-type": "application/json"})
    assert_problem(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    response = client.post("/v1/verify", content=body, headers={"content-type": "multipart/form-data; boundary=x"})
    assert_problem(response, 413, "REQUEST_TOO_LARGE")


def test_text_only_bodies_get_a_small_cap(client: TestClient, patient: str) -> None:
    big = json.dumps({"metadata": {"notes": "x" * LIMITS.max_text_bytes}}).encode()
    headers = {"content-type": "application/json"}
    problem = assert_problem(client.patch(patient, content=big, headers=headers), 413, "REQUEST_TOO_LARGE")
    assert str(LIMITS.max_text_bytes) in problem["detail"]
    chunked = client.patch(patient, content=iter([big[:40_000], big[40_000:]]), headers=headers)
    assert_problem(chunked, 413, "REQUEST_TOO_LARGE")
    assert client.get(patient).json()["metadata"] == {"k": 1}


@pytest.fixture(scope="module")
def server(client: TestClient) -> Iterator[tuple[str, int]]:
    """The client's app (models loaded, database open) served by a real uvicorn on a free local port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(client.app, lifespan="off", log_level="warning")
    served = uvicorn.Server(config)
    thread = threading.Thread(target=served.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not served.started and time.monotonic() < deadline:
        time.sleep(0.01)
    assert served.started
    yield sock.getsockname()
    served.should_exit = True
    thread.join(10)


def _stream_upload(address: tuple[str, int], authorization: str, total: int) -> tuple[int, http.client.HTTPResponse]:
    """A chunked multipart upload of `total` bytes, stopped as soon as the server answers; returns the bytes sent
    by then and the answer."""
    boundary = "hostile"
    head = (f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="big.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n").encode()
    connection = socket.create_connection(address, timeout=20)
    connection.sendall(
        f"POST /v1/identify HTTP/1.1\r\nHost: {address[0]}\r\nAuthorization: {authorization}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
    sent, chunk = 0, b"\xff" * 65536
    for piece in [head, *[chunk] * (total // len(chunk))]:
        if select.select([connection], [], [], 0)[0]:
            break  # answered
        try:
            connection.sendall(b"%x\r\n%s\r\n" % (len(piece), piece))
        except OSError:
            break  # the server closed its end after answering
        sent += len(piece)
    else:  # never answered early: end the upload and take the answer
        tail = f"\r\n--{boundary}--\r\n".encode()
        connection.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(tail), tail))
    response = http.client.HTTPResponse(connection)
    response.begin()
    return sent, response


def test_real_server_stops_reading_a_chunked_upload_early(client: TestClient, server: tuple[str, int]) -> None:
    total = 128 * 1024 * 1024
    sent, response = _stream_upload(server, client.headers.get("authorization", ""), total)
    cap = LIMITS.max_image_bytes + LIMITS.max_text_bytes
    # What was sent beyond the cap sits in socket buffers (about 6 MB on loopback), not in the server.
    assert sent < cap + 32 * 1024 * 1024 < total, f"{sent} bytes sent before the answer"
    assert response.status == 413
    assert response.getheader("content-type") == "application/problem+json"
    assert json.loads(response.read())["code"] == "REQUEST_TOO_LARGE"


# 2. Multipart part limits are 413s.

@pytest.mark.parametrize(("files", "data", "message"), [
    ([("images", JUNK)] * (LIMITS.max_images_per_request + 3), {}, "Too many files"),
    ([("images", JUNK)], {f"field{i}": "x" for i in range(33)}, "Too many fields"),
    ([("images", JUNK)], {"metadata": json.dumps({"notes": "x" * LIMITS.max_text_bytes})}, "Part exceeded"),
], ids=["files", "fields", "part-size"])
def test_multipart_part_limits(client: TestClient, files: list, data: dict, message: str) -> None:
    response = client.post("/v1/enroll", data={"subject": "parts", "gallery": GALLERY, **data}, files=files)
    assert message in assert_problem(response, 413, "REQUEST_TOO_LARGE")["detail"]


def test_malformed_multipart_is_still_400(client: TestClient) -> None:
    response = client.post("/v1/identify", content=b"--x\r\nno headers",
                           headers={"content-type": "multipart/form-data"})
    assert_problem(response, 400, "BAD_REQUEST")


# 3. Metadata and names: bounded, finite, no NUL; the same on enroll (JSON and multipart) and PATCH.

BAD_METADATA = {
    "too-large": ({"notes": "x" * LIMITS.max_metadata_bytes}, str(LIMITS.max_metadata_bytes)),
    "too-deep": (_nested(LIMITS.max_metadata_depth + 1), f"{LIMITS.max_metadata_depth} levels"),
    "deep-in-a-list": ({"a": [[[[[[[[1]]]]]]]]}, f"{LIMITS.max_metadata_depth} levels"),
    "nul-in-value": ({"notes": "a\x00b"}, "NUL"),
    "nul-in-key": ({"a\x00b": 1}, "NUL"),
}


@pytest.mark.parametrize("case", BAD_METADATA)
@pytest.mark.parametrize("transport", ["json", "multipart", "patch"])
def test_bad_metadata_is_refused(client: TestClient, patient: str, transport: str, case: str) -> None:
    metadata, detail = BAD_METADATA[case]
    if transport == "json":
        response = _enroll_json(client, f"meta-{case}", metadata=metadata)
    elif transport == "multipart":
        response = _enroll_form(client, f"meta-{case}", metadata=json.dumps(metadata))
    else:
        response = client.patch(patient, json={"metadata": metadata})
    assert detail in assert_problem(response, 422, "INVALID_METADATA")["detail"]
    assert_problem(client.get(f"/v1/subjects/meta-{case}", params={"gallery": GALLERY}), 404, "SUBJECT_NOT_FOUND")
    assert client.get(patient).json()["metadata"] == {"k": 1}


def test_metadata_at_the_limits_is_kept(client: TestClient, patient: str) -> None:
    deepest = _nested(LIMITS.max_metadata_depth)
    response = client.patch(patient, json={"metadata": deepest})
    assert response.status_code == 200, response.text
    assert response.json()["metadata"] == deepest
    largest = {"n": "x" * (LIMITS.max_metadata_bytes - len('{"n":""}'))}
    assert client.patch(patient, json={"metadata": largest}).json()["metadata"] == largest
    assert client.patch(patient, json={"metadata": {"k": 1}}).status_code == 200


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_refused(client: TestClient, patient: str, constant: str) -> None:
    """Not JSON: refused where facegate parses the body; PATCH's body is parsed by FastAPI, which takes them,
    and the metadata rule refuses them there."""
    metadata = {"x": float(constant)}  # json.dumps writes it as `NaN`, `Infinity` or `-Infinity`
    body = json.dumps({"subject": "nan", "gallery": GALLERY, "images": [{"data": "eA=="}], "metadata": metadata})
    json_body = client.post("/v1/enroll/json", content=body, headers=JSON)
    assert constant in assert_problem(json_body, 422, "VALIDATION_ERROR")["detail"]
    form = _enroll_form(client, "nan", metadata=json.dumps(metadata))
    assert assert_problem(form, 422, "VALIDATION_ERROR")["errors"][0]["loc"][-1] == "metadata"
    patch = client.patch(patient, content=json.dumps({"metadata": metadata}), headers=JSON)
    assert "NaN or Infinity" in assert_problem(patch, 422, "INVALID_METADATA")["detail"]
    assert_problem(client.get("/v1/subjects/nan", params={"gallery": GALLERY}), 404, "SUBJECT_NOT_FOUND")
    assert client.get(patient).json()["metadata"] == {"k": 1}


def test_nul_in_name_is_refused(client: TestClient, patient: str) -> None:
    for response in (_enroll_json(client, "nul-name", name="a\x00b"), _enroll_form(client, "nul-name", name="a\x00b"),
                     client.patch(patient, json={"name": "a\x00b"})):
        assert assert_problem(response, 422, "VALIDATION_ERROR")["errors"][0]["loc"][-1] == "name"
    assert_problem(client.get("/v1/subjects/nul-name", params={"gallery": GALLERY}), 404, "SUBJECT_NOT_FOUND")


def test_nul_in_a_subject_lookup_is_refused(client: TestClient, portrait: bytes) -> None:
    assert_problem(client.get("/v1/subjects/a%00b"), 400, "BAD_REQUEST")
    assert_problem(client.delete("/v1/subjects/a%00b"), 400, "BAD_REQUEST")
    assert_problem(client.delete("/v1/faces/%00"), 400, "BAD_REQUEST")
    response = client.post("/v1/verify", data={"subject": "a\x00b"}, files={"image": ("p.jpg", portrait, "image/jpeg")})
    assert assert_problem(response, 422, "VALIDATION_ERROR")["errors"][0]["loc"][-1] == "subject"


# 4. Nesting too deep for Python's JSON parser.

def test_nesting_too_deep_to_parse(client: TestClient, patient: str) -> None:
    deep = "[" * 1000 + "]" * 1000  # 2 KB
    for path, body in [("/v1/enroll/json", '{"subject": "deep", "images": [], "metadata": {"a": ' + deep + "}}"),
                       ("/v1/identify/json", '{"image": {"data": "eA=="}, "top_k": ' + deep + "}")]:
        response = client.post(path, content=body, headers=JSON)
        assert "nested too deeply" in assert_problem(response, 422, "VALIDATION_ERROR")["detail"]
    form = _enroll_form(client, "deep", metadata='{"a": ' + deep + "}")
    assert "nested too deeply" in assert_problem(form, 422, "VALIDATION_ERROR")["detail"]
    patch = client.patch(patient, content='{"metadata": {"a": ' + deep + "}}", headers=JSON)
    assert_problem(patch, 400, "BAD_REQUEST")  # FastAPI parses this body, and answers its RecursionError so


# 5. The listing cursor.

@pytest.mark.parametrize("cursor", ["\u00b9", "9223372036854775808", "-1", "1e3", " 1", "x"])
def test_bad_cursor(client: TestClient, cursor: str) -> None:
    response = client.get("/v1/subjects", params={"gallery": GALLERY, "cursor": cursor})
    assert assert_problem(response, 422, "VALIDATION_ERROR")["errors"][0]["loc"][-1] == "cursor"


def test_good_cursor(client: TestClient, patient: str) -> None:
    page = client.get("/v1/subjects", params={"gallery": GALLERY, "cursor": "0", "limit": 1000})
    assert page.status_code == 200, page.text
    assert "patient" in [item["subject"] for item in page.json()["items"]]


# 6. Subject ids: only ids the API can put in a URL are stored.

@pytest.mark.parametrize("subject", ["team/a", "", ".", "..", ".hidden", "-a", "a b", "a\x00b", "a\nb", "a\n", "é",
                                     "a%2Fb", "a?b", "a#b", "x" * 129])
def test_invalid_subject_ids_are_refused(client: TestClient, subject: str) -> None:
    for response in (_enroll_json(client, subject), _enroll_form(client, subject)):
        if subject == "" and response.request.headers["content-type"].startswith("multipart/"):
            # A blank form field is an absent one: the id is missing rather than malformed.
            assert_problem(response, 422, "VALIDATION_ERROR")
            continue
        problem = assert_problem(response, 400, "INVALID_SUBJECT_ID")
        assert "letters, digits and _ . : @ + -, starting with a letter or digit" in problem["detail"]
    listed = client.get("/v1/subjects", params={"gallery": GALLERY, "limit": 1000})
    if listed.status_code == 404:  # nobody enrolled there yet (no photo set on this machine): nothing stored
        assert_problem(listed, 404, "GALLERY_NOT_FOUND")
        return
    assert subject not in [item["subject"] for item in listed.json()["items"]]


@pytest.mark.parametrize("subject", ["a.b", "x@y.z", "a+b", "a:b", "A-1_z", "9", "a..b", "x" * 128])
def test_valid_subject_ids_round_trip(client: TestClient, portrait: bytes, subject: str) -> None:
    response = client.post("/v1/enroll", data={"subject": subject, "gallery": GALLERY},
                           files=[("images", ("p.jpg", portrait, "image/jpeg"))])
    assert response.status_code == 201, response.text
    for path in (f"/v1/subjects/{subject}", f"/v1/subjects/{quote(subject, safe='')}"):
        fetched = client.get(path, params={"gallery": GALLERY})
        assert fetched.status_code == 200, fetched.text
        assert fetched.json()["subject"] == subject
    deleted = client.delete(f"/v1/subjects/{subject}", params={"gallery": GALLERY})
    assert deleted.is_success, deleted.text
    assert_problem(client.get(f"/v1/subjects/{subject}", params={"gallery": GALLERY}), 404, "SUBJECT_NOT_FOUND")


# 6, 7. The OpenAPI document states the subject id rule and the configured image count.

def _bodies(spec: dict) -> list[dict]:
    return [media["schema"] for path in ("/v1/enroll", "/v1/enroll/json")
            for media in spec["paths"][path]["post"]["requestBody"]["content"].values()]


def test_openapi_declares_the_rules(client: TestClient, app_settings: Settings) -> None:
    for schema in _bodies(client.get("/openapi.json").json()):
        properties = schema["properties"]
        assert properties["subject"]["pattern"] == SUBJECT_ID_PATTERN
        assert properties["subject"]["maxLength"] == 128
        assert properties["images"]["maxItems"] == LIMITS.max_images_per_request
    other = create_app(app_settings.model_copy(update={"limits": LimitSettings(max_images_per_request=3)}))
    assert {schema["properties"]["images"]["maxItems"] for schema in _bodies(other.openapi())} == {3}


def test_blank_form_fields_count_as_absent(client: TestClient, portrait: bytes) -> None:
    """HTML forms send a blank field as an empty string; the document's form fields have no null either."""
    enrolled = client.post("/v1/enroll", data={"subject": "blank-fields", "gallery": "blank", "metadata": "",
                                               "name": "", "model": ""},
                           files={"images": ("p.jpg", portrait, "image/jpeg")})
    assert enrolled.status_code == 201, enrolled.text
    assert enrolled.json()["subject"]["metadata"] == {}
    found = client.post("/v1/identify", data={"gallery": "blank", "operating_point": "", "threshold": ""},
                        files={"image": ("p.jpg", portrait, "image/jpeg")})
    assert found.status_code == 200, found.text
    assert found.json()["operating_point"] == "fpir_1e-2"
    spec = client.get("/openapi.json").json()
    form = spec["paths"]["/v1/identify"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"][
        "properties"]
    assert all({"type": "null"} not in field.get("anyOf", []) for field in form.values())
    assert form["operating_point"]["$ref"] == "#/components/schemas/SearchOperatingPoint"
    assert spec["components"]["schemas"]["SearchOperatingPoint"]["enum"][0] == "fmr_1e-2"
