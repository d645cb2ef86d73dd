"""Which run-time alignment should feed dlib's face-recognition ResNet? Measured on LFW (lfw-dev).

The ResNet was trained on dlib's 150x150 chips (`dlib.get_face_chip(img, shape, 150, 0.25)`) built from dlib's
5-point shape predictor run on dlib's HOG detector boxes. We detect with YuNet, so we compare:

  a         dlib HOG detector -> dlib 5-point predictor -> dlib chip (reference; not shippable)
  b_raw     YuNet box as given -> dlib 5-point predictor -> dlib chip
  b_remap   YuNet box remapped to look like a dlib HOG box (least squares on the fit set) -> predictor -> chip
  b_lmrect  a dlib-HOG-like box placed from YuNet's 5 landmarks alone (fit set) -> predictor -> chip
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

The (b) variants run dlib-bin's predictor; the script also checks that the numpy port we ship
(app.vision.dlib_chip.ShapePredictor5, parameters converted by models/dlib_shape5.py) gives the same landmarks
on every evaluation face's b_remap box, that the module's constants are the ones fitted here, and that the
box remap equals the one recorded in studies/yunet_box_map.py (the service does not remap boxes).

Slow results (detections, descriptors) are cached under build/dlib_alignment_study/; a re-run only redoes
the metrics. Run: .venv/bin/python -m studies.dlib_alignment_study [--faces ../shared/faces]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import time
from pathlib import Path

import cv2
import dlib
import numpy as np

from app.vision import dlib_chip as dc
from app.vision.alignment import similarity_transform
from models.dlib_shape5 import convert
from studies.yunet_box_map import YUNET_TO_DLIB_BOX

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "dlib_alignment_study"
VARIANTS = ("a", "b_raw", "b_remap", "b_lmrect", "c_umeyama", "c_lmeds")
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
        rect = dlib.rectangle(*(int(np.floor(float(v) + 0.5)) for v in ltrb))
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
    centre, side, angle = dc.chip_rect(pts)
    corner = dc._corner_map(centre, side, angle, dc.CHIP_SIZE)
    return np.linalg.inv(np.vstack([corner, [0, 0, 1]]))[:2]


def warp_chip(image: np.ndarray, image_to_chip: np.ndarray, size: int = dc.CHIP_SIZE) -> np.ndarray:
    """Variant (c)'s chip for an image->chip similarity, sampled as dlib samples (pyramid included)."""
    inv = np.linalg.inv(np.vstack([image_to_chip, [0.0, 0.0, 1.0]]))[:2]
    step = float(np.hypot(inv[0, 0], inv[1, 0]))
    angle = float(np.arctan2(inv[1, 0], inv[0, 0]))
    centre = inv[:, :2] @ np.array([(size - 1) / 2.0, (size - 1) / 2.0]) + inv[:, 2]
    return dc.extract_chip(image, centre, step * (size - 1), angle, size)


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


def fit_landmark_box(fit: dict[str, np.ndarray], template: np.ndarray) -> tuple[np.ndarray, float, int]:
    """dlib HOG box centre and side in the template's chip frame (similarity YuNet landmarks -> template)."""
    centres, sides = [], []
    for hog, ylm in zip(fit["hog"], fit["ylm"], strict=True):
        if np.isnan(hog).any() or np.isnan(ylm).any():
            continue
        M = similarity_transform(ylm, template)
        centres.append(M[:, :2] @ ((hog[:2] + hog[2:]) / 2) + M[:, 2])
        sides.append((hog[2] - hog[0]) * np.hypot(M[0, 0], M[1, 0]))
    c, sd = np.array(centres), np.array(sides)
    keep = np.abs(c - np.median(c, 0)).max(1) < 20  # the two detectors found the same face
    return c[keep].mean(0), float(sd[keep].mean()), int(keep.sum())


def landmark_box(ylm: np.ndarray, template: np.ndarray, centre: np.ndarray, side: float) -> np.ndarray:
    M = similarity_transform(template, ylm)
    c = M[:, :2] @ centre + M[:, 2]
    half = side * np.hypot(M[0, 0], M[1, 0]) / 2
    return np.array([c[0] - half, c[1] - half, c[0] + half, c[1] + half])


def remap_box(ybox: np.ndarray, coef: np.ndarray) -> np.ndarray:
    x, y, w, h = ybox
    return np.array([x, y, x, y]) + coef @ np.array([w, h])


def chips_for(
    variant: str, rgb: np.ndarray, det: dict[str, np.ndarray], models: Models, params: dict[str, np.ndarray]
) -> np.ndarray | None:
    template = params["template"]
    if variant == "a":
        pts = det["pts_a"]
    elif variant == "b_raw":
        pts = det["pts_b_raw"]
    elif variant == "b_remap":
        if np.isnan(det["ybox"]).any():
            return None
        pts = models.predict(rgb, remap_box(det["ybox"], params["box_coef"]))
    elif variant == "b_lmrect":
        if np.isnan(det["ylm"]).any():
            return None
        box = landmark_box(det["ylm"], template, params["lm_centre"], float(params["lm_side"][0]))
        pts = models.predict(rgb, box)
    else:
        ylm = det["ylm"]
        if np.isnan(ylm).any():
            return None
        if variant == "c_umeyama":
            M = similarity_transform(ylm, template)
        else:
            M, _ = cv2.estimateAffinePartial2D(ylm.astype(np.float32), template.astype(np.float32), method=cv2.LMEDS)
            if M is None:
                return None
        return warp_chip(rgb, M)
    if np.isnan(pts).any():
        return None
    return dc.chip_from_dlib_points(rgb, pts)


def descriptors(
    variant: str, models: Models, paths: list[Path], det: dict[str, np.ndarray], params: dict[str, np.ndarray]
) -> np.ndarray:
    """n x 128 descriptors (NaN rows where the detector failed), cached per variant and fitted parameters."""
    used = {
        "c_umeyama": params["template"],
        "c_lmeds": params["template"],
        "b_remap": params["box_coef"],
        "b_lmrect": np.concatenate([params["template"].ravel(), params["lm_centre"], params["lm_side"]]),
    }.get(variant, np.zeros(1))
    key = hashlib.sha1(np.round(used, 6).tobytes() + str(len(paths)).encode()).hexdigest()
    cache = CACHE / f"desc_{variant}.npz"
    if cache.exists():
        data = np.load(cache)
        if str(data["key"]) == key:
            return data["desc"]
    out = np.full((len(paths), 128), np.nan)
    t0 = time.time()
    for i, p in enumerate(paths):
        d = {k: v[i] for k, v in det.items()}
        chip = chips_for(variant, load_rgb(p), d, models, params)
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


def tar_at_far(sim: np.ndarray, identities: list[str], far: float = 1e-3) -> tuple[float, np.ndarray, int, int]:
    """TAR (%), per-genuine-pair acceptance, genuine and impostor counts over all pairs of the given images."""
    ids = np.unique(identities, return_inverse=True)[1]
    iu = np.triu_indices(len(ids), 1)
    s = sim[iu]
    same = ids[iu[0]] == ids[iu[1]]
    imp = np.sort(s[~same])
    thr = imp[int(np.ceil(len(imp) * (1 - far))) - 1]
    accepted = s[same] > thr
    return float(accepted.mean() * 100), accepted, int(same.sum()), int((~same).sum())


def held_out_correct(scores: np.ndarray, labels: np.ndarray, folds: np.ndarray) -> np.ndarray:
    """Per pair: right or wrong at its fold's threshold (chosen on the other folds)."""
    out = np.zeros(len(scores), bool)
    for k in np.unique(folds):
        t = best_threshold(scores[folds != k], labels[folds != k])
        out[folds == k] = (scores[folds == k] > t) == labels[folds == k]
    return out


def check_port(
    models: Models, paths: list[Path], det: dict[str, np.ndarray], box_coef: np.ndarray, sources: Path
) -> tuple[int, int, float]:
    """Faces where the numpy port's landmarks equal dlib-bin's on the b_remap box; worst difference (px)."""
    npz = CACHE / "shape_predictor_5.npz"
    convert(sources / "shape_predictor_5_face_landmarks.dat", npz)
    port = dc.ShapePredictor5(npz)
    same = total = 0
    worst = 0.0
    for i, p in enumerate(paths):
        if np.isnan(det["ybox"][i]).any():
            continue
        rgb = load_rgb(p)
        box = remap_box(det["ybox"][i], box_coef)
        diff = float(np.abs(port.predict(rgb, dc._round_box(box)) - models.predict(rgb, box)).max())
        total += 1
        same += diff <= 0.01
        worst = max(worst, diff)
    return same, total, worst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default_faces = os.environ.get("FACEGATE_FACES", str(ROOT.parent / "shared" / "faces"))
    ap.add_argument("--faces", type=Path, default=Path(default_faces))
    ap.add_argument("--sources", type=Path, default=ROOT / "build" / "sources")
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=VARIANTS)
    ap.add_argument("--skip-port-check", action="store_true", help="skip comparing the numpy predictor to dlib")
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
    lm_centre, lm_side, n_lm = fit_landmark_box(fit, template)
    params = {
        "template": template,
        "box_coef": box_coef,
        "lm_centre": lm_centre,
        "lm_side": np.array([lm_side]),
    }
    np.set_printoptions(precision=4, suppress=True)
    print(
        f"\ntemplate (c): mean of YuNet landmarks in dlib's chip over {n_tpl} fit faces "
        f"(x, y in 150x150 chip pixels; sd in brackets)"
    )
    names = ("right eye", "left eye", "nose tip", "right mouth", "left mouth")
    for name, (x, y), (sx, sy) in zip(names, template, spread, strict=True):
        print(f"  {name:12s} [{x:.4f}, {y:.4f}]  ({sx:.2f}, {sy:.2f})")
    print(
        f"box remap (b_remap) on {n_box} fit faces, rms residual {box_rms:.3f} box widths; "
        "dlib (l, t, r, b) = (x, y, x, y) + coef @ (w, h):"
    )
    print(box_coef)
    print(
        f"landmark box (b_lmrect) on {n_lm} fit faces: centre {lm_centre.round(4)}, side {lm_side:.4f} "
        "(template chip pixels)"
    )
    shipped = (
        np.allclose(dc.YUNET_CHIP_TEMPLATE, template, atol=5e-5)
        and np.allclose(dc.TEMPLATE_BOX_CENTRE, lm_centre, atol=5e-5)
        and abs(dc.TEMPLATE_BOX_SIDE - lm_side) < 5e-5
    )
    print(f"app/vision/dlib_chip.py constants equal this fit: {shipped}")
    recorded = np.allclose(YUNET_TO_DLIB_BOX, box_coef, atol=5e-6)
    print(f"studies/yunet_box_map.py box remap equals this fit: {recorded}")

    index = {str(p): i for i, p in enumerate(eval_paths)}
    img = args.faces / "lfw-dev" / "images"
    i1 = np.array([index[str(img / p["path1"])] for p in pairs])
    i2 = np.array([index[str(img / p["path2"])] for p in pairs])
    labels = np.array([p["label"] == "1" for p in pairs])
    folds = np.array([int(p["fold"]) for p in pairs])

    desc = {v: descriptors(v, models, eval_paths, ev, params) for v in args.variants}
    valid = {v: ~np.isnan(d).any(1) for v, d in desc.items()}
    common = np.logical_and.reduce([valid[v][i1] & valid[v][i2] for v in desc])

    img_common = np.logical_and.reduce(list(valid.values()))
    common_ids = [eval_ids[i] for i in np.flatnonzero(img_common)]
    print(
        f"\nlfw-dev, {len(pairs)} pairs in 5 folds; {len(eval_paths)} images; common pairs (every variant "
        f"found both faces): {common.sum()}; common images: {img_common.sum()}"
    )
    header = (
        f"{'variant':9s} {'acc % mean±sd':>14s} {'acc common':>14s} {'TAR@1e-3':>8s} {'TAR common':>10s} "
        f"{'fail':>4s} {'med dist to a':>13s} {'p90 dist':>8s}"
    )
    print(header)
    print("-" * len(header))
    right, accepted = {}, {}
    for v, d in desc.items():
        sim = cosine_matrix(d)
        scores = sim[i1, i2]
        acc = fold_accuracy(scores, labels, folds)
        acc_c = fold_accuracy(scores[common], labels[common], folds[common])
        tar, accepted[v], n_gen, n_imp = tar_at_far(sim, eval_ids)
        tar_c, _, n_gen_c, n_imp_c = tar_at_far(sim[np.ix_(img_common, img_common)], common_ids)
        right[v] = held_out_correct(scores, labels, folds)
        both = valid[v] & valid.get("a", valid[v])
        dist = np.linalg.norm(d[both] - desc["a"][both], axis=1) if "a" in desc else np.array([np.nan])
        print(
            f"{v:9s} {acc.mean():6.2f} ± {acc.std(ddof=1):4.2f} {acc_c.mean():6.2f} ± {acc_c.std(ddof=1):4.2f} "
            f"{tar:8.2f} {tar_c:10.2f} {int((~valid[v]).sum()):4d} {np.median(dist):13.4f} "
            f"{np.percentile(dist, 90):8.4f}"
        )
    print(
        f"\nTAR over {n_gen} genuine / {n_imp} impostor image pairs among the pairs.csv images (common: "
        f"{n_gen_c} / {n_imp_c} among images every variant found); accuracy sd over the 5 folds (ddof=1)."
    )
    print("dist = Euclidean distance between dlib descriptors of the same image (dlib's match threshold 0.6).")
    if "b_remap" in desc:
        print(
            "\npaired, against b_remap: pairs only b_remap gets right / only the other gets right; genuine "
            "pairs only b_remap accepts at FAR 1e-3 / only the other accepts (McNemar chi2, 1 dof)"
        )
        for v in desc:
            if v == "b_remap":
                continue
            r1, r2 = int(np.sum(right["b_remap"] & ~right[v])), int(np.sum(right[v] & ~right["b_remap"]))
            g1 = int(np.sum(accepted["b_remap"] & ~accepted[v]))
            g2 = int(np.sum(accepted[v] & ~accepted["b_remap"]))
            chi = (abs(g1 - g2) - 1) ** 2 / max(g1 + g2, 1)
            print(f"  {v:9s} pairs {r1:3d} / {r2:3d}   genuine {g1:4d} / {g2:4d}  chi2 {chi:5.1f}")
    if not args.skip_port_check:
        same, total, worst = check_port(models, eval_paths, ev, box_coef, args.sources)
        print(
            f"\nnumpy port vs dlib-bin, 5 landmarks on the b_remap box: {same}/{total} faces within 0.01 px "
            f"(worst {worst:.2f} px)"
        )


if __name__ == "__main__":
    main()
