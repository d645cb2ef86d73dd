"""Accuracy of a running facegate server over HTTP, on the protocol `bench/accuracy.py` measures in process.

    python -m bench.accuracy --url http://127.0.0.1:8000 --key ADMIN_KEY [--set lfw-dev] [--workers 2]

Every request leaves its options at the API's defaults (face selection, model, operating point):
- verification: `POST /v1/verify` on each pair of `pairs.csv`; a refused photo (422) fails its pair. Accuracy
  per held-out fold, threshold chosen on the other folds;
- TAR at FAR: the genuine pairs' verify scores against every cross-identity pair of the server's own embeddings:
  each photo enrolled as a subject of its own (`POST /v1/enroll`) in a scratch gallery, exported
  (`GET /v1/galleries/{g}/export`) and deleted; photos the enrollment gate refuses are left out of the impostors;
- identification: `identification.csv`'s gallery and distractor photos enrolled in another scratch gallery, its
  probes and strangers searched (`POST /v1/identify`): rank-1, and FNIR and FPIR of the server's own default
  decision, beside the FPIR it expected.
The key must be an admin key (export and gallery deletion). Scratch galleries are deleted at the end.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from bench import metrics
from bench.facesets import FaceSet

FARS = (1e-2, 1e-3, 1e-4)
RETRIES = 20


class Client:
    """Posts a set's photos to the server as multipart, the way the README shows."""

    def __init__(self, http: httpx.Client, faces: FaceSet) -> None:
        self.http = http
        self.faces = faces

    @classmethod
    def connect(cls, url: str, key: str, faces: FaceSet) -> Client:
        return cls(httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=120), faces)

    def _post(self, path: str, **kwargs: Any) -> httpx.Response:
        """POST, waiting out 429 RATE_LIMITED and 503 OVERLOADED as their Retry-After says, as a client should."""
        for _ in range(RETRIES):
            response = self.http.post(path, **kwargs)
            if response.status_code not in {429, 503}:
                return response
            time.sleep(float(response.headers.get("Retry-After", "1")))
        return response

    def _file(self, path: str) -> tuple[str, bytes, str]:
        return Path(path).name, self.faces.image(path).read_bytes(), "image/jpeg"

    def verify(self, pair: dict[str, str]) -> float:
        response = self._post("/v1/verify", files={"image_a": self._file(pair["path1"]),
                                                       "image_b": self._file(pair["path2"])})
        if response.status_code == 422:  # NO_FACE, LOW_QUALITY: the pair is not accepted
            return metrics.REFUSED
        response.raise_for_status()
        return float(response.json()["score"])

    def enroll(self, gallery: str, subject: str, path: str) -> bool:
        response = self._post("/v1/enroll", data={"subject": subject, "gallery": gallery},
                                  files={"images": self._file(path)})
        if response.status_code == 422:
            return False
        response.raise_for_status()
        return True

    def identify(self, gallery: str, path: str) -> dict[str, Any] | None:
        response = self._post("/v1/identify", data={"gallery": gallery}, files={"image": self._file(path)})
        if response.status_code == 422:
            return None
        response.raise_for_status()
        return response.json()

    def export(self, gallery: str) -> dict[str, np.ndarray]:
        response = self.http.get(f"/v1/galleries/{gallery}/export")
        response.raise_for_status()
        lines = response.text.splitlines()[1:]
        vectors = {}
        for line in lines:
            item = json.loads(line)
            (face,) = item["faces"]
            vectors[item["subject"]] = np.frombuffer(base64.b64decode(face["embedding"]), "<f4")
        return vectors

    def delete(self, gallery: str) -> None:
        self.http.delete(f"/v1/galleries/{gallery}")


def _impostors(vectors: np.ndarray, identities: np.ndarray) -> np.ndarray:
    """Scores of every pair of photos of different people, in blocks (23 million pairs on lfw-dev)."""
    out = []
    for start in range(0, len(vectors), 1000):
        block = vectors[start:start + 1000] @ vectors.T
        rows = np.arange(start, min(start + 1000, len(vectors)))[:, None]
        keep = (np.arange(len(vectors))[None, :] > rows) & (identities[rows] != identities[None, :])
        out.append(block[keep])
    return np.concatenate(out)


def run(faces: FaceSet, url: str, key: str | None, workers: int) -> dict[str, Any]:
    key = key or os.environ.get("FACEGATE_KEY")
    if not key:
        raise SystemExit("--url needs an admin key: --key or FACEGATE_KEY")
    client = Client.connect(url, key, faces)
    scratch = f"bench-{secrets.token_hex(4)}"
    started = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        scores = np.array(list(pool.map(client.verify, faces.pairs)))
        every, search = f"{scratch}-all", f"{scratch}-id"
        enrolled = list(pool.map(lambda i: client.enroll(every, f"p{i}", faces.paths[i]), range(len(faces.paths))))
        identity = dict(zip(faces.paths, faces.identities, strict=True))
        gallery = [p for p, role in faces.roles.items() if role in {"gallery", "gallery_distractor"}]
        searched = [p for p, role in faces.roles.items() if role in {"probe", "unknown_probe"}]
        gallery_enrolled = list(pool.map(lambda p: client.enroll(search, identity[p], p), gallery))
        answers = list(pool.map(lambda p: client.identify(search, p), searched))
    exported = client.export(every)
    for name in (every, search):
        client.delete(name)
    elapsed = time.perf_counter() - started

    labels = np.array([int(p["label"]) for p in faces.pairs])
    folds = np.array([int(p["fold"]) for p in faces.pairs])
    accuracy = metrics.fold_accuracy(scores, labels, folds)
    kept = [i for i in range(len(faces.paths)) if f"p{i}" in exported]
    vectors = np.stack([exported[f"p{i}"] for i in kept])
    genuine, impostor = scores[labels == 1], _impostors(vectors, faces.identities[kept])
    hits = misses = strangers = false_matches = 0
    expected_fpir = None
    for photo, answer in zip(searched, answers, strict=True):
        face = answer["faces"][0] if answer else None
        if answer:
            expected_fpir = answer["expected_fpir"]
        if faces.roles[photo] == "probe":
            hits += bool(face and face["candidates"] and face["candidates"][0]["subject"] == identity[photo])
            misses += not (face and face["match"] and face["match"]["subject"] == identity[photo])
        else:
            strangers += 1
            false_matches += bool(face and face["match"])
    probes = len(searched) - strangers
    report = {
        "url": url, "dataset": faces.name, "seconds": round(elapsed, 1), "clients": workers,
        "accuracy": float(np.mean(accuracy)), "accuracy_std": float(np.std(accuracy)),
        "tar_at_far": {f"{far:g}": metrics.tar_at_far(genuine, impostor, far)[0] for far in FARS},
        "refused_pairs": int((scores == metrics.REFUSED).sum()), "impostor_comparisons": len(impostor),
        "not_enrolled": len(faces.paths) - sum(enrolled),
        "rank1": hits / probes, "fnir_default": misses / probes, "fpir_default": false_matches / strangers,
        "expected_fpir": expected_fpir, "probes": probes, "strangers": strangers,
        "gallery_not_enrolled": len(gallery) - sum(gallery_enrolled), "unanswered": sum(a is None for a in answers),
    }
    tar = report["tar_at_far"]
    print(f"\n{faces.name} over HTTP at {url}: {len(faces.pairs)} verify pairs ({report['refused_pairs']} refused), "
          f"{len(faces.paths)} photos enrolled one subject each ({report['not_enrolled']} refused) for "
          f"{len(impostor)} impostor comparisons, {len(gallery)} gallery photos, {len(searched)} searches "
          f"({report['unanswered']} refused); {elapsed:.0f} s with {workers} clients\n")
    print(f"accuracy {report['accuracy']:.2%} ±{report['accuracy_std']:.2%}   TAR@FAR 1e-2 {tar['0.01']:.2%}  "
          f"1e-3 {tar['0.001']:.2%}  1e-4 {tar['0.0001']:.2%}")
    print(f"identify at the server's default: rank-1 {report['rank1']:.2%}  FNIR {report['fnir_default']:.2%}  "
          f"FPIR {report['fpir_default']:.2%} (expected {expected_fpir:.2%})")
    print(json.dumps(report))
    return report
