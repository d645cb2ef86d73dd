"""Settings come from FACEGATE_* variables, nested groups with `__`, and are validated."""

from __future__ import annotations

import pydantic
import pytest

from app.config import Settings


def test_defaults() -> None:
    settings = Settings()
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.runtime.providers == ["cpu"]
    assert settings.detection.score_threshold == 0.7
    assert settings.limits.max_image_bytes == 10 * 1024 * 1024
    assert settings.limits.max_image_pixels == 40_000_000


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEGATE_PORT", "9000")
    monkeypatch.setenv("FACEGATE_RUNTIME__PROVIDERS", '["cuda", "cpu"]')
    monkeypatch.setenv("FACEGATE_DETECTION__MAX_SIDE", "640")
    settings = Settings()
    assert settings.port == 9000
    assert settings.runtime.providers == ["cuda", "cpu"]
    assert settings.detection.max_side == 640


def test_invalid_values_are_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACEGATE_DETECTION__SCORE_THRESHOLD", "1.5")
    with pytest.raises(pydantic.ValidationError, match="score_threshold"):
        Settings()
