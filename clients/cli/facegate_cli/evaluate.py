"""`facegate evaluate DIR`: how the server's model does on the user's own labelled photos.

Exact and cheap: every photo is enrolled once, as a subject of its own, into a scratch gallery; the gallery is
exported (JSON lines with each face's embedding) and every pair is scored here as the cosine of the two stored
embeddings. That is the score `POST /v1/verify` gives the same two photos, because enroll and verify read a
photo through the same pipeline and face selection (app/services/photos.py) and verify scores a pair by the dot
product of the two unit embeddings (app/services/matching.py); `evaluate` checks it on two pairs through
/v1/verify and reports the difference. N photos cost N requests instead of N(N-1)/2 verifies.

The scratch gallery is always deleted afterwards, whatever happened; exporting needs an admin key, which is
checked before anything is enrolled.
"""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from facegate_client import AuthenticatedClient
from facegate_client.api.galleries import delete_gallery
from facegate_client.api.models import list_models
from facegate_client.api.recognition import verify
from facegate_client.models import GalleryDeletion, ModelInfo, ModelList, ProblemCode, VerifyBody, VerifyResult

from facegate_cli.batch import Sent, send_all
from facegate_cli.connection import CliError, Connection, ProblemError, call, expect
from facegate_cli.photos import Photo
from facegate_cli.render import err
from facegate_cli.transfer import export_lines, parse_header

GALLERY_NAME = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")  # the server's gallery rule, less room for the suffix


@dataclass(frozen=True)
class Check:
    """One pair scored both ways: from the exported embeddings, and by /v1/verify."""

    file_a: str
    file_b: str
    exported: float
    verified: float

    @property
    def difference(self) -> float:
        return abs(self.exported - self.verified)


@dataclass
class Collected:
    """What the server gave: the model, one embedding per accepted photo, the refusals, and the check."""

    model: ModelInfo
    gallery: str
    used: list[Photo] = field(default_factory=list)
    embeddings: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))
    refused: list[Sent] = field(default_factory=list)
    failed: list[Sent] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    gallery_deleted: bool = False
    photos_per_second: float = 0.0


def chosen_model(client: AuthenticatedClient, name: str | None) -> ModelInfo:
    models = expect(call(client, lambda: list_models.sync_detailed(client=client)), ModelList)
    for model in models.models:
        if (model.name == name) if name else model.default:
            return model
    raise CliError(f"no model {name!r} on the server; it has {', '.join(m.name for m in models.models)}")


def _may_export(client: AuthenticatedClient, gallery: str, model: str) -> None:
    """Exporting the (not yet existing) scratch gallery must answer 404: a 403 means no admin key, and it is
    better said before minutes of enrolling than after."""
    try:
        with export_lines(client, gallery, model):
            raise CliError(f"the scratch gallery {gallery} exists already; run again")
    except ProblemError as exc:
        if exc.problem.code is not ProblemCode.GALLERY_NOT_FOUND:
            raise


def _embeddings(client: AuthenticatedClient, gallery: str, model: str, by_subject: dict[str, Photo]) \
        -> tuple[list[Photo], np.ndarray]:
    """The exported face of each subject, in the order of `by_subject`."""
    vectors: dict[str, np.ndarray] = {}
    dim = 0
    with export_lines(client, gallery, model) as lines:
        for line in lines:
            if not line.strip():
                continue
            if not dim:
                dim = int(parse_header(line)["dim"])
                continue
            item = json.loads(line)
            vector = np.frombuffer(base64.b64decode(item["faces"][0]["embedding"]), dtype="<f4")
            if vector.shape != (dim,):
                raise CliError(f"the export's embedding of {item['subject']} has {vector.size} numbers, not {dim}")
            vectors[item["subject"]] = vector
    used = [subject for subject in by_subject if subject in vectors]
    matrix = np.stack([vectors[s] for s in used]) if used else np.zeros((0, dim), np.float32)
    return [by_subject[s] for s in used], matrix


def _check(client: AuthenticatedClient, root: Path, model: str, a: tuple[Photo, np.ndarray],
           b: tuple[Photo, np.ndarray]) -> Check | None:
    """The pair through /v1/verify; None if verify refuses a photo (its probe gate differs from enroll's)."""
    response = call(client, lambda: verify.sync_detailed(client=client, body=VerifyBody(
        image_a=a[0].file(), image_b=b[0].file(), model=model)))
    if not isinstance(response.parsed, VerifyResult):
        return None
    exported = float(np.dot(a[1], b[1]))
    return Check(a[0].shown(root), b[0].shown(root), exported, response.parsed.score)


def _checks(client: AuthenticatedClient, root: Path, model: str, used: list[Photo], matrix: np.ndarray) \
        -> list[Check]:
    """One genuine and one impostor pair, the first of each in folder order."""
    pairs: dict[bool, tuple[int, int]] = {}
    for i in range(len(used)):
        for j in range(i + 1, len(used)):
            pairs.setdefault(used[i].person == used[j].person, (i, j))
    found = [_check(client, root, model, (used[i], matrix[i]), (used[j], matrix[j])) for i, j in pairs.values()]
    return [check for check in found if check is not None]


def _delete(client: AuthenticatedClient, gallery: str) -> bool:
    """Deletes the scratch gallery; True if it is gone (or was never made). Warns, never raises: it runs in a
    `finally`, and must not hide the error that got there."""
    try:
        response = call(client, lambda: delete_gallery.sync_detailed(gallery, client=client))
        if isinstance(response.parsed, GalleryDeletion) or response.status_code == 404:
            return True
        expect(response, GalleryDeletion)
    except CliError as exc:
        err.print(f"[red]warning:[/red] the scratch gallery {gallery} was NOT deleted ({exc}); delete it with "
                  f"DELETE /v1/galleries/{gallery}", markup=True)
    return False


def collect(connection: Connection, root: Path, photos: list[Photo], prefix: str, concurrency: int,
            model_name: str | None) -> Collected:
    """Enrolls into a scratch gallery, exports it, checks two pairs by verify, and deletes the gallery."""
    gallery = f"{prefix}{secrets.token_hex(4)}"
    if not GALLERY_NAME.match(gallery):
        raise CliError(f"--gallery-prefix {prefix!r}: a gallery name is letters, digits and _ . : - only")
    by_subject = {f"p{index:05d}": photo for index, photo in enumerate(photos)}
    with connection.client() as client:
        model = chosen_model(client, model_name)
        collected = Collected(model, gallery)
        _may_export(client, gallery, model.name)

        async def enroll_all() -> list[Sent]:
            async with connection.client() as scratch:
                result = await send_all(scratch, [(p, s) for s, p in by_subject.items()], gallery, concurrency,
                                        "enrolling (scratch)", model.name)
            collected.photos_per_second = result.photos_per_second
            return result.sent

        try:
            for sent in asyncio.run(enroll_all()):
                if sent.refusal is not None:
                    collected.refused.append(sent)
                elif sent.failure is not None:
                    collected.failed.append(sent)
            collected.used, collected.embeddings = _embeddings(client, gallery, model.name, by_subject)
            collected.checks = _checks(client, root, model.name, collected.used, collected.embeddings)
        finally:
            collected.gallery_deleted = _delete(client, gallery)
    collected.refused.sort(key=lambda s: str(s.photo.path))
    collected.failed.sort(key=lambda s: str(s.photo.path))
    return collected
