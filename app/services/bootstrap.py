"""First-start secrets: the pepper for key hashes and, on a database without keys, an admin key in a file.

Both files are created owner-only (0600) with O_EXCL, so two processes starting at once cannot both write one:
the loser reads what the winner wrote. The admin key's path is logged, never the key.
"""

from __future__ import annotations

import logging
import os
import secrets
import time
from pathlib import Path

from app.errors import ConfigurationError
from app.services.audit import COMMAND_LINE
from app.services.keys import KeyService, Scope

log = logging.getLogger(__name__)

PEPPER_BYTES = 32
# A concurrent first start may have created the file but not yet written it.
_READ_TRIES, _READ_PAUSE_S = 50, 0.02


def write_private(path: Path, text: str) -> bool:
    """Create `path` readable by its owner only; False if it already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    return True


def read_private(path: Path) -> str:
    for _ in range(_READ_TRIES):
        text = path.read_text().strip()
        if text:
            return text
        time.sleep(_READ_PAUSE_S)
    raise ConfigurationError(f"{path} is empty")


def load_pepper(configured: str | None, path: Path) -> bytes:
    """The configured pepper, else the one in `path`, created on first start."""
    if configured:
        if len(configured) < 16:
            raise ConfigurationError("FACEGATE_AUTH__PEPPER must be at least 16 characters")
        return configured.encode()
    if write_private(path, secrets.token_urlsafe(PEPPER_BYTES)):
        log.info("created the key-hash pepper in %s (replicas must share it: FACEGATE_AUTH__PEPPER)", path)
    return read_private(path).encode()


def ensure_admin_key(keys: KeyService, path: Path) -> None:
    """On a database that never had a key, issue an admin key and write it to `path` (owner-only)."""
    if keys.any_issued():
        return
    if path.exists():
        log.warning("no API key in the database, but %s exists: remove it to have a new admin key made, or set "
                    "FACEGATE_ADMIN_KEY", path)
        return
    issued = keys.issue(COMMAND_LINE, name="bootstrap admin", scopes=[Scope.ADMIN], galleries=None)
    if write_private(path, issued.secret):
        log.warning("created an admin API key; it is in %s (readable by its owner only). Use it to create "
                    "narrower keys, then keep it safe or revoke it", path)
    else:  # another process won the race: keep its key, revoke ours
        keys.revoke(COMMAND_LINE, issued.key.id)
