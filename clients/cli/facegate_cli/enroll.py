"""`facegate enroll DIR`: a labelled folder into a gallery, resumable.

What is already enrolled is decided by the server's truth, not by a local record: each subject's faces carry the
sha256 of the image they came from (`GET /v1/subjects/{subject}/faces`), and a photo whose digest is there is
skipped. That stays right when another machine, an earlier crashed run or a `curl` enrolled some photos. What the
server cannot tell, that a photo was refused, a small state file remembers (per server, gallery and subject), so
a rerun does not send known-bad photos again unless `--retry-rejected`.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from facegate_client import AuthenticatedClient
from facegate_client.api.subjects import list_subject_faces, list_subjects
from facegate_client.models import FaceList, SubjectList
from facegate_client.types import UNSET

from facegate_cli.batch import BatchResult, Refusal, Sent, send_all
from facegate_cli.connection import EXIT_ERROR, EXIT_NEGATIVE, EXIT_OK, CliError, Connection, acall, expect
from facegate_cli.photos import Photo, labelled_photos
from facegate_cli.render import err, out, print_json, table

STATE_FORMAT = "facegate-cli-enroll/1"
STATE_NAME = ".facegate-enroll.json"


@dataclass(frozen=True)
class Rejected:
    photo: Photo
    refusal: Refusal
    known: bool  # refused on an earlier run, not sent again


@dataclass
class EnrollReport:
    root: Path
    gallery: str
    enrolled: list[Sent] = field(default_factory=list)
    skipped: list[Photo] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    failed: list[Sent] = field(default_factory=list)
    photos_per_second: float = 0.0

    @property
    def exit_code(self) -> int:
        """2 if some photos could not be tried (worth a rerun), 1 if some were refused, else 0."""
        if self.failed:
            return EXIT_ERROR
        return EXIT_NEGATIVE if self.rejected else EXIT_OK

    def as_json(self) -> dict[str, Any]:
        return {
            "gallery": self.gallery, "photos_per_second": round(self.photos_per_second, 2),
            "enrolled": [{"file": s.photo.shown(self.root), "subject": s.subject, "face_id": s.face_id}
                         for s in self.enrolled],
            "skipped": [photo.shown(self.root) for photo in self.skipped],
            "rejected": [{"file": r.photo.shown(self.root), "subject": r.photo.person, "code": r.refusal.code,
                          "detail": r.refusal.detail, "known": r.known} for r in self.rejected],
            "failed": [{"file": s.photo.shown(self.root), "error": s.failure} for s in self.failed],
            "rejected_by_code": dict(Counter(r.refusal.code for r in self.rejected)),
        }


class State:
    """Refusals of earlier runs: {server, gallery, subject, sha256, file, code, detail} records in a JSON file."""

    def __init__(self, path: Path, server: str, gallery: str) -> None:
        self.path, self.server, self.gallery = path, server, gallery
        self.records: list[dict[str, str]] = []
        if path.exists():
            try:
                data = json.loads(path.read_text())
            except (OSError, ValueError) as exc:
                raise CliError(f"cannot read the state file {path} ({exc}); delete it to start afresh") from None
            if data.get("format") != STATE_FORMAT:
                raise CliError(f"{path} is not an enroll state file (format {data.get('format')!r})")
            self.records = list(data.get("rejected", []))

    def _ours(self, record: dict[str, str]) -> bool:
        return record.get("server") == self.server and record.get("gallery") == self.gallery

    def known(self) -> dict[tuple[str, str], Refusal]:
        """(subject, sha256) -> the refusal this server gave for this gallery."""
        return {(r["subject"], r["sha256"]): Refusal(r["code"], r["detail"]) for r in self.records if self._ours(r)}

    def save(self, root: Path, rejected: list[Rejected]) -> None:
        """Replace this server's and gallery's records by `rejected`, atomically (a crash leaves the old file)."""
        records = [r for r in self.records if not self._ours(r)] + [
            {"server": self.server, "gallery": self.gallery, "subject": r.photo.person, "sha256": r.photo.sha256,
             "file": r.photo.shown(root), "code": r.refusal.code, "detail": r.refusal.detail} for r in rejected]
        if not records and not self.path.exists():
            return
        temporary = self.path.with_name(self.path.name + ".tmp")
        try:
            temporary.write_text(json.dumps({"format": STATE_FORMAT, "rejected": records}, indent=1))
            os.replace(temporary, self.path)
        except OSError as exc:  # a read-only photo folder: the enrollment itself is done, say so and go on
            err.print(f"warning: cannot write the state file {self.path} ({exc.strerror}); pass --state FILE")


READ_HINT = "checking what is enrolled already needs a key with subjects:read as well as enroll"
PAGE = 500


async def subjects_present(client: AuthenticatedClient, gallery: str) -> set[str]:
    """The gallery's subjects (none if the gallery is not there yet): one page per 500, so that a first run on a
    fresh gallery costs one request rather than one per person."""
    present: set[str] = set()
    cursor: str | None = None
    while True:
        request = functools.partial(list_subjects.asyncio_detailed, client=client, gallery=gallery, limit=PAGE,
                                    cursor=cursor or UNSET)
        response = await acall(client, request)
        if response.status_code == 404:
            return present
        page = expect(response, SubjectList, READ_HINT)
        present.update(subject.subject for subject in page.items)
        cursor = page.next_cursor
        if not cursor:
            return present


async def enrolled_digests(client: AuthenticatedClient, subjects: list[str], gallery: str,
                           concurrency: int) -> dict[str, set[str]]:
    """subject -> sha256 of each image it has faces of, on the server (empty for a subject not there)."""
    present = await subjects_present(client, gallery)
    limit = asyncio.Semaphore(max(concurrency, 1))

    async def one(subject: str) -> set[str]:
        if subject not in present:
            return set()
        async with limit:
            response = await acall(client, lambda: list_subject_faces.asyncio_detailed(
                subject, client=client, gallery=gallery))
        if response.status_code == 404:
            return set()  # erased since the listing
        return {face.image_sha256 for face in expect(response, FaceList, READ_HINT).items}

    found = await asyncio.gather(*(one(subject) for subject in subjects))
    return dict(zip(subjects, found, strict=True))


def enroll_folder(connection: Connection, root: Path, gallery: str, concurrency: int, state_path: Path | None,
                  retry_rejected: bool) -> EnrollReport:
    photos = labelled_photos(root)
    state = State(state_path or root / STATE_NAME, connection.url, gallery)
    report = EnrollReport(root, gallery)
    known = state.known()

    async def run() -> BatchResult | None:
        async with connection.client() as client:
            on_server = await enrolled_digests(client, sorted({p.person for p in photos}), gallery, concurrency)
            planned: set[tuple[str, str]] = set()
            todo: list[tuple[Photo, str]] = []
            for photo in photos:
                key = (photo.person, photo.sha256)
                if photo.sha256 in on_server[photo.person] or key in planned:
                    report.skipped.append(photo)
                elif key in known and not retry_rejected:
                    report.rejected.append(Rejected(photo, known[key], known=True))
                else:
                    planned.add(key)
                    todo.append((photo, photo.person))
            if not todo:
                return None
            return await send_all(client, todo, gallery, concurrency, f"enrolling into {gallery}")

    # A run cut short keeps the old state file: the refusals it learned are simply asked again next time.
    result = asyncio.run(run())
    if result is not None:
        report.photos_per_second = result.photos_per_second
        for sent in sorted(result.sent, key=lambda s: str(s.photo.path)):
            if sent.refusal is not None:
                report.rejected.append(Rejected(sent.photo, sent.refusal, known=False))
            elif sent.failure is not None:
                report.failed.append(sent)
            else:
                report.enrolled.append(sent)
    report.rejected.sort(key=lambda r: (r.refusal.code, str(r.photo.path)))
    state.save(root, report.rejected)
    return report


def show_enroll(report: EnrollReport, as_json: bool) -> None:
    """The summary: counts, then every refused photo by reason, then what failed (worth a rerun)."""
    if as_json:
        print_json(report.as_json())
        return
    rows = table("photos", "count", title=f"Enrolled into {report.gallery}")
    rows.add_row("enrolled", str(len(report.enrolled)))
    rows.add_row("skipped (already there)", str(len(report.skipped)))
    for code, count in sorted(Counter(r.refusal.code for r in report.rejected).items()):
        rows.add_row(f"rejected: {code}", str(count))
    if report.failed:
        rows.add_row("[red]failed (run again)[/]", str(len(report.failed)))
    out.print(rows)
    if report.enrolled:
        out.print(f"{report.photos_per_second:.1f} photos/s")
    # Lines, not a table: a path must stay whole and copyable in any terminal width.
    for code in sorted({r.refusal.code for r in report.rejected}):
        out.print(f"rejected {code}:")
        for item in (r for r in report.rejected if r.refusal.code == code):
            known = " [dim](known from an earlier run; --retry-rejected sends it again)[/]" if item.known else ""
            out.print(f"  {item.photo.shown(report.root)}: {item.refusal.detail}{known}")
    for sent in report.failed:
        err.print(f"failed {sent.photo.shown(report.root)}: {sent.failure}")
