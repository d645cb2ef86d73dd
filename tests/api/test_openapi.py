"""The OpenAPI document is product surface: valid, every operation named, tagged and typed, one error shape."""

from __future__ import annotations

from openapi_spec_validator import validate

from app.main import create_app

OPERATIONS = {
    ("post", "/v1/enroll"): "enroll",
    ("post", "/v1/verify"): "verify",
    ("post", "/v1/identify"): "identify",
    ("get", "/v1/subjects"): "list_subjects",
    ("get", "/v1/subjects/{subject}"): "get_subject",
    ("patch", "/v1/subjects/{subject}"): "update_subject",
    ("delete", "/v1/subjects/{subject}"): "delete_subject",
    ("get", "/v1/subjects/{subject}/faces"): "list_subject_faces",
    ("delete", "/v1/faces/{face_id}"): "delete_face",
    ("get", "/v1/galleries"): "list_galleries",
    ("delete", "/v1/galleries/{gallery}"): "delete_gallery",
    ("get", "/v1/galleries/{gallery}/export"): "export_gallery",
    ("post", "/v1/galleries/{gallery}/import"): "import_gallery",
    ("post", "/v1/keys"): "create_key",
    ("get", "/v1/keys"): "list_keys",
    ("delete", "/v1/keys/{key_id}"): "revoke_key",
    ("get", "/v1/audit"): "list_audit",
    ("get", "/v1/models"): "list_models",
    ("get", "/healthz"): "healthz",
    ("get", "/readyz"): "readyz",
}


def _spec() -> dict:
    return create_app().openapi()


def test_document_is_valid_openapi() -> None:
    validate(_spec())


def test_every_operation_has_a_stable_id_and_a_tag() -> None:
    spec = _spec()
    found = {
        (method, path): operation["operationId"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }
    assert found == OPERATIONS
    for item in spec["paths"].values():
        for operation in item.values():
            assert operation["tags"]


def test_errors_are_documented_with_the_problem_schema() -> None:
    spec = _spec()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if path == "/healthz":
                continue
            errors = {code: body for code, body in operation["responses"].items() if code.startswith(("4", "5"))}
            assert errors, f"{method} {path} documents no error"
            for body in errors.values():
                schema = body["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}


def test_image_bodies_accept_json_and_multipart() -> None:
    spec = _spec()
    for path in ("/v1/enroll", "/v1/verify", "/v1/identify"):
        content = spec["paths"][path]["post"]["requestBody"]["content"]
        assert set(content) == {"application/json", "multipart/form-data"}
    enroll = spec["paths"]["/v1/enroll"]["post"]["requestBody"]["content"]
    assert enroll["application/json"]["schema"]["properties"]["images"]["items"] == {
        "$ref": "#/components/schemas/ImageData"}
    assert enroll["multipart/form-data"]["schema"]["properties"]["images"]["items"]["format"] == "binary"
    assert spec["components"]["schemas"]["ImageData"]["required"] == ["data"]
    verify = spec["paths"]["/v1/verify"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert verify == {"$ref": "#/components/schemas/VerifyResponse"}
