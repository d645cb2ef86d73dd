"""`python -m bench.accuracy` measures what a user gets: for the same photo and request, the embedding it reads
equals the one the server stores, and the verify score the server answers is the one the bench computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient

from bench import accuracy
from bench.accuracy_http import Client
from bench.facesets import FaceSet

# lfw-dev photos with one face, several faces, and several where the person is not the largest face.
PHOTOS = ["AJ_Cook/AJ_Cook_0001.jpg", "Abdel_Nasser_Assidi/Abdel_Nasser_Assidi_0001.jpg",
          "Aldo_Paredes/Aldo_Paredes_0002.jpg"]


@pytest.fixture(scope="module")
def lfw(faces_dir: Path) -> FaceSet:
    return FaceSet.load(faces_dir / "lfw-dev")


def test_the_bench_reads_a_photo_as_the_server_does(client: TestClient, lfw: FaceSet, models_dir: Path) -> None:
    photo = accuracy.reader(models_dir)
    model = next(m["name"] for m in client.get("/v1/models").json()["models"] if m["default"])
    gallery = "bench-path"
    for index, path in enumerate(PHOTOS):
        data = lfw.image(path).read_bytes()
        enrolled = client.post("/v1/enroll", data={"subject": f"p{index}", "gallery": gallery},
                               files={"images": ("p.jpg", data, "image/jpeg")})
        assert enrolled.status_code == 201, enrolled.text
        (face,) = enrolled.json()["faces"]
        assert face["face_selection"] == str(accuracy.DEFAULT_SELECTION)
        assert (face["faces_found"] == 1) == (index == 0)
        read = accuracy.read_photo(photo, data, [model], accuracy.DEFAULT_SELECTION)
        assert read.enrollable
        assert not read.refused
        assert face["box"]["width"] > 0
    bench = Client(client, lfw)  # the HTTP bench's own requests and readers, over this client
    exported = bench.export(gallery)
    assert sorted(exported) == [f"p{i}" for i in range(len(PHOTOS))]
    for index, path in enumerate(PHOTOS):
        read = accuracy.read_photo(photo, lfw.image(path).read_bytes(), [model], accuracy.DEFAULT_SELECTION)
        vector = read.vectors[model]
        assert vector is not None
        np.testing.assert_array_equal(exported[f"p{index}"], vector)
    # verify answers the score the bench computes from the same two readings
    score = bench.verify({"path1": PHOTOS[0], "path2": PHOTOS[1]})
    a, b = (accuracy.read_photo(photo, lfw.image(p).read_bytes(), [model], accuracy.DEFAULT_SELECTION).vectors[model]
            for p in PHOTOS[:2])
    assert a is not None
    assert b is not None
    assert score == pytest.approx(float(a @ b), abs=1e-6)
    client.delete(f"/v1/galleries/{gallery}")
