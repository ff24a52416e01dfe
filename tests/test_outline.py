"""Tests for formcheck.pose.outline: the back-outline curvature signal for pelvic tilt.

Fast tests draw a trunk-shaped silhouette whose back edge is a parabola of known sagitta, in
trunk coordinates (s along hip->shoulder, d toward the back, both in trunk lengths), and place
it upright or lying on the back, facing either way. One slow test runs MediaPipe on the real
supine pelvic-tilt clip.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.judge.tilt import CURVATURE_PER_POSTERIOR_DEG, posterior_tilt_deg, rolling_baseline, tilt_change
from formcheck.pose import landmarks as lm
from formcheck.pose.base import OutlineMeasure
from formcheck.pose.outline import WINDOW, measure_back_outline, trace_back_outline

REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"

SPAN = WINDOW[1] - WINDOW[0]
MID = 0.5 * (WINDOW[0] + WINDOW[1])

# (name, trunk axis unit vector hip->shoulder, back unit vector) in image pixels (x right, y down).
POSES = {
    "upright_facing_left": ((0.0, -1.0), (1.0, 0.0)),
    "upright_facing_right": ((0.0, -1.0), (-1.0, 0.0)),
    "supine_head_left": ((-1.0, 0.0), (0.0, 1.0)),
    "supine_head_right": ((1.0, 0.0), (0.0, 1.0)),
}


def back_depth(s: np.ndarray, curvature: float) -> np.ndarray:
    """Back edge d(s): a parabola whose sagitta over WINDOW, toward the front, is ``curvature``."""
    a = curvature / (SPAN * SPAN / 4.0)
    return 0.22 + a * (s - MID) ** 2


def draw_body(
    pose: str, curvature: float, *, size: tuple[int, int] = (480, 640), length: float = 200.0,
    arm_blob: tuple[float, float] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw a trunk silhouette and its landmarks.

    Returns (mask (H, W) float32 0..1 with soft edges, xy (33, 2) px, vis (33,)).
    ``arm_blob``: (s, d) in trunk units of a hand/forearm blob to draw with the wrist and elbow
    landmarks in it.
    """
    h, w = size
    u, b = (np.array(v, float) for v in POSES[pose])
    hip = np.array([w / 2, h / 2]) - 0.45 * length * u

    def to_px(s, d):
        s, d = np.broadcast_arrays(np.asarray(s, float), np.asarray(d, float))
        return hip + length * (s[..., None] * u + d[..., None] * b)

    s = np.linspace(-0.3, 1.15, 120)
    poly = np.concatenate([to_px(s, back_depth(s, curvature)), to_px(s[::-1], -0.3)])
    scale = 4
    big = np.zeros((h * scale, w * scale), np.uint8)
    cv2.fillPoly(big, [np.round(poly * scale).astype(np.int32)], 255)
    head = to_px(1.35, -0.05)
    cv2.circle(big, tuple(np.round(head * scale).astype(int)), int(0.22 * length * scale), 255, -1)
    xy = np.full((33, 2), np.nan)
    vis = np.zeros(33)
    if arm_blob is not None:
        c = to_px(*arm_blob)
        cv2.circle(big, tuple(np.round(c * scale).astype(int)), int(0.07 * length * scale), 255, -1)
        xy[lm.LEFT_WRIST] = c
        xy[lm.LEFT_ELBOW] = c + 0.05 * length * u
        vis[[lm.LEFT_WRIST, lm.LEFT_ELBOW]] = 0.95
    mask = cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    mask = cv2.GaussianBlur(mask, (0, 0), 1.5)

    for i in (lm.LEFT_HIP, lm.RIGHT_HIP):
        xy[i] = hip
    for i in (lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER):
        xy[i] = to_px(1.0, 0.0)
    xy[lm.NOSE] = to_px(1.35, -0.22)
    xy[lm.LEFT_EAR] = xy[lm.RIGHT_EAR] = to_px(1.35, 0.0)
    vis[[lm.LEFT_HIP, lm.RIGHT_HIP, lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER, lm.NOSE, lm.LEFT_EAR]] = 0.99
    return mask, xy, vis


# Tolerance: at a trunk length of 200 px a curvature of 0.001 is a 0.2 px sagitta. Edge
# finding on the soft mask is sub-pixel; the worst error measured over these shapes was 0.0003
# (0.0005 with a 90 px trunk). 0.001 keeps ~3x margin and is still 10x below the 0.010
# tucked/arching thresholds (0.4 deg of tilt at the renderer calibration), so a wrong formula,
# window or sign fails.
CURV_TOL = 0.001


@pytest.mark.parametrize("pose", sorted(POSES))
@pytest.mark.parametrize("curvature", [-0.02, 0.0, 0.04, 0.08])
def test_curvature_matches_drawn_parabola(pose: str, curvature: float) -> None:
    mask, xy, vis = draw_body(pose, curvature)
    m = measure_back_outline(mask, xy, vis)
    assert isinstance(m, OutlineMeasure)
    assert not m.occluded and m.reason is None
    assert m.curvature == pytest.approx(curvature, abs=CURV_TOL)


@pytest.mark.parametrize("pose", sorted(POSES))
def test_angle_above_hip_matches_drawn_slope(pose: str) -> None:
    curvature = 0.06
    mask, xy, vis = draw_body(pose, curvature)
    m = measure_back_outline(mask, xy, vis)
    # The least-squares line over s = 0.05..0.30 has the parabola's slope at s = 0.175.
    a = curvature / (SPAN * SPAN / 4.0)
    expected = math.degrees(math.atan(-2.0 * a * (0.175 - MID)))
    assert expected > 0  # a hollow low back runs toward the front as it rises
    assert m.angle_above_hip_deg == pytest.approx(expected, abs=1.0)


def test_flatter_back_gives_lower_curvature() -> None:
    values = [
        measure_back_outline(*draw_body("upright_facing_right", c)).curvature for c in (0.08, 0.06, 0.04)
    ]
    assert values[0] > values[1] > values[2]


def test_small_trunk_still_close() -> None:
    # A 90 px trunk (about the smallest MediaPipe detects): twice the tolerance.
    mask, xy, vis = draw_body("supine_head_left", 0.06, length=90.0)
    assert measure_back_outline(mask, xy, vis).curvature == pytest.approx(0.06, abs=2 * CURV_TOL)


def test_trace_lies_on_drawn_back_edge() -> None:
    mask, xy, vis = draw_body("upright_facing_left", 0.06)
    pts = trace_back_outline(mask, xy, vis)
    assert pts.shape[1] == 2 and np.isfinite(pts).all()
    hip = xy[lm.LEFT_HIP]
    d = (pts[:, 0] - hip[0]) / 200.0  # back is +x for this pose
    s = (hip[1] - pts[:, 1]) / 200.0
    assert np.abs(d - back_depth(s, 0.06)).max() < 0.005  # within 1 px


@pytest.mark.parametrize("pose", sorted(POSES))
def test_hand_on_lower_back_is_occluded(pose: str) -> None:
    mask, xy, vis = draw_body(pose, 0.06, arm_blob=(0.3, 0.25))
    m = measure_back_outline(mask, xy, vis)
    assert m.occluded
    assert m.reason is not None and "back" in m.reason


def test_arm_in_front_is_not_occluded() -> None:
    mask, xy, vis = draw_body("upright_facing_left", 0.06, arm_blob=(0.4, -0.1))
    m = measure_back_outline(mask, xy, vis)
    assert not m.occluded and m.reason is None
    assert m.curvature == pytest.approx(0.06, abs=CURV_TOL)


def test_hidden_arm_points_are_ignored() -> None:
    mask, xy, vis = draw_body("upright_facing_left", 0.06, arm_blob=(0.3, 0.25))
    vis[[lm.LEFT_WRIST, lm.LEFT_ELBOW]] = 0.05  # below ARM_MIN_VISIBILITY: not placed at all
    assert not measure_back_outline(mask, xy, vis).occluded


def test_missing_hips_gives_nan_with_reason() -> None:
    mask, xy, vis = draw_body("upright_facing_left", 0.06)
    vis[[lm.LEFT_HIP, lm.RIGHT_HIP]] = 0.2
    m = measure_back_outline(mask, xy, vis)
    assert math.isnan(m.curvature) and math.isnan(m.angle_above_hip_deg)
    assert m.reason == "hips or shoulders not visible"
    xy[[lm.LEFT_SHOULDER, lm.RIGHT_SHOULDER]] = np.nan
    vis[[lm.LEFT_HIP, lm.RIGHT_HIP]] = 0.99
    assert measure_back_outline(mask, xy, vis).reason == "hips or shoulders not visible"


@pytest.mark.parametrize("mask", [None, np.zeros((480, 640), np.float32)])
def test_missing_mask_gives_nan(mask) -> None:
    _, xy, vis = draw_body("supine_head_right", 0.06)
    m = measure_back_outline(mask, xy, vis)
    assert math.isnan(m.curvature) and m.reason == "mask missing"


def test_unknown_facing_gives_nan() -> None:
    mask, xy, vis = draw_body("supine_head_right", 0.06)
    vis[[lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR]] = 0.0
    m = measure_back_outline(mask, xy, vis)
    assert math.isnan(m.curvature) and m.reason == "cannot tell front from back"


def test_knees_decide_facing_without_face() -> None:
    mask, xy, vis = draw_body("supine_head_right", 0.06)
    vis[[lm.NOSE, lm.LEFT_EAR, lm.RIGHT_EAR]] = 0.0
    xy[lm.LEFT_KNEE] = xy[lm.LEFT_HIP] + np.array([-60.0, -90.0])  # knees up, toward the ceiling
    vis[lm.LEFT_KNEE] = 0.9
    assert measure_back_outline(mask, xy, vis).curvature == pytest.approx(0.06, abs=CURV_TOL)


def test_body_cut_by_frame_edge_gives_nan() -> None:
    mask, xy, vis = draw_body("upright_facing_left", 0.06)
    mask[:, int(xy[lm.LEFT_HIP, 0]) + 5:] = 1.0  # background "person" everywhere behind: no outline
    m = measure_back_outline(mask, xy, vis)
    assert math.isnan(m.curvature) and m.reason == "back outline not found"


def test_speed_640x480() -> None:
    mask, xy, vis = draw_body("upright_facing_left", 0.06, length=220.0)
    measure_back_outline(mask, xy, vis)
    n = 50
    t0 = time.perf_counter()
    for _ in range(n):
        measure_back_outline(mask, xy, vis)
    per_frame = (time.perf_counter() - t0) / n
    assert per_frame < 0.005  # ~0.5 ms measured; loose for slow CI machines


def test_tilt_change_uses_window_median() -> None:
    t = np.arange(100) / 30.0
    c = np.full(100, 0.06)
    c[40:60] = 0.045
    c[5] = np.nan
    change = tilt_change(c, t, (0.5, 1.2))
    assert change[0] == pytest.approx(0.0)
    assert change[50] == pytest.approx(-0.015)
    assert np.isnan(change[5])
    assert np.isnan(tilt_change(c, t, (10.0, 11.0))).all()


def test_rolling_baseline_tracks_neutral_between_reps() -> None:
    t = np.arange(300) / 30.0
    c = 0.06 - 0.015 * (np.sin(2 * np.pi * t / 2.2) > 0.3)  # tilt reps
    base = rolling_baseline(c, t, window_s=3.5)
    assert np.isnan(base[:5]).all()
    assert np.allclose(base[100:], 0.06)
    assert (c - base)[100:].min() == pytest.approx(-0.015)


def test_posterior_tilt_conversion_sign() -> None:
    assert CURVATURE_PER_POSTERIOR_DEG < 0
    assert posterior_tilt_deg(-0.025) == pytest.approx(10.0)
    assert posterior_tilt_deg(0.01) < 0


# --- real footage -------------------------------------------------------------------------

SUPINE_TILTS = ((0.8, 1.6), (2.8, 3.7), (5.0, 5.9), (7.2, 8.1))  # seconds, from NOTES / DESIGN


def _run_pose_on_video(path: Path, max_side: int = 720) -> tuple[np.ndarray, list[OutlineMeasure]]:
    """The product's own video source and pose backend (segmentation on), outline per frame."""
    from formcheck.media.sources import open_source
    from formcheck.pose.mediapipe_pose import MediaPipePose

    times, measures = [], []
    with MediaPipePose(segmentation=True) as pose:
        for frame in open_source(path, max_side=max_side):
            obs = pose.process(frame.image, frame.t)
            times.append(frame.t)
            if obs is None:
                measures.append(measure_back_outline(None, np.full((33, 2), np.nan), np.zeros(33)))
            else:
                measures.append(measure_back_outline(obs.mask, obs.xy, obs.vis))
    return np.asarray(times), measures


@pytest.mark.slow
def test_real_supine_tilts_lower_curvature() -> None:
    clip = REAL / "videos" / "other" / "pelvic_tilt_supine_side.mp4"
    if not clip.exists():
        pytest.skip(f"real footage not available ({clip} missing)")
    t, measures = _run_pose_on_video(clip)
    c = np.array([m.curvature for m in measures])
    assert not any(m.occluded for m in measures)
    tilt = np.zeros(len(t), bool)
    for a, b in SUPINE_TILTS:
        tilt |= (t >= a) & (t <= b)
    ok = np.isfinite(c) & (t >= 0.5)  # the first ~0.3 s of tracking jumps
    assert ok.sum() > 0.9 * (t >= 0.5).sum()
    r = np.corrcoef(c[ok], tilt[ok])[0, 1]
    change = c[ok & tilt].mean() - c[ok & ~tilt].mean()
    # Measured r = -0.80 and change -0.012 (hand-read tilt times blur the 0/1 indicator's
    # edges, which caps r). Bounds leave room for decoder / MediaPipe build differences
    # while still failing if the signal loses its sign or most of its size.
    assert r < -0.6
    assert change < -0.007
    jitter = np.nanmedian(np.abs(np.diff(c[ok])))
    assert jitter < 0.0015  # measured ~0.0005 per frame
