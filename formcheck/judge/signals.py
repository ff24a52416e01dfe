"""Per-frame signals the rules read: angles resolved to body roles, plus derived values.

The names and units are :mod:`formcheck.exercises.signal_registry` (what exercise files may use).

Roles are decided per frame with hysteresis so noise cannot flip them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from formcheck.exercises.signal_registry import PER_LEG
from formcheck.judge import angles as ang
from formcheck.judge.reasons import Reason, Unjudged
from formcheck.judge.sides import Side
from formcheck.pose import landmarks as lm

# The sticky choices' signs as sides: a positive thigh difference means the right leg is further back;
# a positive depth difference means the left side is nearer the camera.
_BACK_BY_SIGN: dict[int, Side] = {1: "right", -1: "left"}
_NEAR_BY_SIGN: dict[int, Side] = {1: "left", -1: "right"}
# A positive ankle-height difference (right ankle lower in the image than the left) means the left foot is lifted.
_LIFTED_BY_SIGN: dict[int, Side] = {1: "left", -1: "right"}
#: Ankle height difference (thigh lengths) needed to swap the lifted and planted legs: a foot held at the
#: glute or kicked up is 0.8-1.5 thigh lengths above the other; two feet on the floor differ by < 0.1.
LIFTED_MARGIN = 0.3

# Landmarks each per-leg angle needs (on that leg's side), to say why a value is unknown.
LANDMARKS_NEEDED = {
    "hip_ext": ("SHOULDER", "HIP", "KNEE"), "thigh": ("HIP", "KNEE"), "knee": ("HIP", "KNEE", "ANKLE"),
    "shin": ("KNEE", "ANKLE"), "bridge_line": ("SHOULDER", "HIP", "KNEE"),
    "hip_height": ("SHOULDER", "HIP", "KNEE"), "hip_lift": ("SHOULDER", "HIP", "KNEE"),
    "knee_past_toe": ("KNEE", "ANKLE", "FOOT_INDEX"), "elbow": ("SHOULDER", "ELBOW", "WRIST"),
    "arm_lean": ("SHOULDER", "WRIST"),
}



@dataclass(frozen=True)
class FrameSignals:
    """Signals of one frame. ``values`` NaN = unknown, with the reason in ``reasons``.

    ``facing`` +1 image-right / -1 image-left / 0 unknown; ``back_side`` / ``near_side`` /
    ``lifted_side`` are "left", "right" or None (unknown).
    """

    values: dict[str, float]
    reasons: dict[str, Reason]
    facing: int
    back_side: Side | None
    near_side: Side | None
    angles: dict[str, float]
    lifted_side: Side | None = None

    def side_of(self, role: str) -> Side | None:
        """The body side a leg role ("back", "lifted", "near") resolved to this frame (None: unknown)."""
        return {"back": self.back_side, "lifted": self.lifted_side, "near": self.near_side}.get(role)


class _Sticky:
    """A two-way choice that only flips when the evidence passes ``margin`` the other way."""

    def __init__(self, margin: float) -> None:
        self.margin = margin
        self.state: int = 0  # +1, -1, or 0 unknown

    def update(self, evidence: float) -> int:
        if np.isfinite(evidence):
            if evidence > self.margin:
                self.state = 1
            elif evidence < -self.margin:
                self.state = -1
            elif self.state == 0:
                self.state = 1 if evidence >= 0 else -1
        return self.state


class SignalExtractor:
    """Turns cleaned landmarks (+ an optional back-outline measure) into named signals."""

    def __init__(self, side_override: Side | None = None) -> None:
        self.side_override = side_override
        self._facing_ema = 0.0
        self._facing = _Sticky(0.25)
        self._back = _Sticky(12.0)  # degrees of thigh-angle difference needed to swap legs
        self._near = _Sticky(0.05)
        self._lifted = _Sticky(LIFTED_MARGIN)

    def _update_facing(self, xy: NDArray[np.float64], trunk_len: float) -> int:
        """Facing from the nose ahead of the ears (side view), smoothed over ~10 frames."""
        nose = xy[lm.NOSE]
        ears = xy[[lm.LEFT_EAR, lm.RIGHT_EAR]]
        ears = ears[~np.isnan(ears).any(axis=1)]
        if np.isnan(nose).any() or len(ears) == 0:
            return self._facing.state
        dx = nose[0] - ears[:, 0].mean()
        # A nose 5% of a trunk length ahead of the ears is a full vote.
        scale = 0.05 * trunk_len if np.isfinite(trunk_len) and trunk_len > 1 else 5.0
        vote = float(np.clip(dx / scale, -1.0, 1.0))
        self._facing_ema = 0.85 * self._facing_ema + 0.15 * vote
        return self._facing.update(self._facing_ema)

    def step(self, xy: NDArray[np.float64], z: NDArray[np.float64] | None, outline_curvature: float = np.nan,
             outline_reason: Reason | None = None) -> FrameSignals:
        """Signals for one frame from cleaned landmarks ``xy`` (33, 2) px (NaN unknown)."""
        mid_sh = ang.mean_of_present(xy[lm.LEFT_SHOULDER], xy[lm.RIGHT_SHOULDER])
        mid_hip = ang.mean_of_present(xy[lm.LEFT_HIP], xy[lm.RIGHT_HIP])
        facing = self._update_facing(xy, float(np.linalg.norm(mid_sh - mid_hip)))
        f = float(facing) if facing else np.nan
        a = {k: float(v[0]) for k, v in ang.compute_angles(xy[None], f).items()}
        # Unsigned trunk angle needs no facing.
        trunk_tilt = float(np.abs(ang.angle_from_up(mid_hip, mid_sh, 1.0)))

        # Back leg: the one whose thigh points further back (smaller thigh angle).
        back_state = self._back.update(a["thigh_left"] - a["thigh_right"]) if facing else self._back.state
        back_side = _BACK_BY_SIGN.get(back_state)
        if self.side_override:
            back_side = self.side_override
        # Near side: smaller MediaPipe depth on shoulder, hip and knee.
        near_side: Side | None = None
        if z is not None:
            dz = float(np.nanmean(z[[lm.RIGHT_SHOULDER, lm.RIGHT_HIP, lm.RIGHT_KNEE]]
                                  - z[[lm.LEFT_SHOULDER, lm.LEFT_HIP, lm.LEFT_KNEE]]))
            near_side = _NEAR_BY_SIGN.get(self._near.update(dz))
        lifted_side = _LIFTED_BY_SIGN.get(self._lifted.update(_ankle_rise(xy)))
        if self.side_override:
            lifted_side = self.side_override
        roles = {"left": "left", "right": "right", "back": back_side,
                 "front": lm.other_side(back_side) if back_side else None, "near": near_side,
                 "lifted": lifted_side, "planted": lm.other_side(lifted_side) if lifted_side else None}

        values: dict[str, float] = {"trunk_lean": a["trunk_lean"], "trunk_tilt": trunk_tilt,
                                    "shoulder_turn": a["shoulder_turn"]}
        reasons: dict[str, Reason] = {}
        for base in PER_LEG:
            for role, side in roles.items():
                name = f"{base}.{role}"
                if side is None:
                    values[name] = np.nan
                    reasons[name] = Reason(Unjudged.NEAR_SIDE_UNCLEAR if role == "near"
                                           else Unjudged.LEGS_UNCLEAR)
                    continue
                values[name] = a[f"{base}_{side}"]
                if not np.isfinite(values[name]):
                    reasons[name] = _missing_reason(xy, base, side, facing)
        if back_side:
            values["leg_split"] = a[f"thigh_{lm.other_side(back_side)}"] - a[f"thigh_{back_side}"]
        else:
            values["leg_split"] = np.nan
            reasons["leg_split"] = Reason(Unjudged.LEGS_UNCLEAR)
        values["back_curvature"] = float(outline_curvature)
        if not np.isfinite(outline_curvature):
            reasons["back_curvature"] = outline_reason or Reason(Unjudged.OUTLINE_LOST, "back outline not measured")
        for k in ("trunk_lean", "trunk_tilt", "shoulder_turn"):
            if not np.isfinite(values[k]):
                reasons[k] = Reason(Unjudged.TRUNK_HIDDEN if k != "trunk_lean" or facing
                                    else Unjudged.FACING_UNCLEAR)
        return FrameSignals(values, reasons, facing, back_side, near_side, a, lifted_side)


def _ankle_rise(xy: NDArray[np.float64]) -> float:
    """How much higher the left ankle is than the right, in thigh lengths (+ left foot higher; NaN unknown).

    Image y grows down, so this is (right ankle y - left ankle y) / mean thigh length.
    """
    thighs = [float(np.linalg.norm(xy[lm.KNEE[s]] - xy[lm.HIP[s]])) for s in lm.SIDES]
    thigh = float(np.nanmean(thighs)) if np.isfinite(thighs).any() else np.nan
    dy = float(xy[lm.ANKLE["right"], 1] - xy[lm.ANKLE["left"], 1])
    return dy / thigh if np.isfinite(thigh) and thigh > 1 else np.nan


def _missing_reason(xy: NDArray[np.float64], base: str, side: str, facing: int) -> Reason:
    """Why a per-leg angle is unknown: which landmarks are missing, or no facing."""
    missing = [f"{side} {n.lower().replace('_', ' ')}" for n in LANDMARKS_NEEDED[base]
               if np.isnan(xy[getattr(lm, n)[side]]).any()]
    if missing:
        return Reason(Unjudged.LANDMARKS_HIDDEN, ", ".join(missing))
    if not facing and base in ("hip_ext", "thigh", "shin", "knee_past_toe", "arm_lean"):
        return Reason(Unjudged.FACING_UNCLEAR)
    return Reason(Unjudged.NOT_MEASURABLE)
