"""What `evaluate`'s scores say: measured error rates at target FMRs and at the server's calibrated operating
points, a recommended threshold for the user's photos, the JSON report and its printed summary.

The server's operating points are calibrated on lfw-dev (in-the-wild photos of celebrities); the user's photos
may score differently (studio portraits of strangers, say), which is the reason to measure them.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
from facegate_client.models import ModelInfo

from facegate_cli.det import Rates, Scores, equal_error_rate, needed_pairs, rates_at, supports, threshold_for_fmr
from facegate_cli.evaluate import Collected
from facegate_cli.render import fraction, out, table

TARGETS = (1e-1, 1e-2, 1e-3, 1e-4)
REPORT_FORMAT = "facegate-evaluate/1"


def calibrated_points(model: ModelInfo) -> list[tuple[str, float, float]]:
    """(name, threshold, calibrated FMR) of the model's operating points, loosest first."""
    calibration = model.calibration.additional_properties if model.calibration else {}
    points = [(name, float(threshold), float(name.split("_", 1)[1]))
              for name, threshold in dict(calibration.get("score_at_fmr") or {}).items()]
    return sorted(points, key=lambda point: point[1])


def _rates(rates: Rates) -> dict[str, Any]:
    values = asdict(rates)
    values["fmr"], values["fnmr"] = rates.fmr, rates.fnmr
    return values


def _spread(values: np.ndarray) -> dict[str, float]:
    return {"min": float(values.min()), "median": float(np.median(values)), "max": float(values.max())}


def _recommendation(scores: Scores, points: list[tuple[str, float, float]], target: float) -> dict[str, Any]:
    """The lowest threshold whose measured FMR is within the target, where the photos can show it; and the
    loosest calibrated operating point within the target both as calibrated and as measured here."""
    holding = [(name, threshold) for name, threshold, claimed in points
               if claimed <= target and rates_at(scores, threshold).fmr <= target]
    point = holding[0] if holding else None
    measurable = supports(scores.impostor.size, target)
    recommended: dict[str, Any] = {"target_fmr": target, "measurable": measurable,
                                   "impostor_pairs_needed": needed_pairs(target),
                                   "operating_point": point[0] if point else None,
                                   "operating_point_threshold": point[1] if point else None}
    if measurable:
        threshold = threshold_for_fmr(scores, target)
        recommended.update(threshold=threshold, basis="measured on your photos",
                           rates=_rates(rates_at(scores, threshold)))
    elif point:
        recommended.update(threshold=point[1], basis="the server's calibration (lfw-dev): your photos have too "
                           "few impostor pairs to measure this rate", rates=_rates(rates_at(scores, point[1])))
    else:
        recommended.update(threshold=None, basis="none: too few impostor pairs, and no calibrated point fits")
    return recommended


def build_report(collected: Collected, scores: Scores, root: Path, server: str, target: float,
                 png: Path) -> dict[str, Any]:
    points = calibrated_points(collected.model)
    targets = []
    for wanted in TARGETS:
        entry: dict[str, Any] = {"target_fmr": wanted, "supported": supports(scores.impostor.size, wanted),
                                 "impostor_pairs_needed": needed_pairs(wanted)}
        if entry["supported"]:
            entry["rates"] = _rates(rates_at(scores, threshold_for_fmr(scores, wanted)))
        targets.append(entry)
    return {
        "format": REPORT_FORMAT, "server": server, "folder": str(root),
        "model": collected.model.name, "model_version": collected.model.version,
        "scratch_gallery": collected.gallery, "scratch_gallery_deleted": collected.gallery_deleted,
        "photos": {"total": len(collected.used) + len(collected.refused) + len(collected.failed),
                   "used": len(collected.used), "people": len({p.person for p in collected.used}),
                   "refused": [{"file": s.photo.shown(root), "code": s.refusal.code, "detail": s.refusal.detail}
                               for s in collected.refused if s.refusal],
                   "failed": [{"file": s.photo.shown(root), "error": s.failure} for s in collected.failed]},
        "enroll_photos_per_second": round(collected.photos_per_second, 2),
        "pairs": {"genuine": int(scores.genuine.size), "impostor": int(scores.impostor.size)},
        "scores": {"genuine": _spread(scores.genuine), "impostor": _spread(scores.impostor)},
        "equal_error_rate": equal_error_rate(scores),
        "at_target_fmr": targets,
        "operating_points": [{"name": name, "threshold": threshold, "calibrated_fmr": claimed,
                              "measured": _rates(rates_at(scores, threshold))} for name, threshold, claimed in points],
        "recommendation": _recommendation(scores, points, target),
        "verify_check": {"pairs": [asdict(check) | {"difference": check.difference} for check in collected.checks],
                         "max_difference": max((c.difference for c in collected.checks), default=None)},
        "det_png": str(png),
    }


def _measured(rates: dict[str, Any]) -> tuple[str, str]:
    return (fraction(rates["false_matches"], rates["impostor_pairs"]),
            fraction(rates["false_non_matches"], rates["genuine_pairs"]))


def show(report: dict[str, Any]) -> None:
    """The report for a person: counts, the two tables, the recommendation, where the files are."""
    photos, pairs = report["photos"], report["pairs"]
    out.print(f"Model {report['model']} ({report['model_version']}): {photos['used']} photos of {photos['people']} "
              f"people used, {len(photos['refused'])} refused, {len(photos['failed'])} failed; "
              f"{pairs['genuine']:,} genuine and {pairs['impostor']:,} impostor pairs; "
              f"equal error rate {report['equal_error_rate']:.2%}.")
    for refused in photos["refused"]:
        out.print(f"  left out {refused['file']}: {refused['code']} ({refused['detail']})")
    rows = table("target FMR", "threshold", "measured FMR", "measured FNMR", title="Thresholds for target rates")
    for entry in report["at_target_fmr"]:
        if entry["supported"]:
            rates = entry["rates"]
            rows.add_row(f"{entry['target_fmr']:.0e}", f"{rates['threshold']:.4f}", *_measured(rates))
        else:
            rows.add_row(f"{entry['target_fmr']:.0e}", "-", f"too few pairs ({pairs['impostor']:,} impostor, "
                         f"needs {entry['impostor_pairs_needed']:,})", "-")
    out.print(rows)
    rows = table("operating point", "threshold", "calibrated FMR (lfw-dev)", "measured FMR", "measured FNMR",
                  title="The server's operating points on your photos")
    for point in report["operating_points"]:
        rows.add_row(point["name"], f"{point['threshold']:.4f}", f"{point['calibrated_fmr']:.0e}",
                      *_measured(point["measured"]))
    out.print(rows)
    _show_recommendation(report["recommendation"])
    check = report["verify_check"]
    if check["max_difference"] is not None:
        out.print(f"Checked against /v1/verify on {len(check['pairs'])} pairs: largest score difference "
                  f"{check['max_difference']:.1e}.")


def _show_recommendation(recommended: dict[str, Any]) -> None:
    target = recommended["target_fmr"]
    if recommended.get("threshold") is None:
        out.print(f"No recommendation for FMR <= {target:.0e}: {recommended['basis']}.")
        return
    fmr, fnmr = _measured(recommended["rates"])
    if recommended["measurable"]:
        out.print(f"[bold]Recommended for FMR <= {target:.0e}: threshold {recommended['threshold']:.4f}[/], the "
                  f"lowest at which your photos stay within it (FMR {fmr}, FNMR {fnmr}).")
        if recommended["operating_point"]:
            out.print(f"The calibrated operating point {recommended['operating_point']} (threshold "
                      f"{recommended['operating_point_threshold']:.4f}) is within the target on lfw-dev and here.")
        return
    out.print(f"[bold]Recommended for FMR <= {target:.0e}: operating point {recommended['operating_point']} "
              f"(threshold {recommended['threshold']:.4f})[/]: within the target on lfw-dev, and here FMR {fmr}, "
              f"FNMR {fnmr}.")
    out.print(f"Your photos cannot show FMR {target:.0e} themselves: that needs at least "
              f"{recommended['impostor_pairs_needed']:,} impostor pairs (rule of three); add photos of more people.")
