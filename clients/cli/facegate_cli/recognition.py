"""`facegate verify` and `facegate identify`: one request each, and the answer in words a person can weigh.

Every decision is printed with the false-match rate it was made at, as the server states it: the score alone
means nothing to someone who does not know the model's score distribution.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from facegate_client.api.recognition import identify, verify
from facegate_client.models import (
    IdentifyBody,
    IdentifyResult,
    OperatingPoint,
    SearchFaceSelection,
    SearchOperatingPoint,
    VerifyBody,
    VerifyResult,
)
from facegate_client.types import UNSET

from facegate_cli.connection import EXIT_NEGATIVE, EXIT_OK, CliError, Connection, call, expect
from facegate_cli.photos import image_file
from facegate_cli.render import one_in, out, print_json, table


def _rate_of_point(point: str | None) -> float | None:
    """The rate an operating point is named by: 'fmr_1e-4' -> 1e-4."""
    if point is None:
        return None
    try:
        return float(point.split("_", 1)[1])
    except (IndexError, ValueError):
        return None


def _either(threshold: float | None, point: object | None) -> None:
    if threshold is not None and point is not None:
        raise CliError("give --threshold or --operating-point, not both")


def verify_photos(connection: Connection, image_a: Path, image_b: Path, threshold: float | None,
                  point: OperatingPoint | None, model: str | None) -> VerifyResult:
    _either(threshold, point)
    with connection.client() as client:
        response = call(client, lambda: verify.sync_detailed(client=client, body=VerifyBody(
            image_a=image_file(image_a), image_b=image_file(image_b),
            threshold=UNSET if threshold is None else threshold, operating_point=point or UNSET,
            model=model or UNSET)))
    return expect(response, VerifyResult)


def show_verify(result: VerifyResult, as_json: bool) -> int:
    """Prints the decision; returns the exit code (0 match, 1 no match)."""
    if as_json:
        print_json(result.to_dict())
    else:
        verdict = "[bold green]match[/]" if result.match else "[bold red]no match[/]"
        sign = ">=" if result.match else "<"
        point = f"operating point {result.operating_point}" if result.operating_point else "your threshold"
        out.print(f"{verdict}: score {result.score:.4f} {sign} threshold {result.threshold:.4f} "
                  f"({point}, model {result.model})")
        named = _rate_of_point(result.operating_point)
        if named is not None:
            out.print(f"At this threshold two different people are wrongly matched {one_in(named)} "
                      f"(false-match rate {named:.0e}, calibrated on lfw-dev).")
        out.print(f"Two different people score {result.score:.4f} or more {one_in(result.estimated_fmr)} "
                  f"(estimated false-match rate at this score: {result.estimated_fmr:.1e}).")
    return EXIT_OK if result.match else EXIT_NEGATIVE


def identify_photo(connection: Connection, image: Path, gallery: str, top_k: int, threshold: float | None,
                   point: SearchOperatingPoint | None, every_face: bool, model: str | None) -> IdentifyResult:
    _either(threshold, point)
    selection = SearchFaceSelection.ALL if every_face else SearchFaceSelection.PRIMARY
    with connection.client() as client:
        response = call(client, lambda: identify.sync_detailed(client=client, body=IdentifyBody(
            image=image_file(image), gallery=gallery, top_k=top_k, face_selection=selection,
            threshold=UNSET if threshold is None else threshold, operating_point=point or UNSET,
            model=model or UNSET)))
    return expect(response, IdentifyResult)


def _box(face: Any) -> str:
    box = face.box
    return f"at x={box.x:.0f} y={box.y:.0f}, {box.width:.0f}x{box.height:.0f} px"


def show_identify(result: IdentifyResult, as_json: bool) -> int:
    """Prints each face's match or 'unknown' and its candidates; returns 0 if some face matched, else 1."""
    matched = any(face.match for face in result.faces)
    if as_json:
        print_json(result.to_dict())
        return EXIT_OK if matched else EXIT_NEGATIVE
    point = f"operating point {result.operating_point}" if result.operating_point else "your threshold"
    out.print(f"Gallery {result.gallery} (size {result.gallery_size:,}), threshold {result.threshold:.4f} "
              f"({point}, model {result.model}): a stranger is matched to someone "
              f"{one_in(result.expected_fpir)} (per comparison {result.fmr_per_comparison:.1e}).")
    for number, face in enumerate(result.faces, 1):
        if face.match:
            out.print(f"Face {number} {_box(face)}: [bold green]{face.match.subject}[/] "
                      f"(score {face.match.score:.4f}; a stranger scores this high {one_in(face.match.estimated_fmr)})")
        else:
            out.print(f"Face {number} {_box(face)}: [bold yellow]unknown[/] (nobody at or above the threshold)")
        if face.candidates:
            rows = table("#", "subject", "score", "est. FMR", "match", box=None, padding=(0, 2))
            for rank, candidate in enumerate(face.candidates, 1):
                rows.add_row(str(rank), candidate.subject, f"{candidate.score:.4f}",
                              f"{candidate.estimated_fmr:.1e}", "yes" if candidate.score >= result.threshold else "")
            out.print(rows)
    return EXIT_OK if matched else EXIT_NEGATIVE
