"""The OpenAPI document is product surface: valid, every operation named, tagged and typed, one error shape."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute
from openapi_spec_validator import validate

from app.api.codes import STATUS
from app.api.openapi import CODES_KEY
from app.api.router import api_router
from app.main import create_app
from tests.api.raises import APP, TOO_COMMON, CallGraph

OPERATIONS = {
    ("post", "/v1/enroll"): "enroll",
    ("post", "/v1/enroll/json"): "enroll_json",
    ("post", "/v1/verify"): "verify",
    ("post", "/v1/verify/json"): "verify_json",
    ("post", "/v1/identify"): "identify",
    ("post", "/v1/identify/json"): "identify_json",
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


def test_each_image_operation_takes_one_body_type() -> None:
    """Multipart at the path, JSON (base64) at the path + /json: one content type per operation."""
    spec = _spec()
    for path in ("/v1/enroll", "/v1/verify", "/v1/identify"):
        assert set(spec["paths"][path]["post"]["requestBody"]["content"]) == {"multipart/form-data"}
        assert set(spec["paths"][path + "/json"]["post"]["requestBody"]["content"]) == {"application/json"}
    form = spec["paths"]["/v1/enroll"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert form["properties"]["images"]["items"]["format"] == "binary"
    body = spec["paths"]["/v1/enroll/json"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body["properties"]["images"]["items"] == {"$ref": "#/components/schemas/ImageData"}
    assert spec["components"]["schemas"]["ImageData"]["required"] == ["data"]
    verify = spec["paths"]["/v1/verify"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert verify == {"$ref": "#/components/schemas/VerifyResult"}


def test_problem_code_is_an_enum_of_every_code() -> None:
    schemas = _spec()["components"]["schemas"]
    assert schemas["Problem"]["properties"]["code"]["$ref"] == "#/components/schemas/ProblemCode"
    assert set(schemas["ProblemCode"]["enum"]) == set(STATUS)
    assert {"NO_FACE", "MODEL_NOT_FOUND", "VALIDATION_ERROR", "CROSS_ORIGIN_REFUSED"} <= set(STATUS)


def _routes(router: Any) -> Iterator[APIRoute]:
    for route in router.routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):  # FastAPI's included routers
            yield from _routes(route.original_router)


def _derived(graph: CallGraph, route: APIRoute, method: str) -> set[str]:
    """The codes `route` can answer, from the source: what its function and dependencies can raise, plus what
    the layers around every route add (app/api/guards.py, browser.py, failsafe.py, FastAPI's validation)."""
    codes = graph.reachable_codes(route.endpoint.__module__, route.endpoint.__name__)
    codes |= {"REQUEST_TOO_LARGE", "INTERNAL_ERROR"}  # the body cap applies to any request; the last resort
    dependant = route.dependant
    flat = [dependant, *dependant.dependencies]
    if any(d.query_params or d.path_params or d.body_params for d in flat) or route.openapi_extra:
        codes.add("VALIDATION_ERROR")
    if any(d.path_params or d.body_params for d in flat):
        codes.add("BAD_REQUEST")  # a NUL in a path parameter, a body FastAPI cannot parse
    if method in {"post", "put", "patch", "delete"}:
        codes.add("CROSS_ORIGIN_REFUSED")
    return codes


def test_every_operation_declares_every_code_it_can_answer() -> None:
    """A generated client only parses the answers the document declares (openapi-python-client returns `None`
    for the others), so each operation must list every code its code can raise, under the code's status."""
    spec = _spec()
    graph = CallGraph()
    operations = {op["operationId"]: (method, op) for item in spec["paths"].values() for method, op in item.items()}
    checked = 0
    for route in _routes(api_router):
        if route.name not in operations:
            continue
        method, operation = operations[route.name]
        declared = {code: int(status) for status, response in operation["responses"].items()
                    for code in response.get(CODES_KEY, [])}
        for code in _derived(graph, route, method):
            assert code in declared, f"{route.name} can answer {code} ({' -> '.join(graph.path_to(code))})"
            assert declared[code] == STATUS[code], f"{route.name}: {code} declared under {declared[code]}"
        checked += 1
    assert checked == len(OPERATIONS)


def test_the_derivation_finds_what_a_route_raises() -> None:
    """The call graph is the test's own reading of the source: check it on answers known from the code."""
    graph = CallGraph()
    assert {"NO_FACE", "LOW_QUALITY", "OVERLOADED", "ENROLLMENT_REJECTED", "UNAUTHENTICATED", "FORBIDDEN",
            "GALLERY_NOT_FOUND", "MODEL_NOT_FOUND", "TOO_MANY_IMAGES"} <= graph.reachable_codes(
        "app.api.routes.recognition", "enroll")
    assert graph.reachable_codes("app.api.routes.keys", "revoke_key") >= {"KEY_NOT_FOUND", "UNAUTHENTICATED"}
    assert "NO_FACE" not in graph.reachable_codes("app.api.routes.subjects", "list_subjects")
    assert graph.reachable_codes("app.api.routes.system", "healthz") == set()


def test_names_the_derivation_skips_hide_no_errors() -> None:
    """Calls by a name too common to resolve (`get`, `decode`, ...) are not followed on objects of unknown type.
    That loses nothing only if every app method of such a name that can raise is called on `self` alone, which
    the derivation does follow."""
    graph = CallGraph()
    raising = {qualname.rsplit(".", 1)[-1] for (module, qualname) in graph.functions
               if "." in qualname and qualname.rsplit(".", 1)[-1] in TOO_COMMON
               and graph.reachable_codes(module, qualname)}
    assert raising == {"decode"}  # FacePipeline.decode; a new one needs the same check
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in raising \
                    and node.args:  # `bytes.decode()` takes none here
                assert isinstance(node.func.value, ast.Name), f"{path}:{node.lineno}"
                assert node.func.value.id == "self", f"{path}:{node.lineno}"
