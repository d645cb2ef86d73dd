"""`python -m app [serve [--workers N]|migrate|keys ...]`: migrate and serve (the default), migrate only, or
manage API keys.

Host and port come from settings (FACEGATE_HOST, FACEGATE_PORT), the database from FACEGATE_DATABASE_URL. The
`keys` commands work on the database directly (no server needed), with the same pepper as the server:

    python -m app keys create NAME --scope enroll --scope identify [--gallery G ...] [--expires 2027-01-01T00:00Z]
    python -m app keys list [--all]
    python -m app keys revoke KEY_ID
    python -m app export GALLERY [--model M] [-o FILE]     # faces as JSON lines: backup, or a move
    python -m app import FILE --gallery GALLERY               # resumable: subjects already there are skipped
    python -m app openapi [-o FILE]                           # the OpenAPI document (clients/ is made from it)
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import uvicorn

from app.config import Settings, share_metrics_between_workers
from app.errors import FacegateError
from app.main import create_app, default_model, key_service, sealer
from app.services.audit import COMMAND_LINE, AuditLog
from app.services.keys import KeyView, Scope
from app.services.transfer import Transfer, export_lines, import_lines
from app.store.db import create_engine, session_factory
from app.store.migrate import upgrade
from app.telemetry.logging import configure as configure_logging
from app.vision.pipeline import load_pipeline


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="migrate the database, then serve (the default)")
    serve.add_argument("--workers", type=int, help="worker processes (default FACEGATE_WORKERS, 1)")
    commands.add_parser("migrate", help="migrate the database and exit")
    keys = commands.add_parser("keys", help="create, list or revoke API keys").add_subparsers(dest="action",
                                                                                              required=True)
    create = keys.add_parser("create", help="a new key; its secret is printed once")
    create.add_argument("name")
    create.add_argument("--scope", action="append", required=True, choices=[s.value for s in Scope],
                        help="repeat for several")
    create.add_argument("--gallery", action="append", help="a gallery the key may touch (repeat); default all")
    create.add_argument("--expires", type=datetime.fromisoformat, help="ISO 8601 time with a zone")
    listing = keys.add_parser("list", help="every key, as JSON lines (no secrets)")
    listing.add_argument("--all", action="store_true", help="include revoked keys")
    keys.add_parser("revoke", help="revoke a key at once").add_argument("key_id")
    export = commands.add_parser("export", help="a gallery's faces as JSON lines (embeddings in clear)")
    export.add_argument("gallery")
    export.add_argument("--model", help="pipeline (default FACEGATE_DEFAULT_MODEL)")
    export.add_argument("--output", "-o", type=Path, help="file to write (default standard output)")
    commands.add_parser("openapi", help="print the OpenAPI document").add_argument("-o", "--output")
    load = commands.add_parser("import", help="add the subjects of an export to a gallery (resumable)")
    load.add_argument("file", type=Path)
    load.add_argument("--gallery", required=True)
    return parser


def _json(view: KeyView) -> str:
    return json.dumps({name: value.isoformat() if isinstance(value, datetime) else value
                       for name, value in vars(view).items()})


def _keys(settings: Settings, args: argparse.Namespace) -> int:
    engine = create_engine(settings.database_url)
    try:
        keys = key_service(settings, session_factory(engine), bootstrap_admin=False)
        if args.action == "create":
            if args.expires is not None and args.expires.tzinfo is None:
                print("--expires needs a time zone, e.g. 2027-01-01T00:00+00:00", file=sys.stderr)
                return 2
            issued = keys.issue(COMMAND_LINE, name=args.name, scopes=[Scope(s) for s in args.scope],
                                galleries=args.gallery, expires_at=args.expires)
            print(_json(issued.key), file=sys.stderr)
            print(issued.secret)  # alone on stdout, so `KEY=$(python -m app keys create ...)` works
        elif args.action == "list":
            for view in keys.list(include_revoked=args.all):
                print(_json(view))
        else:
            print(_json(keys.revoke(COMMAND_LINE, args.key_id)))
    finally:
        engine.dispose()
    return 0


def _transfer(settings: Settings, args: argparse.Namespace) -> int:
    """Export or import straight on the database, streaming: sizes beyond an HTTP body's are fine here."""
    engine = create_engine(settings.database_url)
    try:
        sessions = session_factory(engine, sealer(settings))
        context = Transfer(sessions, load_pipeline(settings.runtime, settings.detection, settings.limits),
                           AuditLog(sessions, settings.privacy.audit_retention_days),
                           default_model(settings, sessions))
        if args.command == "export":
            lines = export_lines(context, COMMAND_LINE, args.gallery, args.model)
            with (args.output.open("w") if args.output else contextlib.nullcontext(sys.stdout)) as out:
                out.writelines(lines)
        else:
            with args.file.open("rb") as handle:
                result = import_lines(context, COMMAND_LINE, args.gallery, handle, settings.limits)
            print(json.dumps(vars(result)))
    finally:
        engine.dispose()
    return 0


def main() -> int:
    args = _parser().parse_args()
    configure_logging()
    settings = Settings()
    if args.command == "openapi":  # needs no database and no models: the document is made from the code
        document = json.dumps(create_app(settings).openapi(), indent=2, ensure_ascii=False) + "\n"
        Path(args.output).write_text(document) if args.output else sys.stdout.write(document)
        return 0
    upgrade(settings.database_url)
    if args.command in ("keys", "export", "import"):
        try:
            return _keys(settings, args) if args.command == "keys" else _transfer(settings, args)
        except FacegateError as error:
            print(f"{error.code}: {error.detail}", file=sys.stderr)
            return 1
    if args.command in (None, "serve"):
        _serve(settings, getattr(args, "workers", None) or settings.workers)
    return 0


def _serve(settings: Settings, workers: int) -> None:
    """One process, or `workers` processes sharing the port (uvicorn's supervisor restarts any that dies). The
    first-start secrets are made here, once, before any worker starts."""
    engine = create_engine(settings.database_url)
    try:
        key_service(settings, session_factory(engine))
    finally:
        engine.dispose()
    if workers == 1:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)
        return
    with tempfile.TemporaryDirectory(prefix="facegate-metrics-") as scratch:
        # An operator's (or a test's) own folder is kept; otherwise a fresh one per start.
        share_metrics_between_workers(settings.metrics_dir or Path(scratch))
        uvicorn.run("app.main:worker_app", factory=True, workers=workers, host=settings.host, port=settings.port,
                    log_config=None)


if __name__ == "__main__":
    sys.exit(main())
