"""Pose parameters of the mannequin and their smooth interpolation over time.

A :class:`Pose` is expressed in the body's **sagittal frame** (metres, degrees):

* ``f`` horizontal, positive in the person's facing direction (for a supine body: toward the feet),
* ``u`` up (the floor is ``u = 0``),
* ``r`` lateral, positive toward the person's anatomical **right** (left landmarks sit at ``-r``).

Segment angles are **absolute** (against world vertical), in degrees:

* ``trunk``: hip-joint midpoint -> shoulder midpoint, measured from *up*, + toward forward (``+f``).
  Same convention as ``formcheck.judge.angles`` trunk lean. Supine is -90 (shoulders behind the hips).
* ``thigh_*`` (hip -> knee), ``shin_*`` (knee -> ankle), ``uarm_*`` (shoulder -> elbow),
  ``farm_*`` (elbow -> wrist): measured from *down*, + toward forward.
* ``foot_*``: heel -> toe axis from horizontal-forward, + toes up (0 = flat, pointing forward;
  180 = flat, pointing backward).
* ``tilt``: pelvic tilt of the pelvis against the trunk, **+ posterior** (top of the pelvis
  rotated backward, tailbone under), - anterior. Rotating the pelvis changes only the pelvis,
  glutes and the lumbar curve; hip joint centres, thighs and the trunk line are unchanged.
* ``twist``: rotation of the upper body (thorax, shoulders, arms, head) about the trunk axis, **+ the
  chest turns toward the anatomical left** (right shoulder forward); pelvis and legs stay put.
* ``neck`` and ``head``: neck direction relative to the trunk axis and head relative to the
  neck, + forward (chin toward the chest).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace

import numpy as np


@dataclass(frozen=True)
class Pose:
    """One instant of the mannequin pose (metres and degrees; conventions in the module doc)."""

    root_f: float = 0.0  # hip-joint midpoint, forward coordinate (m)
    root_u: float = 0.93  # hip-joint midpoint height above the floor (m)
    trunk: float = 0.0
    tilt: float = 0.0
    twist: float = 0.0
    neck: float = 0.0
    head: float = 0.0
    thigh_l: float = 0.0
    thigh_r: float = 0.0
    shin_l: float = 0.0
    shin_r: float = 0.0
    foot_l: float = 0.0
    foot_r: float = 0.0
    uarm_l: float = 0.0
    uarm_r: float = 0.0
    farm_l: float = 0.0
    farm_r: float = 0.0
    hand_l: float = 0.0  # hand relative to the forearm, degrees, + bent toward the palm/front
    hand_r: float = 0.0
    elbow_out_l: float = 0.04  # lateral offset of the elbow outward from the shoulder (m)
    elbow_out_r: float = 0.04
    wrist_out_l: float = 0.04  # lateral offset of the wrist outward from the shoulder (m)
    wrist_out_r: float = 0.04
    knee_out_l: float = 0.0  # lateral offset of knee and ankle outward from the hip (m)
    knee_out_r: float = 0.0
    breath: float = 0.0  # chest expansion 0..1 (shape only; landmarks unaffected)
    block_f: float = math.nan  # yoga block centre, forward coordinate (m); NaN = no block
    block_h: float = 0.0  # yoga block height (m)

    def with_(self, **changes: float) -> Pose:
        """Copy with some fields changed."""
        return replace(self, **changes)


POSE_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Pose))


def pose_to_vector(p: Pose) -> np.ndarray:
    """Pose as a float vector in :data:`POSE_FIELDS` order."""
    return np.array([getattr(p, n) for n in POSE_FIELDS], float)


def vector_to_pose(v: np.ndarray) -> Pose:
    """Inverse of :func:`pose_to_vector`."""
    return Pose(**{n: float(x) for n, x in zip(POSE_FIELDS, v, strict=True)})


def _ease(x: float) -> float:
    """Smooth 0..1 ramp with zero slope at both ends (cubic smoothstep)."""
    x = min(max(x, 0.0), 1.0)
    return x * x * (3.0 - 2.0 * x)


@dataclass(frozen=True)
class Keyframe:
    """Pose reached at time ``t`` (seconds) and held until the next keyframe starts moving.

    The motion from the previous keyframe to this one takes ``move`` seconds and ends at ``t``.
    """

    t: float
    pose: Pose
    move: float = 1.0


@dataclass(frozen=True)
class Motion:
    """Small natural motion added on top of the keyframes.

    ``sway_deg``: amplitude of trunk sway (degrees) at ``sway_hz``; ``breath_hz``: breathing
    rate; ``seed`` sets the phases. Sway changes the true trunk angle (it is in the ground truth).
    """

    sway_deg: float = 0.0
    sway_hz: float = 0.23
    breath_hz: float = 0.0
    seed: int = 0


@dataclass(frozen=True)
class Timeline:
    """Keyframes (sorted by time) plus natural motion; ``pose_at(t)`` gives the pose at ``t`` s."""

    keyframes: tuple[Keyframe, ...]
    motion: Motion = Motion()

    def __post_init__(self) -> None:
        ts = [k.t for k in self.keyframes]
        if not ts or any(b < a for a, b in zip(ts, ts[1:], strict=False)):
            raise ValueError("keyframes must be non-empty and sorted by time")

    @property
    def duration(self) -> float:
        """Time of the last keyframe (s)."""
        return self.keyframes[-1].t

    def pose_at(self, t: float) -> Pose:
        """Interpolated pose at time ``t`` (seconds), with sway and breathing added."""
        ks = self.keyframes
        v = pose_to_vector(ks[0].pose)
        for prev, nxt in zip(ks, ks[1:], strict=False):
            if t <= nxt.t - nxt.move:
                break
            start = nxt.t - nxt.move
            w = 1.0 if nxt.move <= 0 else _ease((t - start) / nxt.move)
            a, b = pose_to_vector(prev.pose), pose_to_vector(nxt.pose)
            v = _blend(a, b, w)
            if t < nxt.t:
                break
        pose = vector_to_pose(v)
        m = self.motion
        if m.sway_deg or m.breath_hz:
            rng = np.random.default_rng(m.seed)
            ph = rng.uniform(0, 2 * math.pi, 3)
            sway = m.sway_deg * (0.7 * math.sin(2 * math.pi * m.sway_hz * t + ph[0])
                                 + 0.3 * math.sin(2 * math.pi * m.sway_hz * 2.7 * t + ph[1]))
            breath = 0.5 + 0.5 * math.sin(2 * math.pi * m.breath_hz * t + ph[2]) if m.breath_hz else 0.0
            pose = pose.with_(trunk=pose.trunk + sway, breath=breath)
        return pose


def _blend(a: np.ndarray, b: np.ndarray, w: float) -> np.ndarray:
    """Blend two pose vectors; NaN fields (absent props) switch at the midpoint."""
    out = a + (b - a) * w
    nan = np.isnan(a) | np.isnan(b)
    out[nan] = (a if w < 0.5 else b)[nan]
    return out


def hold(pose: Pose, times: Sequence[float], move: float = 1.0) -> tuple[Keyframe, ...]:
    """Keyframes holding one pose at several times (helper for scripts)."""
    return tuple(Keyframe(t, pose, move) for t in times)
