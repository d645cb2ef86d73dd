"""facegate's domain errors: one tree, each with a stable machine-readable `code`.

    FacegateError
    ├── InvalidImage                  INVALID_IMAGE: not an image we accept, e.g. under 36 px a side (4xx)
    │   ├── UnsupportedMediaType      UNSUPPORTED_MEDIA_TYPE: a format other than JPEG, PNG, WebP, BMP
    │   ├── ImageTooLarge             IMAGE_TOO_LARGE: over a byte, pixel, aspect or decoded-memory limit (header)
    │   └── ImageDecodeFailed         IMAGE_DECODE_FAILED: empty, truncated or corrupt
    ├── FaceError                     the image is fine but its faces are not usable (4xx)
    │   ├── NoFace                    NO_FACE
    │   ├── MultipleFaces             MULTIPLE_FACES: exactly one was required
    │   ├── TooManyFaces              TOO_MANY_FACES: over the per-image face limit
    │   └── LowQuality                LOW_QUALITY: the face misses a quality limit; `errors` gives each figure and limit
    ├── NothingEnrolled               ENROLLMENT_REJECTED: no image of an enroll request was usable (per-image reasons)
    ├── TooManyImages                 TOO_MANY_IMAGES: more images than one enroll request takes (413)
    ├── InvalidImport                 INVALID_IMPORT: an import line that is not what export writes (422, line number)
    ├── InvalidSubjectId              INVALID_SUBJECT_ID: an id outside the rule of app/services/subject_rules.py (400)
    ├── InvalidMetadata               INVALID_METADATA: over its size or depth, or NaN, Infinity, U+0000 (422)
    ├── NotFound                      (404)
    │   ├── SubjectNotFound           SUBJECT_NOT_FOUND
    │   ├── FaceNotFound              FACE_NOT_FOUND
    │   ├── GalleryNotFound           GALLERY_NOT_FOUND: no such gallery, or one the key may not touch (same answer)
    │   └── KeyNotFound               KEY_NOT_FOUND
    ├── Unauthenticated               UNAUTHENTICATED: no key, or an unknown, expired or revoked one (401)
    ├── Forbidden                     FORBIDDEN: the key lacks the operation's scope (403)
    ├── RateLimited                   RATE_LIMITED: the key's token bucket is empty (429, Retry-After)
    ├── Overloaded                    OVERLOADED: the model queue is full for its time budget (503, Retry-After)
    ├── ModelMismatch                 MODEL_MISMATCH: embeddings of different models would be compared (409)
    ├── ServiceNotReady               NOT_READY: models still loading or the database unreachable (503)
    └── ConfigurationError            the operator's settings cannot be honoured (fails start-up, never a request)
        ├── ModelNotFound             MODEL_NOT_FOUND: no such model built / loaded
        ├── ProviderUnavailable       PROVIDER_UNAVAILABLE: an execution provider that was required is missing
        └── SealingError              SEALING_ERROR: stored embeddings the configured key cannot open

The layers below raise these; only the HTTP layer turns them into problem+json responses, using `status` (and
`headers()`). The HTTP layer's own refusals have codes too: VALIDATION_ERROR (422), REQUEST_TOO_LARGE (413),
BAD_REQUEST (400), METHOD_NOT_ALLOWED (405), NOT_FOUND (404), CROSS_ORIGIN_REFUSED (403), INTERNAL_ERROR (500).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


class FacegateError(Exception):
    """Base of every error facegate raises on purpose."""

    code = "INTERNAL_ERROR"
    title = "Internal error"
    status = 500

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail

    def headers(self) -> dict[str, str]:
        """HTTP headers the answer must carry (`WWW-Authenticate`, `Retry-After`); none by default."""
        return {}


class InvalidImage(FacegateError):
    code = "INVALID_IMAGE"
    title = "Invalid image"
    status = 422


class UnsupportedMediaType(InvalidImage):
    code = "UNSUPPORTED_MEDIA_TYPE"
    title = "Unsupported image format"
    status = 415


class ImageTooLarge(InvalidImage):
    code = "IMAGE_TOO_LARGE"
    title = "Image too large"
    status = 413


class ImageDecodeFailed(InvalidImage):
    code = "IMAGE_DECODE_FAILED"
    title = "Image could not be decoded"
    status = 422


class FaceError(FacegateError):
    code = "FACE_ERROR"
    title = "Unusable faces"
    status = 422


class NoFace(FaceError):
    code = "NO_FACE"
    title = "No face found"


class MultipleFaces(FaceError):
    code = "MULTIPLE_FACES"
    title = "More than one face found"


class TooManyFaces(FaceError):
    code = "TOO_MANY_FACES"
    title = "Too many faces"


class NothingEnrolled(FacegateError):
    code = "ENROLLMENT_REJECTED"
    title = "No image could be enrolled"
    status = 422

    def __init__(self, detail: str, rejected: list[dict[str, object]]) -> None:
        super().__init__(detail)
        self.rejected = rejected


class NotFound(FacegateError):
    code = "NOT_FOUND"
    title = "Not found"
    status = 404


class SubjectNotFound(NotFound):
    code = "SUBJECT_NOT_FOUND"
    title = "Subject not found"


class FaceNotFound(NotFound):
    code = "FACE_NOT_FOUND"
    title = "Face not found"


class GalleryNotFound(NotFound):
    """Also the answer for a gallery the key may not touch, word for word, so a key learns nothing of others'."""

    code = "GALLERY_NOT_FOUND"
    title = "Gallery not found"

    @classmethod
    def named(cls, gallery: str) -> GalleryNotFound:
        return cls(f"no gallery {gallery!r}")


class KeyNotFound(NotFound):
    code = "KEY_NOT_FOUND"
    title = "API key not found"


class Unauthenticated(FacegateError):
    code = "UNAUTHENTICATED"
    title = "Authentication required"
    status = 401

    def __init__(self, detail: str, *, invalid: bool = False) -> None:
        super().__init__(detail)
        self.invalid = invalid

    def headers(self) -> dict[str, str]:
        challenge = 'Bearer realm="facegate"'
        return {"WWW-Authenticate": challenge + (', error="invalid_token"' if self.invalid else "")}


class Forbidden(FacegateError):
    code = "FORBIDDEN"
    title = "Not allowed for this key"
    status = 403


class _RetryLater(FacegateError):
    def __init__(self, detail: str, retry_after_s: float) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(max(1, math.ceil(self.retry_after_s)))}


class RateLimited(_RetryLater):
    code = "RATE_LIMITED"
    title = "Too many requests"
    status = 429


class Overloaded(_RetryLater):
    code = "OVERLOADED"
    title = "Service overloaded"
    status = 503


class ModelMismatch(FacegateError):
    code = "MODEL_MISMATCH"
    title = "Embeddings from different models cannot be compared"
    status = 409


class ServiceNotReady(FacegateError):
    code = "NOT_READY"
    title = "Service not ready"
    status = 503


@dataclass(frozen=True, slots=True)
class QualityFailure:
    """One limit of a quality gate that a face missed: its reason code, the figure, the face's value, the limit."""

    code: str
    figure: str
    value: float
    limit: float

    def __str__(self) -> str:
        return f"{self.code} ({self.figure} {self.value:.4g}, limit {self.limit:g})"


class LowQuality(FaceError):
    code = "LOW_QUALITY"
    title = "Face quality too low"

    def __init__(self, gate: str, failures: list[QualityFailure]) -> None:
        super().__init__(f"the face fails the {gate} quality gate: {', '.join(map(str, failures))}")
        self.failures = failures


class ConfigurationError(FacegateError):
    code = "CONFIGURATION_ERROR"
    title = "Configuration error"


class ModelNotFound(ConfigurationError):
    code = "MODEL_NOT_FOUND"
    title = "Model not found"
    status = 404


class ProviderUnavailable(ConfigurationError):
    code = "PROVIDER_UNAVAILABLE"
    title = "Execution provider unavailable"


class SealingError(ConfigurationError):
    """Raised by app/store/sealing.py."""

    code = "SEALING_ERROR"
    title = "Stored embeddings cannot be opened"


class TooManyImages(FacegateError):
    code = "TOO_MANY_IMAGES"
    title = "Too many images"
    status = 413


class InvalidImport(FacegateError):
    code = "INVALID_IMPORT"
    title = "Import file not accepted"
    status = 422


class InvalidSubjectId(FacegateError):
    """Refused at enroll: an id the API could not put in a URL would make a subject that can never be fetched or
    deleted."""

    code = "INVALID_SUBJECT_ID"
    title = "Invalid subject id"
    status = 400


class InvalidMetadata(FacegateError):
    """Metadata over its size or depth limit, or holding what a database would not store as given (NaN,
    Infinity, U+0000)."""

    code = "INVALID_METADATA"
    title = "Invalid metadata"
    status = 422
