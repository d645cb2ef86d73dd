"""Wire models: what clients send and receive. Generated SDKs are typed from these, so names are stable."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

SubjectId = Annotated[str, Field(min_length=1, max_length=256, description="Your id for the person.")]
Gallery = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
          description="Namespace of subjects; searches never cross galleries."),
]
Threshold = Annotated[float, Field(ge=-1.0, le=1.0, description="Cosine similarity at or above which faces match.")]
Point = tuple[float, float]


def _decode_base64(value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, dict) and isinstance(value.get("data"), str):
        try:
            return base64.b64decode(value["data"], validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("`data` is not valid base64") from exc
    raise ValueError('an image is a file (multipart) or {"data": "<base64>"} (JSON)')


class ImageData(BaseModel):
    """An image in a JSON body. In multipart/form-data the same field is a file instead."""

    data: str = Field(description="The image file (JPEG, PNG, WebP or BMP), base64-encoded.")


# Inside the service an image is its bytes, whichever way it came.
ImageBytes = Annotated[bytes, BeforeValidator(_decode_base64)]


class Problem(BaseModel):
    """RFC 9457 problem details: every error facegate returns has this shape."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI naming the problem type.")
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable error code, e.g. NO_FACE, SUBJECT_NOT_FOUND.")
    errors: list[dict[str, Any]] | None = Field(None, description="Per-field or per-image reasons, when several.")


class Box(BaseModel):
    x: float
    y: float
    width: float
    height: float


class FaceGeometry(BaseModel):
    box: Box
    landmarks: list[Point] = Field(description="Right eye, left eye, nose tip, right and left mouth corners.")
    detection_score: float
    quality: dict[str, float] | None = Field(
        None, description="interocular_px, sharpness (variance of the Laplacian of the aligned crop), yaw "
        "(nose offset in eye distances), roll_deg, brightness (0..255), detection_score.")


class SubjectOut(BaseModel):
    subject: str
    gallery: str
    name: str | None
    metadata: dict[str, Any]
    face_count: int
    created_at: datetime
    updated_at: datetime


class FaceOut(FaceGeometry):
    face_id: str
    subject: str
    gallery: str
    model: str
    model_version: str
    image_sha256: str
    created_at: datetime


class EnrolledFace(FaceGeometry):
    face_id: str
    image_index: int


class RejectedImage(BaseModel):
    image_index: int
    code: str
    detail: str
    reasons: list[str] = Field(default_factory=list, description="With LOW_QUALITY: every quality limit failed.")


class EnrollResponse(BaseModel):
    subject: SubjectOut
    faces: list[EnrolledFace]
    rejected: list[RejectedImage]


class VerifyResponse(BaseModel):
    score: float = Field(
        description="Cosine similarity. Against a subject: similarity to the centroid (normalised mean) of the "
        "subject's enrolled faces for this model, more accurate than the best single face on lfw-dev."
    )
    match: bool
    threshold: float
    operating_point: str | None = Field(description="The calibrated operating point used; null for a given threshold.")
    estimated_fmr: float = Field(
        description="False-match rate of a threshold at this score: how often two different people score this high "
        "(from impostor comparisons on lfw-dev, balanced by identity). Clamped to the calibrated range, 1 to 1e-6."
    )
    model: str
    faces: dict[str, FaceGeometry] = Field(description="The faces compared: `image_a`/`image_b`, or `image`.")


class Candidate(BaseModel):
    subject: str
    score: float = Field(description="Similarity to the centroid of the subject's faces.")
    face_id: str = Field(description="The subject's enrolled face that scored highest.")
    estimated_fmr: float = Field(description="How often a stranger scores this high against one subject.")


class Match(BaseModel):
    subject: str
    score: float
    estimated_fmr: float


class IdentifiedFace(FaceGeometry):
    candidates: list[Candidate]
    match: Match | None = Field(description="The best candidate if it reaches the threshold; null = unknown person.")


class IdentifyResponse(BaseModel):
    faces: list[IdentifiedFace]
    threshold: float
    operating_point: str | None = Field(description="The calibrated operating point used; null for a given threshold.")
    fmr_per_comparison: float = Field(description="False-match rate of the threshold for one comparison.")
    expected_fpir: float = Field(
        description="Chance that a stranger matches someone in this gallery: 1 - (1 - fmr_per_comparison)^subjects."
    )
    model: str
    gallery: str
    gallery_size: int


class SubjectList(BaseModel):
    items: list[SubjectOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class FaceList(BaseModel):
    items: list[FaceOut]


class SubjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(None, max_length=256)
    metadata: dict[str, Any] | None = None


class ModelInfo(BaseModel):
    model_config = ConfigDict(extra="allow")

    name: str
    version: str
    task: str
    default: bool = False


class PipelineInfo(BaseModel):
    """What a request's `model` names: embedders, fused with weights, optionally with flip-test."""

    name: str
    parts: dict[str, float]
    flip: bool
    default: bool
    accuracy: dict[str, Any] | None
    calibration: dict[str, Any] | None


class ModelList(BaseModel):
    models: list[ModelInfo] = Field(description="The model files loaded, with their cards.")
    pipelines: list[PipelineInfo] = Field(description="The embedding pipelines a request can choose.")


class Health(BaseModel):
    status: Literal["ok", "ready"]
