"""Regenerate the SDKs in clients/ from the service's OpenAPI document: `make clients`.

`clients/openapi.json` is the document of the code as it stands (default settings, whatever the environment
says); `clients/python` is what openapi-python-client makes of it, `clients/typescript/src/client` what
@hey-api/openapi-ts makes of it, and `clients/typescript/examples/openapi-fetch/schema.d.ts` the types
openapi-typescript makes of it, for openapi-fetch. Both are committed, so users get them without a generator, and
tests/clients/test_generated.py regenerates them into a temporary folder and fails when the copies differ.

    python clients/generate.py [--out DIR]    # DIR: where to write (default: clients/ itself)
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

CLIENTS = Path(__file__).resolve().parent
ROOT = CLIENTS.parent
BIN = Path(sys.executable).parent


def _environment() -> dict[str, str]:
    """No FACEGATE_* setting may shape the document, and the generator's formatter is the virtualenv's ruff."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("FACEGATE_")}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def document(out: Path) -> Path:
    path = out / "openapi.json"
    subprocess.run([sys.executable, "-m", "app", "openapi", "-o", str(path)], cwd=ROOT, env=_environment(),
                   check=True)
    return path


def python_client(spec: Path, out: Path) -> None:
    target = out / "python"
    subprocess.run([str(BIN / "openapi-python-client"), "generate", "--path", str(spec), "--meta", "uv",
                    "--config", str(CLIENTS / "python-config.yaml"), "--output-path", str(target), "--overwrite"],
                   cwd=out, env=_environment(), check=True, stdout=subprocess.DEVNULL)


def typescript_clients(spec: Path, out: Path) -> None:
    """From clients/typescript, with its pinned generators (`npm ci`): @hey-api/openapi-ts's SDK, the package's
    client, and openapi-typescript's types, which the openapi-fetch example uses."""
    package = CLIENTS / "typescript"
    if not (package / "node_modules").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=package, check=True)
    tools = package / "node_modules" / ".bin"
    target = out / "typescript" / "src" / "client"
    shutil.rmtree(target, ignore_errors=True)
    subprocess.run([str(tools / "openapi-ts"), "--input", str(spec), "--output", str(target),
                    "--client", "@hey-api/client-fetch"],
                   cwd=package, env=_environment(), check=True, stdout=subprocess.DEVNULL)
    types = out / "typescript" / "examples" / "openapi-fetch" / "schema.d.ts"
    types.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(tools / "openapi-typescript"), str(spec), "--output", str(types)],
                   cwd=package, env=_environment(), check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=CLIENTS)
    out = parser.parse_args().out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    spec = document(out)
    python_client(spec, out)
    typescript_clients(spec, out)


if __name__ == "__main__":
    main()
