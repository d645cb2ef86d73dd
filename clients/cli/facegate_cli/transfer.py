"""`facegate export` and `facegate import`: a gallery's faces as JSON lines, streamed both ways.

The generated `export_gallery.sync_detailed` reads the whole answer into memory before returning it, and an
export of a large gallery is large: export streams instead, with the generated client's own httpx client and the
generated request (`export_gallery._get_kwargs`: its path, quoting and query), so only the reading is ours.
Import hands the generated `import_gallery` a `File` over the open file, which streams it from disk.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx
from facegate_client import AuthenticatedClient
from facegate_client.api.galleries import export_gallery, import_gallery
from facegate_client.models import ImportResult
from facegate_client.types import UNSET, File

from facegate_cli.connection import RETRIES, CliError, Connection, ProblemError, call, expect, problem_of, retry_after

EXPORT_HINT = "exporting a gallery needs an admin key: the export holds embeddings in clear"


@dataclass(frozen=True)
class ExportCount:
    subjects: int
    faces: int
    header: dict[str, Any]


@contextmanager
def export_lines(client: AuthenticatedClient, gallery: str, model: str | None) -> Iterator[Iterator[str]]:
    """The export's lines (each without its newline) as they arrive; a ProblemError if it is refused."""
    request = export_gallery._get_kwargs(gallery, model=model or UNSET)
    http = client.get_httpx_client()
    for attempt in range(RETRIES + 1):
        try:
            with http.stream(**request) as response:
                if response.status_code == 200:
                    yield response.iter_lines()
                    return
                response.read()
                if response.status_code not in (429, 503) or attempt == RETRIES:
                    problem = problem_of(response)
                    if problem is None:
                        raise CliError(f"unexpected answer to the export: HTTP {response.status_code}")
                    raise ProblemError(problem, EXPORT_HINT if response.status_code == 403 else "")
                wait = retry_after(response.headers, attempt)
        except httpx.TransportError as exc:
            raise CliError(f"the export from {http.base_url} broke off: {exc or type(exc).__name__}") from None
        time.sleep(wait)


def parse_header(line: str) -> dict[str, Any]:
    header = json.loads(line)
    if not isinstance(header, dict) or "format" not in header:
        raise CliError("the export does not start with a facegate header line")
    return header


def export_to(connection: Connection, gallery: str, model: str | None, output: Path | None) -> ExportCount:
    """The export into `output` (written beside it, then renamed: a broken download never looks complete), or to
    stdout; counts subjects and faces as they pass."""
    subjects = faces = 0
    header: dict[str, Any] = {}
    temporary = output.with_name(output.name + ".part") if output else None
    sink: IO[str] = temporary.open("w") if temporary else sys.stdout
    try:
        with connection.client() as client, export_lines(client, gallery, model) as lines:
            for line in lines:
                if not line.strip():
                    continue
                sink.write(line + "\n")
                if not header:
                    header = parse_header(line)
                else:
                    subjects, faces = subjects + 1, faces + len(json.loads(line).get("faces", []))
    except BaseException:
        if temporary:
            sink.close()
            temporary.unlink(missing_ok=True)
        raise
    if temporary and output:
        sink.close()
        os.replace(temporary, output)
    else:
        sink.flush()
    return ExportCount(subjects, faces, header)


def import_from(connection: Connection, path: Path, gallery: str) -> ImportResult:
    """Posts the file as it is (application/x-ndjson, streamed); the server skips subjects already there."""
    if not path.is_file():
        raise CliError(f"{path} is not a file")
    with connection.client() as client, path.open("rb") as stream:
        def send() -> Any:
            stream.seek(0)
            return import_gallery.sync_detailed(gallery, client=client, body=File(payload=stream))

        response = call(client, send)
    return expect(response, ImportResult, "importing needs an admin key")
