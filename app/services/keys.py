"""API keys: issue, authenticate, list, revoke.

A key reads `fg_<id>_<secret>`: `id` (10 characters) is public and finds the row; the secret (43 characters,
256 random bits) is never stored, only HMAC-SHA-256(pepper, key). The pepper lives outside the database, so a
copy of the database alone cannot even check a guess. Every authentication reads the key's row, so a revocation
holds in every process the moment it is committed; hashes are compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session, sessionmaker

from app.errors import KeyNotFound, Unauthenticated
from app.services import audit
from app.services.audit import Actor
from app.store import api_keys as store
from app.store.orm import ApiKey, utcnow

_KEY = re.compile(r"^fg_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$")
ENV_ADMIN_ID = "env-admin"


class Scope(StrEnum):
    """What a key may do: `admin` implies every other scope."""

    ENROLL = "enroll"
    VERIFY = "verify"
    IDENTIFY = "identify"
    SUBJECTS_READ = "subjects:read"
    SUBJECTS_WRITE = "subjects:write"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """What the presented key may do. `admin` implies every scope and every gallery."""

    key_id: str | None
    scopes: frozenset[Scope]
    galleries: frozenset[str] | None  # None: every gallery

    def allows(self, scope: Scope) -> bool:
        return Scope.ADMIN in self.scopes or scope in self.scopes

    def may_touch(self, gallery: str) -> bool:
        return self.galleries is None or gallery in self.galleries


# With authentication switched off (local experiments only), every caller is this.
ANYONE = Principal(None, frozenset({Scope.ADMIN}), None)


@dataclass(frozen=True)
class KeyView:
    id: str
    name: str
    scopes: list[str]
    galleries: list[str] | None
    created_at: datetime
    created_by: str | None
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyView:
        return cls(key.id, key.name, list(key.scopes), None if key.galleries is None else list(key.galleries),
                   key.created_at, key.created_by, key.last_used_at, key.expires_at, key.revoked_at)


@dataclass(frozen=True)
class IssuedKey:
    key: KeyView
    secret: str  # shown once, to whoever created it


class KeyService:
    def __init__(self, sessions: sessionmaker[Session], pepper: bytes, *, admin_secret: str | None = None,
                 touch_every_s: float = 60.0) -> None:
        self._sessions = sessions
        self._pepper = pepper
        self._admin_hash = self._hash(admin_secret) if admin_secret else None
        self._touch_every = timedelta(seconds=touch_every_s)

    def _hash(self, secret: str) -> str:
        return hmac.new(self._pepper, secret.encode(), hashlib.sha256).hexdigest()

    def authenticate(self, token: str) -> Principal:
        """The key's principal; `Unauthenticated` for anything else, saying no more than needed."""
        digest = self._hash(token)
        if self._admin_hash is not None and hmac.compare_digest(digest, self._admin_hash):
            return Principal(ENV_ADMIN_ID, frozenset({Scope.ADMIN}), None)
        parsed = _KEY.match(token)
        if parsed is None:
            raise Unauthenticated("the API key is not valid", invalid=True)
        with self._sessions() as session:
            key = store.get_key(session, parsed.group(1))
            if key is None or not hmac.compare_digest(digest, key.secret_hash):
                raise Unauthenticated("the API key is not valid", invalid=True)
            now = utcnow()
            if key.revoked_at is not None:
                raise Unauthenticated("the API key was revoked", invalid=True)
            if key.expires_at is not None and key.expires_at <= now:
                raise Unauthenticated("the API key has expired", invalid=True)
            if key.last_used_at is None or now - key.last_used_at >= self._touch_every:
                store.touch_key(session, key.id, now)
                session.commit()
            galleries = None if key.galleries is None or Scope.ADMIN in key.scopes else frozenset(key.galleries)
            return Principal(key.id, frozenset(Scope(scope) for scope in key.scopes), galleries)

    def issue(self, actor: Actor, *, name: str, scopes: Iterable[Scope], galleries: Iterable[str] | None,
              expires_at: datetime | None = None) -> IssuedKey:
        """A new key; the secret is returned here and never again."""
        key_id = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(10))
        secret = f"fg_{key_id}_{secrets.token_urlsafe(32)}"
        chosen = sorted({Scope(scope) for scope in scopes})
        with self._sessions.begin() as session:
            key = store.add_key(session, ApiKey(
                id=key_id, name=name, secret_hash=self._hash(secret), scopes=[str(s) for s in chosen],
                galleries=None if galleries is None or Scope.ADMIN in chosen else sorted(set(galleries)),
                created_at=utcnow(), created_by=actor.key_id, expires_at=expires_at))
            audit.record(session, actor, "key.create", details={"key_id": key_id, "name": name,
                                                                  "scopes": key.scopes, "galleries": key.galleries})
            return IssuedKey(KeyView.of(key), secret)

    def list(self, *, include_revoked: bool = False) -> list[KeyView]:
        with self._sessions() as session:
            return [KeyView.of(key) for key in store.list_keys(session, include_revoked=include_revoked)]

    def revoke(self, actor: Actor, key_id: str) -> KeyView:
        """Revoke now; revoking a revoked key changes nothing and says when it was revoked."""
        with self._sessions.begin() as session:
            key = store.get_key(session, key_id)
            if key is None:
                raise KeyNotFound(f"no API key {key_id!r}")
            if key.revoked_at is None:
                key.revoked_at = utcnow()
                audit.record(session, actor, "key.revoke", details={"key_id": key_id, "name": key.name})
            session.flush()
            return KeyView.of(key)

    def any_issued(self) -> bool:
        with self._sessions() as session:
            return store.count_keys(session) > 0
