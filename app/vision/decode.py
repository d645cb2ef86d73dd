"""Image bytes → RGB uint8 array, with limits checked before any pixel is decoded.

Pillow reads only the header on `Image.open`, so the byte limit, the format and the pixel limit are all
checked before the expensive `load`. EXIF orientation is applied (phones store portraits sideways); grayscale,
palette, alpha, 16-bit and CMYK images all come out as 8-bit RGB.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from app.errors import ImageDecodeFailed, ImageTooLarge, UnsupportedMediaType

# MPO is the multi-picture JPEG many cameras write; its first frame is a plain JPEG.
SUPPORTED_FORMATS = frozenset({"JPEG", "MPO", "PNG", "WEBP", "BMP"})
_SIXTEEN_BIT_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I"})


@dataclass(frozen=True, slots=True)
class DecodeLimits:
    max_bytes: int
    max_pixels: int


def _open(data: bytes, limits: DecodeLimits) -> Image.Image:
    if not data:
        raise ImageDecodeFailed("the image is empty (0 bytes)")
    if len(data) > limits.max_bytes:
        raise ImageTooLarge(f"the image is {len(data)} bytes; the limit is {limits.max_bytes}")
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
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageDecodeFailed(f"the image has no pixels ({width}x{height})")
    if width * height > limits.max_pixels:
        raise ImageTooLarge(
            f"the image is {width}x{height} = {width * height} pixels; the limit is {limits.max_pixels}"
        )
    return image


def _to_rgb(image: Image.Image) -> np.ndarray:
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
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))


def decode_image(data: bytes, limits: DecodeLimits) -> np.ndarray:
    """Decode `data` into an HxWx3 RGB uint8 array, or raise an `InvalidImage` subclass."""
    image = _open(data, limits)
    try:
        image.load()
        image = ImageOps.exif_transpose(image)
        return _to_rgb(image)
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise ImageDecodeFailed(f"the image data is truncated or corrupt: {exc}") from exc
    finally:
        image.close()
