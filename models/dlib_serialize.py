"""Reader for dlib's binary serialization primitives (`dlib/serialize.h`, `dlib/cuda/tensor.h`).

dlib writes its models as a plain stream of primitives with no schema, so the reader must know what comes
next. This module only decodes the primitives; `models.dlib_resnet` knows the order they come in.

Encodings:
- integer: a control byte whose low nibble is the number of magnitude bytes that follow (little-endian) and
  whose bit 0x80 marks a negative value; zero is a control byte of 0 with no bytes.
- bool: one ASCII byte, `'1'` or `'0'`.
- float: two integers, mantissa and exponent, with value = mantissa * 2**exponent (dlib's `float_details`).
- string: an integer length, then that many bytes.
- tensor: version integer 2, then the integers n, k, nr, nc, then n*k*nr*nc little-endian float32.
"""

from __future__ import annotations

import math

import numpy as np

# dlib's float_details marks non-finite values with these (int16) exponents; mantissa tells them apart.
_EXP_INFINITY = 32767  # std::numeric_limits<int16>::max()
_EXP_NAN = 32766


class DlibFormatError(ValueError):
    """The buffer is not what the reader was told to expect; the message says what and where."""


class DlibReader:
    """Sequential reader over a bytes buffer holding dlib-serialized data."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self.pos = 0

    @property
    def remaining(self) -> int:
        return len(self._data) - self.pos

    def _take(self, count: int, what: str) -> memoryview:
        if count < 0 or count > self.remaining:
            raise DlibFormatError(
                f"{what} at offset {self.pos}: needs {count} bytes, only {self.remaining} left"
            )
        chunk = self._data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def read_int(self) -> int:
        """Read one integer of any width (dlib uses the same encoding for every integer type)."""
        start = self.pos
        control = self._take(1, "integer control byte")[0]
        size = control & 0x0F
        if control & 0x70 or size > 8:
            raise DlibFormatError(f"integer at offset {start}: invalid control byte 0x{control:02x}")
        value = int.from_bytes(self._take(size, "integer bytes"), "little")
        return -value if control & 0x80 else value

    def read_bool(self) -> bool:
        start = self.pos
        byte = bytes(self._take(1, "bool"))
        if byte not in (b"0", b"1"):
            raise DlibFormatError(f"bool at offset {start}: expected '0' or '1', found {byte!r}")
        return byte == b"1"

    def read_float(self) -> float:
        """Read a float stored as mantissa * 2**exponent; exact for every float dlib can write."""
        mantissa, exponent = self.read_int(), self.read_int()
        if exponent == _EXP_INFINITY:
            return math.inf if mantissa > 0 else -math.inf
        if exponent == _EXP_NAN:
            return math.nan
        return math.ldexp(mantissa, exponent)

    def read_string(self) -> str:
        start = self.pos
        length = self.read_int()
        raw = bytes(self._take(length, "string bytes"))
        try:
            return raw.decode("ascii")
        except UnicodeDecodeError as exc:
            raise DlibFormatError(f"string at offset {start}: not ASCII: {raw[:40]!r}") from exc

    def expect_string(self, expected: str) -> None:
        """Read a string and fail unless it is `expected` (dlib tags each object with its type name)."""
        start = self.pos
        found = self.read_string()
        if found != expected:
            raise DlibFormatError(f"offset {start}: expected {expected!r}, found {found!r}")

    def expect_int(self, expected: int, what: str) -> None:
        start = self.pos
        found = self.read_int()
        if found != expected:
            raise DlibFormatError(f"{what} at offset {start}: expected {expected}, found {found}")

    def read_tensor(self) -> np.ndarray:
        """Read a dlib tensor as a float32 array of shape (n, k, nr, nc)."""
        self.expect_int(2, "tensor version")
        start = self.pos
        shape = tuple(self.read_int() for _ in range(4))
        if any(dim < 0 for dim in shape):
            raise DlibFormatError(f"tensor at offset {start}: negative dimension in {shape}")
        count = math.prod(shape)
        raw = self._take(4 * count, f"tensor {shape} data")
        return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)
