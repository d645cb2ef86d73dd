"""A labelled folder of photos: one subfolder per person, its name the subject id, the photos inside it.

Shared by `enroll` and `evaluate`, so both read the same layout the same way. Files with other extensions
(and hidden files, such as the enroll state file) are ignored; order is sorted, so runs are repeatable.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from facegate_client.types import File

from facegate_cli.connection import CliError

MIME_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".webp": "image/webp",
              ".bmp": "image/bmp"}


@dataclass(frozen=True)
class Photo:
    path: Path
    person: str  # the subfolder's name
    sha256: str

    def file(self) -> File:
        """The photo as a multipart part, read now: build one per attempt, a sent part is consumed."""
        return image_file(self.path)

    def shown(self, root: Path) -> str:
        """The path as the user knows it: relative to the folder they named."""
        try:
            return str(self.path.relative_to(root))
        except ValueError:
            return str(self.path)


def image_file(path: Path) -> File:
    """Any photo as a multipart part. The server decodes what the bytes are, whatever the part's type says, so an
    unknown extension is sent as octet-stream rather than refused here."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror}") from None
    return File(payload=io.BytesIO(data), file_name=path.name,
                mime_type=MIME_TYPES.get(path.suffix.lower(), "application/octet-stream"))


def sha256_of(path: Path) -> str:
    """The digest the server records for an enrolled image (`image_sha256`): of the file's bytes as sent."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def labelled_photos(root: Path) -> list[Photo]:
    """Every photo of a labelled folder, person by person; a CliError if there is none."""
    if not root.is_dir():
        raise CliError(f"{root} is not a folder")
    photos = [Photo(path, folder.name, sha256_of(path))
              for folder in sorted(root.iterdir()) if folder.is_dir() and not folder.name.startswith(".")
              for path in sorted(folder.iterdir())
              if path.is_file() and not path.name.startswith(".") and path.suffix.lower() in MIME_TYPES]
    if not photos:
        raise CliError(f"no photos in {root}: it needs one subfolder per person, named by their subject id, "
                       f"with {', '.join(sorted(MIME_TYPES))} files inside")
    return photos
