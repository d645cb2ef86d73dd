"""Schemathesis over the whole OpenAPI document: every answer of a real app must be one the document promises.

The app is the real one (models, SQLite file, admin key), reached in-process through ASGI with its lifespan
run, and driven by schemathesis' own engine (what `schemathesis run` does: examples, coverage, fuzzing and
stateful phases, default checks), so one test reports every operation. Generation is bounded and seeded, so
CI runs the same cases every time and a failure reproduces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, StopReason, events, from_schema
from schemathesis.engine.recorder import ScenarioRecorder

from app.config import Settings
from app.main import create_app
from app.store.migrate import upgrade
from tests.api.conftest import ADMIN, ADMIN_KEY

# Enroll, verify and identify take photos. Bytes that are valid by the schema (any binary string, any base64
# text) are not a photo with a usable face, and are rightly refused with the documented 415 (not an image
# format) or 422 (undecodable, no face, nothing enrolled): only for these three operations, schema-valid data
# may meet those answers. Every other check, and every other status, still applies to them.
IMAGE_OPERATIONS = [f"POST /v1/{operation}{form}" for operation in ("enroll", "verify", "identify")
                    for form in ("", "/json")]


@schemathesis.serializer("application/x-ndjson")
def _json_lines(ctx: object, value: object) -> bytes:
    """An import body is text (JSON lines); schemathesis knows no serializer for the media type."""
    return value.encode() if isinstance(value, str) else str(value).encode()

# schemathesis' defaults for the two checks (schemathesis/config/_checks.py), which statuses below extend.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
REJECTED = ["400", "401", "403", "404", "405", "406", "409", "415", "422", "428", "429", "5xx"]
CONFIG = {
    "headers": ADMIN,
    "seed": 20240613,
    # Schemathesis turns Hypothesis' per-example deadline off; this bounds each request instead. (No `max-time`:
    # it makes the fuzzing and stateful phases run until it is up, not stop early.)
    "request-timeout": 10,
    "generation": {"max-examples": 20, "deterministic": True, "database": "none"},
    # Every body is capped as it streams in, before it is parsed (app/api/guards.py): an oversized body, invalid
    # or not, is refused for its size with the documented 413; so is more images than enroll's `maxItems`
    # (as too many multipart files is, before any is read).
    "checks": {"negative_data_rejection": {"expected-statuses": [*REJECTED, "413"]}},
    "operations": [
        {"include-name": IMAGE_OPERATIONS, "checks": {"positive_data_acceptance": {
            "expected-statuses": [*ACCEPTED, "415", "422"]}}},
        # Likewise, a string valid by the schema is not an export file: 422 INVALID_IMPORT is the right answer.
        {"include-name": ["POST /v1/galleries/{gallery}/import"], "checks": {"positive_data_acceptance": {
            "expected-statuses": [*ACCEPTED, "422"]}}},
        # Metadata is free-form JSON, but no stored text can hold U+0000 (PostgreSQL refuses it), so a
        # subject's metadata with one is refused with 422 INVALID_METADATA by design; JSON Schema cannot say
        # "no NUL in any nested key or value", so these operations' generated metadata leaves it out.
        {"include-name": ["PATCH /v1/subjects/{subject}", "POST /v1/enroll", "POST /v1/enroll/json"],
         "generation": {"allow-x00": False}},
    ],
}


@pytest.fixture(scope="module")
def api_schema(models_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    data_dir = tmp_path_factory.mktemp("schemathesis")
    database_url = f"sqlite:///{data_dir / 'facegate.db'}"
    upgrade(database_url)
    settings = Settings(database_url=database_url, runtime={"models_dir": models_dir}, admin_key=ADMIN_KEY,
                        data_dir=data_dir, abuse={"rate_per_second": 10000, "burst": 10000})
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(settings),
                                          config=SchemathesisConfig.from_dict(CONFIG))


def _failures(recorder: ScenarioRecorder) -> Iterator[tuple[str, str]]:
    """(operation, check, title) → the failing request as curl and what came back, for each failed check."""
    for case_id, checks in recorder.checks.items():
        for check in checks:
            if check.status != Status.FAILURE or check.failure_info is None:
                continue
            info = check.failure_info
            response = recorder.interactions[case_id].response if case_id in recorder.interactions else None
            answer = f"{response.status_code} {response.content[:300]!r}" if response is not None else "no response"
            yield (f"{recorder.label} [{check.name}] {info.failure.title}",
                   f"{info.failure.message}\n    {info.code_sample}\n    -> {answer}")


def test_every_answer_matches_the_document(api_schema: schemathesis.BaseSchema) -> None:
    cases: Counter[str] = Counter()  # by phase
    checks: Counter[str] = Counter()  # by check
    failures: dict[str, str] = {}  # one example of each distinct failure
    errors: list[str] = []
    stopped = None
    for event in from_schema(api_schema).execute():
        if isinstance(event, events.ScenarioFinished):
            cases[event.phase.value] += len(event.recorder.cases)
            checks.update(check.name for results in event.recorder.checks.values() for check in results)
            for key, text in _failures(event.recorder):
                failures.setdefault(key, text)
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished):
            stopped = event.stop_reason
    operations = sum(1 for _ in api_schema.get_all_operations())
    print(f"\nschemathesis ({stopped}): {operations} operations, {sum(cases.values())} cases {dict(cases)}, "
          f"{sum(checks.values())} checks {dict(checks)}, {len(failures)} distinct failures, {len(errors)} errors")
    for key, text in failures.items():
        print(f"FAILURE {key}: {text}")
    for text in errors:
        print(f"ERROR {text}")
    assert stopped == StopReason.COMPLETED
    assert not failures
    assert not errors
