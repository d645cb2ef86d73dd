"""`make models` is reproducible and its cards record provenance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models import build, sources

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("spec", build.SPECS, ids=lambda spec: spec.name)
def test_rebuild_is_byte_identical(spec: build.ModelSpec, models_dir: Path, tmp_path: Path) -> None:
    card = build.build_one(spec, tmp_path, ROOT / "build")
    built = json.loads((models_dir / f"{spec.name}.json").read_text())
    assert card["sha256"] == built["sha256"] == sources.sha256_file(models_dir / built["file"])
    assert (tmp_path / card["file"]).read_bytes() == (models_dir / built["file"]).read_bytes()
    assert card == built


@pytest.mark.parametrize("spec", build.SPECS, ids=lambda spec: spec.name)
def test_card_records_provenance(spec: build.ModelSpec, models_dir: Path) -> None:
    card = json.loads((models_dir / f"{spec.name}.json").read_text())
    assert card["source"] == {
        "package": spec.source.package,
        "version": spec.source.version,
        "path": spec.source.member,
        "sha256": spec.source.sha256,
        "license": spec.source.license,
    }
    assert card["input"]["layout"] == ("HWC" if card["task"] == "landmarks" else "NCHW")
    assert card["input"]["colour_order"] in {"RGB", "BGR"}
    if card["task"] == "embedding":
        assert card["embedding_size"] == 128
        assert card["alignment"]["template"]


def test_the_68_point_model_is_never_used() -> None:
    """It is trained on iBUG 300-W, which is not licensed for commercial use."""
    members = [value.member for value in vars(sources).values() if isinstance(value, sources.SourceFile)]
    assert members
    assert not any("68" in member for member in members)
