"""What a subject may carry, so that whatever is stored can be read back: by URL, and from either database.

- A subject id goes into URLs (`/v1/subjects/{subject}`), so it is made of characters that need no escaping in
  a path segment and are never `/`; it starts with a letter or digit, so `.` and `..` (which clients and proxies
  resolve away) cannot be ids. Subjects stored before this rule stay readable: only enroll applies it.
- Metadata comes back with every listing, so its size and nesting are bounded. NaN and Infinity are not JSON
  (SQLite keeps them and gives back null), and PostgreSQL refuses U+0000 in JSONB and text (a 500 there).
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from app.config import LimitSettings
from app.errors import InvalidMetadata, InvalidSubjectId

SUBJECT_ID_MAX_LENGTH = 128
SUBJECT_ID_PATTERN = rf"^[A-Za-z0-9][A-Za-z0-9_.:@+-]{{0,{SUBJECT_ID_MAX_LENGTH - 1}}}$"
SUBJECT_ID_RULE = (f"1 to {SUBJECT_ID_MAX_LENGTH} characters: letters, digits and _ . : @ + -, starting with a "
                   "letter or digit")
_SUBJECT_ID = re.compile(SUBJECT_ID_PATTERN)


def check_subject_id(subject: str) -> None:
    # fullmatch: `$` alone would also match before a final newline.
    if not _SUBJECT_ID.fullmatch(subject):
        raise InvalidSubjectId(f"a subject id is {SUBJECT_ID_RULE}, so that it can be used in a URL")


def check_metadata(metadata: dict[str, Any] | None, limits: LimitSettings) -> None:
    if metadata is None:
        return
    _check_value(metadata, 1, limits.max_metadata_depth)
    size = len(json.dumps(metadata, ensure_ascii=False, separators=(",", ":")).encode())
    if size > limits.max_metadata_bytes:
        raise InvalidMetadata(f"metadata is {size} bytes as compact JSON; the limit is {limits.max_metadata_bytes}")


def _check_value(value: Any, depth: int, max_depth: int) -> None:
    """Walks no deeper than `max_depth`, so hostile nesting costs nothing more than the limit."""
    if isinstance(value, dict | list) and depth > max_depth:
        raise InvalidMetadata(f"metadata is nested more than {max_depth} levels deep")
    if isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_value(item, depth + 1, max_depth)
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1, max_depth)
    elif isinstance(value, str):
        _check_text(value)
    elif isinstance(value, float) and not math.isfinite(value):
        raise InvalidMetadata("metadata cannot hold NaN or Infinity: they are not JSON")


def _check_text(text: str) -> None:
    if "\x00" in text:
        raise InvalidMetadata("metadata cannot hold the NUL character (U+0000)")
