"""dlib's serialization primitives, decoded from bytes written out by hand from `dlib/serialize.h`."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from models.dlib_serialize import DlibFormatError, DlibReader


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x00", 0),
        (b"\x01\x00", 0),  # dlib itself writes zero with one magnitude byte
        (b"\x01\x96", 150),
        (b"\x02\x2c\x01", 300),
        (b"\x03\x80\x12\x00", 0x1280),
        (b"\x81\x05", -5),
        (b"\x82\x00\x01", -256),
        (b"\x88" + (2**63).to_bytes(8, "little"), -(2**63)),
    ],
)
def test_read_int(data: bytes, expected: int) -> None:
    reader = DlibReader(data)
    assert reader.read_int() == expected
    assert reader.pos == len(data)
    assert reader.remaining == 0


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x01\x10\x81\x04", 1.0),  # 16 * 2**-4
        (b"\x81\x03\x81\x02", -0.75),  # -3 * 2**-2
        (b"\x01\x03\x01\x02", 12.0),  # 3 * 2**2
        (b"\x03\x0a\xd7\xa3\x81\x1c", 0xA3D70A * 2.0**-28),  # loss_metric's margin, 0.04 as a float32
        (b"\x01\x00\x01\x0b", 0.0),
    ],
)
def test_read_float(data: bytes, expected: float) -> None:
    reader = DlibReader(data)
    assert reader.read_float() == expected
    assert reader.remaining == 0


def test_read_string_bool_and_sequence_positions() -> None:
    reader = DlibReader(b"\x01\x05con_4" + b"10" + b"\x81\x07")
    assert reader.read_string() == "con_4"
    assert reader.pos == 7
    assert reader.read_bool() is True
    assert reader.read_bool() is False
    assert reader.read_int() == -7
    assert reader.remaining == 0


def test_read_tensor() -> None:
    values = [1.5, -2.25, 0.0, 3.0e-5, 7.0, -1.0]
    data = b"\x01\x02" + b"\x01\x01\x01\x02\x01\x03\x01\x01" + struct.pack("<6f", *values)
    tensor = DlibReader(data).read_tensor()
    assert tensor.shape == (1, 2, 3, 1)
    assert tensor.dtype == np.float32
    np.testing.assert_array_equal(tensor.ravel(), np.array(values, dtype=np.float32))


def test_read_empty_tensor() -> None:
    reader = DlibReader(b"\x01\x02" + b"\x01\x00" * 4)
    assert reader.read_tensor().shape == (0, 0, 0, 0)
    assert reader.remaining == 0


def test_expect_helpers() -> None:
    reader = DlibReader(b"\x01\x07affine_\x01\x02")
    reader.expect_string("affine_")
    reader.expect_int(2, "version")
    with pytest.raises(DlibFormatError, match=r"offset 0: expected 'relu_', found 'affine_'"):
        DlibReader(b"\x01\x07affine_").expect_string("relu_")
    with pytest.raises(DlibFormatError, match=r"version at offset 0: expected 3, found 2"):
        DlibReader(b"\x01\x02").expect_int(3, "version")


@pytest.mark.parametrize(
    ("data", "read", "message"),
    [
        (b"", "read_int", r"integer control byte at offset 0: needs 1 bytes, only 0 left"),
        (b"\x02\x01", "read_int", r"integer bytes at offset 1: needs 2 bytes, only 1 left"),
        (b"\x30", "read_int", r"integer at offset 0: invalid control byte 0x30"),
        (b"\x09" + b"\x00" * 9, "read_int", r"invalid control byte 0x09"),
        (b"x", "read_bool", r"bool at offset 0: expected '0' or '1'"),
        (b"\x01\x05abc", "read_string", r"string bytes at offset 2: needs 5 bytes, only 3 left"),
        (b"\x01\x01", "read_tensor", r"tensor version at offset 0: expected 2, found 1"),
        (b"\x01\x02\x81\x01\x01\x01\x01\x01\x01\x01", "read_tensor", r"negative dimension"),
        (b"\x01\x02\x01\x01\x01\x01\x01\x01\x01\x02\x00\x00", "read_tensor", r"needs 8 bytes, only 2 left"),
    ],
)
def test_malformed_data_raises_with_position(data: bytes, read: str, message: str) -> None:
    with pytest.raises(DlibFormatError, match=message):
        getattr(DlibReader(data), read)()
