"""Decoding: every accepted format and mode becomes 8-bit RGB; everything else is a typed error."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from app.errors import ImageDecodeFailed, ImageTooLarge, UnsupportedMediaType
from app.vision.decode import DecodeLimits, decode_image

LIMITS = DecodeLimits(max_bytes=10 * 1024 * 1024, max_pixels=40_000_000)


def _gradient(width: int = 64, height: int = 48) -> np.ndarray:
    y, x = np.mgrid[0:height, 0:width]
    return np.stack([x * 4 % 256, y * 5 % 256, (x + y) % 256], axis=2).astype(np.uint8)


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "WEBP"])
def test_lossless_formats_round_trip(fmt: str) -> None:
    pixels = _gradient()
    options = {"lossless": True} if fmt == "WEBP" else {}
    decoded = decode_image(_encode(Image.fromarray(pixels), fmt, **options), LIMITS)
    assert decoded.dtype == np.uint8
    np.testing.assert_array_equal(decoded, pixels)


def test_jpeg_decodes_close_to_source() -> None:
    pixels = _gradient()
    decoded = decode_image(_encode(Image.fromarray(pixels), "JPEG", quality=95), LIMITS)
    assert decoded.shape == pixels.shape
    assert np.abs(decoded.astype(int) - pixels).mean() < 4


def test_exif_orientation_is_applied() -> None:
    pixels = _gradient(64, 48)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90° clockwise to display
    data = _encode(Image.fromarray(pixels), "JPEG", quality=95, exif=exif.tobytes())
    decoded = decode_image(data, LIMITS)
    assert decoded.shape == (64, 48, 3)
    expected = np.rot90(pixels, k=-1)
    assert np.abs(decoded.astype(int) - expected).mean() < 4


def test_grayscale_becomes_rgb() -> None:
    gray = _gradient()[:, :, 0]
    decoded = decode_image(_encode(Image.fromarray(gray, "L"), "PNG"), LIMITS)
    assert decoded.shape == (*gray.shape, 3)
    for channel in range(3):
        np.testing.assert_array_equal(decoded[:, :, channel], gray)


def test_sixteen_bit_png_is_scaled_not_clipped() -> None:
    wide = (np.arange(48 * 64, dtype=np.uint32).reshape(48, 64) * 21).astype(np.uint16)
    decoded = decode_image(_encode(Image.fromarray(wide), "PNG"), LIMITS)
    expected = np.round(wide / 257.0).astype(np.uint8)
    assert np.abs(decoded[:, :, 0].astype(int) - expected).max() <= 1
    assert decoded.max() > 200  # a clipping conversion would saturate nearly everything at 255
    assert (decoded == 255).mean() < 0.05


def test_alpha_is_composited_on_white() -> None:
    rgba = np.zeros((8, 8, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:4, :, 3] = 255  # top half opaque red, bottom half fully transparent
    decoded = decode_image(_encode(Image.fromarray(rgba, "RGBA"), "PNG"), LIMITS)
    np.testing.assert_array_equal(decoded[0, 0], [200, 0, 0])
    np.testing.assert_array_equal(decoded[7, 7], [255, 255, 255])


def test_cmyk_jpeg_becomes_rgb() -> None:
    cmyk = Image.fromarray(_gradient()).convert("CMYK")
    decoded = decode_image(_encode(cmyk, "JPEG", quality=95), LIMITS)
    assert decoded.shape == (48, 64, 3)
    assert np.abs(decoded.astype(int) - _gradient()).mean() < 8


def test_empty_bytes() -> None:
    with pytest.raises(ImageDecodeFailed):
        decode_image(b"", LIMITS)


def test_not_an_image() -> None:
    with pytest.raises(UnsupportedMediaType):
        decode_image(b"%PDF-1.7 this is not a picture" * 10, LIMITS)


def test_gif_is_not_accepted() -> None:
    with pytest.raises(UnsupportedMediaType, match="GIF"):
        decode_image(_encode(Image.fromarray(_gradient()), "GIF"), LIMITS)


def test_truncated_jpeg() -> None:
    data = _encode(Image.fromarray(_gradient(256, 256)), "JPEG", quality=90)
    with pytest.raises(ImageDecodeFailed):
        decode_image(data[: len(data) // 2], LIMITS)


def test_byte_limit_is_checked_first() -> None:
    with pytest.raises(ImageTooLarge, match="bytes"):
        decode_image(b"\xff" * 101, DecodeLimits(max_bytes=100, max_pixels=10))


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height but holds no pixel data: only the header can be read."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


@pytest.mark.parametrize(("width", "height"), [(20_000, 20_000), (8_000, 6_000)])
def test_pixel_limit_is_checked_from_the_header(width: int, height: int) -> None:
    with pytest.raises(ImageTooLarge, match="pixels"):
        decode_image(_png_header_only(width, height), LIMITS)
