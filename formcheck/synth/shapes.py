"""Body surface as analytic primitives (ellipsoids and boxes) built around the kinematics.

The surface is the *look* of the mannequin; the ground truth comes from
:mod:`formcheck.synth.kinematics`. Primitives are built in the sagittal body frame and mapped
to world coordinates with :func:`formcheck.synth.kinematics.to_world`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.pose import landmarks as lm
from formcheck.synth.kinematics import SIDE_SIGN, Frame2, Kinematics, fwd_normal, p3, to_world, twist_rotation

RGB = tuple[float, float, float]


@dataclass(frozen=True)
class Outfit:
    """Colours (linear-ish RGB, 0..1) of skin, clothes, shoes, hair and the yoga block."""

    skin: RGB = (0.86, 0.64, 0.52)
    shirt: RGB = (0.15, 0.35, 0.70)
    trousers: RGB = (0.16, 0.16, 0.20)
    shoes: RGB = (0.92, 0.92, 0.90)
    hair: RGB = (0.20, 0.13, 0.08)
    block: RGB = (0.45, 0.25, 0.60)


@dataclass(frozen=True)
class Primitives:
    """Ellipsoids and boxes in world coordinates (metres).

    Ellipsoid ``i``: centre ``centres[i]``, local axes as the **columns** of ``axes[i]`` (3x3,
    orthonormal), semi-axis lengths ``semi[i]``. Boxes: same with half-extents ``box_half``.
    ``*_person`` flags say which primitives belong to the person (for the silhouette mask).
    """

    centres: np.ndarray
    axes: np.ndarray
    semi: np.ndarray
    colours: np.ndarray
    person: np.ndarray
    box_centres: np.ndarray
    box_axes: np.ndarray
    box_half: np.ndarray
    box_colours: np.ndarray


class _Builder:
    """Collects primitives in the sagittal frame (f, u, r)."""

    def __init__(self) -> None:
        self.c: list[np.ndarray] = []
        self.ax: list[np.ndarray] = []
        self.se: list[tuple[float, ...]] = []  # semi-axis lengths, three per ellipsoid
        self.col: list[RGB] = []
        self.person: list[bool] = []

    def ellipsoid(self, centre, a1, a2, semi, colour: RGB, person: bool = True) -> None:
        """Add an ellipsoid with first axis ``a1`` and second axis ``a2`` (made orthogonal)."""
        a1 = np.asarray(a1, float)
        a1 = a1 / np.linalg.norm(a1)
        a2 = np.asarray(a2, float) - np.dot(a2, a1) * a1
        a2 = a2 / np.linalg.norm(a2)
        a3 = np.cross(a1, a2)
        self.c.append(np.asarray(centre, float))
        self.ax.append(np.stack([a1, a2, a3], axis=1))
        self.se.append(tuple(float(x) for x in semi))
        self.col.append(colour)
        self.person.append(person)

    def sphere(self, centre, r: float, colour: RGB) -> None:
        self.ellipsoid(centre, [1.0, 0, 0], [0, 1.0, 0], (r, r, r), colour)

    def frame_ellipsoid(self, fr: Frame2, front: float, along: float, lat: float,
                        semi_along: float | np.floating, semi_front: float, semi_lat: float, colour: RGB) -> None:
        """Ellipsoid aligned with a sagittal frame (axis, front, lateral)."""
        self.ellipsoid(p3(fr.at(front, along), lat), p3(fr.axis), p3(fr.front),
                       (semi_along, semi_front, semi_lat), colour)

    def limb(self, p, q, r0: float, r1: float, colour: RGB, n: int = 3, colour_end: RGB | None = None,
             split: float = 1.0) -> None:
        """Tapered limb from ``p`` to ``q`` as ``n`` overlapping ellipsoids (radii r0 -> r1).

        Pieces whose centre lies beyond ``split`` (fraction of the length) get ``colour_end``.
        """
        p, q = np.asarray(p, float), np.asarray(q, float)
        d = q - p
        length = float(np.linalg.norm(d))
        if length < 1e-6:
            return
        u = d / length
        side = np.array([0.0, 0.0, 1.0])
        if abs(np.dot(side, u)) > 0.9:
            side = np.array([1.0, 0.0, 0.0])
        for i in range(n):
            w = (i + 0.5) / n
            r = r0 + (r1 - r0) * w
            col = colour_end if (colour_end is not None and w > split) else colour
            self.ellipsoid(p + w * d, u, side, (0.5 * length / n * 2.3, r, r), col)


def _on_head(k: Kinematics, front: float, up: float, lat: float) -> np.ndarray:
    """Point on the head ellipsoid surface in the direction (front, up, lat) from its centre."""
    sf, su, sl = k.dims.head_semi
    v = np.array([front, up, lat], float)
    v /= np.linalg.norm(v)
    scale = 1.0 / np.sqrt((v[0] / sf) ** 2 + (v[1] / su) ** 2 + (v[2] / sl) ** 2)
    fu = k.head.origin + scale * (v[0] * k.head.front + v[1] * k.head.axis)
    return p3(fu, scale * v[2])


def build_primitives(k: Kinematics, outfit: Outfit, facing: int) -> Primitives:
    """Surface primitives of the posed body (plus the yoga block, if any), in world coordinates."""
    d, s, pose = k.dims, k.dims.scale, k.pose
    o = outfit
    b = _Builder()
    L = k.landmarks
    # --- pelvis, glutes, lumbar section, thorax --------------------------------------------------
    b.frame_ellipsoid(k.pelvis, -0.010 * s, 0.045 * s, 0.0, 0.105 * s, 0.105 * s, 0.160 * s, o.trousers)
    gf, gu = d.glute_centre
    for sg in (-1.0, 1.0):
        b.frame_ellipsoid(k.pelvis, gf, gu, sg * 0.068 * s, d.glute_r * 1.05, d.glute_r, d.glute_r * 0.95,
                          o.trousers)
    half_depth = 0.5 * d.waist_depth
    n_sp = len(k.spine)
    for i, (pt, tg) in enumerate(zip(k.spine, k.spine_tangent, strict=True)):
        fr = Frame2(pt, tg, fwd_normal(tg))
        col = o.trousers if i < 2 else o.shirt
        b.frame_ellipsoid(fr, half_depth - d.back_skin, 0.0, 0.0, 0.55 * np.linalg.norm(
            k.spine[-1] - k.spine[0]) / (n_sp - 1) * 2.4, half_depth, d.waist_half_width, col)
    br = 1.0 + 0.035 * pose.breath
    upper_from = len(b.c)  # thorax, neck and head turn with Pose.twist (the arms follow their landmarks)
    b.frame_ellipsoid(k.thorax, 0.0, 0.63 * d.trunk, 0.0, 0.20 * s, 0.115 * s * br, 0.158 * s, o.shirt)
    b.frame_ellipsoid(k.thorax, -0.010 * s, d.trunk - 0.035 * s, 0.0, 0.075 * s, 0.085 * s, 0.19 * s, o.shirt)
    # --- neck and head -----------------------------------------------------------------------------
    sh_mid = k.joints["shoulder_mid"]
    head_c = p3(k.head.origin)
    b.limb(sh_mid + 0.5 * (head_c - sh_mid) * 0.1, head_c - 0.06 * s * p3(k.head.axis), 0.050 * s,
           0.046 * s, o.skin, n=2)
    b.frame_ellipsoid(k.head, 0.0, 0.0, 0.0, d.head_semi[1], d.head_semi[0], d.head_semi[2], o.skin)
    b.frame_ellipsoid(k.head, -0.014 * s, 0.036 * s, 0.0, 0.100 * s, 0.100 * s, 0.086 * s, o.hair)
    b.frame_ellipsoid(k.head, 0.097 * s, -0.008 * s, 0.0, 0.026 * s, 0.024 * s, 0.013 * s, o.skin)  # nose
    b.frame_ellipsoid(k.head, 0.060 * s, -0.080 * s, 0.0, 0.030 * s, 0.040 * s, 0.055 * s, o.skin)  # jaw
    dark = (0.05, 0.04, 0.04)
    ax3, fr3 = p3(k.head.axis), p3(k.head.front)
    b.ellipsoid(_on_head(k, 0.09, -0.052, 0.0) - 0.002 * s * fr3, fr3, ax3,
                (0.007 * s, 0.006 * s, 0.026 * s), (0.70, 0.25, 0.25))  # mouth
    for sg in SIDE_SIGN.values():
        eye = _on_head(k, 0.084, 0.030, sg * 0.034)
        b.ellipsoid(eye - 0.004 * s * fr3, fr3, ax3, (0.010 * s, 0.009 * s, 0.013 * s), (0.97, 0.97, 0.97))
        b.ellipsoid(eye + 0.004 * s * fr3, fr3, ax3, (0.006 * s, 0.006 * s, 0.006 * s), dark)
        brow = _on_head(k, 0.085, 0.058, sg * 0.034)
        b.ellipsoid(brow, fr3, ax3, (0.006 * s, 0.005 * s, 0.020 * s), o.hair)
        ear = k.head.at(-0.010 * s, 0.002 * s)
        b.ellipsoid(p3(ear, sg * 0.080 * s), ax3, fr3, (0.032 * s, 0.022 * s, 0.014 * s),
                    (0.92 * o.skin[0], 0.92 * o.skin[1], 0.92 * o.skin[2]))
    if pose.twist:
        rot = twist_rotation(k.thorax.axis, pose.twist)
        pivot = p3(k.thorax.origin)
        for i in range(upper_from, len(b.c)):
            b.c[i] = rot @ (b.c[i] - pivot) + pivot
            b.ax[i] = rot @ b.ax[i]
    # --- arms ----------------------------------------------------------------------------------------
    for side, sg in SIDE_SIGN.items():
        sh, el, wr = L[lm.SHOULDER[side]], L[lm.ELBOW[side]], L[lm.WRIST[side]]
        b.sphere(sh + np.array([0, 0.0, sg * 0.012 * s]), 0.056 * s, o.shirt)
        b.limb(sh, el, *d.upper_arm_r, o.shirt, n=3, colour_end=o.skin, split=0.55)
        b.sphere(el, 0.040 * s, o.skin)
        b.limb(el, wr, *d.forearm_r, o.skin, n=2)
        hdir = k.joints[f"hand_dir_{side}"]
        hn = p3(fwd_normal(-hdir[:2]))
        b.ellipsoid(wr + 0.45 * d.hand * hdir, hdir, hn, (0.5 * d.hand, 0.042 * s, 0.020 * s), o.skin)
    # --- legs ----------------------------------------------------------------------------------------
    for side in SIDE_SIGN:
        hip, kn, an = L[lm.HIP[side]], L[lm.KNEE[side]], L[lm.ANKLE[side]]
        b.limb(hip, kn, *d.thigh_r, o.trousers, n=3)
        b.sphere(kn, 0.056 * s, o.trousers)
        b.limb(kn, an, *d.shank_r, o.trousers, n=3)
        b.sphere(an, 0.040 * s, o.shoes)
        heel, toe = k.joints[f"sole_heel_{side}"], k.joints[f"sole_toe_{side}"]
        fup = k.joints[f"foot_up_{side}"]
        fdir = toe - heel
        flen = float(np.linalg.norm(fdir))
        centre = 0.5 * (heel + toe) + 0.046 * s * fup
        b.ellipsoid(centre, fdir, fup, (0.52 * flen, 0.048 * s, 0.050 * s), o.shoes)
    c = np.stack(b.c)
    ax = np.stack(b.ax)
    # --- yoga block ----------------------------------------------------------------------------------
    box_c, box_ax, box_h, box_col = [], [], [], []
    if np.isfinite(pose.block_f) and pose.block_h > 0:
        half = np.array([0.115, pose.block_h / 2, 0.15])  # along f, up, lateral (m)
        box_c.append(np.array([pose.block_f, pose.block_h / 2, 0.0]))
        box_ax.append(np.eye(3))
        box_h.append(half)
        box_col.append(o.block)
    ax_w = to_world(np.swapaxes(ax, 1, 2), facing)  # rotate each axis (rows) into the world
    return Primitives(
        centres=to_world(c, facing),
        axes=np.swapaxes(ax_w, 1, 2),
        semi=np.array(b.se, float),
        colours=np.array(b.col, float),
        person=np.array(b.person, bool),
        box_centres=to_world(np.array(box_c, float).reshape(-1, 3), facing),
        box_axes=np.swapaxes(to_world(np.array(box_ax, float).reshape(-1, 3, 3).swapaxes(1, 2), facing), 1, 2),
        box_half=np.array(box_h, float).reshape(-1, 3),
        box_colours=np.array(box_col, float).reshape(-1, 3),
    )
