"""bench/scale.py end to end at a small size: a real server over HTTP on SQLite, in well under a minute."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.facesets import ROOT, default_faces_dir

FIELDS = {"database", "backend", "faces", "subjects", "fill_s", "ready_s", "identify_p50_ms", "identify_p99_ms",
          "search_p50_ms", "search_p99_ms", "search_p50_delta_ms", "recall_at_1", "recall_at_10", "worker_rss_mb",
          "enroll_per_s"}


@pytest.mark.skipif(not (default_faces_dir() / "lfw-dev").exists() or not (ROOT / "build" / "models").exists(),
                    reason="needs lfw-dev photos and built models")
def test_a_small_run_reports_every_figure_in_its_last_line(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "bench.scale", "--sizes", "2000", "--database", "sqlite",
                             "--people", "40", "--probes", "20", "--enrolls", "6"],
                            cwd=ROOT, capture_output=True, text=True, timeout=60, check=True)
    lines = result.stdout.strip().splitlines()
    (row,) = json.loads(lines[-1])["rows"]
    assert set(row) == FIELDS
    assert lines[0].split() == list(row)  # the table has the same figures
    assert (row["database"], row["backend"], row["faces"]) == ("sqlite", "memory", 2000)
    assert row["subjects"] > 1000
    assert row["recall_at_1"] == 1.0  # 1,000 subjects are below exact_below: searched exactly
    assert 0 < row["ready_s"] < 60
    assert row["identify_p50_ms"] <= row["identify_p99_ms"]
    assert 0 < row["search_p50_ms"] <= row["search_p99_ms"] < row["identify_p99_ms"]
    assert row["worker_rss_mb"] > 0
    assert row["enroll_per_s"] > 0
