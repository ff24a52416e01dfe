"""Draw a frame's verdict onto the image: skeleton, key angles, the cue, the hold timer.

Used for the annotated video and the live window. Pixel coordinates; draws in place.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from formcheck.exercises.signal_registry import signal_units
from formcheck.exercises.spec import ExerciseSpec
from formcheck.judge.frame_result import FrameResult
from formcheck.judge.rules import BORDERLINE, codes_with
from formcheck.pose import landmarks as lm

GOOD = (80, 200, 60)      # BGR green
BAD = (40, 40, 230)       # BGR red
NEUTRAL = (230, 200, 60)  # BGR light blue
BORDER = (40, 160, 220)   # BGR amber: borderline (a reading within its measured error of a threshold)
WHITE = (255, 255, 255)
DARK = (30, 30, 30)
FONT = cv2.FONT_HERSHEY_SIMPLEX


def _pt(p: np.ndarray) -> tuple[int, int] | None:
    return None if np.isnan(p).any() else (int(round(p[0])), int(round(p[1])))


def draw_skeleton(img: np.ndarray, xy: np.ndarray, color: tuple[int, int, int], thickness: int = 3) -> None:
    """Bones and joints of the known landmarks."""
    for a, b in lm.SKELETON:
        pa, pb = _pt(xy[a]), _pt(xy[b])
        if pa and pb:
            cv2.line(img, pa, pb, color, thickness, cv2.LINE_AA)
    for i in range(11, 33):
        p = _pt(xy[i])
        if p:
            cv2.circle(img, p, thickness + 1, WHITE, -1, cv2.LINE_AA)


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, color=WHITE, bg=DARK) -> None:
    text = text.replace("\u2014", "-").replace("\u2013", "-").encode("ascii", "replace").decode()  # Hershey: ASCII
    th = max(1, int(round(scale * 2)))
    (w, h), base = cv2.getTextSize(text, FONT, scale, th)
    x, y = org
    cv2.rectangle(img, (x - 4, y - h - 6), (x + w + 4, y + base + 2), bg, -1)
    cv2.putText(img, text, (x, y), FONT, scale, color, th, cv2.LINE_AA)


def _wrap(text: str, max_chars: int) -> list[str]:
    words, lines, line = text.split(), [], ""
    for w in words:
        if len(line) + len(w) + 1 > max_chars and line:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    return [*lines, line] if line else lines


def draw_progress_ring(img: np.ndarray, center: tuple[int, int], radius: int, fraction: float,
                       label: str, color: tuple[int, int, int]) -> None:
    """A ring filled clockwise from 12 o'clock by ``fraction`` (0..1) with a label inside."""
    cv2.circle(img, center, radius, DARK, -1, cv2.LINE_AA)
    cv2.circle(img, center, radius, (90, 90, 90), max(2, radius // 8), cv2.LINE_AA)
    end = -90 + 360 * max(0.0, min(1.0, fraction))
    if fraction > 0:
        cv2.ellipse(img, center, (radius, radius), 0, -90, end, color, max(3, radius // 6), cv2.LINE_AA)
    scale = radius / 60
    (w, h), _ = cv2.getTextSize(label, FONT, scale, 2)
    cv2.putText(img, label, (center[0] - w // 2, center[1] + h // 2), FONT, scale, WHITE, 2, cv2.LINE_AA)


def key_angle_labels(spec: ExerciseSpec, r: FrameResult) -> list[str]:
    """'name value' strings for the signals the form criteria judge, skipping unknown ones."""
    out = []
    for s in dict.fromkeys(c.signal for c in spec.form):
        v = r.values.get(s, math.nan)
        if math.isfinite(v):
            out.append(f"{s} {round(v):d} deg" if signal_units(s) == "deg" else f"{s} {v:.3f}")
    return out


def borderline_messages(spec: ExerciseSpec, r: FrameResult) -> list[str]:
    """The messages of the fault codes that are borderline in frame ``r`` (most urgent first)."""
    codes = codes_with(spec.form_by_priority, r.statuses, BORDERLINE)
    return [spec.criterion_by_code[code].message for code in codes if code not in r.faults]


def draw_frame(img: np.ndarray, spec: ExerciseSpec, r: FrameResult) -> np.ndarray:
    """Annotate ``img`` (BGR, the analysed frame) in place with the verdict ``r``; returns it."""
    h, w = img.shape[:2]
    s = max(0.45, min(w, h) / 900)
    color = BAD if r.faults else (GOOD if r.in_hold or r.at_top else NEUTRAL)
    draw_skeleton(img, r.xy, color, thickness=max(2, int(3 * s)))
    y = int(30 * s) + 10
    for label in key_angle_labels(spec, r):
        _text(img, label, (10, y), 0.55 * s)
        y += int(28 * s)
    if r.in_hold or r.at_top:
        for message in borderline_messages(spec, r):
            _text(img, f"borderline: {message}", (10, y), 0.5 * s, WHITE, BORDER)
            y += int(28 * s)
    # Timer: good-form seconds toward the target (holds), or the rep count (reps).
    radius = int(min(w, h) * 0.09)
    center = (w - radius - 12, radius + 12)
    if spec.mode == "hold":
        side = f"{r.side} " if r.side else ""
        draw_progress_ring(img, center, radius, r.hold_good_s / spec.target_s, f"{r.hold_good_s:.0f}s",
                           GOOD if r.in_hold else NEUTRAL)
        _text(img, f"{side}hold / {spec.target_s:.0f}s", (center[0] - radius, center[1] + radius + int(22 * s)),
              0.5 * s)
    else:
        draw_progress_ring(img, center, radius, 1.0 if r.at_top else 0.0, f"{r.reps_done}",
                           GOOD if r.at_top else NEUTRAL)
        _text(img, "reps", (center[0] - radius // 2, center[1] + radius + int(22 * s)), 0.5 * s)
    top = _draw_cue(img, r.cue, s, BAD if r.faults else DARK)
    _text(img, f"t={r.t:.1f}s", (10, top), 0.45 * s)  # just above the cue
    return img


def _draw_cue(img: np.ndarray, cue: str, s: float, bg: tuple[int, int, int]) -> int:
    """The cue in large wrapped lines at the bottom; returns the y just above its first line."""
    h, w = img.shape[:2]
    lines = _wrap(cue, max(16, int(w / (22 * s)))) if cue else []
    line_h = int(40 * s)
    yb = h - 14 - line_h * (len(lines) - 1)
    for line in lines:
        _text(img, line, (12, yb), 0.95 * s, WHITE, bg)
        yb += line_h
    return h - 14 - line_h * len(lines)


def draw_setup(img: np.ndarray, xy: np.ndarray | None, message: str, ok: bool) -> np.ndarray:
    """The set-up phase: the raw skeleton (if any), a 'SET-UP' label and the instruction; in place."""
    h, w = img.shape[:2]
    s = max(0.45, min(w, h) / 900)
    if xy is not None:
        draw_skeleton(img, xy, GOOD if ok else NEUTRAL, thickness=max(2, int(3 * s)))
    _text(img, "SET-UP: whole body in view, side on", (10, int(30 * s) + 10), 0.6 * s)
    _draw_cue(img, message, s, DARK)
    return img


def draw_banner(img: np.ndarray, text: str) -> np.ndarray:
    """A large label across the middle of the image (e.g. PAUSED); in place."""
    h, w = img.shape[:2]
    s = max(0.45, min(w, h) / 900)
    _text(img, text, (w // 2 - int(len(text) * 14 * s), h // 2), 1.4 * s)
    return img
