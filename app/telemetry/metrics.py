"""Prometheus metrics, on a registry of the app's own (several apps in one process, as in tests, never clash).

Names follow Prometheus conventions: `facegate_` prefix, base units (seconds), `_total` for counters.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from app.telemetry import timing

# From 1 ms to 10 s: a photo takes ~15-30 ms on one core; a queue or a slow disk shows up in the upper buckets.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _GallerySizes(Collector):
    """Faces per (gallery, model), read from the search index at scrape time; per model only where the metrics
    are public, since gallery names say who the service's tenants are."""

    def __init__(self, sizes: Callable[[], Mapping[tuple[str, str], int]], by_gallery: bool) -> None:
        self._sizes = sizes
        self._by_gallery = by_gallery

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if not self._by_gallery:
            family = GaugeMetricFamily("facegate_model_faces", "Enrolled faces per model.", labels=["model"])
            totals: dict[str, int] = {}
            for (_, model), count in self._sizes().items():
                totals[model] = totals.get(model, 0) + count
            for model, count in sorted(totals.items()):
                family.add_metric([model], count)
            yield family
            return
        family = GaugeMetricFamily("facegate_gallery_faces", "Enrolled faces per gallery and model.",
                                   labels=["gallery", "model"])
        for (gallery, model), count in sorted(self._sizes().items()):
            family.add_metric([gallery, model], count)
        yield family


class Metrics:
    """The app's metrics. With `multiprocess_dir` (several worker processes), every process writes its samples
    there (prometheus-client's multiprocess mode, chosen by PROMETHEUS_MULTIPROC_DIR before it is imported) and
    a scrape of any worker reads them all, so /metrics shows the service, not one worker."""

    def __init__(self, multiprocess_dir: Path | None = None) -> None:
        self.registry = CollectorRegistry()
        self._multiprocess_dir = multiprocess_dir
        self._extra: list[Collector] = []
        self.requests = Histogram(
            "facegate_http_request_duration_seconds", "HTTP request latency by route and status.",
            ["method", "route", "status"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.stages = Histogram(
            "facegate_stage_duration_seconds", "Latency of each pipeline stage per image: decode, detect, embed, "
            "search.", ["stage"], buckets=LATENCY_BUCKETS, registry=self.registry)
        self.faces = Histogram(
            "facegate_faces_per_image", "Faces detected and used per image.", buckets=(0, 1, 2, 3, 5, 10, 20, 50, 100),
            registry=self.registry)
        self.errors = Counter("facegate_errors_total", "Error responses by problem code.", ["code"],
                              registry=self.registry)
        self.model_load = Gauge("facegate_model_load_seconds", "Time to load and warm up the models at start-up.",
                                registry=self.registry, multiprocess_mode="max")

    def watch_galleries(self, sizes: Callable[[], Mapping[tuple[str, str], int]], *, by_gallery: bool = True) -> None:
        """Gallery sizes come from this process's index, which follows the database: any worker's are right."""
        collector = _GallerySizes(sizes, by_gallery)
        self._extra.append(collector)
        self.registry.register(collector)

    def observe_stages(self, timings: Mapping[str, float]) -> None:
        """Into the histogram, and into the current request's Server-Timing header."""
        for stage, seconds in timings.items():
            self.stages.labels(stage).observe(seconds)
        timing.record(timings)

    def render(self) -> bytes:
        if self._multiprocess_dir is None:
            return generate_latest(self.registry)
        every_worker = CollectorRegistry()
        multiprocess.MultiProcessCollector(every_worker, path=str(self._multiprocess_dir))
        for collector in self._extra:
            every_worker.register(collector)
        return generate_latest(every_worker)
