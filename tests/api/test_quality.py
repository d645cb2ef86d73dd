"""The quality gate: blurred, tiny and dark faces are refused at enrollment with the matching reason."""

from __future__ import annotations

import io

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageFilter

from tests.api.conftest import assert_problem


def _jpeg(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def _degraded(portrait: bytes, how: str) -> bytes:
    image = Image.open(io.BytesIO(portrait)).convert("RGB")
    if how == "blurred":
        return _jpeg(image.filter(ImageFilter.GaussianBlur(9)))
    if how == "tiny":  # the face ends up ~15 px between the eyes
        small = image.resize((image.width // 8, image.height // 8), Image.Resampling.LANCZOS)
        canvas = Image.new("RGB", (400, 400), (128, 128, 128))
        canvas.paste(small, (150, 120))
        return _jpeg(canvas)
    if how in {"dark", "very dark"}:
        factor = 0.12 if how == "dark" else 0.08
        return _jpeg(Image.fromarray((np.asarray(image) * factor).astype(np.uint8)))
    raise ValueError(how)


@pytest.mark.parametrize(("how", "reason"), [("blurred", "BLURRY"), ("tiny", "FACE_TOO_SMALL"),
                                             ("dark", "TOO_DARK")])
def test_enrollment_refuses_poor_faces_with_the_reason(client: TestClient, portrait: bytes, how: str,
                                                       reason: str) -> None:
    response = client.post("/v1/enroll", data={"subject": f"poor-{how}", "gallery": "quality"},
                           files={"images": ("p.jpg", _degraded(portrait, how), "image/jpeg")})
    problem = assert_problem(response, 422, "ENROLLMENT_REJECTED")
    (rejected,) = problem["errors"]
    assert rejected["code"] == "LOW_QUALITY"
    assert reason in {failure["code"] for failure in rejected["failures"]}


def test_good_faces_carry_their_quality_figures(client: TestClient, portrait: bytes) -> None:
    response = client.post("/v1/enroll", data={"subject": "good", "gallery": "quality"},
                           files=[("images", ("p.jpg", portrait, "image/jpeg")),
                                  ("images", ("b.jpg", _degraded(portrait, "blurred"), "image/jpeg"))])
    assert response.status_code == 201, response.text
    body = response.json()
    (face,) = body["faces"]
    quality = face["quality"]
    assert quality["interocular_px"] > 80  # a studio portrait
    assert quality["sharpness"] > 100
    assert abs(quality["yaw"]) < 0.2
    assert 60 < quality["brightness"] < 200
    assert [(r["image_index"], r["code"]) for r in body["rejected"]] == [(1, "LOW_QUALITY")]
    (blurry,) = [f for f in body["rejected"][0]["failures"] if f["code"] == "BLURRY"]
    assert blurry["figure"] == "sharpness"
    assert blurry["value"] < blurry["limit"] == 20  # the enrollment gate's minimum sharpness
    assert f"sharpness {blurry['value']:.4g}, limit 20" in body["rejected"][0]["detail"]


def test_a_dark_probe_is_refused_with_its_reason(client: TestClient, portrait: bytes) -> None:
    """Below even the lenient probe gate (brightness ~9 of 255, the face still detected)."""
    response = client.post("/v1/identify", data={"gallery": "quality"},
                           files={"image": ("d.jpg", _degraded(portrait, "very dark"), "image/jpeg")})
    problem = assert_problem(response, 422, "LOW_QUALITY")
    (failure,) = problem["errors"]
    assert (failure["code"], failure["figure"], failure["limit"]) == ("TOO_DARK", "brightness", 20)
    assert 0 < failure["value"] < 20
    assert f"TOO_DARK (brightness {failure['value']:.4g}, limit 20)" in problem["detail"]
