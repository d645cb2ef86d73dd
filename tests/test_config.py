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
    assert settings.auth.enabled is True
    assert settings.http.cors_origins == []
    assert settings.http.metrics == "key"
    assert settings.database_url == f"sqlite:///{settings.data_dir / 'facegate.db'}"


def test_the_database_follows_the_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("FACEGATE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("FACEGATE_ADMIN_KEY", "x" * 40)
    settings = Settings()
    assert settings.database_url == f"sqlite:///{tmp_path / 'facegate.db'}"
    assert settings.admin_key is not None
    assert "x" * 40 not in repr(settings)  # secrets never print


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
