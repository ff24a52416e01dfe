"""Forward kinematics: pose + body dimensions -> 3D joints, the 33 MediaPipe landmarks and
the frames the shape builder needs.

Coordinates are the sagittal body frame of :mod:`formcheck.synth.pose` (metres): ``f`` forward,
``u`` up, ``r`` toward the anatomical right. :func:`to_world` maps them to the renderer's world
frame for a facing direction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.pose import landmarks as lm
from formcheck.synth.pose import Pose
from formcheck.synth.skeleton import BodyDims

SIDE_SIGN = {"left": -1.0, "right": 1.0}  # lateral (r) sign of each anatomical side


def up_dir(deg: float) -> np.ndarray:
    """Unit (f, u) vector at ``deg`` from up, + toward forward."""
    a = math.radians(deg)
    return np.array([math.sin(a), math.cos(a)])


def down_dir(deg: float) -> np.ndarray:
    """Unit (f, u) vector at ``deg`` from down, + toward forward."""
    a = math.radians(deg)
    return np.array([math.sin(a), -math.cos(a)])


def fwd_normal(d: np.ndarray) -> np.ndarray:
    """(f, u) normal of direction ``d`` rotated 90 deg toward forward-of-up (front side of an
    upward axis: for d = up returns +f)."""
    return np.array([d[1], -d[0]])


def twist_rotation(axis: np.ndarray, deg: float) -> np.ndarray:
    """3x3 rotation of (f, u, r) points by ``deg`` about the sagittal unit direction ``axis`` (f, u):
    right-handed, so about an upward axis + moves the right side (+r) forward (+f)."""
    a = np.array([axis[0], axis[1], 0.0]) / float(np.linalg.norm(axis))
    k = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    t = math.radians(deg)
    return np.eye(3) + math.sin(t) * k + (1.0 - math.cos(t)) * (k @ k)


#: Landmarks carried by the upper body (turned by ``Pose.twist``): face, shoulders, arms, hands.
UPPER_BODY = tuple(range(0, 23))


def p3(fu: np.ndarray, r: float = 0.0) -> np.ndarray:
    """3D (f, u, r) point from an (f, u) pair and a lateral offset."""
    return np.array([fu[0], fu[1], r])


@dataclass(frozen=True)
class Frame2:
    """A sagittal frame: origin (f, u), ``axis`` (unit, the segment's long/up axis) and
    ``front`` (unit, perpendicular, toward the segment's front)."""

    origin: np.ndarray
    axis: np.ndarray
    front: np.ndarray

    def at(self, front: float, along: float) -> np.ndarray:
        """(f, u) point at ``front`` metres toward the front and ``along`` metres along the axis."""
        return self.origin + front * self.front + along * self.axis


@dataclass(frozen=True)
class Kinematics:
    """Result of forward kinematics for one pose (all metres, sagittal body frame).

    ``landmarks``: (33, 3) in MediaPipe order (hips = hip joint centres). ``joints``: named extra
    3D points (knees, spine samples, ...). ``pelvis``, ``thorax``, ``head``: sagittal frames.
    ``spine``: (K, 2) samples of the lumbar spine line from S1 to T12; ``spine_tangent`` (K, 2).
    """

    pose: Pose
    dims: BodyDims
    landmarks: np.ndarray
    joints: dict[str, np.ndarray]
    pelvis: Frame2
    thorax: Frame2
    head: Frame2
    spine: np.ndarray
    spine_tangent: np.ndarray


def _hermite(p0: np.ndarray, t0: np.ndarray, p1: np.ndarray, t1: np.ndarray, n: int):
    """Cubic Hermite curve samples and unit tangents between p0 and p1 (2D)."""
    s = np.linspace(0.0, 1.0, n)[:, None]
    h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
    h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
    pts = h00 * p0 + h10 * t0 + h01 * p1 + h11 * t1
    d00, d10 = 6 * s**2 - 6 * s, 3 * s**2 - 4 * s + 1
    d01, d11 = -6 * s**2 + 6 * s, 3 * s**2 - 2 * s
    tan = d00 * p0 + d10 * t0 + d01 * p1 + d11 * t1
    tan /= np.linalg.norm(tan, axis=1, keepdims=True)
    return pts, tan


def forward_kinematics(pose: Pose, dims: BodyDims, spine_samples: int = 9) -> Kinematics:
    """Place every joint and landmark for ``pose`` (see :mod:`formcheck.synth.pose`)."""
    d, s = dims, dims.scale
    hip_mid = np.array([pose.root_f, pose.root_u])
    ta = up_dir(pose.trunk)
    thorax = Frame2(hip_mid, ta, fwd_normal(ta))
    pa = up_dir(pose.trunk - pose.tilt)  # posterior tilt turns the pelvis top backward
    pelvis = Frame2(hip_mid, pa, fwd_normal(pa))
    sh_mid = thorax.at(0.0, d.trunk)

    # Lumbar spine: from S1 (moves with the pelvis) to T12 (fixed in the thorax).
    s1 = pelvis.at(*d.sacrum)
    t12 = thorax.at(*d.t12)
    chord = float(np.linalg.norm(t12 - s1))
    tan0 = up_dir(pose.trunk - pose.tilt + d.sacral_slope_deg) * chord
    tan1 = up_dir(pose.trunk - d.t12_back_deg) * chord
    spine, spine_tan = _hermite(s1, tan0, t12, tan1, spine_samples)

    na = up_dir(pose.trunk + pose.neck)
    head_c = sh_mid + d.neck * na + 0.012 * s * fwd_normal(na)
    ha = up_dir(pose.trunk + pose.neck + pose.head)
    head = Frame2(head_c, ha, fwd_normal(ha))

    L = np.full((lm.NUM_LANDMARKS, 3), np.nan)
    joints: dict[str, np.ndarray] = {"s1": p3(s1), "t12": p3(t12), "shoulder_mid": p3(sh_mid),
                                     "hip_mid": p3(hip_mid), "head": p3(head_c)}
    # Face (head frame: front, along-up, lateral).
    def hp(front: float, up: float, lat: float) -> np.ndarray:
        return p3(head.at(front * s, up * s), lat * s)

    L[lm.NOSE] = hp(0.112, -0.010, 0.0)
    for side, sg in SIDE_SIGN.items():
        eye = lm.LEFT_EYE if side == "left" else lm.RIGHT_EYE
        L[eye - 1] = hp(0.088, 0.030, sg * 0.018)  # inner
        L[eye] = hp(0.084, 0.030, sg * 0.033)
        L[eye + 1] = hp(0.076, 0.030, sg * 0.048)  # outer
        L[lm.EAR[side]] = hp(-0.008, 0.005, sg * 0.080)
        L[lm.MOUTH_LEFT if side == "left" else lm.MOUTH_RIGHT] = hp(0.090, -0.055, sg * 0.024)

    for side, sg in SIDE_SIGN.items():
        sfx = side[0]
        # Arm.
        sh = p3(sh_mid, sg * d.shoulder_half_width)
        el2 = sh_mid + d.upper_arm * down_dir(getattr(pose, f"uarm_{sfx}"))
        el = p3(el2, sg * (d.shoulder_half_width + getattr(pose, f"elbow_out_{sfx}")))
        fdir = down_dir(getattr(pose, f"farm_{sfx}"))
        wr2 = el2 + d.forearm * fdir
        wr = p3(wr2, sg * (d.shoulder_half_width + getattr(pose, f"wrist_out_{sfx}")))
        hdir = down_dir(getattr(pose, f"farm_{sfx}") + getattr(pose, f"hand_{sfx}"))
        hn = fwd_normal(-hdir)  # thumb side: front of a hanging hand
        lat_w = wr[2]
        L[lm.SHOULDER[side]] = sh
        L[lm.ELBOW[side]] = el
        L[lm.WRIST[side]] = wr
        L[lm.LEFT_INDEX if side == "left" else lm.RIGHT_INDEX] = p3(
            wr2 + 0.42 * d.hand * hdir + 0.020 * s * hn, lat_w)
        L[lm.LEFT_PINKY if side == "left" else lm.RIGHT_PINKY] = p3(
            wr2 + 0.38 * d.hand * hdir - 0.025 * s * hn, lat_w + sg * 0.005 * s)
        L[lm.LEFT_THUMB if side == "left" else lm.RIGHT_THUMB] = p3(
            wr2 + 0.28 * d.hand * hdir + 0.045 * s * hn, lat_w - sg * 0.01 * s)
        joints[f"hand_tip_{side}"] = p3(wr2 + d.hand * hdir, lat_w)
        joints[f"hand_dir_{side}"] = p3(hdir)
        # Leg.
        lat_hip = sg * d.hip_half_width
        lat_knee = sg * (d.hip_half_width + getattr(pose, f"knee_out_{sfx}"))
        hip = p3(hip_mid, lat_hip)
        kn2 = hip_mid + d.thigh * down_dir(getattr(pose, f"thigh_{sfx}"))
        an2 = kn2 + d.shank * down_dir(getattr(pose, f"shin_{sfx}"))
        fa = math.radians(getattr(pose, f"foot_{sfx}"))
        fdir2 = np.array([math.cos(fa), math.sin(fa)])
        fup = np.array([-math.sin(fa), math.cos(fa)])
        heel2 = an2 - d.heel_back * fdir2 - 0.80 * d.ankle_height * fup
        toe2 = an2 + d.toe_front * fdir2 - 0.70 * d.ankle_height * fup
        L[lm.HIP[side]] = hip
        L[lm.KNEE[side]] = p3(kn2, lat_knee)
        L[lm.ANKLE[side]] = p3(an2, lat_knee)
        L[lm.HEEL[side]] = p3(heel2, lat_knee)
        L[lm.FOOT_INDEX[side]] = p3(toe2, lat_knee)
        joints[f"sole_heel_{side}"] = p3(an2 - d.heel_back * 1.3 * fdir2 - d.ankle_height * fup, lat_knee)
        joints[f"sole_toe_{side}"] = p3(an2 + d.toe_front * 1.02 * fdir2 - d.ankle_height * fup, lat_knee)
        joints[f"foot_up_{side}"] = p3(fup)
    if pose.twist:
        rot = twist_rotation(ta, pose.twist)
        o = p3(hip_mid)
        L[list(UPPER_BODY)] = (L[list(UPPER_BODY)] - o) @ rot.T + o
        for name in ("head", "hand_tip_left", "hand_tip_right"):
            joints[name] = rot @ (joints[name] - o) + o
        for name in ("hand_dir_left", "hand_dir_right"):
            joints[name] = rot @ joints[name]
    return Kinematics(pose, dims, L, joints, pelvis, thorax, head, spine, spine_tan)


def to_world(points: np.ndarray, facing: int) -> np.ndarray:
    """Map sagittal (f, u, r) points (..., 3) to world (X, Y, Z) for ``facing`` = +1 or -1.

    World: X = image-right at zero camera yaw, Y = up, Z = toward the camera. ``facing`` = +1 puts
    the person's forward along +X (so the anatomical right side, +r, is nearer the camera);
    -1 turns the body 180 deg about the vertical (left side nearer). A proper rotation, no mirror.
    """
    if facing not in (1, -1):
        raise ValueError("facing must be +1 or -1")
    out = np.array(points, float, copy=True)
    out[..., 0] *= facing
    out[..., 2] *= facing
    return out


def lowest_point(k: Kinematics) -> float:
    """Lowest height (u, metres) of the body surface, approximately (soles, knees, back, head)."""
    d, s = k.dims, k.dims.scale
    cands = [k.joints[f"sole_heel_{sd}"][1] for sd in SIDE_SIGN] + [
        k.joints[f"sole_toe_{sd}"][1] for sd in SIDE_SIGN]
    cands += [k.landmarks[lm.KNEE[sd], 1] - 0.055 * s for sd in SIDE_SIGN]
    cands.append(float(k.head.origin[1]) - d.head_semi[0])
    return float(min(cands))
