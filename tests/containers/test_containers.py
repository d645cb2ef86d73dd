"""The Dockerfile and docker-compose.yml, built and run for real with buildah/podman (no Docker engine needed).

Opt-in, since a cold run builds images for minutes: `FACEGATE_CONTAINER_TESTS=1`. The tools and a local stand-in
for python:3.11-slim come from `../shared/container/setup.sh` (or FACEGATE_CONTAINER_SETUP); containers share the
host network, so each service gets a free port and everything talks to 127.0.0.1.

    FACEGATE_CONTAINER_TESTS=1 .venv/bin/python -m pytest -q -s tests/containers
"""

from __future__ import annotations

import csv
import os
import secrets
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
SETUP = Path(os.environ.get("FACEGATE_CONTAINER_SETUP", ROOT.parent / "shared" / "container" / "setup.sh"))
IMAGE = "localhost/facegate:test"
POSTGRES_IMAGE = "localhost/facegate-postgres:test"
READY_TIMEOUT_S = 240

pytestmark = pytest.mark.skipif(
    os.environ.get("FACEGATE_CONTAINER_TESTS") != "1",
    reason="container tests build images for minutes: set FACEGATE_CONTAINER_TESTS=1 to run them",
)


def log(message: str) -> None:
    print(f"[containers] {message}", flush=True)


@dataclass(frozen=True)
class Tools:
    env: dict[str, str]
    base_image: str
    compose: str

    def run(self, *args: str, check: bool = True, timeout: float = 1800, **kwargs) -> subprocess.CompletedProcess:
        result = subprocess.run(args, env=self.env, text=True, capture_output=True, timeout=timeout, **kwargs)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout[-4000:]}\n"
                                 f"{result.stderr[-4000:]}")
        return result

    def build(self, tag: str, context: Path, containerfile: Path) -> None:
        started = time.monotonic()
        self.run("podman", "build", "--isolation", "chroot", "--network", "host", "--layers", "--format", "docker",
                 "--build-arg", f"BASE_IMAGE={self.base_image}", "-f", str(containerfile), "-t", tag, str(context))
        size = int(self.run("podman", "image", "inspect", tag, "--format", "{{.Size}}").stdout.strip())
        log(f"image built: {tag} in {time.monotonic() - started:.1f} s, size {size / 1e6:.0f} MB")


@pytest.fixture(scope="module")
def tools() -> Tools:
    if not SETUP.exists():
        pytest.skip(f"container set-up script not found at {SETUP} (set FACEGATE_CONTAINER_SETUP)")
    script = (f'source "{SETUP}" >&2 && printf "%s\\n" "$BASE_IMAGE" "$CONTAINERS_STORAGE_CONF" '
              '"$CONTAINERS_CONF" "$PODMAN_COMPOSE"')
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, text=True, capture_output=True, timeout=1800)
    assert result.returncode == 0, f"{SETUP} failed:\n{result.stderr[-4000:]}"
    base_image, storage_conf, containers_conf, compose = result.stdout.split()
    env = os.environ | {"CONTAINERS_STORAGE_CONF": storage_conf, "CONTAINERS_CONF": containers_conf,
                        "BASE_IMAGE": base_image}
    log(f"container tools ready, BASE_IMAGE={base_image}")
    return Tools(env=env, base_image=base_image, compose=compose)


@pytest.fixture(scope="module")
def facegate_image(tools: Tools) -> str:
    tools.build(IMAGE, ROOT, ROOT / "Dockerfile")
    return IMAGE


@pytest.fixture(scope="module")
def same_person(faces_dir: Path) -> tuple[Path, Path]:
    """Two photos of one person: the first genuine pair of the studio set."""
    with (faces_dir / "studio" / "pairs.csv").open(newline="") as fh:
        row = next(r for r in csv.DictReader(fh) if r["label"] == "1")
    images = faces_dir / "studio" / "images"
    return images / row["path1"], images / row["path2"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base_url: str, alive: Callable[[], bool], logs: Callable[[], str]) -> float:
    """Seconds until GET /readyz answers 200; fails with the container logs if it never does."""
    started = time.monotonic()
    while time.monotonic() - started < READY_TIMEOUT_S:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.TransportError:
            pass
        if not alive():
            pytest.fail(f"container exited before /readyz answered:\n{logs()}")
        time.sleep(0.25)
    pytest.fail(f"/readyz did not answer 200 within {READY_TIMEOUT_S} s:\n{logs()}")


def photo(path: Path) -> tuple[str, bytes, str]:
    return path.name, path.read_bytes(), "image/jpeg"


def facegate_leftovers(tools: Tools) -> list[str]:
    names = tools.run("podman", "ps", "-a", "--format", "{{.Names}} {{.Image}}").stdout.splitlines()
    return [line for line in names if "facegate" in line]


def test_image_enrolls_and_verifies(tools: Tools, facegate_image: str, same_person: tuple[Path, Path]) -> None:
    first, second = same_person
    name = f"facegate-test-{secrets.token_hex(4)}"
    port = free_port()
    tools.run("podman", "run", "-d", "--name", name, "-e", f"FACEGATE_PORT={port}", facegate_image)
    try:
        base_url = f"http://127.0.0.1:{port}"

        def alive() -> bool:
            state = tools.run("podman", "inspect", name, "--format", "{{.State.Running}}", check=False)
            return state.stdout.strip() == "true"

        seconds = wait_ready(base_url, alive, lambda: tools.run("podman", "logs", name, check=False).stderr[-4000:])
        log(f"/readyz answered after {seconds:.1f} s (cold start of {name} on port {port})")
        user = tools.run("podman", "exec", name, "id", "-u").stdout.strip()
        assert user != "0", "the service runs as root"
        health = tools.run("podman", "healthcheck", "run", name, check=False)
        assert health.returncode == 0, f"HEALTHCHECK failed: {health.stdout}{health.stderr}"
        # No FACEGATE_ADMIN_KEY: the first start wrote an admin key for its owner only and logged the path alone.
        key = tools.run("podman", "exec", name, "cat", "/data/admin.key").stdout.strip()
        mode = tools.run("podman", "exec", name, "stat", "-c", "%a %U", "/data/admin.key", "/data/facegate.db").stdout
        assert mode.split() == ["600", "facegate", "600", "facegate"], mode
        logs = tools.run("podman", "logs", name, check=False)
        assert "/data/admin.key" in logs.stderr
        assert key not in logs.stdout + logs.stderr
        assert httpx.get(f"{base_url}/v1/subjects", timeout=10).status_code == 401
        log("admin key bootstrapped in /data/admin.key (0600, never logged); /v1 without it: 401")
        with httpx.Client(base_url=base_url, timeout=60, headers={"Authorization": f"Bearer {key}"}) as http:
            enroll = http.post("/v1/enroll", data={"subject": "alice"}, files={"images": photo(first)})
            assert enroll.status_code == 201, enroll.text
            verify = http.post("/v1/verify", data={"subject": "alice"}, files={"image": photo(second)})
            assert verify.status_code == 200, verify.text
            assert verify.json()["match"] is True, verify.text
        log(f"enroll/verify round trip OK: {first.name} enrolled, {second.name} verified "
            f"(score {verify.json().get('score')})")
    finally:
        tools.run("podman", "rm", "-f", "-v", name, check=False)
    assert not tools.run("podman", "ps", "-a", "--filter", f"name={name}", "-q").stdout.strip()


@pytest.fixture
def compose_project(tools: Tools, facegate_image: str, tmp_path: Path) -> Iterator[tuple[list[str], dict, str]]:
    """The compose stack's command line, environment and facegate URL; always taken down afterwards."""
    tools.build(POSTGRES_IMAGE, ROOT / "deploy" / "postgres", ROOT / "deploy" / "postgres" / "Containerfile")
    # Here containers share the host network (no bridge networks on these machines): the same compose file,
    # plus an override that puts both services on the host network.
    override = tmp_path / "compose.hostnet.yml"
    override.write_text("services:\n  postgres:\n    network_mode: host\n  facegate:\n    network_mode: host\n")
    project = f"facegate-ctest-{secrets.token_hex(4)}"
    port = free_port()
    env = tools.env | {
        "COMPOSE_PROJECT_NAME": project,
        "POSTGRES_IMAGE": POSTGRES_IMAGE,
        "FACEGATE_IMAGE": facegate_image,
        "POSTGRES_PASSWORD": secrets.token_hex(16),
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(free_port()),
        "FACEGATE_PORT": str(port),
        "FACEGATE_PUBLISH": f"127.0.0.1:{port}",
        "FACEGATE_ADMIN_KEY": secrets.token_hex(24),
    }
    command = [tools.compose, "-p", project, "-f", str(ROOT / "docker-compose.yml"), "-f", str(override)]
    volumes_before = set(tools.run("podman", "volume", "ls", "--format", "{{.Name}}").stdout.split())
    try:
        yield command, env, f"http://127.0.0.1:{port}"
    finally:
        down = subprocess.run([*command, "down", "-v", "-t", "10"], env=env, cwd=ROOT, text=True,
                              capture_output=True, timeout=300)
        log(f"compose down: rc {down.returncode}")
        leftovers = [line for line in facegate_leftovers(tools) if project in line]
        for line in leftovers:
            tools.run("podman", "rm", "-f", "-v", line.split()[0], check=False)
        # `down -v` removes the named volume (pgdata); podman-compose leaves the anonymous one of facegate's
        # `VOLUME /data`, which only this stack can have created: remove it too.
        volumes = set(tools.run("podman", "volume", "ls", "--format", "{{.Name}}").stdout.split()) - volumes_before
        for volume in sorted(volumes):
            tools.run("podman", "volume", "rm", "-f", volume, check=False)
        assert not leftovers, f"compose down left containers behind: {leftovers}"
        assert not [v for v in volumes if v.startswith(project)], "compose down -v left the named volume behind"


def test_compose_stack_with_postgres(
    tools: Tools, compose_project: tuple[list[str], dict, str], same_person: tuple[Path, Path]
) -> None:
    command, env, base_url = compose_project
    first, second = same_person
    project = env["COMPOSE_PROJECT_NAME"]

    def container(service: str) -> str:
        names = tools.run("podman", "ps", "-a", "--format", "{{.Names}}").stdout.split()
        return next((n for n in names if n.startswith((f"{project}_{service}", f"{project}-{service}"))), "")

    def up(*services: str) -> None:
        result = subprocess.run([*command, "up", "-d", "--no-build", *services], env=env, cwd=ROOT, text=True,
                                capture_output=True, timeout=300)
        assert result.returncode == 0, f"compose up failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"

    def wait_healthy(name: str) -> float:
        # Podman runs HEALTHCHECKs from systemd timers, absent here, so run the service's own check by hand.
        began = time.monotonic()
        while time.monotonic() - began < READY_TIMEOUT_S:
            if tools.run("podman", "healthcheck", "run", name, check=False).returncode == 0:
                return time.monotonic() - began
            time.sleep(0.5)
        pytest.fail(f"{name} never became healthy:\n{tools.run('podman', 'logs', name, check=False).stderr[-4000:]}")

    # podman-compose ignores `depends_on: condition: service_healthy` with this podman (4.3), so the test keeps
    # the order compose promises: PostgreSQL healthy (its pg_isready check) before facegate starts.
    started = time.monotonic()
    up("postgres")
    postgres = container("postgres")
    assert postgres, "no postgres container after compose up"
    log(f"compose: postgres healthy (pg_isready) after {wait_healthy(postgres):.1f} s")
    up("facegate")
    facegate = container("facegate")
    assert facegate, "no facegate container after compose up"

    def alive() -> bool:
        return tools.run("podman", "inspect", facegate, "--format", "{{.State.Running}}", check=False).stdout.strip() \
            == "true"

    seconds = wait_ready(base_url, alive, lambda: tools.run("podman", "logs", facegate, check=False).stderr[-4000:])
    log(f"compose stack up, facegate /readyz answered {seconds:.1f} s after start "
        f"({time.monotonic() - started:.1f} s in all)")
    wait_healthy(facegate)
    restarts = tools.run("podman", "inspect", facegate, "--format", "{{.RestartCount}}").stdout.strip()
    assert restarts == "0", f"facegate restarted {restarts} times:\n{tools.run('podman', 'logs', facegate).stderr}"
    db_url = tools.run("podman", "exec", facegate, "printenv", "FACEGATE_DATABASE_URL").stdout.strip()
    assert db_url.startswith("postgresql+psycopg://"), db_url
    with httpx.Client(base_url=base_url, timeout=60,
                      headers={"Authorization": f"Bearer {env['FACEGATE_ADMIN_KEY']}"}) as http:
        enroll = http.post("/v1/enroll", data={"subject": "bob", "gallery": "compose"}, files={"images": photo(first)})
        assert enroll.status_code == 201, enroll.text
        identify = http.post("/v1/identify", data={"gallery": "compose"}, files={"image": photo(second)})
        assert identify.status_code == 200, identify.text
        faces = identify.json()["faces"]
        assert len(faces) == 1, identify.text
        match = faces[0]["match"]
        assert match is not None, identify.text
        assert match["subject"] == "bob", identify.text
    log(f"compose round trip against PostgreSQL OK: enrolled {first.name}, identified {second.name} as bob")


def test_nothing_left_running(tools: Tools) -> None:
    running = tools.run("podman", "ps", "--format", "{{.Names}} {{.Image}}").stdout.splitlines()
    leftovers = [line for line in running if "facegate" in line]
    assert not leftovers, f"facegate containers still running: {leftovers}"
    log("nothing facegate-related left running (podman ps)")
