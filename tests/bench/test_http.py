"""The HTTP bench at a small size: real servers (one worker, then two), real photos, its CPU accounting."""

from __future__ import annotations

from pathlib import Path

from bench import http
from bench.accuracy import reader
from bench.facesets import FaceSet


def test_enroll_and_verify_over_http_count_every_worker(models_dir: Path, faces_dir: Path) -> None:
    photo = reader(models_dir)
    photos = http.enrollable(photo, FaceSet.load(faces_dir / "lfw-dev"), 4, http.DEFAULT_MODEL)

    def read(data: bytes) -> object:
        return photo.enrollee(data, http.DEFAULT_MODEL, http.SELECTION)

    runs = {workers: http.over_http(models_dir, workers, photos, [1, 2],
                                    [(photos[0], photos[1])] if workers == 1 else [], read) for workers in (1, 2)}
    for run in runs.values():
        assert set(run.enroll) == set(run.pipeline) == set(run.server_ms) == {1, 2}
        assert all(rate > 0 for rate in [*run.enroll.values(), *run.pipeline.values()])
        # Every enroll runs the pipeline (tens of ms of CPU) in a worker: with two workers that is in the
        # supervisor's children, which must be counted.
        assert all(ms > 5 for ms in run.server_ms.values())
    assert len(runs[1].verify) == 1
    assert runs[1].pair_ms > 0
    assert runs[2].verify == []
