"""Image bytes → RGB uint8 array, with limits checked before any pixel is decoded.

Pillow reads only the header on `Image.open`, so the byte limit, the format, the geometry (shortest side,
aspect ratio, pixels) and the memory the decode will take are all checked before the expensive `load`. The
memory limit exists because pixels alone do not bound it: a 76 KB PNG of 1 x 40,000,000 1-bit pixels passed
the pixel limit and cost 2.3 s and ~830 MB. JPEGs far larger than the pipeline needs are decoded at a reduced
scale (`Image.draft`), which bounds their cost whatever their size. EXIF orientation is applied (phones store
portraits sideways); grayscale, palette, alpha, 16-bit and CMYK images all come out as 8-bit RGB.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from app.config import LimitSettings
from app.errors import ImageDecodeFailed, ImageTooLarge, InvalidImage, UnsupportedMediaType

# MPO is the multi-picture JPEG many cameras write; its first frame is a plain JPEG.
SUPPORTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "BMP"})
_DRAFT_FORMATS = frozenset({"JPEG", "MPO"})
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I"})
# Bytes a pixel takes in Pillow's own storage: 1, L and P one, the 16-bit modes two, every other mode four
# (RGB is stored as RGBX).
_PILLOW_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
# Rows are converted to RGB a strip of about this many bytes at a time, so conversions and Pillow's
# `tobytes` (which holds its output twice) cost a strip, not a second and third copy of the image.
_STRIP_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    """The `LimitSettings` the decoder enforces (see app/config.py for each one's origin)."""

    max_bytes: int
    max_pixels: int
    max_decoded_bytes: int
    min_side: int
    max_aspect_ratio: float
    jpeg_draft_side: int

    @classmethod
    def from_settings(cls, limits: LimitSettings) -> DecodeLimits:
        return cls(limits.max_image_bytes, limits.max_image_pixels, limits.max_decoded_bytes,
                   limits.min_image_side, limits.max_aspect_ratio, limits.jpeg_draft_side)


def decoded_bytes(width: int, height: int, mode: str) -> int:
    """Peak memory of decoding a `mode` image of width x height: Pillow's pixels and the RGB array together,
    or two copies of Pillow's pixels while an EXIF rotation runs, whichever is more."""
    pillow = _PILLOW_PIXEL_BYTES.get(mode, 4)
    return width * height * max(pillow + 3, 2 * pillow)


def _check_geometry(width: int, height: int, limits: DecodeLimits) -> None:
    if width < 1 or height < 1:
        raise ImageDecodeFailed(f"the image has no pixels ({width}x{height})")
    if max(width, height) / min(width, height) > limits.max_aspect_ratio:
        raise ImageTooLarge(f"the image is {width}x{height}; the aspect ratio limit (max_aspect_ratio) is "
                            f"{limits.max_aspect_ratio:g}:1")
    if min(width, height) < limits.min_side:
        # Too small is not too large: the plain 422 of the family, not 413.
        raise InvalidImage(f"the image is {width}x{height}; the shortest side must be at least "
                           f"{limits.min_side} px (min_image_side)")
    if width * height > limits.max_pixels:
        raise ImageTooLarge(f"the image is {width}x{height} = {width * height} pixels; the limit "
                            f"(max_image_pixels) is {limits.max_pixels}")


def _draft(image: Image.Image, side: int) -> None:
    """Ask the JPEG decoder for the smallest 1/2, 1/4 or 1/8 scale whose long side stays at least `side`.

    The requested size keeps the aspect ratio: Pillow picks the scale from the smaller of the two ratios, so a
    square request would leave a 3:2 photo at full size.
    """
    width, height = image.size
    long_side = max(width, height)
    if image.format in _DRAFT_FORMATS and long_side >= 2 * side:
        image.draft(None, (math.ceil(width * side / long_side), math.ceil(height * side / long_side)))


def _open(data: bytes, limits: DecodeLimits) -> Image.Image:
    if not data:
        raise ImageDecodeFailed("the image is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise ImageTooLarge(f"the image is {len(data)} bytes; the limit (max_image_bytes) is {limits.max_bytes}")
    try:
        with warnings.catch_warnings():
            # Pillow's own bomb warning is redundant: our pixel limit is checked just below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageTooLarge(f"the image has too many pixels; the limit is {limits.max_pixels}") from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaType("not an image in a supported format (JPEG, PNG, WebP, BMP)") from exc
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageDecodeFailed(f"the image header could not be read: {exc}") from exc
    if image.format not in SUPPORTED_FORMATS:
        raise UnsupportedMediaType(f"{image.format} images are not accepted; use JPEG, PNG, WebP or BMP")
    _check_geometry(*image.size, limits)
    _draft(image, limits.jpeg_draft_side)
    cost = decoded_bytes(*image.size, image.mode)
    if cost > limits.max_decoded_bytes:
        width, height = image.size
        raise ImageTooLarge(f"decoding the {width}x{height} {image.mode} image would take {cost} bytes; the limit "
                            f"(max_decoded_bytes) is {limits.max_decoded_bytes}")
    return image


def _strip_to_rgb(image: Image.Image) -> np.ndarray:
    if image.mode in _SIXTEEN_BIT_MODES:
        # 16-bit grayscale (PNG): Pillow's convert("L") clips at 255 instead of scaling.
        wide = np.asarray(image, dtype=np.float32)
        gray = np.clip(wide / 257.0 + 0.5, 0, 255).astype(np.uint8)
        return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))
    if image.mode in {"RGBA", "LA", "PA"} or (image.mode == "P" and "transparency" in image.info):
        # Transparent pixels carry arbitrary colours; put them on white, as a viewer shows them.
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.asarray(image, dtype=np.uint8)


def _to_rgb(image: Image.Image) -> np.ndarray:
    """The RGB array, filled a strip of rows at a time (every conversion is per pixel, so strips are exact)."""
    width, height = image.size
    rgb = np.empty((height, width, 3), np.uint8)
    rows = max(1, _STRIP_BYTES // (4 * width))
    for top in range(0, height, rows):
        bottom = min(height, top + rows)
        rgb[top:bottom] = _strip_to_rgb(image.crop((0, top, width, bottom)))
    return rgb


def decode_image(data: bytes, limits: DecodeLimits) -> np.ndarray:
    """Decode `data` into an HxWx3 RGB uint8 array, or raise an `InvalidImage` subclass."""
    image = _open(data, limits)
    try:
        image.load()
        # In place: without an orientation tag, exif_transpose would otherwise return a full copy.
        ImageOps.exif_transpose(image, in_place=True)
        return _to_rgb(image)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageDecodeFailed(f"the image data is truncated or corrupt: {exc}") from exc
    finally:
        image.close()
