"""Many photos enrolled concurrently, one request each, so that one bad photo does not sink the others (a request
with several images is refused whole when none is usable, and says nothing about the others' order of work).

Each photo ends as one `Sent`: enrolled (with its face id), refused (a `Refusal`: the photo's fault, worth
remembering), or failed (the server's or the network's fault after retries: worth trying again). A refusal of
the key or the gallery (401, 403, 404) ends the whole batch at once: every other photo would fail the same way.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from facegate_client import AuthenticatedClient
from facegate_client.api.recognition import enroll
from facegate_client.models import EnrollBody, EnrollResult, Problem, ProblemCode
from facegate_client.types import UNSET, Response
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from facegate_cli.connection import ProblemError, acall
from facegate_cli.photos import Photo
from facegate_cli.render import err

# Figures a face must stay under (in absolute value for the angles); every other figure has a minimum.
_AT_MOST = {"TOO_BRIGHT", "POSE_TOO_FAR", "TILTED"}
_ABSOLUTE = {"POSE_TOO_FAR", "TILTED"}


@dataclass(frozen=True)
class Refusal:
    code: str  # the server's reason code: NO_FACE, LOW_QUALITY, MULTIPLE_FACES, INVALID_IMAGE, ...
    detail: str  # one line; for LOW_QUALITY, the failing figures against their limits


@dataclass(frozen=True)
class Sent:
    photo: Photo
    subject: str
    face_id: str | None = None
    refusal: Refusal | None = None
    failure: str | None = None


def quality_text(failures: Sequence[dict[str, Any]]) -> str:
    """LOW_QUALITY's failures as the user can act on them: 'sharpness 12.3 < 25 (BLURRY)'."""
    parts = []
    for failure in failures:
        code, figure = str(failure.get("code")), str(failure.get("figure"))
        shown = f"|{figure}|" if code in _ABSOLUTE else figure
        value = abs(float(failure["value"])) if code in _ABSOLUTE else float(failure["value"])
        parts.append(f"{shown} {value:.4g} {'>' if code in _AT_MOST else '<'} {float(failure['limit']):.4g} ({code})")
    return "; ".join(parts)


def _refusal(reason: dict[str, Any]) -> Refusal:
    code, detail = str(reason.get("code")), str(reason.get("detail", ""))
    failures = reason.get("failures") or []
    return Refusal(code, quality_text(failures) if code == "LOW_QUALITY" and failures else detail)


def outcome(photo: Photo, subject: str, response: Response[EnrollResult | Problem]) -> Sent:
    """What one single-photo enroll answer means for the photo; a ProblemError if it condemns the whole batch."""
    parsed, status = response.parsed, int(response.status_code)
    if isinstance(parsed, EnrollResult):
        if parsed.faces:
            return Sent(photo, subject, face_id=parsed.faces[0].face_id)
        return Sent(photo, subject, refusal=_refusal(parsed.rejected[0].to_dict()))
    if not isinstance(parsed, Problem):
        return Sent(photo, subject, failure=f"HTTP {status}: {response.content[:200].decode(errors='replace')}")
    if status in (401, 403, 404):
        hint = "enroll creates galleries: this key may not touch that one" \
            if parsed.code is ProblemCode.GALLERY_NOT_FOUND else ""
        raise ProblemError(parsed, hint)
    if status >= 500 or status == 429:
        return Sent(photo, subject, failure=f"{parsed.code.value}: {parsed.detail}")
    if parsed.code is ProblemCode.ENROLLMENT_REJECTED and parsed.errors:
        return Sent(photo, subject, refusal=_refusal(parsed.errors[0].to_dict()))
    return Sent(photo, subject, refusal=Refusal(parsed.code.value, parsed.detail))


async def send(client: AuthenticatedClient, photo: Photo, subject: str, gallery: str, model: str | None) -> Sent:
    """One photo, one request (retried on 429/503 by `acall`)."""
    response = await acall(client, lambda: enroll.asyncio_detailed(client=client, body=EnrollBody(
        subject=subject, images=[photo.file()], gallery=gallery, model=model or UNSET)))
    return outcome(photo, subject, response)


class _Rate(ProgressColumn):
    """Photos per second: what a user sizing a big folder wants to know."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} photos/s" if speed else "- photos/s", style="progress.data.speed")


def progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), _Rate(),
                    TimeElapsedColumn(), TextColumn("elapsed,"), TimeRemainingColumn(), TextColumn("left"),
                    console=err)


@dataclass(frozen=True)
class BatchResult:
    sent: list[Sent]
    seconds: float

    @property
    def photos_per_second(self) -> float:
        return len(self.sent) / self.seconds if self.seconds > 0 else 0.0


async def send_all(client: AuthenticatedClient, jobs: Sequence[tuple[Photo, str]], gallery: str, concurrency: int,
                   label: str, model: str | None = None) -> BatchResult:
    """Every (photo, subject) at most `concurrency` at a time, with a progress bar on stderr."""
    limit = asyncio.Semaphore(max(concurrency, 1))
    sent: list[Sent] = []
    started = time.perf_counter()
    with progress() as bar:
        task = bar.add_task(label, total=len(jobs))

        async def one(photo: Photo, subject: str) -> None:
            async with limit:
                sent.append(await send(client, photo, subject, gallery, model))
            bar.advance(task)

        try:
            async with asyncio.TaskGroup() as group:
                for photo, subject in jobs:
                    group.create_task(one(photo, subject))
        except* Exception as errors:
            raise errors.exceptions[0] from None
    return BatchResult(sent, time.perf_counter() - started)
