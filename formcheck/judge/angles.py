"""Angle definitions: the contract every other stage (rules, reports, synthetic ground truth) uses.

Conventions, fixed here and nowhere else:

* Points are **pixels** in the analysed frame: x grows to the right, y grows **down**.
  (MediaPipe's normalised x and y have different scales on non-square frames; never use them.)
* ``facing`` is +1 when the person faces image-right (+x), -1 when facing image-left,
  NaN when unknown.
* All angles are **degrees**. A *joint angle* (A-B-C at B) is unsigned, 0..180.
  A *segment angle* is signed, in (-180, 180], measured from a vertical reference and
  positive when the segment's far end lies **forward** (in the facing direction).
* Anything computed from a NaN point is NaN ("unknown", never a guess).

Every function takes arrays of shape ``(..., 2)`` and returns arrays of shape ``(...)``,
so one call covers a whole clip.
"""

from __future__ import annotations

from typing import cast

import numpy as np
from numpy.typing import NDArray

from formcheck.pose import landmarks as lm

#: Float arrays of points (..., 2) px or of per-frame values (...,).
ArrayF = NDArray[np.float64]


def _wrap180(deg: ArrayF) -> ArrayF:
    """Wrap degrees into (-180, 180]."""
    out = np.mod(deg + 180.0, 360.0) - 180.0
    return np.where(out == -180.0, 180.0, out)


def joint_angle(a: ArrayF, b: ArrayF, c: ArrayF) -> ArrayF:
    """Unsigned angle A-B-C at B in degrees, 0..180 (e.g. knee angle hip-knee-ankle)."""
    v1 = np.asarray(a, float) - np.asarray(b, float)
    v2 = np.asarray(c, float) - np.asarray(b, float)
    cross = v1[..., 0] * v2[..., 1] - v1[..., 1] * v2[..., 0]
    dot = (v1 * v2).sum(axis=-1)
    return cast(ArrayF, np.degrees(np.abs(np.arctan2(cross, dot))))


def angle_from_up(a: ArrayF, b: ArrayF, facing: ArrayF | float) -> ArrayF:
    """Signed angle of segment a->b from image-up (-y), degrees; positive when b is forward of a.

    Trunk lean is ``angle_from_up(hip, shoulder, facing)``: 0 upright, + leaning forward.
    """
    v = np.asarray(b, float) - np.asarray(a, float)
    return cast(ArrayF, np.degrees(np.arctan2(v[..., 0] * np.asarray(facing, float), -v[..., 1])))


def angle_from_down(a: ArrayF, b: ArrayF, facing: ArrayF | float) -> ArrayF:
    """Signed angle of segment a->b from image-down (+y), degrees; positive when b is forward of a.

    Thigh angle is ``angle_from_down(hip, knee, facing)``: 0 hanging straight down,
    + knee in front of the hip (flexion side), - knee behind the hip.
    """
    v = np.asarray(b, float) - np.asarray(a, float)
    return cast(ArrayF, np.degrees(np.arctan2(v[..., 0] * np.asarray(facing, float), v[..., 1])))


def hip_extension(shoulder: ArrayF, hip: ArrayF, knee: ArrayF, facing: ArrayF | float) -> ArrayF:
    """Signed hip extension in degrees: how far the thigh points *behind* the trunk line.

    0 when thigh and trunk are in one straight line, + extension (knee behind the line
    through shoulder and hip), - flexion. Equals ``-(thigh angle + trunk lean)``, so
    leaning the trunk forward lowers it, as it should. (The unsigned shoulder-hip-knee
    angle cannot tell extension from flexion: it *decreases* past straight.)
    """
    trunk = angle_from_up(hip, shoulder, facing)
    thigh = angle_from_down(hip, knee, facing)
    return _wrap180(-(thigh + trunk))


def _up_normal_distance(s: ArrayF, k: ArrayF, p: ArrayF) -> ArrayF:
    """Signed pixel distance of p from the line s-k, positive on the image-up (-y) side."""
    s = np.asarray(s, float)
    d = np.asarray(k, float) - s
    n = np.stack([d[..., 1], -d[..., 0]], axis=-1)  # perpendicular to the line
    flip = np.where(n[..., 1] > 0, -1.0, 1.0)  # make it point up (negative y)
    n = n * flip[..., None]
    norm = np.linalg.norm(n, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cast(ArrayF, ((np.asarray(p, float) - s) * n).sum(axis=-1) / norm)


def bridge_line(shoulder: ArrayF, hip: ArrayF, knee: ArrayF) -> ArrayF:
    """Shoulder-hip-knee line angle at the hip, degrees, signed around 180.

    180 = straight line; < 180 hips below the shoulder-knee line (sagging);
    > 180 hips pushed above it (over-arching). "Above" means toward image-up.
    """
    a = joint_angle(shoulder, hip, knee)
    above = _up_normal_distance(shoulder, knee, hip) > 0
    return np.where(above, 360.0 - a, a)


def hip_height(shoulder: ArrayF, hip: ArrayF, knee: ArrayF) -> ArrayF:
    """Hip height above the shoulder-knee line in thigh lengths (unitless, + above, - below)."""
    thigh = np.linalg.norm(np.asarray(knee, float) - np.asarray(hip, float), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cast(ArrayF, _up_normal_distance(shoulder, knee, hip) / thigh)


def hip_lift(shoulder: ArrayF, hip: ArrayF, knee: ArrayF) -> ArrayF:
    """Hip height above the shoulder, in thigh lengths (+ hip higher in the image than the shoulder).

    Lying on the back with the pelvis raised (bridge, block under the sacrum) this is > 0;
    lying flat it is about 0.
    """
    thigh = np.linalg.norm(np.asarray(knee, float) - np.asarray(hip, float), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cast(ArrayF, (np.asarray(shoulder, float)[..., 1] - np.asarray(hip, float)[..., 1]) / thigh)


def knee_past_toe(knee: ArrayF, foot_index: ArrayF, ankle: ArrayF, facing: ArrayF | float) -> ArrayF:
    """How far the knee is ahead of the toes, in shin lengths (+ knee past the toes)."""
    knee = np.asarray(knee, float)
    shin = np.linalg.norm(knee - np.asarray(ankle, float), axis=-1)
    ahead = (knee[..., 0] - np.asarray(foot_index, float)[..., 0]) * np.asarray(facing, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return cast(ArrayF, ahead / shin)


def shoulder_turn(l_sh: ArrayF, r_sh: ArrayF, l_hip: ArrayF, r_hip: ArrayF) -> ArrayF:
    """How much wider the shoulders look than the hips, in trunk lengths (unitless; + shoulders wider).

    (|left shoulder x - right shoulder x| - |left hip x - right hip x|) / hip-midpoint->shoulder-midpoint
    length. From a side view both widths are near 0; turning the chest toward the camera or away from it
    (a trunk twist) widens the shoulders while the hips stay narrow. Unsigned: it cannot tell which way the
    trunk turned. Camera yaw widens both, the shoulders about twice as much (measured:
    ``benchmarks/twist_width.py``).
    """
    l_sh, r_sh, l_hip, r_hip = (np.asarray(p, float) for p in (l_sh, r_sh, l_hip, r_hip))
    trunk = np.linalg.norm(0.5 * (l_sh + r_sh) - 0.5 * (l_hip + r_hip), axis=-1)
    wider = np.abs(l_sh[..., 0] - r_sh[..., 0]) - np.abs(l_hip[..., 0] - r_hip[..., 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        return cast(ArrayF, wider / trunk)


def compute_angles(xy: ArrayF, facing: ArrayF | float) -> dict[str, ArrayF]:
    """All angles for a clip: ``xy`` is (N, 33, 2) pixels, ``facing`` (N,) or scalar.

    Returns a dict of (N,) arrays: ``trunk_lean`` (hip midpoint -> shoulder midpoint vs
    vertical, + forward), ``shoulder_turn`` (:func:`shoulder_turn`) and, per leg ``<name>_left`` /
    ``<name>_right`` for every name in :data:`formcheck.exercises.signal_registry.PER_LEG` (trunk points
    use that leg's own shoulder and hip; ``elbow`` = shoulder-elbow-wrist angle, 180 straight;
    ``arm_lean`` = wrist->shoulder line from vertical, + shoulder forward of the wrist).
    """
    xy = np.asarray(xy, float)
    # In a side view left and right shoulders (and hips) nearly overlap: use their mean,
    # or the one that is present when the other is unknown.
    mid_sh = mean_of_present(xy[..., lm.LEFT_SHOULDER, :], xy[..., lm.RIGHT_SHOULDER, :])
    mid_hip = mean_of_present(xy[..., lm.LEFT_HIP, :], xy[..., lm.RIGHT_HIP, :])
    turn = shoulder_turn(xy[..., lm.LEFT_SHOULDER, :], xy[..., lm.RIGHT_SHOULDER, :],
                         xy[..., lm.LEFT_HIP, :], xy[..., lm.RIGHT_HIP, :])
    out: dict[str, ArrayF] = {"trunk_lean": angle_from_up(mid_hip, mid_sh, facing), "shoulder_turn": turn}
    for side in lm.SIDES:
        sh, hip, knee = xy[..., lm.SHOULDER[side], :], xy[..., lm.HIP[side], :], xy[..., lm.KNEE[side], :]
        ank, toe = xy[..., lm.ANKLE[side], :], xy[..., lm.FOOT_INDEX[side], :]
        out[f"hip_ext_{side}"] = hip_extension(sh, hip, knee, facing)
        out[f"thigh_{side}"] = angle_from_down(hip, knee, facing)
        out[f"knee_{side}"] = joint_angle(hip, knee, ank)
        out[f"shin_{side}"] = angle_from_up(ank, knee, facing)
        out[f"bridge_line_{side}"] = bridge_line(sh, hip, knee)
        out[f"hip_height_{side}"] = hip_height(sh, hip, knee)
        out[f"hip_lift_{side}"] = hip_lift(sh, hip, knee)
        out[f"knee_past_toe_{side}"] = knee_past_toe(knee, toe, ank, facing)
        el, wr = xy[..., lm.ELBOW[side], :], xy[..., lm.WRIST[side], :]
        out[f"elbow_{side}"] = joint_angle(sh, el, wr)
        out[f"arm_lean_{side}"] = angle_from_up(wr, sh, facing)
    return out


def mean_of_present(a: ArrayF, b: ArrayF) -> ArrayF:
    """Element-wise mean of two point arrays, using the one present where the other is NaN."""
    a_ok = ~np.isnan(a).any(axis=-1, keepdims=True)
    b_ok = ~np.isnan(b).any(axis=-1, keepdims=True)
    both = (np.where(a_ok, a, 0.0) + np.where(b_ok, b, 0.0))
    count = a_ok.astype(float) + b_ok.astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, both / np.maximum(count, 1.0), np.nan)
