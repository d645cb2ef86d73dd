"""Wire models: what clients send and receive. Generated SDKs are typed from these, so names are stable."""

from __future__ import annotations

import base64
import binascii
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field

from app.api.codes import ProblemCode
from app.services.keys import Scope
from app.services.subject_rules import SUBJECT_ID_MAX_LENGTH, SUBJECT_ID_PATTERN, SUBJECT_ID_RULE

# No stored text can hold U+0000: PostgreSQL refuses it, so a lookup with one would fail there with a 500.
_NO_NUL = r"^[^\x00]*$"
SubjectId = Annotated[str, Field(min_length=1, max_length=256, pattern=_NO_NUL, description="Your id for the person.")]
# Documented, not validated here: enroll refuses an id against the rule with 400 INVALID_SUBJECT_ID.
NewSubjectId = Annotated[str, Field(
    description=f"Your id for the person: {SUBJECT_ID_RULE} (it goes into URLs).",
    json_schema_extra={"minLength": 1, "maxLength": SUBJECT_ID_MAX_LENGTH, "pattern": SUBJECT_ID_PATTERN})]
DisplayName = Annotated[str, Field(max_length=256, pattern=_NO_NUL)]
Gallery = Annotated[
    str,
    Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:-]+$",
          description="Namespace of subjects; searches never cross galleries."),
]
Threshold = Annotated[float, Field(ge=-1.0, le=1.0, description="Cosine similarity at or above which faces match.")]
Point = tuple[float, float]


# The API's vocabularies, as enums: each becomes one named type in a generated client (not one per field).
class FaceSelectionName(StrEnum):
    """The rule that chose a face among those found."""

    PRIMARY = "primary"
    CENTER = "center"
    LARGEST = "largest"
    ALL = "all"
    REQUIRE_SINGLE = "require_single"


class OneFaceSelection(StrEnum):
    """Which face of a photo enroll and verify use."""

    PRIMARY = "primary"
    CENTER = "center"
    LARGEST = "largest"
    REQUIRE_SINGLE = "require_single"


class SearchFaceSelection(StrEnum):
    """Which faces of a photo identify searches for."""

    PRIMARY = "primary"
    CENTER = "center"
    LARGEST = "largest"
    ALL = "all"


class OperatingPoint(StrEnum):
    """A threshold named by its false-match rate per comparison, from the pipeline's calibration."""

    FMR_1E_2 = "fmr_1e-2"
    FMR_1E_3 = "fmr_1e-3"
    FMR_1E_4 = "fmr_1e-4"
    FMR_1E_5 = "fmr_1e-5"
    FMR_1E_6 = "fmr_1e-6"


class SearchOperatingPoint(StrEnum):
    """Identify's operating points: a false-match rate per comparison, or a false-positive identification rate
    for the gallery as it is (`fpir_`)."""

    FMR_1E_2 = "fmr_1e-2"
    FMR_1E_3 = "fmr_1e-3"
    FMR_1E_4 = "fmr_1e-4"
    FMR_1E_5 = "fmr_1e-5"
    FMR_1E_6 = "fmr_1e-6"
    FPIR_1E_1 = "fpir_1e-1"
    FPIR_1E_2 = "fpir_1e-2"
    FPIR_1E_3 = "fpir_1e-3"


class QualityCode(StrEnum):
    """The quality limit a face missed."""

    FACE_TOO_SMALL = "FACE_TOO_SMALL"
    BLURRY = "BLURRY"
    POSE_TOO_FAR = "POSE_TOO_FAR"
    TILTED = "TILTED"
    TOO_DARK = "TOO_DARK"
    TOO_BRIGHT = "TOO_BRIGHT"
    LOW_DETECTION_SCORE = "LOW_DETECTION_SCORE"


def _not_unix_time(value: Any) -> Any:
    """Pydantic reads a number, or a numeric string, as Unix time: `"expires_at": 0` made a key that had expired
    in 1970, and `?until=0.5` meant 1970. The document promises RFC 3339 text (`format: date-time`) only."""
    try:
        float(value)
    except (TypeError, ValueError):
        return value
    raise ValueError("a date-time is RFC 3339 text with a time zone, e.g. 2027-01-01T00:00:00Z, not a number")


DateTimeText = Annotated[AwareDatetime, BeforeValidator(_not_unix_time)]


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

    data: str = Field(description="The image file (JPEG, PNG, WebP or BMP), base64-encoded.",
                      json_schema_extra={"contentEncoding": "base64"})


# Inside the service an image is its bytes, whichever way it came.
ImageBytes = Annotated[bytes, BeforeValidator(_decode_base64)]


class Problem(BaseModel):
    """RFC 9457 problem details: every error facegate returns has this shape."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(description="URI naming the problem type.")
    title: str
    status: int
    detail: str
    code: ProblemCode = Field(description="Stable machine-readable error code, e.g. NO_FACE, SUBJECT_NOT_FOUND; "
                              "each operation's answers list the codes they can carry.")
    errors: list[dict[str, Any]] | None = Field(None, description="Per-field or per-image reasons, when several.")


class Box(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    x: float
    y: float
    width: float
    height: float


class FaceGeometry(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    box: Box
    landmarks: list[Point] = Field(description="Right eye, left eye, nose tip, right and left mouth corners.")
    detection_score: float
    quality: dict[str, float] | None = Field(
        None, description="interocular_px, sharpness (variance of the Laplacian of the aligned crop), yaw "
        "(nose offset in eye distances), roll_deg, brightness (0..255), detection_score.")


class SeenFace(FaceGeometry):
    """A face of a photo sent with this request."""

    faces_found: int = Field(description="How many faces the detector found in the photo.")
    face_selection: FaceSelectionName = Field(description="The rule that chose this face among them.")


class SubjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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


class EnrolledFace(SeenFace):
    face_id: str
    image_index: int


class QualityFailure(BaseModel):
    """A quality limit the face missed."""

    model_config = ConfigDict(from_attributes=True)

    code: QualityCode
    figure: str = Field(description="The quality figure (see `quality` on a face), e.g. sharpness.")
    value: float = Field(description="The face's value of that figure.")
    limit: float = Field(description="The gate's limit it missed (a minimum, or a maximum of the absolute value "
                         "for yaw and roll_deg).")


class RejectedImage(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    image_index: int
    code: str
    detail: str
    failures: list[QualityFailure] = Field(
        default_factory=list, description="With LOW_QUALITY: every quality limit the face missed.")


class EnrollResult(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject: SubjectOut
    faces: list[EnrolledFace]
    rejected: list[RejectedImage]


class VerifyResult(BaseModel):
    model_config = ConfigDict(from_attributes=True)

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
    faces: dict[str, SeenFace] = Field(description="The faces compared: `image_a`/`image_b`, or `image`.")


class Candidate(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject: str
    score: float = Field(description="Similarity to the centroid of the subject's faces.")
    face_id: str = Field(description="The subject's enrolled face that scored highest.")
    estimated_fmr: float = Field(description="How often a stranger scores this high against one subject.")


class Match(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject: str
    score: float
    estimated_fmr: float


class IdentifiedFace(SeenFace):
    candidates: list[Candidate]
    match: Match | None = Field(description="The best candidate if it reaches the threshold; null = unknown person.")


class IdentifyResult(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    faces: list[IdentifiedFace]
    threshold: float
    operating_point: str | None = Field(description="The calibrated operating point used; null for a given threshold.")
    fmr_per_comparison: float = Field(description="False-match rate of the threshold for one comparison.")
    expected_fpir: float = Field(
        description="Chance that a stranger matches someone in this gallery: 1 - (1 - fmr_per_comparison)^subjects."
    )
    model: str
    gallery: str
    gallery_size: int = Field(description="Faces enrolled in the gallery for this model (`expected_fpir` counts "
                              "subjects, each compared once).")


class SubjectList(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    items: list[SubjectOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class FaceList(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    items: list[FaceOut]


class SubjectUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: DisplayName | None = None
    metadata: dict[str, Any] | None = None


class NetworkInfo(BaseModel):
    """One network file (detector, landmark model or embedder) with its card: provenance, input contract,
    measured accuracy and calibration."""

    model_config = ConfigDict(extra="allow")

    name: str
    version: str
    task: str
    default: bool = False


class ModelInfo(BaseModel):
    """What a request's `model` chooses, and what every stored face and template is kept under: one embedder, or
    several fused with weights, optionally with flip-test."""

    name: str
    version: str = Field(description="Digest of what makes its vectors (network files, alignment, weights, flip): "
                         "faces of another version are never compared with this one's (409 MODEL_MISMATCH).")
    networks: dict[str, float] = Field(description="Embedding network name -> fusion weight (weights sum to 1).")
    flip: bool
    default: bool
    accuracy: dict[str, Any] | None
    calibration: dict[str, Any] | None


class ModelList(BaseModel):
    models: list[ModelInfo] = Field(description="The models a request can choose (`model`).")
    networks: list[NetworkInfo] = Field(description="The network files the models are made of, with their cards.")


class Health(BaseModel):
    status: Literal["ok", "ready"]




class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128, pattern=r"^[^\x00-\x1f\x7f]+$",
                      description="What the key is for, e.g. `door-app-prod`.")
    scopes: list[Scope] = Field(min_length=1, max_length=6, description="`admin` implies every other scope.")
    galleries: list[Gallery] | None = Field(
        None, max_length=1000, description="Galleries the key may touch; null (the default) for all.")
    expires_at: DateTimeText | None = Field(None, description="When the key stops working; null: never.")


class KeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="Public part of the key (`fg_<id>_...`); use it to revoke.")
    name: str
    scopes: list[Scope]
    galleries: list[str] | None
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None = Field(description="Updated at most once a minute.")
    expires_at: datetime | None
    revoked_at: datetime | None


class KeyCreated(KeyOut):
    secret: str = Field(description="The key itself. Shown only now: it is stored as a keyed hash, never in clear.")


class KeyList(BaseModel):
    items: list[KeyOut]


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    key_id: str | None = Field(description="The API key used; null from the command line or with auth off.")
    operation: str = Field(description="enroll, verify, identify, subject.update, subject.delete, face.delete, "
                           "gallery.delete, key.create, key.revoke")
    gallery: str | None
    subject: str | None
    face_ids: list[str]
    outcome: str = Field(description="`ok`, or the problem code the request ended with.")
    request_id: str | None
    details: dict[str, Any]


class AuditList(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for older entries; null on the last page.")


class DeletionReceipt(BaseModel):
    """Proof of erasure: what went, when, and the audit entry that records it."""

    model_config = ConfigDict(from_attributes=True)

    gallery: str
    subjects: list[str] = Field(description="Subjects removed (a face's subject goes with its last face).")
    face_ids: list[str] = Field(description="Faces removed, with their embeddings and templates.")
    deleted_at: datetime
    audit_id: int


class GalleryDeletion(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    gallery: str
    subject_count: int
    face_count: int
    deleted_at: datetime
    audit_id: int


class GalleryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    gallery: str
    subject_count: int
    face_count: int


class GalleryList(BaseModel):
    items: list[GalleryOut]


class ImportResult(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    gallery: str
    model: str
    model_version: str
    subjects_imported: int
    subjects_skipped: int = Field(description="Already in the gallery: left as they are.")
    faces_imported: int
