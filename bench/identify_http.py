"""Open-set identification through the HTTP API, as a client would run it, on a set's identification.csv.

    python -m bench.identify_http [--faces ../shared/faces] [--set lfw-dev] [--workers 2]

Starts the service on a loopback port with a fresh SQLite file, enrolls every `gallery` and
`gallery_distractor` photo, then identifies every `probe` (enrolled people) and `unknown_probe` (strangers) at
the default operating point. Prints rank-1, FNIR (probes not matched to the right person) and FPIR (strangers
matched to someone), beside the FPIR the service expected for this gallery size.
"""

from __future__ import annotations

import argparse
import socket
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

from app.config import Settings
from app.main import create_app
from app.store.migrate import upgrade
from bench.facesets import FaceSet, add_set_arguments


def serve(settings: Settings) -> tuple[uvicorn.Server, str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.1)
    return server, f"http://127.0.0.1:{port}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_set_arguments(parser, workers=2)
    args = parser.parse_args(argv)
    faces = FaceSet.load(args.faces / args.set)
    folder = Path(tempfile.mkdtemp())
    settings = Settings(database_url=f"sqlite:///{folder / 'facegate.db'}", runtime={"models_dir": args.models})
    upgrade(settings.database_url)
    server, base = serve(settings)
    identity = dict(zip(faces.paths, faces.identities, strict=True))
    enroll = [p for p, role in faces.roles.items() if role in {"gallery", "gallery_distractor"}]
    search = [p for p, role in faces.roles.items() if role in {"probe", "unknown_probe"}]
    client = httpx.Client(base_url=base, timeout=120)

    def post(path: str, fields: dict[str, str], field: str, photo: str) -> httpx.Response:
        data = faces.image(photo).read_bytes()
        return client.post(path, data=fields, files={field: (Path(photo).name, data, "image/jpeg")})

    started = time.perf_counter()
    with ThreadPoolExecutor(args.workers) as pool:
        # LFW photos often show bystanders: take the largest face rather than refuse the photo.
        enrolled = list(pool.map(lambda p: post("/v1/enroll", {"subject": identity[p], "gallery": faces.name,
                                                               "face_selection": "largest"}, "images", p), enroll))
        answers = list(pool.map(lambda p: post("/v1/identify", {"gallery": faces.name}, "image", p), search))
    elapsed = time.perf_counter() - started
    calibration = next(p for p in client.get("/v1/models").json()["models"] if p["default"])["calibration"]
    server.should_exit = True
    refused = sum(r.status_code != 201 for r in enrolled)
    hits = misses = strangers = false_matches = unanswered = 0
    expected_fpir = threshold = None
    for photo, response in zip(search, answers, strict=True):
        if response.status_code != 200:
            unanswered += 1
            body = None
        else:
            body = response.json()
            expected_fpir, threshold = body["expected_fpir"], body["threshold"]
        face = body["faces"][0] if body else None
        if faces.roles[photo] == "probe":
            top = face["candidates"][0]["subject"] if face and face["candidates"] else None
            hits += top == identity[photo]
            misses += not (face and face["match"] and face["match"]["subject"] == identity[photo])
        else:
            strangers += 1
            false_matches += bool(face and face["match"])
    probes = len(search) - strangers
    print(f"\n{faces.name} over HTTP: {len(enroll)} enrolled ({refused} refused), {probes} probes, "
          f"{strangers} strangers, {unanswered} without an answer; {len(enroll) + len(search)} requests in "
          f"{elapsed:.0f} s ({args.workers} clients)")
    print(f"default operating point: threshold {threshold:.4f}, expected FPIR for this gallery {expected_fpir:.4%}")
    print(f"rank-1 {hits / probes:.2%}   FNIR {misses / probes:.2%}   FPIR measured {false_matches / strangers:.2%}")
    print("\nthe same answers at each operating point (per-comparison FMR):")
    subjects = len({identity[p] for p in enroll})
    for name, threshold in calibration["score_at_fmr"].items():
        fnir = fpir = 0
        for photo, response in zip(search, answers, strict=True):
            top = response.json()["faces"][0]["candidates"][:1] if response.status_code == 200 else []
            accepted = bool(top) and top[0]["score"] >= threshold
            if faces.roles[photo] == "probe":
                fnir += not (accepted and top[0]["subject"] == identity[photo])
            else:
                fpir += accepted
        fmr = float(name.removeprefix("fmr_"))
        print(f"  {name}: threshold {threshold:.4f}  FNIR {fnir / probes:6.2%}  FPIR {fpir / strangers:6.2%}  "
              f"(expected {1 - (1 - fmr) ** subjects:6.2%})")


if __name__ == "__main__":
    main()
