"""Operations: Prometheus metrics that a scraper can parse, and request ids in headers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from app.config import DEFAULT_MODEL


def _families(client: TestClient) -> dict:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {family.name: family for family in text_string_to_metric_families(response.text)}


def test_metrics_cover_requests_stages_faces_galleries_errors_and_load(client: TestClient, portrait: bytes) -> None:
    assert client.post("/v1/enroll", data={"subject": "m1", "gallery": "metrics"},
                       files={"images": ("p.jpg", portrait, "image/jpeg")}).status_code == 201
    assert client.post("/v1/identify", data={"gallery": "metrics"},
                       files={"image": ("p.jpg", portrait, "image/jpeg")}).status_code == 200
    assert client.get("/v1/subjects/nobody", params={"gallery": "metrics"}).status_code == 404
    families = _families(client)
    for name in ("facegate_http_request_duration_seconds", "facegate_stage_duration_seconds",
                 "facegate_faces_per_image", "facegate_errors", "facegate_model_load_seconds",
                 "facegate_gallery_faces"):
        assert name in families, sorted(families)
        assert families[name].documentation
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in families.values() for s in family.samples}
    stages = {dict(labels)["stage"] for (name, labels) in samples if name == "facegate_stage_duration_seconds_count"}
    assert stages >= {"decode", "detect", "embed", "search"}
    assert samples[("facegate_errors_total", (("code", "SUBJECT_NOT_FOUND"),))] >= 1
    assert samples[("facegate_gallery_faces", (("gallery", "metrics"), ("model", DEFAULT_MODEL)))] == 1
    routes = {dict(labels).get("route") for (name, labels) in samples
              if name == "facegate_http_request_duration_seconds_count"}
    assert {"/v1/enroll", "/v1/identify", "/v1/subjects/{subject}"} <= routes
    assert samples[("facegate_model_load_seconds", ())] > 0


def test_request_id_is_returned_and_kept(client: TestClient) -> None:
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["x-request-id"] == "abc-123"
    hostile = client.get("/healthz", headers={"X-Request-ID": "x" * 500}).headers["x-request-id"]
    assert hostile != "x" * 500


def _server_timing(header: str) -> dict[str, float]:
    entries = [entry.strip().split(";dur=") for entry in header.split(",")]
    return {name: float(milliseconds) for name, milliseconds in entries}


def _stage_sums(client: TestClient) -> dict[str, float]:
    family = _families(client)["facegate_stage_duration_seconds"]
    return {s.labels["stage"]: s.value for s in family.samples if s.name.endswith("_sum")}


def test_each_answer_says_where_its_time_went(client: TestClient, portrait: bytes) -> None:
    """Server-Timing carries the request's own stages (milliseconds, summed over its images): exactly what the
    request added to the stage histogram; identify adds the search, and a request with no model work has none."""
    assert client.post("/v1/enroll", data={"subject": "t1", "gallery": "timing"},
                       files={"images": ("p.jpg", portrait, "image/jpeg")}).status_code == 201
    for path, files, data, expected in [
            ("/v1/identify", [("image", ("p.jpg", portrait, "image/jpeg"))], {"gallery": "timing"},
             {"decode", "detect", "embed", "search"}),
            ("/v1/verify", [("image_a", ("a.jpg", portrait, "image/jpeg")),
                            ("image_b", ("b.jpg", portrait, "image/jpeg"))], {}, {"decode", "detect", "embed"})]:
        before = _stage_sums(client)
        response = client.post(path, files=files, data=data)
        assert response.status_code == 200, response.text
        after = _stage_sums(client)
        stages = _server_timing(response.headers["server-timing"])
        assert set(stages) == expected
        for stage, milliseconds in stages.items():
            assert milliseconds == pytest.approx((after[stage] - before.get(stage, 0.0)) * 1e3, abs=0.006)
    assert "server-timing" not in client.get("/v1/subjects/t1", params={"gallery": "timing"}).headers
