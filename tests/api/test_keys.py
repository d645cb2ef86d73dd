"""API keys: shown once, stored only as a keyed hash, revocable at once; bootstrap and the command line."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from app.config import Settings
from app.main import create_app
from app.store.db import create_engine
from app.store.migrate import upgrade
from tests.api.conftest import ADMIN_KEY, assert_problem

ROOT = Path(__file__).resolve().parents[2]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


def test_a_key_is_shown_once_works_and_is_revoked_at_once(client: TestClient) -> None:
    created = client.post("/v1/keys", json={"name": "door app", "scopes": ["verify", "subjects:read"],
                                            "galleries": ["front-door"]})
    assert created.status_code == 201, created.text
    key = created.json()
    assert key["secret"].startswith(f"fg_{key['id']}_")
    assert len(key["secret"]) == 3 + 10 + 1 + 43
    assert (key["scopes"], key["galleries"], key["revoked_at"], key["created_by"]) == (
        ["subjects:read", "verify"], ["front-door"], None, "env-admin")
    listed = {item["id"]: item for item in client.get("/v1/keys").json()["items"]}
    assert "secret" not in listed[key["id"]]
    assert listed[key["id"]]["last_used_at"] is None

    assert client.get("/v1/galleries", headers=bearer(key["secret"])).status_code == 200
    used = {item["id"]: item for item in client.get("/v1/keys").json()["items"]}[key["id"]]
    assert used["last_used_at"] is not None

    revoked = client.delete(f"/v1/keys/{key['id']}")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    refused = client.get("/v1/galleries", headers=bearer(key["secret"]))
    assert_problem(refused, 401, "UNAUTHENTICATED")
    assert refused.headers["WWW-Authenticate"] == 'Bearer realm="facegate", error="invalid_token"'
    assert key["id"] not in {item["id"] for item in client.get("/v1/keys").json()["items"]}
    everything = client.get("/v1/keys", params={"include_revoked": True}).json()["items"]
    assert key["id"] in {item["id"] for item in everything}
    assert_problem(client.delete("/v1/keys/nosuchkey0"), 404, "KEY_NOT_FOUND")


def test_expired_tampered_and_malformed_keys_are_refused(client: TestClient) -> None:
    soon = (datetime.now(UTC) - timedelta(seconds=1)).isoformat()
    expired = client.post("/v1/keys", json={"name": "old", "scopes": ["verify"], "expires_at": soon}).json()
    assert_problem(client.get("/v1/models", headers=bearer(expired["secret"])), 401, "UNAUTHENTICATED")
    good = client.post("/v1/keys", json={"name": "good", "scopes": ["verify"]}).json()["secret"]
    tampered = good[:-1] + ("A" if good[-1] != "A" else "B")
    for secret in (tampered, "fg_short", "", ADMIN_KEY + "x", "Basic abc"):
        assert_problem(client.get("/v1/models", headers=bearer(secret)), 401, "UNAUTHENTICATED")
    assert_problem(client.get("/v1/models", headers={"Authorization": f"Basic {good}"}), 401, "UNAUTHENTICATED")
    assert client.get("/v1/models", headers=bearer(good)).status_code == 200
    assert_problem(client.post("/v1/keys", json={"name": "naive", "scopes": ["verify"],
                                                 "expires_at": "2030-01-01T00:00:00"}), 422, "VALIDATION_ERROR")
    # A number is not a time (pydantic would read it as Unix time: a key expiring in 1970).
    for when in (0, "0", 1.5):
        assert_problem(client.post("/v1/keys", json={"name": "unix", "scopes": ["verify"], "expires_at": when}),
                       422, "VALIDATION_ERROR")
    assert_problem(client.get("/v1/audit", params={"until": "0.5"}), 422, "VALIDATION_ERROR")


def test_no_stored_column_holds_a_key_secret(client: TestClient, app_settings: Settings) -> None:
    secrets = [client.post("/v1/keys", json={"name": f"s{i}", "scopes": ["enroll"]}).json()["secret"]
               for i in range(3)]
    assert client.get("/v1/models", headers=bearer(secrets[0])).status_code == 200
    # The whole key, and its random part alone (after `fg_<10-char id>_`; it may itself contain `_`).
    needles = [*secrets, *(s[len("fg_") + 10 + 1:] for s in secrets), ADMIN_KEY]
    assert all(len(needle) >= 43 for needle in needles)
    engine = create_engine(app_settings.database_url)
    try:
        with engine.connect() as connection:
            cells = [str(value) for table in inspect(connection).get_table_names()
                     for row in connection.execute(text(f'SELECT * FROM "{table}"')) for value in row]
            hashes = set(connection.scalars(select(text("secret_hash")).select_from(text("api_keys"))))
    finally:
        engine.dispose()
    assert len(cells) > 100
    assert not [cell for cell in cells for needle in needles if needle in cell]
    assert len(hashes) >= 3
    assert all(len(h) == 64 for h in hashes)


def test_first_start_writes_an_owner_only_admin_key_and_never_logs_it(
        tmp_path: Path, models_dir: Path, caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    settings = Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path / "data")
    with caplog.at_level(logging.INFO), TestClient(create_app(settings)) as fresh:
        key_file = tmp_path / "data" / "admin.key"
        secret = key_file.read_text().strip()
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert stat.S_IMODE((tmp_path / "data" / "pepper").stat().st_mode) == 0o600
        assert str(key_file) in caplog.text
        assert secret not in caplog.text
        assert_problem(fresh.get("/v1/keys"), 401, "UNAUTHENTICATED")
        keys = fresh.get("/v1/keys", headers=bearer(secret)).json()["items"]
        assert [(k["name"], k["scopes"]) for k in keys] == [("bootstrap admin", ["admin"])]
    # A second start finds a key and makes none; the file's key still works.
    with TestClient(create_app(settings)) as again:
        assert len(again.get("/v1/keys", headers=bearer(secret)).json()["items"]) == 1
        assert key_file.read_text().strip() == secret


def test_authentication_off_warns_at_every_start(tmp_path: Path, models_dir: Path,
                                                 caplog: pytest.LogCaptureFixture) -> None:
    url = f"sqlite:///{tmp_path / 'open.db'}"
    upgrade(url)
    settings = Settings(database_url=url, runtime={"models_dir": models_dir}, data_dir=tmp_path,
                        auth={"enabled": False})
    with caplog.at_level(logging.WARNING), TestClient(create_app(settings)) as open_client:
        assert "AUTHENTICATION IS OFF" in caplog.text
        assert open_client.get("/v1/galleries").status_code == 200
    assert not (tmp_path / "admin.key").exists()


def test_command_line_creates_lists_and_revokes(tmp_path: Path) -> None:
    env = {**os.environ, "FACEGATE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "FACEGATE_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app", "keys", *args], cwd=ROOT, env=env, text=True,
                              capture_output=True, timeout=120, check=False)

    created = run("create", "ci-bot", "--scope", "enroll", "--scope", "identify", "--gallery", "staff")
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    key_id = secret.split("_")[1]
    assert secret not in created.stderr
    listed = run("list")
    assert key_id in listed.stdout
    assert '"galleries": ["staff"]' in listed.stdout
    assert secret not in listed.stdout
    assert run("revoke", key_id).returncode == 0
    assert key_id not in run("list").stdout
    assert key_id in run("list", "--all").stdout
    missing = run("revoke", "nosuchkey0")
    assert missing.returncode == 1
    assert "KEY_NOT_FOUND" in missing.stderr
