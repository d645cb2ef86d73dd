"""The `facegate` command: global options, and the commands, each thin (parse, call a module, print)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from facegate_client.models import OperatingPoint, SearchOperatingPoint

from facegate_cli import accuracy, keys, subjects
from facegate_cli.connection import DEFAULT_URL, EXIT_ERROR, CliError, Connection
from facegate_cli.det import pair_scores, plot_det, rates_at
from facegate_cli.enroll import STATE_NAME, enroll_folder, show_enroll
from facegate_cli.evaluate import collect
from facegate_cli.photos import labelled_photos
from facegate_cli.recognition import identify_photo, show_identify, show_verify, verify_photos
from facegate_cli.render import err, fails_cleanly, print_json
from facegate_cli.transfer import export_to, import_from

HELP = """Enroll, verify and identify faces, evaluate accuracy on your own photos, and manage keys and galleries, on
a facegate server over its HTTP API.

Exit codes: 0 success (a match; every photo enrolled or already there); 1 the command worked and the answer is
no (no match, nobody identified, some photos refused); 2 an error (usage, connection, authentication, a refused
request, photos that could not be tried).
"""

# Markdown: help paragraphs are rewrapped to the terminal (rich mode would keep the docstrings' line breaks).
app = typer.Typer(name="facegate", help=HELP, no_args_is_help=True, add_completion=False, rich_markup_mode="markdown",
                  context_settings={"help_option_names": ["-h", "--help"]})
app.add_typer(keys.app, name="keys")
app.add_typer(subjects.app, name="subjects")

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for programs instead of tables.")]
GalleryOption = Annotated[str, typer.Option(help="The gallery (a namespace of subjects).")]
ModelOption = Annotated[str | None, typer.Option(help="A model of GET /v1/models (default: the server's).")]
ConcurrencyOption = Annotated[int, typer.Option(min=1, max=64, help="Requests in flight at once.")]
ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
ExistingFolder = Annotated[Path, typer.Argument(exists=True, file_okay=False)]


@app.callback()
@fails_cleanly
def connect(ctx: typer.Context,
            url: Annotated[str, typer.Option(envvar="FACEGATE_URL", help="The server.")] = DEFAULT_URL,
            key: Annotated[str | None, typer.Option(envvar="FACEGATE_KEY", show_envvar=True,
                                                    help="API key (visible to other users in the process list: "
                                                    "prefer --key-file or the variable).")] = None,
            key_file: Annotated[Path | None, typer.Option(envvar="FACEGATE_KEY_FILE",
                                                          help="A file holding the API key.")] = None) -> None:
    ctx.obj = Connection.of(url, key, key_file)


@app.command()
@fails_cleanly
def enroll(ctx: typer.Context, folder: ExistingFolder, gallery: GalleryOption = "default",
           concurrency: ConcurrencyOption = 4,
           state: Annotated[Path | None, typer.Option(help=f"Where refused photos are remembered "
                                                      f"(default FOLDER/{STATE_NAME}).")] = None,
           retry_rejected: Annotated[bool, typer.Option("--retry-rejected", help="Send photos refused before again.")]
           = False,
           as_json: JsonOption = False) -> None:
    """Enroll a folder with one subfolder per person (its name is the subject id), one request per photo.

    Resumable: photos whose sha256 the server already has for that subject are skipped. Exit 0 if every photo is
    enrolled or already there, 1 if some were refused (now or on an earlier run), 2 on errors or photos that
    could not be tried (run again)."""
    report = enroll_folder(ctx.obj, folder, gallery, concurrency, state, retry_rejected)
    show_enroll(report, as_json)
    raise typer.Exit(report.exit_code)


@app.command()
@fails_cleanly
def verify(ctx: typer.Context, image_a: ExistingFile, image_b: ExistingFile,
           threshold: Annotated[float | None, typer.Option(min=-1.0, max=1.0, help="Cosine score to match at.")]
           = None,
           operating_point: Annotated[OperatingPoint | None, typer.Option(
               help="A calibrated false-match rate (default fmr_1e-4).")] = None,
           model: ModelOption = None, as_json: JsonOption = False) -> None:
    """Are these two photos of the same person? Exit 0 match, 1 no match, 2 error."""
    result = verify_photos(ctx.obj, image_a, image_b, threshold, operating_point, model)
    raise typer.Exit(show_verify(result, as_json))


@app.command()
@fails_cleanly
def identify(ctx: typer.Context, image: ExistingFile, gallery: GalleryOption = "default",
             top_k: Annotated[int, typer.Option(min=1, max=100, help="Candidates per face.")] = 5,
             threshold: Annotated[float | None, typer.Option(min=-1.0, max=1.0)] = None,
             operating_point: Annotated[SearchOperatingPoint | None, typer.Option(
                 help="Default fpir_1e-2: a stranger matched once in 100 searches.")] = None,
             every_face: Annotated[bool, typer.Option("--all-faces", help="Search every face of the photo, not "
                                                      "only the main one.")] = False,
             model: ModelOption = None, as_json: JsonOption = False) -> None:
    """Who is in this photo? Each face's match or "unknown", with its candidates. Exit 0 if some face matched,
    1 if none did, 2 on errors."""
    result = identify_photo(ctx.obj, image, gallery, top_k, threshold, operating_point, every_face, model)
    raise typer.Exit(show_identify(result, as_json))


@app.command()
@fails_cleanly
def evaluate(ctx: typer.Context, folder: ExistingFolder,
             out: Annotated[Path, typer.Option("--out", help="Folder for det.png and report.json.")]
             = Path("facegate-evaluation"),
             gallery_prefix: Annotated[str, typer.Option(help="Name of the scratch gallery, before a random part.")]
             = "_evaluate-",
             target_fmr: Annotated[float, typer.Option(min=1e-9, max=0.5, help="False-match rate to recommend a "
                                                       "threshold for.")] = 1e-3,
             concurrency: ConcurrencyOption = 4, model: ModelOption = None, as_json: JsonOption = False) -> None:
    """Measure the model on your own labelled photos (one subfolder per person): a DET curve, thresholds at
    target false-match rates, the server's operating points measured on your photos, and a recommended
    threshold. Needs an admin key (the photos are enrolled into a scratch gallery, exported, and the gallery
    is deleted afterwards). Exit 0 with a report, 2 on errors."""
    connection: Connection = ctx.obj
    photos = labelled_photos(folder)
    if len({photo.person for photo in photos}) < 2:
        raise CliError(f"{folder} needs photos of at least two people (one subfolder each)")
    collected = collect(connection, folder, photos, gallery_prefix, concurrency, model)
    scores = pair_scores(collected.embeddings, [photo.person for photo in collected.used])
    if not scores.genuine.size or not scores.impostor.size:
        raise CliError(f"{len(collected.used)} photos were accepted: too few for both a pair of one person "
                       f"and a pair of two people ({len(collected.refused)} refused)")
    out.mkdir(parents=True, exist_ok=True)
    png, path = out / "det.png", out / "report.json"
    report = accuracy.build_report(collected, scores, folder, connection.url, target_fmr, png)
    marks = [(name, rates_at(scores, threshold)) for name, threshold, _ in accuracy.calibrated_points(
        collected.model)]
    if report["recommendation"].get("threshold") is not None and report["recommendation"]["measurable"]:
        marks.append((f"recommended for FMR {target_fmr:.0e}",
                      rates_at(scores, report["recommendation"]["threshold"])))
    plot_det(scores, marks, png, f"{collected.model.name} on {folder.name}: DET")
    path.write_text(json.dumps(report, indent=2))
    if as_json:
        print_json(report)
    else:
        accuracy.show(report)
    err.print(f"wrote {png} and {path}")
    if not collected.gallery_deleted:
        raise typer.Exit(EXIT_ERROR)


@app.command("export")
@fails_cleanly
def export_(ctx: typer.Context, gallery: Annotated[str, typer.Argument(help="The gallery to export.")],
            output: Annotated[Path | None, typer.Option("--output", "-o", help="File (default stdout).")] = None,
            model: ModelOption = None) -> None:
    """A gallery's subjects and faces as JSON lines (embeddings in clear: biometric data; admin key)."""
    count = export_to(ctx.obj, gallery, model, output)
    err.print(f"exported {count.subjects:,} subjects ({count.faces:,} faces) of {gallery}, model "
              f"{count.header.get('model')}{f' to {output}' if output else ''}")


@app.command("import")
@fails_cleanly
def import_(ctx: typer.Context, file: ExistingFile,
            gallery: Annotated[str, typer.Option(help="The gallery to add the subjects to.")],
            as_json: JsonOption = False) -> None:
    """Add the subjects of an export to a gallery; subjects already there are skipped, so it resumes."""
    result = import_from(ctx.obj, file, gallery)
    if as_json:
        print_json(result.to_dict())
    else:
        print(f"imported {result.subjects_imported:,} subjects ({result.faces_imported:,} faces) into "
              f"{result.gallery}; skipped {result.subjects_skipped:,} already there (model {result.model})")
