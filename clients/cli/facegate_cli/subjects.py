"""`facegate subjects list|delete`: what a gallery holds, and erasing one person."""

from __future__ import annotations

import functools
from typing import Annotated

import typer
from facegate_client.api.subjects import delete_subject, list_subjects
from facegate_client.models import DeletionReceipt, SubjectList, SubjectOut
from facegate_client.types import UNSET

from facegate_cli.connection import Connection, call, expect
from facegate_cli.render import fails_cleanly, out, print_json, table

app = typer.Typer(help="List a gallery's subjects, or erase one.", no_args_is_help=True,
                  rich_markup_mode="markdown")

GalleryOption = Annotated[str, typer.Option(help="The gallery.")]
PAGE = 500


@app.command("list")
@fails_cleanly
def list_(ctx: typer.Context, gallery: GalleryOption = "default",
          as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False) -> None:
    """Every subject of the gallery with its face count (all pages)."""
    connection: Connection = ctx.obj
    subjects: list[SubjectOut] = []
    cursor: str | None = None
    with connection.client() as client:
        while True:
            request = functools.partial(list_subjects.sync_detailed, client=client, gallery=gallery, limit=PAGE,
                                        cursor=cursor or UNSET)
            page = expect(call(client, request), SubjectList, "listing subjects needs the subjects:read scope")
            subjects.extend(page.items)
            cursor = page.next_cursor
            if not cursor:
                break
    if as_json:
        print_json([subject.to_dict() for subject in subjects])
        return
    rows = table("subject", "name", "faces", "created", title=f"{len(subjects):,} subjects in {gallery}")
    for subject in subjects:
        rows.add_row(subject.subject, subject.name or "", str(subject.face_count),
                      subject.created_at.isoformat(timespec="seconds"))
    out.print(rows)


@app.command("delete")
@fails_cleanly
def delete(ctx: typer.Context, subject: Annotated[str, typer.Argument(help="The subject id.")],
           gallery: GalleryOption = "default",
           yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask first.")] = False) -> None:
    """Erase a subject: every face and embedding. The server answers with a receipt (its audit entry)."""
    connection: Connection = ctx.obj
    if not yes:
        typer.confirm(f"Erase {subject!r} from gallery {gallery!r}, every face and embedding?", abort=True)
    with connection.client() as client:
        receipt = expect(call(client, lambda: delete_subject.sync_detailed(subject, client=client, gallery=gallery)),
                         DeletionReceipt, "erasing needs the subjects:write scope")
    out.print(f"erased {', '.join(receipt.subjects)} from {receipt.gallery}: {len(receipt.face_ids)} faces "
              f"(audit entry {receipt.audit_id})")
