"""Pelvic-tilt signal from the back outline of MediaPipe's person segmentation mask.

Pose landmarks cannot see a pelvic tilt (no landmark on the pelvis bones), but the shape of
the low back can: a posterior tilt flattens the lumbar hollow. This module scans the person
mask perpendicular to the trunk axis, finds the **posterior (back) outline** between hip level
and shoulder level, fits a parabola to it and reports its **curvature**: the parabola's sagitta
over the window divided by trunk length.

Geometry (all in pixels of the analysed frame, x right, y down):

* Trunk axis: from the hip centre ``H`` (mid-point of the visible hips) to the shoulder centre
  ``S``; trunk length ``L = |S - H|``; ``s`` is the position along the axis in trunk lengths
  (0 at hip level, 1 at shoulder level).
* Back direction ``b``: the unit normal to the axis pointing to the person's back. The front is
  the side the face points to (nose relative to the ears), else the side the nose is on, else
  the side the knees are on (hips flexed: kneeling, lying with knees bent). Works upright,
  lying on the back, and either facing.
* Outline depth ``d(s)``: distance (trunk lengths) from the axis to the back outline, measured
  along ``b``, at stations ``s`` in ``WINDOW`` (0..0.8 of the trunk by default).

Signs:

* ``curvature`` > 0: the outline is bowed toward the **front** of the body between the window
  ends (a lordotic hollow). Neutral standing/kneeling/lying is about +0.04..+0.10 depending on
  person, clothing and view. **Posterior tilt decreases it** (renders: about -0.025 per +10 deg
  of posterior tilt; real supine clip: about -0.016 per tilt rep); arching increases it.
* ``angle_above_hip_deg`` > 0: just above the hips (s = 0.05..0.30) the outline runs toward
  the front of the body as it rises toward the shoulders (the low back curves in). Posterior
  tilt decreases it too (renders: about -3 to -8 deg per +10 deg of tilt).

Absolute values differ by person, clothing and view: judge only the change from the person's
own baseline (:mod:`formcheck.judge.tilt`).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from formcheck.pose import landmarks as lm
from formcheck.pose.base import OutlineMeasure

#: Default scan window along the trunk, in trunk lengths from hip level (0) toward the shoulders (1).
WINDOW: tuple[float, float] = (0.0, 0.8)
#: Window for the secondary outline angle just above the hips, in trunk lengths.
ANGLE_WINDOW: tuple[float, float] = (0.05, 0.30)
#: Number of scan stations in the window.
N_STATIONS: int = 33
#: How far behind the axis to look for the back outline, in trunk lengths.
MAX_DEPTH: float = 0.8
#: A gap in the mask must be at least this long (trunk lengths) to count as the outline.
MIN_GAP: float = 0.04
#: An arm point (hand, elbow, along the forearm or upper arm) no farther than this in front of the
#: traced back outline, or behind it, lies on the outline and may form it (trunk lengths). MediaPipe
#: puts a hand's landmarks at its middle: a hand resting on the back lies about half a hand's
#: thickness inside the outline it forms.
OCCLUSION_DEPTH: float = 0.06
#: ... counted only where the outline is traced, with this much slack along the trunk (trunk lengths).
OCCLUSION_SLACK: float = 0.05
#: Arm points are taken down to this visibility for the occlusion check: MediaPipe gives the far arm
#: low visibility even where it sticks out behind the back and forms the outline (rendered hand-on-hip
#: clips: elbow 0.16, wrist 0.21), and a wrongly placed point only costs a "not judged".
ARM_MIN_VISIBILITY: float = 0.1
#: Smallest trunk length (px) worth measuring.
MIN_TRUNK_PX: float = 30.0
#: Mask level taken as the person's edge.
MASK_LEVEL: float = 0.5


_HAND_POINTS: tuple[tuple[int, str], ...] = (
    (lm.LEFT_ELBOW, "elbow"), (lm.RIGHT_ELBOW, "elbow"),
    (lm.LEFT_WRIST, "hand"), (lm.RIGHT_WRIST, "hand"),
    (lm.LEFT_PINKY, "hand"), (lm.RIGHT_PINKY, "hand"),
    (lm.LEFT_INDEX, "hand"), (lm.RIGHT_INDEX, "hand"),
    (lm.LEFT_THUMB, "hand"), (lm.RIGHT_THUMB, "hand"),
)
_FOREARMS: tuple[tuple[int, int], ...] = ((lm.LEFT_ELBOW, lm.LEFT_WRIST), (lm.RIGHT_ELBOW, lm.RIGHT_WRIST))
_UPPER_ARMS: tuple[tuple[int, int], ...] = (
    (lm.LEFT_SHOULDER, lm.LEFT_ELBOW), (lm.RIGHT_SHOULDER, lm.RIGHT_ELBOW),
)


def _nan_measure(reason: str) -> OutlineMeasure:
    return OutlineMeasure(math.nan, math.nan, False, reason)


def _mean_visible(
    xy: np.ndarray, vis: np.ndarray, idx: tuple[int, ...], min_visibility: float
) -> np.ndarray | None:
    """Mean of the landmarks in ``idx`` that are finite and visible enough, or None."""
    pts = [xy[i] for i in idx if vis[i] >= min_visibility and np.all(np.isfinite(xy[i]))]
    if not pts:
        return None
    return np.mean(pts, axis=0)


def _back_direction(
    xy: np.ndarray, vis: np.ndarray, hip: np.ndarray, shoulder: np.ndarray, normal: np.ndarray,
    length: float, min_visibility: float,
) -> float:
    """Return +1 if the back lies on the ``normal`` side of the trunk axis, -1 if opposite, 0 if unknown."""
    nose = _mean_visible(xy, vis, (lm.NOSE,), min_visibility)
    ears = _mean_visible(xy, vis, (lm.LEFT_EAR, lm.RIGHT_EAR), min_visibility)
    knees = _mean_visible(xy, vis, (lm.LEFT_KNEE, lm.RIGHT_KNEE), min_visibility)
    candidates = []
    if nose is not None and ears is not None:
        candidates.append((nose - ears, 0.03))  # where the face points
    if nose is not None:
        candidates.append((nose - shoulder, 0.05))  # head sits in front of the trunk axis
    if knees is not None:
        candidates.append((knees - hip, 0.10))  # flexed hips put the knees in front
    for vec, min_offset in candidates:
        front = float(vec @ normal) / length
        if abs(front) >= min_offset:
            return -1.0 if front > 0 else 1.0
    return 0.0


def _scan_outline(
    mask: np.ndarray, hip: np.ndarray, axis: np.ndarray, back: np.ndarray, length: float,
    stations: np.ndarray,
) -> tuple[np.ndarray, bool]:
    """Depth (trunk lengths along ``back``) of the first exit from the mask at each station (NaN if
    none), and whether the mask covers the trunk axis anywhere."""
    step = max(1.0, length / 200.0)
    n_t = int(math.ceil(MAX_DEPTH * length / step)) + 1
    t = np.arange(n_t, dtype=np.float32) * np.float32(step)
    base = hip[None, :] + (stations * length)[:, None] * axis[None, :]  # (S, 2)
    px = (base[:, 0:1] + t[None, :] * back[0]).astype(np.float32)
    py = (base[:, 1:2] + t[None, :] * back[1]).astype(np.float32)
    prof = cv2.remap(  # type: ignore[call-overload]  # cv2 stubs: a Scalar may be a plain number
        mask, px, py, interpolation=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0
    )
    inside = prof >= MASK_LEVEL
    idx = np.arange(n_t)[None, :]

    # Start inside the body: the axis point, or the first inside sample close to it.
    max_start = max(1, int(0.1 * length / step))
    has_in = inside[:, :max_start + 1].any(axis=1)
    first_in = np.argmax(inside, axis=1)

    # The outline is the first exit followed by at least MIN_GAP of background.
    m = max(1, int(round(MIN_GAP * length / step)))
    outside = np.concatenate([~inside, np.ones((inside.shape[0], m), bool)], axis=1).astype(np.int32)
    cs = np.concatenate([np.zeros((inside.shape[0], 1), np.int32), np.cumsum(outside, axis=1)], axis=1)
    run = cs[:, m:m + n_t] - cs[:, :n_t]  # number of outside samples in [k, k + m)
    exit_ok = (run == m) & (idx > first_in[:, None])
    found = exit_ok.any(axis=1) & has_in
    k = np.argmax(exit_ok, axis=1)
    k = np.clip(k, 1, n_t - 1)
    rows = np.arange(len(stations))
    p0 = prof[rows, k - 1].astype(np.float64)
    p1 = prof[rows, k].astype(np.float64)
    denom = np.where(p0 - p1 > 1e-6, p0 - p1, 1.0)
    frac = np.clip((p0 - MASK_LEVEL) / denom, 0.0, 1.0)
    depth = ((k - 1) + frac) * step / length
    return np.where(found, depth, np.nan), bool(has_in.any())


def _fit_parabola(s: np.ndarray, d: np.ndarray) -> np.ndarray | None:
    """Least-squares d = a s^2 + b s + c with one pass of outlier rejection; None if too few points."""
    keep = np.isfinite(d)
    coef = None
    for _ in range(2):
        if keep.sum() < 5:
            return None
        coef = np.polyfit(s[keep], d[keep], 2)
        res = d - np.polyval(coef, s)
        mad = np.nanmedian(np.abs(res[keep]))
        new_keep = np.isfinite(d) & (np.abs(res) <= max(4.0 * 1.4826 * mad, 0.01))
        if np.array_equal(new_keep, keep):
            break
        keep = new_keep
    return coef


def measure_back_outline(
    mask: np.ndarray | None,
    xy: np.ndarray,
    vis: np.ndarray,
    *,
    min_visibility: float = 0.5,
    window: tuple[float, float] = WINDOW,
) -> OutlineMeasure:
    """Measure the curvature of the back outline between hip level and shoulder level.

    Args:
        mask: (H, W) person mask, 0..1 (MediaPipe ``results.segmentation_mask``), same size as
            the frame the landmarks are in. None or empty gives NaN ("mask missing").
        xy: (33, 2) landmark pixel coordinates (x right, y down), NaN where unknown.
        vis: (33,) landmark visibility, 0..1.
        min_visibility: landmarks below this are treated as unknown.
        window: scan window along the trunk in trunk lengths (0 = hip level, 1 = shoulder level).

    Returns:
        :class:`OutlineMeasure`. Curvature is unitless (sagitta / trunk length), + = bowed toward
        the front (lordotic hollow), lowered by posterior tilt. See the module docstring.
    """
    return _analyse(mask, xy, vis, min_visibility, window)[0]


def trace_back_outline(
    mask: np.ndarray | None,
    xy: np.ndarray,
    vis: np.ndarray,
    *,
    min_visibility: float = 0.5,
    window: tuple[float, float] = WINDOW,
) -> np.ndarray:
    """The back-outline points the curvature is fitted to, for drawing and checking.

    Same arguments as :func:`measure_back_outline`. Returns an (N_STATIONS, 2) array of pixel
    coordinates (x right, y down), hip end first; NaN rows where no outline was found. Empty
    (0, 2) when the trunk axis or the back side is unknown.
    """
    return _analyse(mask, xy, vis, min_visibility, window)[1]


def _analyse(
    mask: np.ndarray | None, xy: np.ndarray, vis: np.ndarray, min_visibility: float,
    window: tuple[float, float],
) -> tuple[OutlineMeasure, np.ndarray]:
    none = np.empty((0, 2))
    if mask is None or mask.ndim != 2 or mask.size == 0:
        return _nan_measure("mask missing"), none
    xy = np.asarray(xy, dtype=np.float64)
    vis = np.nan_to_num(np.asarray(vis, dtype=np.float64), nan=0.0)
    hip = _mean_visible(xy, vis, (lm.LEFT_HIP, lm.RIGHT_HIP), min_visibility)
    shoulder = _mean_visible(xy, vis, (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER), min_visibility)
    if hip is None or shoulder is None:
        return _nan_measure("hips or shoulders not visible"), none
    axis = shoulder - hip
    length = float(np.hypot(*axis))
    if length < MIN_TRUNK_PX:
        return _nan_measure("body too small in the frame"), none
    axis = axis / length
    normal = np.array([-axis[1], axis[0]])
    side = _back_direction(xy, vis, hip, shoulder, normal, length, min_visibility)
    if side == 0.0:
        return _nan_measure("cannot tell front from back"), none
    back = normal * side

    mask = np.asarray(mask)
    if mask.dtype != np.float32:
        mask = mask.astype(np.float32)

    s0, s1 = window
    stations = np.linspace(s0, s1, N_STATIONS)
    depth, any_inside = _scan_outline(mask, hip, axis, back, length, stations)
    if not any_inside:
        return _nan_measure("mask missing"), none
    outline = hip + (stations * length)[:, None] * axis + (depth * length)[:, None] * back
    ok = np.isfinite(depth)
    span = s1 - s0
    if ok.sum() < 0.6 * N_STATIONS or stations[ok][0] > s0 + 0.2 * span or stations[ok][-1] < s1 - 0.2 * span:
        return _nan_measure("back outline not found"), outline

    coef = _fit_parabola(stations, depth)
    if coef is None:
        return _nan_measure("back outline not found"), outline
    curvature = float(coef[0] * span * span / 4.0)  # chord minus parabola at mid-span

    a0, a1 = ANGLE_WINDOW
    sel = ok & (stations >= a0) & (stations <= a1)
    angle = math.nan
    if sel.sum() >= 3:
        slope = np.polyfit(stations[sel], depth[sel], 1)[0]
        angle = float(np.degrees(np.arctan(-slope)))

    # Arm points near the outline: elbows, hands, points along the forearms and the lower upper arms.
    pts, parts = [], []
    for i, part in _HAND_POINTS:
        if vis[i] >= ARM_MIN_VISIBILITY and np.all(np.isfinite(xy[i])):
            pts.append(xy[i])
            parts.append(part)
    for e, w in _FOREARMS:
        if min(vis[e], vis[w]) >= ARM_MIN_VISIBILITY and np.all(np.isfinite(xy[[e, w]])):
            for f in (0.25, 0.5, 0.75):
                pts.append(xy[e] + f * (xy[w] - xy[e]))
                parts.append("forearm")
    for sh, e in _UPPER_ARMS:
        if min(vis[sh], vis[e]) >= ARM_MIN_VISIBILITY and np.all(np.isfinite(xy[[sh, e]])):
            for f in (0.5, 0.75):
                pts.append(xy[sh] + f * (xy[e] - xy[sh]))
                parts.append("arm")
    occluded, reason = False, None
    if pts:
        # Each arm point in the trunk's frame: along the axis (s, trunk lengths from hip level) and
        # toward the back (d); it lies on the outline when d reaches the outline's depth there.
        rel = (np.asarray(pts) - hip) / length
        s_p, d_p = rel @ axis, rel @ back
        s_ok, d_ok = stations[ok], depth[ok]
        near = (s_p >= s_ok[0] - OCCLUSION_SLACK) & (s_p <= s_ok[-1] + OCCLUSION_SLACK)
        outline_d = np.interp(s_p, s_ok, d_ok)
        on = near & (d_p >= outline_d - OCCLUSION_DEPTH)
        if on.any():
            j = int(np.flatnonzero(on)[np.argmax((d_p - outline_d)[on])])
            region = "lower" if s_p[j] < 0.5 else "upper"
            occluded, reason = True, f"{parts[j]} covers the {region} back"
    return OutlineMeasure(curvature, angle, occluded, reason), outline
