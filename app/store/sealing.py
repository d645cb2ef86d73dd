"""Encryption at rest of stored embeddings: AES-256-GCM, one random nonce per vector, the face id as associated
data (a sealed vector copied onto another row no longer opens).

A sealed blob is `version (1 byte) | nonce (12) | ciphertext + tag (16)`. The store seals on write and opens on
read, so nothing above it sees the difference; what it costs is that the database cannot search sealed vectors
(see docs/security.md): search then runs in process, after decryption.
"""

from __future__ import annotations

import base64
import binascii
import os

import numpy as np
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.errors import SealingError

FORMAT_VERSION = 1
NONCE_BYTES = 12


class Sealer:
    """Seals and opens embeddings with one AES-256-GCM key."""

    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise SealingError(f"the embedding key must be 32 bytes, got {len(key)}")
        self._aead = AESGCM(key)

    @classmethod
    def from_base64(cls, text: str) -> Sealer:
        try:
            return cls(base64.b64decode(text, validate=True))
        except binascii.Error as exc:
            raise SealingError("the embedding key is not valid base64") from exc

    def seal(self, vector: np.ndarray, face_id: str) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        plain = np.asarray(vector, dtype="<f4").tobytes()
        return bytes([FORMAT_VERSION]) + nonce + self._aead.encrypt(nonce, plain, face_id.encode())

    def open(self, blob: bytes, face_id: str) -> np.ndarray:
        if not blob or blob[0] != FORMAT_VERSION:
            raise SealingError(f"face {face_id}: unknown sealed-embedding format")
        nonce, sealed = blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:]
        try:
            plain = self._aead.decrypt(nonce, sealed, face_id.encode())
        except InvalidTag as exc:
            raise SealingError(f"face {face_id}: the embedding key does not open this vector") from exc
        return np.frombuffer(plain, dtype="<f4").astype(np.float32)
