"""`facegate keys create|list|revoke`: API keys over HTTP (an admin key), for a server this machine cannot reach
the database of (`python -m app keys` works on the database directly)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from facegate_client.api.keys import create_key, list_keys, revoke_key
from facegate_client.models import KeyCreate, KeyCreated, KeyList, KeyOut, Scope
from facegate_client.types import UNSET

from facegate_cli.connection import CliError, Connection, call, expect
from facegate_cli.render import err, fails_cleanly, out, print_json, table

app = typer.Typer(help="Create, list and revoke API keys (needs an admin key).", no_args_is_help=True,
                  rich_markup_mode="markdown")

ADMIN_HINT = "managing keys needs an admin key"
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _expiry(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--expires {text!r} is not an ISO 8601 time, e.g. 2027-01-01T00:00+00:00") from None
    if moment.tzinfo is None:
        raise CliError("--expires needs a time zone, e.g. 2027-01-01T00:00+00:00")
    return moment


def _when(moment: datetime | None, layout: str = "%Y-%m-%d %H:%M") -> str:
    return moment.astimezone(UTC).strftime(layout) if moment else "-"


def _day(moment: datetime | None) -> str:
    """A day is enough in the table, which must fit 80 columns; --json has the exact times."""
    return _when(moment, "%Y-%m-%d")


def _state(key: KeyOut) -> str:
    if key.revoked_at:
        return f"revoked {_day(key.revoked_at)}"
    if key.expires_at and key.expires_at <= datetime.now(UTC):
        return f"expired {_day(key.expires_at)}"
    return f"expires {_day(key.expires_at)}" if key.expires_at else "active"


@app.command("create")
@fails_cleanly
def create(ctx: typer.Context, name: Annotated[str, typer.Argument(help="What the key is for, e.g. door-app.")],
           scope: Annotated[list[Scope], typer.Option(help="A scope (repeat for several).")],
           gallery: Annotated[list[str] | None, typer.Option(help="A gallery it may touch (repeat); default all.")]
           = None,
           expires: Annotated[str | None, typer.Option(help="When it stops working, ISO 8601 with a zone.")] = None,
           as_json: JsonOption = False) -> None:
    """A new key. Its secret is printed once, alone on stdout (the details go to stderr): store it now."""
    connection: Connection = ctx.obj
    moment = _expiry(expires)
    body = KeyCreate(name=name, scopes=scope, galleries=gallery or UNSET, expires_at=moment or UNSET)
    with connection.client() as client:
        created = expect(call(client, lambda: create_key.sync_detailed(client=client, body=body)), KeyCreated,
                         ADMIN_HINT)
    if as_json:
        print_json(created.to_dict())
        return
    print(created.secret)
    err.print(f"created key {created.id} ({created.name}): scopes {', '.join(s.value for s in created.scopes)}; "
              f"galleries {', '.join(created.galleries) if created.galleries else 'all'}; "
              f"expires {_when(created.expires_at)}. The secret above is shown this once.")


@app.command("list")
@fails_cleanly
def list_(ctx: typer.Context,
          every: Annotated[bool, typer.Option("--all", help="Include revoked keys.")] = False,
          as_json: JsonOption = False) -> None:
    """Every key, without secrets."""
    connection: Connection = ctx.obj
    with connection.client() as client:
        keys = expect(call(client, lambda: list_keys.sync_detailed(client=client, include_revoked=every)), KeyList,
                      ADMIN_HINT)
    if as_json:
        print_json([key.to_dict() for key in keys.items])
        return
    rows = table("name", "scopes", "galleries", title="Keys (UTC; --json for every field)", box=None,
                 padding=(0, 1))
    for column in ("last used", "state", "id"):  # never folded: the id is what `keys revoke` takes
        rows.add_column(column, no_wrap=True)
    for key in keys.items:
        rows.add_row(key.name, ", ".join(s.value for s in key.scopes),
                     ", ".join(key.galleries) if key.galleries else "all", _day(key.last_used_at), _state(key), key.id)
    out.print(rows)


@app.command("revoke")
@fails_cleanly
def revoke(ctx: typer.Context, key_id: Annotated[str, typer.Argument(help="The key's id (see `keys list`).")],
           as_json: JsonOption = False) -> None:
    """Revoke a key at once: its next request is refused."""
    connection: Connection = ctx.obj
    with connection.client() as client:
        key = expect(call(client, lambda: revoke_key.sync_detailed(key_id, client=client)), KeyOut, ADMIN_HINT)
    if as_json:
        print_json(key.to_dict())
    else:
        out.print(f"revoked key {key.id} ({key.name}) at {_when(key.revoked_at)}")
