"""Settings, read once from the environment (prefix `FACEGATE_`) and handed down in parts.

Nested groups use `__`: `FACEGATE_RUNTIME__PROVIDERS='["cuda","cpu"]'`, `FACEGATE_LIMITS__MAX_IMAGE_BYTES=...`.
No other module reads the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class RuntimeSettings(BaseModel):
    """How models run. Defaults suit a small CPU machine (measured on 2 cores, see README)."""

    models_dir: Path = Field(ROOT / "build" / "models", description="Folder of built .onnx files and cards.")
    providers: list[str] = Field(
        ["cpu"],
        description="Execution providers in order of preference: cpu, cuda, tensorrt (or ONNX Runtime names).",
    )
    require_providers: bool = Field(
        False,
        description="Fail start-up if a listed provider is missing, instead of logging and falling back.",
    )
    intra_op_threads: int = Field(
        1,
        ge=0,
        description="ONNX Runtime threads per inference (0 = one per core). Concurrency comes from requests.",
    )


class DetectionSettings(BaseModel):
    """YuNet detection. The threshold is below OpenCV's 0.9 default: measured on all 13,233 LFW photos, 0.7
    finds a face in every photo, 0.9 misses 137 and picks a background face in 31 more."""

    score_threshold: float = Field(0.7, gt=0, lt=1)
    nms_threshold: float = Field(0.3, gt=0, lt=1)
    max_side: int = Field(
        320,
        ge=64,
        description="Detection runs on a copy scaled so its long side is at most this (crops use the original). "
        "320 keeps detection at ~2.6 ms for a 640x480 photo (8.8 ms at 640) and still finds faces down to about "
        "1/30 of the long side; raise it for group photos with small faces.",
    )
    min_face_px: int = Field(16, ge=1, description="Faces narrower than this, in original pixels, are ignored.")


class LimitSettings(BaseModel):
    """Input limits, enforced from the image header before decoding. Defaults follow the managed services."""

    max_image_bytes: int = Field(10 * 1024 * 1024, ge=1)
    max_image_pixels: int = Field(40_000_000, ge=1)
    max_decoded_bytes: int = Field(
        128 * 1024 * 1024,
        ge=1,
        description="Most memory one decode may take, estimated from the header: Pillow's pixels (4 bytes each "
        "for colour) plus the 3-byte RGB array, 8 bytes a pixel. 128 MiB is a 4096x4096 colour image, the largest "
        "Azure Face accepts; a 1 px high 40 Mpx PNG cost 830 MB before this limit. JPEGs count at draft scale.",
    )
    min_image_side: int = Field(36, ge=1, description="Shortest side accepted (Azure Face's minimum, 36 px).")
    max_aspect_ratio: float = Field(
        8.0,
        ge=1,
        description="Long side over short side. Twice the widest photo format (32:9 = 3.6, 1:4 photo strips): "
        "no photo is refused, a 1 px line of 40 M pixels is.",
    )
    jpeg_draft_side: int = Field(
        2048,
        ge=320,
        description="JPEGs whose long side is at least twice this are decoded at 1/2, 1/4 or 1/8 scale (free in "
        "the DCT), never below it. Detection sees 320 px; at 2048 the smallest face it finds (1/30 of the long "
        "side) is still ~68 px wide, ~27 px between the eyes, above the enrollment gate's 24.",
    )
    max_faces: int = Field(100, ge=1, description="Most faces processed in one image.")
    max_images_per_request: int = Field(10, ge=1, description="Most images in one enroll request.")
    max_text_bytes: int = Field(
        64 * 1024,
        ge=1024,
        description="Room for everything but the images in a request body: the allowance beside the images of "
        "enroll, verify and identify, the whole body of any other operation (PATCH /v1/subjects/{subject}, POST "
        "/v1/keys), and the most one multipart text field may hold. Keep it well above max_metadata_bytes.",
    )
    max_metadata_bytes: int = Field(
        16 * 1024,
        ge=2,
        description="Most bytes of a subject's metadata as compact UTF-8 JSON; it comes back with every listing. "
        "16 KiB is Azure Face's limit for a person's userData.",
    )
    max_import_bytes: int = Field(
        256 * 1024 * 1024, ge=1024, description="Largest body of POST /v1/galleries/{gallery}/import (about 180,000 "
        "fusion faces); larger files go through `python -m app import`, which streams them.")
    max_metadata_depth: int = Field(
        8, ge=1, description="Most levels of objects and arrays nested in metadata (`{}` is one level).")


class QualityLimits(BaseModel):
    """Limits of one quality gate (see app/vision/quality.py for what each figure means)."""

    min_interocular_px: float = Field(ge=0)
    min_sharpness: float = Field(ge=0)
    max_abs_yaw: float = Field(gt=0)
    max_abs_roll_deg: float = Field(gt=0, le=180)
    min_brightness: float = Field(ge=0, le=255)
    max_brightness: float = Field(ge=0, le=255)
    min_detection_score: float = Field(ge=0, le=1)


class QualitySettings(BaseModel):
    """Strict at enrollment (a bad template spoils every later comparison), lenient on probes: a refused probe is
    a wrong answer to the person holding the photo. Defaults from the figures of lfw-dev's in-the-wild photos:
    the enrollment limits pass 99.4 % of them (0.5th percentiles: inter-ocular 27 px, sharpness 25; 99.5th:
    |yaw| 0.55, |roll| 7.5 degrees, brightness 67..179). The probe limits refuse 1 of its 6,804 photos (a face
    turned so far that its eyes are 10 px apart); a probe yaw limit of 0.9 refused 7, every one a three-quarter
    view a person would call usable (|yaw| 0.99 to 2.1: the measure grows fast once the far eye is foreshortened).
    `python -m bench.accuracy` reports what the gate refuses on a set, with the figures."""

    enroll: QualityLimits = QualityLimits(
        min_interocular_px=24, min_sharpness=20, max_abs_yaw=0.6, max_abs_roll_deg=30,
        min_brightness=40, max_brightness=220, min_detection_score=0.8,
    )
    probe: QualityLimits = QualityLimits(
        min_interocular_px=12, min_sharpness=8, max_abs_yaw=2.5, max_abs_roll_deg=45,
        min_brightness=20, max_brightness=240, min_detection_score=0.7,
    )


class DecisionSettings(BaseModel):
    """Default match thresholds, named by the false-match rate they were calibrated at (model card)."""

    verify_operating_point: str = Field("fmr_1e-4", pattern=r"^fmr_1e-[1-9]$",
                                        description="1:1 verify: one comparison at FMR 1e-4.")
    identify_operating_point: str = Field(
        "fpir_1e-2", pattern=r"^(fmr|fpir)_1e-[1-9]$",
        description="1:N identify: a false-positive identification rate for the gallery searched (the threshold per "
        "comparison follows from its number of subjects), or an fmr_ point per comparison.",
    )


class AuthSettings(BaseModel):
    """API keys. Secure by default: every /v1 operation needs a key (see docs/security.md)."""

    enabled: bool = Field(
        True, description="Require an API key on /v1. Off only for local experiments: every start then warns.")
    pepper: SecretStr | None = Field(
        None,
        description="Server-side secret mixed into every key hash (HMAC-SHA-256), so a copy of the database alone "
        "cannot be used to test guessed keys. Unset: read from (or created in) `pepper_file`. Replicas sharing one "
        "database must share it.",
    )
    pepper_file: Path | None = Field(None, description="Where the pepper lives when not set; default data_dir/pepper.")
    admin_key_file: Path | None = Field(
        None, description="Where the first start writes the bootstrap admin key (owner-only); default "
        "data_dir/admin.key.")
    last_used_resolution_s: float = Field(
        60, ge=0, description="A key's `last_used_at` is written at most this often, so reads stay reads.")


class AbuseSettings(BaseModel):
    """Limits that keep one client, or a burst, from taking the service down (docs/security.md)."""

    rate_per_second: float = Field(
        20, gt=0, description="Sustained requests per second per key (token bucket, per process).")
    burst: int = Field(40, ge=1, description="Requests a key may make at once before the rate applies.")
    model_threads: int = Field(
        0, ge=0, description="Threads running decode + detection + embedding (0 = one per core).")
    max_queue_seconds: float = Field(
        2.0, gt=0,
        description="Work admitted to the model queue must be expected to finish within this; beyond it the answer "
        "is 503 OVERLOADED with Retry-After at once, instead of an unbounded queue.",
    )


class SearchSettings(BaseModel):
    """How identify finds candidates among a gallery's templates (see docs/scale.md for the measurements)."""

    backend: Literal["auto", "database", "memory"] = Field(
        "auto", description="`database`: pgvector in PostgreSQL (HNSW, re-ranked exactly), no cache in any process; "
        "`memory`: an in-process index that follows the change log; `auto`: database on PostgreSQL (unless "
        "embeddings are encrypted at rest), memory on SQLite.")
    exact_below: int = Field(
        20_000, ge=0, description="Galleries with fewer templates are searched exactly; larger ones with an "
        "approximate index whose top candidates are re-ranked exactly.")
    candidates: int = Field(
        100, ge=1, description="Candidates the approximate index hands to the exact re-ranking (at least top_k).")
    ef_search: int = Field(
        120, ge=10, le=1000, description="`database` backend: pgvector's hnsw.ef_search, the graph search's breadth "
        "(more: better recall, slower; the iterative scan returns `candidates` whatever it is).")
    index_build_memory: str = Field(
        "1GB", pattern=r"^[0-9]+ ?(kB|MB|GB)$", description="`database` backend: maintenance_work_mem for building "
        "an HNSW index at start-up (a build whose graph fits in it is several times faster).")


class HttpSettings(BaseModel):
    """What the HTTP layer exposes, and to whom."""

    cors_origins: list[str] = Field(
        [], description="Origins allowed to call the API from a browser; none by default (CORS off).")
    metrics: Literal["key", "public", "off"] = Field(
        "key", description="/metrics: `key` needs an admin key (Bearer), `public` needs none and leaves gallery "
        "names out, `off` answers 404.")
    console: bool = Field(
        True, description="Serve the web console at /console: static files that call this API with the key their "
        "user types, so the page itself grants nothing. `false`: /console answers 404.")


class PrivacySettings(BaseModel):
    """What is kept about people, and for how long."""

    audit_retention_days: int = Field(
        365, ge=1, description="Audit entries older than this are deleted (checked at start and hourly).")
    embedding_key: SecretStr | None = Field(
        None,
        description="32 bytes, base64: encrypts stored embeddings with AES-256-GCM. Costs the in-database search "
        "of pgvector (an encrypted vector cannot be indexed); see docs/security.md.",
    )


def share_metrics_between_workers(folder: Path) -> None:
    """Tell prometheus-client (and the workers about to start, which inherit the environment) to write metrics
    into `folder`; must run before the workers import it."""
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(folder)


# The embedding pipeline of a new deployment; a database enrolled under an older default keeps that one.
DEFAULT_MODEL = "fusion_int8"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FACEGATE_", env_nested_delimiter="__", extra="ignore")

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    database_url: str = Field(
        "",
        description="SQLAlchemy URL: a SQLite file in data_dir by default; postgresql+psycopg://... (with pgvector) "
        "in production.",
    )
    default_model: str | None = Field(
        None,
        description=f"Embedding pipeline used when a request names none. Unset: `{DEFAULT_MODEL}` (SFace and "
        "dlib's ResNet in int8, fused: the most accurate on lfw-dev and the fastest of the fusions), or the "
        "pipeline this database is pinned to (`fusion` where galleries were enrolled under it: README, "
        "Upgrading from fusion).",
    )
    workers: int = Field(1, ge=1, description="Worker processes of `python -m app serve` (FACEGATE_WORKERS).")
    metrics_dir: Path | None = Field(
        None, validation_alias="PROMETHEUS_MULTIPROC_DIR",
        description="Set by `serve --workers N` (N > 1): where every worker writes its metrics for /metrics to add up.")
    data_dir: Path = Field(ROOT / "data", description="Folder for the SQLite file, the pepper and the admin key.")
    admin_key: SecretStr | None = Field(
        None, description="FACEGATE_ADMIN_KEY: a secret accepted as an admin key (hashed at start, never logged).")
    runtime: RuntimeSettings = RuntimeSettings()
    detection: DetectionSettings = DetectionSettings()
    limits: LimitSettings = LimitSettings()
    decisions: DecisionSettings = DecisionSettings()
    quality: QualitySettings = QualitySettings()
    auth: AuthSettings = AuthSettings()
    abuse: AbuseSettings = AbuseSettings()
    http: HttpSettings = HttpSettings()
    search: SearchSettings = SearchSettings()
    privacy: PrivacySettings = PrivacySettings()

    @model_validator(mode="after")
    def _default_database(self) -> Settings:
        if not self.database_url:
            self.database_url = f"sqlite:///{self.data_dir / 'facegate.db'}"
        return self
