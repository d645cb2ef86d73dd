"""Which run-time alignment should feed dlib's face-recognition ResNet? Measured on LFW (lfw-dev).

The ResNet was trained on dlib's 150x150 chips (`dlib.get_face_chip(img, shape, 150, 0.25)`) built from dlib's
5-point shape predictor run on dlib's HOG detector boxes. We detect with YuNet, so we compare:

  a         dlib HOG detector -> dlib 5-point predictor -> dlib chip (reference; not shippable)
  b_raw     YuNet box as given -> dlib 5-point predictor -> dlib chip
  b_remap   YuNet box remapped to look like a dlib HOG box (least squares on the fit set) -> predictor -> chip
  c_umeyama YuNet's 5 landmarks -> least-squares similarity to a fitted chip template -> chip
  c_lmeds   same with cv2.estimateAffinePartial2D(..., method=cv2.LMEDS)

The template of (c) is the mean, over the fit set, of YuNet's landmarks mapped into dlib's chip by dlib's own
chip transform. The fit set (template and box remap) never touches the evaluation: it is every `studio` image
plus the lfw-dev images whose identity appears nowhere in lfw-dev/pairs.csv.

Protocol: score = cosine similarity of dlib descriptors. Accuracy: for each of the 5 folds, the threshold that
maximises accuracy on the other 4 folds, measured on the held-out fold; mean and sample sd over folds.
TAR@FAR=1e-3: over all image pairs among the pairs.csv images (genuine = same identity, impostor = different
identities), threshold = the impostor score exceeded by at most 0.1 % of impostor pairs. An image whose
detector finds nothing gets no descriptor: its pairs score -1 (rejected), so failures cost genuine pairs.
Accuracy is also reported on the pairs where every variant found the face ("common"), which isolates alignment
from detection.

Everything slow (detections, descriptors) is cached under build/dlib_alignment_study/; a re-run only redoes the
metrics. Run: .venv/bin/python bench/dlib_alignment_study.py [--faces ../shared/faces]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import sys
import time
from pathlib import Path

import cv2
import dlib
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.vision import dlib_chip as dc  # noqa: E402

CACHE = ROOT / "build" / "dlib_alignment_study"
VARIANTS = ("a", "b_raw", "b_remap", "c_umeyama", "c_lmeds")
NAN5 = np.full((5, 2), np.nan)


def load_rgb(path: Path) -> np.ndarray:
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(path)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def central(centres: np.ndarray, shape: tuple[int, ...]) -> int:
    """Index of the face whose box centre is nearest the image centre (right on LFW, measured elsewhere)."""
    h, w = shape[:2]
    return int(np.argmin(np.hypot(centres[:, 0] - w / 2, centres[:, 1] - h / 2)))


class Models:
    """dlib reference models plus YuNet, loaded once."""

    def __init__(self, sources: Path) -> None:
        self.hog = dlib.get_frontal_face_detector()
        self.sp = dlib.shape_predictor(str(sources / "shape_predictor_5_face_landmarks.dat"))
        self.net = dlib.face_recognition_model_v1(str(sources / "dlib_face_recognition_resnet_model_v1.dat"))
        self.yunet = cv2.FaceDetectorYN.create(
            str(sources / "face_detection_yunet_2023mar_int8bq.onnx"), "", (320, 320), 0.7
        )

    def predict(self, rgb: np.ndarray, ltrb: np.ndarray) -> np.ndarray:
        rect = dlib.rectangle(*(round(float(v)) for v in ltrb))
        return np.array([(p.x, p.y) for p in self.sp(rgb, rect).parts()], np.float64)

    def detect(self, rgb: np.ndarray) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        # LFW faces (~100 px) need dlib's 2x upsampling to be found; 600-800 px studio portraits do not.
        rects = self.hog(rgb, 1 if max(rgb.shape[:2]) < 500 else 0)
        if len(rects):
            boxes = np.array([[r.left(), r.top(), r.right(), r.bottom()] for r in rects], np.float64)
            i = central((boxes[:, :2] + boxes[:, 2:]) / 2, rgb.shape)
            out["hog"] = boxes[i]
            out["pts_a"] = self.predict(rgb, boxes[i])
        else:
            out["hog"] = np.full(4, np.nan)
            out["pts_a"] = NAN5
        h, w = rgb.shape[:2]
        self.yunet.setInputSize((w, h))
        _, faces = self.yunet.detect(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        if faces is not None and len(faces):
            i = central(faces[:, :2] + faces[:, 2:4] / 2, rgb.shape)
            box = faces[i, :4].astype(np.float64)
            out["ybox"] = box
            out["ylm"] = faces[i, 4:14].reshape(5, 2).astype(np.float64)
            out["pts_b_raw"] = self.predict(rgb, np.array([box[0], box[1], box[0] + box[2], box[1] + box[3]]))
        else:
            out["ybox"] = np.full(4, np.nan)
            out["ylm"] = NAN5
            out["pts_b_raw"] = NAN5
        return out

    def descriptor(self, chip: np.ndarray) -> np.ndarray:
        return np.array(self.net.compute_face_descriptor(np.ascontiguousarray(chip)), np.float64)


def read_sets(faces: Path) -> tuple[list[dict[str, str]], list[Path], list[str], list[Path]]:
    """pairs.csv rows, evaluation images (+ identities) and fit images (studio + unpaired lfw-dev identities)."""
    lfw = faces / "lfw-dev"
    with open(lfw / "pairs.csv", newline="") as f:
        pairs = list(csv.DictReader(f))
    paired_ids = {p["identity1"] for p in pairs} | {p["identity2"] for p in pairs}
    eval_rel = sorted({p["path1"] for p in pairs} | {p["path2"] for p in pairs})
    with open(lfw / "manifest.csv", newline="") as f:
        manifest = list(csv.DictReader(f))
    ident = {m["path"]: m["identity"] for m in manifest}
    fit = [lfw / "images" / m["path"] for m in manifest if m["identity"] not in paired_ids]
    with open(faces / "studio" / "manifest.csv", newline="") as f:
        fit += [faces / "studio" / "images" / m["path"] for m in csv.DictReader(f)]
    eval_paths = [lfw / "images" / p for p in eval_rel]
    return pairs, eval_paths, [ident[p] for p in eval_rel], fit


def detections(models: Models, paths: list[Path], name: str) -> dict[str, np.ndarray]:
    cache = CACHE / f"detections_{name}.npz"
    key = hashlib.sha1("\n".join(str(p) for p in paths).encode()).hexdigest()
    if cache.exists():
        data = dict(np.load(cache))
        if str(data.pop("key")) == key:
            return data
    rows: dict[str, list[np.ndarray]] = {}
    t0 = time.time()
    for i, p in enumerate(paths):
        for k, v in models.detect(load_rgb(p)).items():
            rows.setdefault(k, []).append(v)
        if i % 500 == 0:
            print(f"  detect {name}: {i}/{len(paths)} {time.time() - t0:.0f}s", flush=True)
    data = {k: np.stack(v) for k, v in rows.items()}
    np.savez(cache, key=key, **data)
    return data


def img_to_chip_dlib(pts: np.ndarray) -> np.ndarray:
    """dlib's image->chip map (get_mapping_to_chip) for dlib's 5 predicted points."""
    M = dc.similarity_lstsq(dc.dlib_chip_points(), pts)
    centre, side, angle = dc.chip_rect_from_similarity(M)
    corner = dc._corner_map(centre, side, angle, dc.CHIP_SIZE)
    return np.linalg.inv(np.vstack([corner, [0, 0, 1]]))[:2]


def fit_template(fit: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean (and sd) of YuNet landmarks mapped into dlib's chip, over fit faces where both agree."""
    mapped = []
    for pts, ylm in zip(fit["pts_a"], fit["ylm"], strict=True):
        if np.isnan(pts).any() or np.isnan(ylm).any():
            continue
        M = img_to_chip_dlib(pts)
        mapped.append(ylm @ M[:, :2].T + M[:, 2])
    arr = np.array(mapped)
    # Drop faces where the two detectors picked different people (or one failed badly): any point more than
    # 15 chip pixels (10 % of the chip) from the per-point median.
    arr = arr[np.abs(arr - np.median(arr, 0)).max(axis=(1, 2)) < 15]
    return arr.mean(0), arr.std(0), len(arr)


def fit_box_map(fit: dict[str, np.ndarray]) -> tuple[np.ndarray, int, float]:
    """Least-squares map YuNet (x, y, w, h) -> dlib HOG (l, t, r, b): l = x + a.(w, h), t = y + b.(w, h), ...

    Translation-equivariant and scale-equivariant by construction (no intercept), fitted on faces where both
    detectors fire on the same face. Returns 4x2 coefficients, count and rms residual in units of box width.
    """
    hog, ybox = fit["hog"], fit["ybox"]
    ok = ~np.isnan(hog).any(1) & ~np.isnan(ybox).any(1)
    hc = (hog[:, :2] + hog[:, 2:]) / 2
    yc = ybox[:, :2] + ybox[:, 2:] / 2
    ok &= np.hypot(*(hc - yc).T) < 0.3 * ybox[:, 2]
    x, y, w, h = ybox[ok].T
    X = np.stack([w, h], 1)
    target = hog[ok] - np.stack([x, y, x, y], 1)
    coef = np.linalg.lstsq(X, target, rcond=None)[0].T
    rms = float(np.sqrt(np.mean(((X @ coef.T - target) / w[:, None]) ** 2)))
    return coef, int(ok.sum()), rms


def remap_box(ybox: np.ndarray, coef: np.ndarray) -> np.ndarray:
    x, y, w, h = ybox
    return np.array([x, y, x, y]) + coef @ np.array([w, h])


def chips_for(
    variant: str, rgb: np.ndarray, det: dict[str, np.ndarray], models: Models, template: np.ndarray,
    box_coef: np.ndarray,
) -> np.ndarray | None:
    if variant == "a":
        pts = det["pts_a"]
    elif variant == "b_raw":
        pts = det["pts_b_raw"]
    elif variant == "b_remap":
        if np.isnan(det["ybox"]).any():
            return None
        pts = models.predict(rgb, remap_box(det["ybox"], box_coef))
    else:
        ylm = det["ylm"]
        if np.isnan(ylm).any():
            return None
        if variant == "c_umeyama":
            M = dc.similarity_lstsq(ylm, template)
        else:
            M, _ = cv2.estimateAffinePartial2D(
                ylm.astype(np.float32), template.astype(np.float32), method=cv2.LMEDS
            )
            if M is None:
                return None
        return dc.warp_chip(rgb, M)
    if np.isnan(pts).any():
        return None
    return dc.chip_from_dlib_points(rgb, pts)


def descriptors(
    variant: str, models: Models, paths: list[Path], det: dict[str, np.ndarray], template: np.ndarray,
    box_coef: np.ndarray,
) -> np.ndarray:
    """n x 128 descriptors (NaN rows where the detector failed), cached per variant and fitted parameters."""
    params = {"c_umeyama": template, "c_lmeds": template, "b_remap": box_coef}.get(variant, np.zeros(1))
    key = hashlib.sha1(np.round(params, 6).tobytes() + str(len(paths)).encode()).hexdigest()
    cache = CACHE / f"desc_{variant}.npz"
    if cache.exists():
        data = np.load(cache)
        if str(data["key"]) == key:
            return data["desc"]
    out = np.full((len(paths), 128), np.nan)
    t0 = time.time()
    for i, p in enumerate(paths):
        d = {k: v[i] for k, v in det.items()}
        chip = chips_for(variant, load_rgb(p), d, models, template, box_coef)
        if chip is not None:
            out[i] = models.descriptor(chip)
        if i % 500 == 0:
            print(f"  descriptors {variant}: {i}/{len(paths)} {time.time() - t0:.0f}s", flush=True)
    np.savez(cache, key=key, desc=out)
    return out


def cosine_matrix(desc: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(desc).any(1)
    n = np.where(ok[:, None], desc, 0.0)
    n /= np.maximum(np.linalg.norm(n, axis=1, keepdims=True), 1e-12)
    sim = n @ n.T
    sim[~ok, :] = -1.0
    sim[:, ~ok] = -1.0
    return sim


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    order = np.argsort(scores)
    s, lab = scores[order], labels[order]
    # predicting "same" for score > t; candidate t between consecutive sorted scores
    cand = np.concatenate([[s[0] - 1e-6], (s[:-1] + s[1:]) / 2, [s[-1] + 1e-6]])
    acc = [((s > t) == lab).mean() for t in cand]
    return float(cand[int(np.argmax(acc))])


def fold_accuracy(scores: np.ndarray, labels: np.ndarray, folds: np.ndarray) -> np.ndarray:
    accs = []
    for k in np.unique(folds):
        t = best_threshold(scores[folds != k], labels[folds != k])
        accs.append(((scores[folds == k] > t) == labels[folds == k]).mean())
    return np.array(accs) * 100


def tar_at_far(sim: np.ndarray, identities: list[str], far: float = 1e-3) -> tuple[float, int, int]:
    ids = np.unique(identities, return_inverse=True)[1]
    iu = np.triu_indices(len(ids), 1)
    s = sim[iu]
    same = ids[iu[0]] == ids[iu[1]]
    imp = np.sort(s[~same])
    thr = imp[int(np.ceil(len(imp) * (1 - far))) - 1]
    return float((s[same] > thr).mean() * 100), int(same.sum()), int((~same).sum())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_faces = os.environ.get("FACEGATE_FACES", str(ROOT.parent / "shared" / "faces"))
    ap.add_argument("--faces", type=Path, default=Path(default_faces))
    ap.add_argument("--sources", type=Path, default=ROOT / "build" / "sources")
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    args = ap.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    cv2.setNumThreads(1)

    pairs, eval_paths, eval_ids, fit_paths = read_sets(args.faces)
    models = Models(args.sources)
    print(f"eval images {len(eval_paths)}, fit images {len(fit_paths)}, pairs {len(pairs)}")
    fit = detections(models, fit_paths, "fit")
    ev = detections(models, eval_paths, "eval")

    template, spread, n_tpl = fit_template(fit)
    box_coef, n_box, box_rms = fit_box_map(fit)
    np.set_printoptions(precision=4, suppress=True)
    print(f"\ntemplate (c): mean of YuNet landmarks in dlib's chip over {n_tpl} fit faces "
          f"(x, y in 150x150 chip pixels; sd in brackets)")
    names = ("right eye", "left eye", "nose tip", "right mouth", "left mouth")
    for name, (x, y), (sx, sy) in zip(names, template, spread, strict=True):
        print(f"  {name:12s} [{x:.4f}, {y:.4f}]  ({sx:.2f}, {sy:.2f})")
    print(f"box remap (b_remap) on {n_box} fit faces, rms residual {box_rms:.3f} box widths; "
          "dlib (l, t, r, b) = (x, y, x, y) + coef @ (w, h):")
    print(box_coef)

    index = {str(p): i for i, p in enumerate(eval_paths)}
    img = args.faces / "lfw-dev" / "images"
    i1 = np.array([index[str(img / p["path1"])] for p in pairs])
    i2 = np.array([index[str(img / p["path2"])] for p in pairs])
    labels = np.array([p["label"] == "1" for p in pairs])
    folds = np.array([int(p["fold"]) for p in pairs])

    desc = {v: descriptors(v, models, eval_paths, ev, template, box_coef) for v in args.variants}
    valid = {v: ~np.isnan(d).any(1) for v, d in desc.items()}
    common = np.logical_and.reduce([valid[v][i1] & valid[v][i2] for v in desc])

    print(f"\nlfw-dev, {len(pairs)} pairs in 5 folds; {len(eval_paths)} images; common pairs (every variant "
          f"found both faces): {common.sum()}")
    header = (f"{'variant':10s} {'acc % (mean±sd)':>16s} {'acc common':>16s} {'TAR@FAR1e-3':>11s} "
              f"{'fail':>5s} {'med dist to a':>13s} {'p90 dist':>8s}")
    print(header)
    print("-" * len(header))
    for v, d in desc.items():
        sim = cosine_matrix(d)
        scores = sim[i1, i2]
        acc = fold_accuracy(scores, labels, folds)
        acc_c = fold_accuracy(scores[common], labels[common], folds[common])
        tar, n_gen, n_imp = tar_at_far(sim, eval_ids)
        both = valid[v] & valid.get("a", valid[v])
        dist = np.linalg.norm(d[both] - desc["a"][both], axis=1) if "a" in desc else np.array([np.nan])
        print(f"{v:10s} {acc.mean():7.2f} ± {acc.std(ddof=1):4.2f}   {acc_c.mean():7.2f} ± {acc_c.std(ddof=1):4.2f}"
              f" {tar:11.2f} {int((~valid[v]).sum()):5d} {np.median(dist):13.4f} {np.percentile(dist, 90):8.4f}")
    print(f"\nTAR over {n_gen} genuine and {n_imp} impostor image pairs among the pairs.csv images; "
          "dist = Euclidean distance between dlib descriptors of the same image (dlib's match threshold is 0.6).")


if __name__ == "__main__":
    main()
