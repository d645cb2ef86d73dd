"""`python -m app [serve|migrate]`: migrate the database, or migrate and serve (the default).

Host and port come from settings (FACEGATE_HOST, FACEGATE_PORT), the database from FACEGATE_DATABASE_URL.
"""

import argparse

import uvicorn

from app.config import Settings
from app.main import create_app
from app.store.migrate import upgrade
from app.telemetry.logging import configure as configure_logging


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m app", description=__doc__)
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args()
    configure_logging()
    settings = Settings()
    upgrade(settings.database_url)
    if args.command == "serve":
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port, log_config=None)


if __name__ == "__main__":
    main()
