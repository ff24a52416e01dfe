"""Key frames for the report: per fault code, the one frame where that fault was worst.

Fed every frame during scoring; keeps a copy of at most one image per fault code, so memory is
bounded by the number of fault codes the exercise has, not by the video's length.

"Worst" is the frame where the failing criterion's signal lies furthest beyond its limit, in units of
the criterion's dead band (``hysteresis``), so criteria on different signals compare. A criterion
judged against the hold's own baseline (``relative``) is ranked by its raw signal in the failing
direction: the frame result does not carry the baseline, and within one hold the baseline is
constant, so the ranking is exact inside a hold and approximate across holds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.exercises.signal_registry import signal_units
from formcheck.exercises.spec import Criterion, ExerciseSpec
from formcheck.judge import angles as ang
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.rules import FAIL, criterion_value
from formcheck.judge.signals import LANDMARKS_NEEDED
from formcheck.pose import landmarks as lm
from formcheck.report.overlay import draw_frame

MEASURE_COLOR = (0, 215, 255)  # BGR amber: the measured angle drawn over the skeleton


@dataclass(frozen=True)
class KeyFrame:
    """The worst frame of one fault: the analysed image (before any overlay) and its verdict."""

    code: str
    criterion: Criterion
    severity: float
    image: np.ndarray
    result: FrameResult


def fault_severity(spec: ExerciseSpec, code: str, r: FrameResult) -> tuple[float, Criterion | None]:
    """How far beyond its limit the worst failing criterion of ``code`` is in frame ``r``, in dead
    bands (larger = worse; -inf when no value is known), and that criterion. The value is the one
    the rule judged: for a relative criterion, the change from the person's own neutral."""
    best, worst_c = -math.inf, None
    for c in spec.form:
        if c.code != code or r.statuses.get(c.id) != FAIL:
            continue
        v = criterion_value(c, r.values, r.baselines)
        excess = max(v - c.max if c.max is not None else -math.inf, c.min - v if c.min is not None else -math.inf)
        excess = excess / c.hysteresis if c.hysteresis > 0 else excess
        excess = excess if math.isfinite(excess) else -math.inf
        if worst_c is None or excess > best:
            best, worst_c = excess, c
    return best, worst_c


def counted_faults(r: FrameResult) -> tuple[str, ...]:
    """The faults frame ``r`` adds to a hold's or rep's fault seconds: those of a frame in position
    (or at the top of a rep). A hold stays open through a short break out of position, and the
    frame then still shows the faults, but the hold does not count them."""
    return r.faults if (r.in_position or r.at_top) else ()


class KeyFrames:
    """Collects the worst frame per fault code; call :meth:`offer` with each frame before drawing on it."""

    def __init__(self, spec: ExerciseSpec) -> None:
        self.spec = spec
        self.best: dict[str, KeyFrame] = {}

    def offer(self, image: np.ndarray, r: FrameResult) -> None:
        """Consider frame ``r`` (image BGR, not yet annotated) for each fault it counts."""
        for code in counted_faults(r):
            sev, crit = fault_severity(self.spec, code, r)
            if crit is None:
                continue
            cur = self.best.get(code)
            if cur is None or sev > cur.severity:
                self.best[code] = KeyFrame(code, crit, sev, image.copy(), r)

    def render(self, code: str) -> np.ndarray | None:
        """The worst frame of ``code`` with the video's overlay and the criterion's measure drawn, or None."""
        kf = self.best.get(code)
        if kf is None:
            return None
        img = draw_frame(kf.image.copy(), self.spec, kf.result)
        draw_measure(img, kf.result, kf.criterion)
        return img


def _point(xy: np.ndarray, idx: int) -> tuple[int, int] | None:
    p = xy[idx]
    return None if np.isnan(p).any() else (int(round(p[0])), int(round(p[1])))


def _leg_side(r: FrameResult, signal: str) -> str | None:
    """Which body side a per-leg signal such as ``knee.front`` was read from in frame ``r``: the
    side whose angle, recomputed from the frame's landmarks, equals the recorded value."""
    base = signal.partition(".")[0]
    value = r.values.get(signal, math.nan)
    if not math.isfinite(value):
        return None
    facing = float(r.facing) if r.facing else math.nan
    a = ang.compute_angles(r.xy[None], facing)
    diffs = {s: abs(float(a[f"{base}_{s}"][0]) - value) for s in lm.SIDES if math.isfinite(float(a[f"{base}_{s}"][0]))}
    return min(diffs, key=lambda s: diffs[s]) if diffs else None


def _measure_points(r: FrameResult, signal: str) -> list[tuple[int, int]]:
    """The landmark points (pixels) a signal is measured on, in drawing order; empty if unknown."""
    xy = r.xy
    base = signal.partition(".")[0]
    if base in ("trunk_lean", "trunk_tilt"):
        sh = ang.mean_of_present(xy[lm.LEFT_SHOULDER], xy[lm.RIGHT_SHOULDER])
        hip = ang.mean_of_present(xy[lm.LEFT_HIP], xy[lm.RIGHT_HIP])
        if np.isnan(sh).any() or np.isnan(hip).any():
            return []
        length = float(np.linalg.norm(sh - hip))
        up = (int(round(hip[0])), int(round(hip[1] - length)))  # the vertical the lean is measured from
        return [(int(round(sh[0])), int(round(sh[1]))), (int(round(hip[0])), int(round(hip[1]))), up]
    if base == "leg_split" and r.side:
        pts = [_point(xy, lm.KNEE[lm.other_side(r.side)]), _point(xy, lm.HIP[r.side]), _point(xy, lm.KNEE[r.side])]
        return [p for p in pts if p] if all(pts) else []
    if base in LANDMARKS_NEEDED:
        side = _leg_side(r, signal)
        if side is None:
            return []
        pts = [_point(xy, getattr(lm, name)[side]) for name in LANDMARKS_NEEDED[base]]
        return [p for p in pts if p] if all(pts) else []
    return []  # e.g. back_curvature: measured on the body outline, not on landmarks


def measure_label(signal: str, value: float) -> str:
    """E.g. ``knee.front 152 deg`` or ``hip_lift.near 0.05 thigh lengths``."""
    if not math.isfinite(value):
        return f"{signal} unknown"
    units = signal_units(signal)
    if units == "deg":
        return f"{signal} {value:.0f} deg"
    return f"{signal} {value:.3f}" + ("" if units == "unitless" else f" {units}")


def criterion_label(c: Criterion, r: FrameResult) -> str:
    """The value criterion ``c`` judged in frame ``r``, labelled: the signal, or for a relative
    criterion its change from the person's own neutral."""
    if not c.relative:
        return measure_label(c.signal, r.values.get(c.signal, math.nan))
    change = criterion_value(c, r.values, r.baselines)
    if not math.isfinite(change):
        return f"{c.signal} change unknown"
    units = signal_units(c.signal)
    return f"{c.signal} {change:+.3f}" + ("" if units == "unitless" else f" {units}") + " from your neutral"


def draw_measure(img: np.ndarray, r: FrameResult, c: Criterion) -> None:
    """Draw, in place, the segments criterion ``c``'s signal is measured on and the value the rule
    judged next to the middle joint (or in the lower middle of the frame when it is not measured
    on landmarks)."""
    signal = c.signal
    h, w = img.shape[:2]
    s = max(0.45, min(w, h) / 900)
    thick = max(3, int(5 * s))
    pts = _measure_points(r, signal)
    for a, b in zip(pts, pts[1:], strict=False):
        cv2.line(img, a, b, MEASURE_COLOR, thick, cv2.LINE_AA)
    for p in pts:
        cv2.circle(img, p, thick + 2, MEASURE_COLOR, -1, cv2.LINE_AA)
    label = criterion_label(c, r)
    scale = 0.7 * s
    (tw, th), base = cv2.getTextSize(label, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
    if pts:
        cx, cy = pts[len(pts) // 2]
        x, y = min(max(cx + 12, 4), w - tw - 8), min(max(cy - 12, th + 8), h - 8)
    else:
        x, y = max(4, (w - tw) // 2), h // 2
    cv2.rectangle(img, (x - 4, y - th - 6), (x + tw + 4, y + base + 2), (20, 20, 20), -1)
    cv2.putText(img, label, (x, y), cv2.FONT_HERSHEY_SIMPLEX, scale, MEASURE_COLOR, 2, cv2.LINE_AA)
