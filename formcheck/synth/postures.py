"""Pose builders for the exercises: place the body on the floor by small closed-form solvers.

Every function returns a :class:`~formcheck.synth.pose.Pose` (sagittal frame, metres, degrees;
see :mod:`formcheck.synth.pose`). Contacts (knee on the floor, feet flat, shoulders on the
floor) are solved so the body does not float or sink; angles not solved for are inputs.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.judge import angles
from formcheck.pose import landmarks as lm
from formcheck.synth.kinematics import down_dir, forward_kinematics
from formcheck.synth.pose import Pose
from formcheck.synth.skeleton import BodyDims

_SFX = {"left": "l", "right": "r"}


def _two_link(origin: np.ndarray, target: np.ndarray, l1: float, l2: float, bend_sign: float):
    """Planar two-link IK from ``origin`` to ``target`` (f, u).

    Returns (angle of link 1 from down, angle of link 2 from down), degrees, + forward.
    ``bend_sign`` +1 turns link 1 toward down/back of the origin->target direction (an elbow
    pointing back); -1 toward up/forward (a knee pointing up when lying on the back).
    Targets out of reach are approached with the chain straight.
    """
    v = target - origin
    dist = float(np.linalg.norm(v))
    dist = min(max(dist, abs(l1 - l2) + 1e-6), l1 + l2 - 1e-6)
    base = math.atan2(v[0], -v[1])  # angle of origin->target from down, + forward
    cos_a = (l1 * l1 + dist * dist - l2 * l2) / (2 * l1 * dist)
    a = math.acos(max(-1.0, min(1.0, cos_a)))
    a1 = base - bend_sign * a
    j = origin + l1 * down_dir(math.degrees(a1))
    w = target - j
    a2 = math.atan2(w[0], -w[1])
    return math.degrees(a1), math.degrees(a2)


def _front_leg(d: BodyDims, hip_u: float, knee_deg: float) -> tuple[float, float]:
    """Thigh and shin angles (from down) of a leg whose foot is flat on the floor, knee ``knee_deg``."""
    delta = math.radians(180.0 - knee_deg)
    A = d.thigh + d.shank * math.cos(delta)
    B = d.shank * math.sin(delta)
    C = hip_u - d.ankle_height
    R, phi0 = math.hypot(A, B), math.atan2(B, A)
    a1 = phi0 + math.acos(max(-1.0, min(1.0, C / R)))
    return math.degrees(a1), math.degrees(a1 - delta)


def standing(d: BodyDims) -> Pose:
    """Relaxed standing, arms hanging."""
    return Pose(root_u=d.thigh + d.shank + d.ankle_height, thigh_l=1, thigh_r=-1, shin_l=0, shin_r=-2,
                uarm_l=3, uarm_r=-3, farm_l=8, farm_r=4, knee_out_l=0.01, knee_out_r=0.01)


def _kneel_knee_u(d: BodyDims) -> float:
    return 0.058 * d.scale


def _back_shin(d: BodyDims, knee_u: float) -> float:
    """Shin angle (from down) of a kneeling leg whose shin lies backward on the floor."""
    ankle_u = 0.050 * d.scale
    return -(90.0 - math.degrees(math.asin((ankle_u - knee_u) / d.shank)))


def tall_kneeling(d: BodyDims, trunk: float = 0.0) -> Pose:
    """Both knees on the floor, thighs vertical, shins and feet flat behind, arms hanging."""
    ku = _kneel_knee_u(d)
    shin = _back_shin(d, ku)
    return Pose(root_f=0.0, root_u=ku + d.thigh, trunk=trunk, thigh_l=0, thigh_r=0, shin_l=shin, shin_r=shin,
                foot_l=185, foot_r=185, uarm_l=2, uarm_r=-2, farm_l=10, farm_r=6, knee_out_l=0.01,
                knee_out_r=0.01)


def half_kneeling(d: BodyDims, kneel_side: str, *, back_thigh: float = -5.0, front_knee: float = 90.0,
                  trunk: float = 0.0, tilt: float = 0.0, arms: str = "knee", root_f: float = 0.0) -> Pose:
    """Half-kneeling lunge: ``kneel_side`` knee on the floor (the stretched side), other foot flat.

    ``back_thigh``: kneeling-leg thigh angle from down (deg, + forward; negative = knee behind the
    hip, i.e. hip extension with an upright trunk). ``front_knee``: front knee angle (deg, 180 =
    straight). ``arms``: "knee" (both hands on the front knee/thigh), "hip" (kneeling-side hand on
    the hip, elbow back), "hang", "chest" (forearms crossed in front of the chest).
    """
    back, front = _SFX[kneel_side], _SFX["right" if kneel_side == "left" else "left"]
    ku = _kneel_knee_u(d)
    hip_u = ku + d.thigh * math.cos(math.radians(back_thigh))
    th_f, sh_f = _front_leg(d, hip_u, front_knee)
    p = Pose(root_f=root_f, root_u=hip_u, trunk=trunk, tilt=tilt, **{
        f"thigh_{back}": back_thigh, f"shin_{back}": _back_shin(d, ku) + back_thigh * 0.0,
        f"foot_{back}": 185.0, f"thigh_{front}": th_f, f"shin_{front}": sh_f, f"foot_{front}": 0.0,
        f"knee_out_{front}": 0.03, f"knee_out_{back}": 0.0})
    # The back shin lies on the floor from the knee backward; its angle does not depend on the thigh.
    return _arms(d, p, arms, kneel_side)


def _arms(d: BodyDims, p: Pose, arms: str, kneel_side: str) -> Pose:
    """Place the arms: on the front knee, one hand on the hip, hanging, or crossed in front of the chest."""
    k = forward_kinematics(p, d)
    sh = k.joints["shoulder_mid"][:2]
    front = "right" if kneel_side == "left" else "left"
    changes: dict[str, float] = {}
    if arms == "hang":
        return p.with_(uarm_l=4, uarm_r=-2, farm_l=8, farm_r=6)
    if arms == "chest":
        # Forearms crossed in front of the chest: elbows down by the ribs, hands at the opposite shoulder.
        target = sh + np.array([0.16 * d.scale, -0.16 * d.scale])
        a1, a2 = _two_link(sh, target, d.upper_arm, d.forearm, bend_sign=1.0)
        return p.with_(uarm_l=a1, uarm_r=a1, farm_l=a2, farm_r=a2, hand_l=0.0, hand_r=0.0,
                       elbow_out_l=0.12 * d.scale, elbow_out_r=0.12 * d.scale,
                       wrist_out_l=-0.10 * d.scale, wrist_out_r=-0.10 * d.scale)
    knee = k.landmarks[lm.KNEE[front], :2]
    for side in ("left", "right"):
        sx = _SFX[side]
        if arms == "hip" and side == kneel_side:
            target = k.pelvis.at(0.02 * d.scale, 0.13 * d.scale)
            a1, a2 = _two_link(sh, target, d.upper_arm, d.forearm, bend_sign=1.0)
            changes.update({f"uarm_{sx}": a1, f"farm_{sx}": a2, f"hand_{sx}": 70.0,
                            f"elbow_out_{sx}": 0.10 * d.scale, f"wrist_out_{sx}": 0.02 * d.scale})
        else:
            # Hands rest on top of the front thigh just behind the knee.
            off = 0.06 if side == front else 0.12
            target = knee + np.array([-off * d.scale, 0.075 * d.scale])
            a1, a2 = _two_link(sh, target, d.upper_arm, d.forearm, bend_sign=1.0)
            changes.update({f"uarm_{sx}": a1, f"farm_{sx}": a2, f"hand_{sx}": -20.0,
                            f"elbow_out_{sx}": 0.05 * d.scale, f"wrist_out_{sx}": -0.01 * d.scale})
    return p.with_(**changes)


# --- lying on the back ------------------------------------------------------------------------------

def _shoulder_u(d: BodyDims) -> float:
    return 0.118 * d.scale


def _lying_hip_u(d: BodyDims) -> float:
    return 0.142 * d.scale


def supine(d: BodyDims, *, hip_u: float | None = None, foot_f: float = 0.42, shoulder_f: float = -0.5,
           tilt: float = 0.0, block_h: float = 0.0, block_f: float | None = None) -> Pose:
    """Lying on the back, knees bent, feet flat; pelvis raised to ``hip_u`` metres (hip joint height).

    ``foot_f``: ankle forward distance from the hip joints *when lying flat* (m, scaled by body
    height); ``shoulder_f``: shoulder-midpoint forward coordinate (m, the shoulders stay put).
    With the default hip height the pelvis rests on the floor. ``block_h`` > 0 draws a yoga block
    of that height at ``block_f`` (default: under the sacrum).
    """
    s = d.scale
    hu = _lying_hip_u(d) if hip_u is None else hip_u
    su = _shoulder_u(d)
    du = su - hu
    root_f = shoulder_f + math.sqrt(max(d.trunk**2 - du**2, 1e-9))
    trunk = math.degrees(math.atan2(shoulder_f - root_f, du))
    flat_root = shoulder_f + math.sqrt(d.trunk**2 - (su - _lying_hip_u(d)) ** 2)
    ankle = np.array([flat_root + foot_f * s, d.ankle_height])
    a1, a2 = _two_link(np.array([root_f, hu]), ankle, d.thigh, d.shank, bend_sign=-1.0)
    # Neck: keep the back of the head on the floor.
    cos_n = (d.head_semi[0] - su) / d.neck
    neck_abs = -math.degrees(math.acos(max(-1.0, min(1.0, cos_n))))
    uarm = math.degrees(math.acos((su - 0.045 * s) / d.upper_arm))  # elbow resting on the floor
    p = Pose(root_f=root_f, root_u=hu, trunk=trunk, tilt=tilt, neck=neck_abs - trunk, head=0.0,
             thigh_l=a1, thigh_r=a1, shin_l=a2, shin_r=a2, foot_l=0.0, foot_r=0.0,
             uarm_l=uarm, uarm_r=uarm, farm_l=90.0, farm_r=90.0, hand_l=0.0, hand_r=0.0,
             elbow_out_l=0.05 * s, elbow_out_r=0.05 * s, wrist_out_l=0.07 * s, wrist_out_r=0.07 * s,
             knee_out_l=0.02 * s, knee_out_r=0.02 * s)
    if block_h > 0:
        p = p.with_(block_h=block_h, block_f=root_f - 0.07 * s if block_f is None else block_f)
    return p


def bridge_hip_u(d: BodyDims, line_deg: float, *, foot_f: float = 0.42, shoulder_f: float = -0.5,
                 tilt: float = 0.0) -> float:
    """Hip height (m) at which the true shoulder-hip-knee line angle equals ``line_deg``
    (180 = straight, < 180 sagging, > 180 hips above the line), found by bisection."""
    def line(hu: float) -> float:
        k = forward_kinematics(supine(d, hip_u=hu, foot_f=foot_f, shoulder_f=shoulder_f, tilt=tilt), d)
        L = k.landmarks[:, :2] * np.array([1.0, -1.0])  # (f, u) -> pixel-like (x right, y down)
        return float(angles.bridge_line(L[lm.LEFT_SHOULDER], L[lm.LEFT_HIP], L[lm.LEFT_KNEE]))

    lo, hi = _lying_hip_u(d), _lying_hip_u(d) + 0.9 * d.thigh
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if line(mid) < line_deg:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)



# --- standing on one leg ----------------------------------------------------------------------------

def standing_quad(d: BodyDims, held_side: str, *, held_thigh: float = 0.0, held_knee: float = 35.0,
                  trunk: float = 0.0, tilt: float = 0.0, wall_hand: bool = True) -> Pose:
    """Standing quad stretch: the ``held_side`` foot held behind by that hand, the other leg straight.

    ``held_thigh``: held thigh angle from down (deg, + knee forward of the hip; 0 = pointing straight
    down next to the standing knee). ``held_knee``: held knee angle (deg; ~35 = heel at the glute,
    90 = shin horizontal behind). ``trunk``: trunk lean (deg, + forward). ``wall_hand``: the other hand
    rests on a wall in front at shoulder height (else it hangs).
    """
    held, other = _SFX[held_side], _SFX["right" if held_side == "left" else "left"]
    shin = held_thigh - (180.0 - held_knee)  # from down, + forward: a bent knee points the shin back/up
    p = Pose(root_f=0.0, root_u=d.thigh + d.shank + d.ankle_height, trunk=trunk, tilt=tilt, **{
        f"thigh_{other}": 0.0, f"shin_{other}": 0.0, f"foot_{other}": 0.0, f"knee_out_{other}": 0.01,
        f"thigh_{held}": held_thigh, f"shin_{held}": shin, f"foot_{held}": 180.0 + shin + 50.0,
        f"knee_out_{held}": 0.0})
    k = forward_kinematics(p, d)
    sh = k.joints["shoulder_mid"][:2]
    ankle = k.landmarks[lm.ANKLE[held_side], :2]
    a1, a2 = _two_link(sh, ankle + np.array([0.0, 0.02 * d.scale]), d.upper_arm, d.forearm, bend_sign=1.0)
    lat = d.hip_half_width - d.shoulder_half_width
    changes = {f"uarm_{held}": a1, f"farm_{held}": a2, f"hand_{held}": 0.0,
               f"elbow_out_{held}": 0.04 * d.scale, f"wrist_out_{held}": lat + 0.03 * d.scale}
    if wall_hand:
        target = sh + np.array([0.52 * d.scale, 0.02 * d.scale])
        b1, b2 = _two_link(sh, target, d.upper_arm, d.forearm, bend_sign=1.0)
        changes.update({f"uarm_{other}": b1, f"farm_{other}": b2, f"hand_{other}": -80.0,
                        f"elbow_out_{other}": 0.03 * d.scale, f"wrist_out_{other}": 0.0})
    else:
        changes.update({f"uarm_{other}": 3.0, f"farm_{other}": 6.0})
    return p.with_(**changes)


# --- on all fours -----------------------------------------------------------------------------------

def quadruped(d: BodyDims, kick_side: str = "left", *, kick_thigh: float = 0.0, kick_knee: float = 90.0,
              neck: float = -35.0) -> Pose:
    """On all fours: hands under the shoulders (arms straight), knees under the hips, shins on the floor.

    ``kick_side`` leg's thigh is at ``kick_thigh`` deg from down (+ forward; 0 = kneeling under the hip,
    -90 = straight back at hip height, below -90 above it) with knee angle ``kick_knee`` (90 = donkey
    kick, 180 = straight leg); the shin keeps lying on the floor while the thigh is vertical. ``neck``:
    head relative to the trunk (deg, - lifts the chin so the face looks forward-down).
    """
    kick, other = _SFX[kick_side], _SFX["right" if kick_side == "left" else "left"]
    ku = _kneel_knee_u(d)
    hip_u = ku + d.thigh
    wrist_u = 0.035 * d.scale
    sh_u = wrist_u + 0.97 * (d.upper_arm + d.forearm)
    trunk = math.degrees(math.acos(max(-1.0, min(1.0, (sh_u - hip_u) / d.trunk))))
    floor_shin = _back_shin(d, ku)
    if kick_thigh == 0.0:
        k_shin, k_foot = floor_shin, 185.0
    else:
        # The knee opens from the floor position: shin angle follows the thigh by (180 - knee).
        k_shin = kick_thigh - (180.0 - kick_knee)
        k_foot = 180.0 + k_shin + 90.0 if kick_knee < 150 else k_shin + 270.0
    p = Pose(root_f=0.0, root_u=hip_u, trunk=trunk, neck=neck, head=0.0, **{
        f"thigh_{other}": 0.0, f"shin_{other}": floor_shin, f"foot_{other}": 185.0, f"knee_out_{other}": 0.0,
        f"thigh_{kick}": kick_thigh, f"shin_{kick}": k_shin, f"foot_{kick}": k_foot, f"knee_out_{kick}": 0.0})
    k = forward_kinematics(p, d)
    sh = k.joints["shoulder_mid"][:2]
    a1, a2 = _two_link(sh, np.array([sh[0] + 0.02 * d.scale, wrist_u]), d.upper_arm, d.forearm, bend_sign=1.0)
    return p.with_(uarm_l=a1, uarm_r=a1, farm_l=a2, farm_r=a2, hand_l=-80.0, hand_r=-80.0,
                   elbow_out_l=0.0, elbow_out_r=0.0, wrist_out_l=0.0, wrist_out_r=0.0)


# --- prone, on the hands ------------------------------------------------------------------------------

def prone_on_hands(d: BodyDims, *, hip_u: float = 0.22, elbow: float = 178.0, arm_lean: float = 0.0,
                   knee_down: bool = False, neck: float = -25.0) -> Pose:
    """Upward dog / plank family, facing +f: hands on the floor, legs straight back to the tops of the feet.

    ``hip_u``: hip joint height (m, scaled by body height; ~0.22 upward dog, hips low; the trunk line
    then rises steeply to the shoulders; higher = piked toward a plank). ``elbow``: elbow angle (deg, 180
    straight). ``arm_lean``: shoulders ahead (+) of / behind (-) the wrists (deg of the wrist->shoulder
    line from vertical). ``knee_down``: knees rest on the floor (thighs slope down to them, shins flat).
    """
    s = d.scale
    hu = hip_u * s
    wrist_u = 0.035 * s
    ku = _kneel_knee_u(d)
    # Arm: wrist -> shoulder distance for the elbow angle, leaning by arm_lean.
    reach = math.sqrt(d.upper_arm**2 + d.forearm**2 - 2 * d.upper_arm * d.forearm * math.cos(math.radians(elbow)))
    sh_u = wrist_u + reach * math.cos(math.radians(arm_lean))
    trunk = math.degrees(math.acos(max(-1.0, min(1.0, (sh_u - hu) / d.trunk))))
    if knee_down:
        thigh = -(90.0 - math.degrees(math.asin(max(-1.0, min(1.0, (hu - ku) / d.thigh)))))
        shin = _back_shin(d, ku)
    else:
        ankle_u = 0.05 * s
        thigh = -(90.0 - math.degrees(math.asin(max(-1.0, min(1.0, (hu - ankle_u) / (d.thigh + d.shank))))))
        shin = thigh
    p = Pose(root_f=0.0, root_u=hu, trunk=trunk, neck=neck, head=0.0, thigh_l=thigh, thigh_r=thigh,
             shin_l=shin, shin_r=shin, foot_l=185.0, foot_r=185.0, knee_out_l=0.0, knee_out_r=0.0)
    k = forward_kinematics(p, d)
    sh = k.joints["shoulder_mid"][:2]
    wrist = np.array([sh[0] - reach * math.sin(math.radians(arm_lean)), wrist_u])
    a1, a2 = _two_link(sh, wrist, d.upper_arm, d.forearm, bend_sign=1.0)
    return p.with_(uarm_l=a1, uarm_r=a1, farm_l=a2, farm_r=a2, hand_l=-80.0, hand_r=-80.0,
                   elbow_out_l=0.02 * s, elbow_out_r=0.02 * s, wrist_out_l=0.0, wrist_out_r=0.0)


def downward_dog(d: BodyDims) -> Pose:
    """Downward dog, facing +f: hands and feet on the floor, hips high, arms in line with the trunk."""
    s = d.scale
    hu = 0.95 * s / 1.0 * 0.85
    legs = d.thigh + d.shank
    thigh = -math.degrees(math.acos(max(-1.0, min(1.0, (hu - 0.05 * s) / legs))))
    trunk = 180.0 - 55.0  # shoulders down and forward of the hips
    p = Pose(root_f=0.0, root_u=hu, trunk=trunk, neck=-20.0, thigh_l=thigh, thigh_r=thigh, shin_l=thigh,
             shin_r=thigh, foot_l=0.0, foot_r=0.0)
    k = forward_kinematics(p, d)
    sh = k.joints["shoulder_mid"][:2]
    along = sh - k.joints["hip_mid"][:2]
    along = along / np.linalg.norm(along)
    # Arms continue the trunk line down to the floor.
    t = (sh[1] - 0.035 * s) / max(-along[1], 1e-3)
    wrist = sh + along * min(t, 0.98 * (d.upper_arm + d.forearm))
    a1, a2 = _two_link(sh, wrist, d.upper_arm, d.forearm, bend_sign=1.0)
    return p.with_(uarm_l=a1, uarm_r=a1, farm_l=a2, farm_r=a2, hand_l=80.0, hand_r=80.0)
