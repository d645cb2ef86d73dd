"""Decoding: every accepted format and mode becomes 8-bit RGB; everything else is a typed error."""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from app.config import LimitSettings
from app.errors import ImageDecodeFailed, ImageTooLarge, InvalidImage, UnsupportedMediaType
from app.vision.decode import DecodeLimits, decode_image, decoded_bytes

LIMITS = DecodeLimits.from_settings(LimitSettings())


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
    rgba = np.zeros((40, 40, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:20, :, 3] = 255  # top half opaque red, bottom half fully transparent
    decoded = decode_image(_encode(Image.fromarray(rgba, "RGBA"), "PNG"), LIMITS)
    np.testing.assert_array_equal(decoded[0, 0], [200, 0, 0])
    np.testing.assert_array_equal(decoded[39, 39], [255, 255, 255])


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
        decode_image(b"\xff" * 101, replace(LIMITS, max_bytes=100, max_pixels=10))


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


def _png_header(width: int, height: int, bit_depth: int, colour_type: int) -> bytes:
    """A header-only PNG of any bit depth and colour type (0 = grey, 2 = RGB)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_one_pixel_high_bomb_is_refused_from_the_header() -> None:
    # The hostile run's 76 KB PNG: 1 x 40,000,000 1-bit pixels, inside the pixel limit, cost 2.3 s and 830 MB.
    with pytest.raises(ImageTooLarge, match=r"40000000x1; the aspect ratio limit \(max_aspect_ratio\) is 8:1"):
        decode_image(_png_header(40_000_000, 1, 1, 0), LIMITS)


def test_memory_limit_counts_bytes_not_pixels() -> None:
    # Same 24 Mpx: RGB costs 8 bytes a pixel (192 MB, over 128 MiB), 1-bit grey 4 (96 MB, allowed, so this
    # header-only file gets as far as decoding its missing pixels).
    limit = r"would take 192000000 bytes; the limit \(max_decoded_bytes\) is 134217728"
    with pytest.raises(ImageTooLarge, match=limit):
        decode_image(_png_header(6000, 4000, 8, 2), LIMITS)
    with pytest.raises(ImageDecodeFailed):
        decode_image(_png_header(6000, 4000, 1, 0), LIMITS)


def test_decoded_bytes_estimate() -> None:
    assert decoded_bytes(4096, 4096, "RGB") == 128 * 1024 * 1024
    assert decoded_bytes(100, 10, "1") == 4000
    assert decoded_bytes(100, 10, "I;16") == 5000


def test_tiny_image_is_invalid_not_too_large() -> None:
    with pytest.raises(InvalidImage, match=r"at least 36 px \(min_image_side\)") as caught:
        decode_image(_encode(Image.fromarray(_gradient(64, 20)), "PNG"), LIMITS)
    assert type(caught.value) is InvalidImage


@pytest.mark.parametrize(("size", "decoded"), [((4100, 2000), (1000, 2050)), ((2000, 9000), (2250, 500)),
                                               ((4000, 3000), (3000, 4000))])
def test_large_jpeg_is_decoded_at_draft_scale(size: tuple[int, int], decoded: tuple[int, int]) -> None:
    # Draft scales are 1/2, 1/4, 1/8, chosen so the long side stays at least jpeg_draft_side (2048); a photo
    # under twice that is decoded whole.
    data = _encode(Image.new("RGB", size, (120, 90, 60)), "JPEG", quality=80)
    image = decode_image(data, LIMITS)
    assert image.shape == (*decoded, 3)
    assert max(image.shape) >= LIMITS.jpeg_draft_side


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "P", "1"])
def test_strip_conversion_equals_whole_image_conversion(mode: str) -> None:
    # 2000 rows of 1000 px are converted in 8 strips; every conversion is per pixel, so strips change nothing.
    rng = np.random.default_rng(7)
    source = Image.fromarray(rng.integers(0, 256, (2000, 1000, 4), dtype=np.uint8), "RGBA")
    image = source if mode == "RGBA" else source.convert(mode)
    options = {"transparency": 3} if mode == "P" else {}
    data = _encode(image, "PNG", **options)
    reference = Image.open(io.BytesIO(data))
    if reference.mode in {"RGBA", "P"}:
        reference = Image.alpha_composite(Image.new("RGBA", reference.size, "white"), reference.convert("RGBA"))
    np.testing.assert_array_equal(decode_image(data, LIMITS), np.asarray(reference.convert("RGB")))


def test_real_photos_decode_exactly_as_before(reference_photos: list[Path]) -> None:
    # Byte-identical pixels for real photos, so their detections and embeddings are unchanged too.
    for path in reference_photos:
        expected = np.asarray(ImageOps.exif_transpose(Image.open(path)).convert("RGB"))
        np.testing.assert_array_equal(decode_image(path.read_bytes(), LIMITS), expected)
