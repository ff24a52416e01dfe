"""Hand-built 33-landmark poses for tests (pixel coordinates, x right, y down).

These are stick figures placed by simple trigonometry, independent of formcheck.judge.angles, so the
tests can state the expected angles by hand.
"""

from __future__ import annotations

import math

import numpy as np

from formcheck.pose import landmarks as lm
from formcheck.pose.base import PoseObservation

TRUNK, THIGH, SHIN, FOOT = 150.0, 110.0, 100.0, 40.0


def _dir(angle_from_down_deg: float, facing: int) -> np.ndarray:
    """Unit vector at ``angle`` from image-down, positive toward the facing direction."""
    a = math.radians(angle_from_down_deg)
    return np.array([math.sin(a) * facing, math.cos(a)])


def kneeling(facing: int = 1, back: str = "left", trunk_lean: float = 0.0, back_thigh: float = -20.0,
             front_thigh: float = 85.0, hip=(320.0, 250.0)) -> np.ndarray:
    """Half-kneeling: back thigh ``back_thigh`` deg from vertical (negative = behind), shin on the floor."""
    xy = np.full((33, 2), np.nan)
    h = np.array(hip)
    lean = math.radians(trunk_lean)
    sh = h + TRUNK * np.array([math.sin(lean) * facing, -math.cos(lean)])
    front = lm.other_side(back)
    for side in lm.SIDES:
        xy[lm.HIP[side]] = h
        xy[lm.SHOULDER[side]] = sh
        xy[lm.ELBOW[side]] = sh + np.array([30 * facing, 60])
        xy[lm.WRIST[side]] = sh + np.array([70 * facing, 100])
    kb = h + THIGH * _dir(back_thigh, facing)
    xy[lm.KNEE[back]] = kb
    xy[lm.ANKLE[back]] = kb + np.array([-SHIN * facing, 0.0])
    xy[lm.HEEL[back]] = xy[lm.ANKLE[back]] + np.array([0.0, -5.0])
    xy[lm.FOOT_INDEX[back]] = xy[lm.ANKLE[back]] + np.array([-FOOT * facing, 5.0])
    kf = h + THIGH * _dir(front_thigh, facing)
    xy[lm.KNEE[front]] = kf
    xy[lm.ANKLE[front]] = kf + np.array([0.0, SHIN])
    xy[lm.HEEL[front]] = xy[lm.ANKLE[front]] + np.array([-10 * facing, 5.0])
    xy[lm.FOOT_INDEX[front]] = xy[lm.ANKLE[front]] + np.array([FOOT * facing, 5.0])
    _head(xy, sh, facing)
    return xy


def standing(facing: int = 1, hip=(320.0, 250.0)) -> np.ndarray:
    """Standing straight: both legs vertical (knees 180 deg)."""
    xy = kneeling(facing=facing, back="left", back_thigh=0.0, front_thigh=0.0, hip=hip)
    for side in lm.SIDES:
        k = xy[lm.KNEE[side]]
        xy[lm.ANKLE[side]] = k + np.array([0.0, SHIN])
        xy[lm.FOOT_INDEX[side]] = xy[lm.ANKLE[side]] + np.array([FOOT * facing, 5.0])
        xy[lm.HEEL[side]] = xy[lm.ANKLE[side]] + np.array([-10 * facing, 5.0])
    return xy


def _head(xy: np.ndarray, sh: np.ndarray, facing: int) -> None:
    top = sh + np.array([0.0, -45.0])
    xy[lm.NOSE] = top + np.array([22 * facing, 0.0])
    for i in (lm.LEFT_EAR, lm.RIGHT_EAR):
        xy[i] = top + np.array([-5 * facing, -3.0])
    for i in (lm.LEFT_EYE, lm.RIGHT_EYE, lm.LEFT_EYE_INNER, lm.RIGHT_EYE_INNER, lm.LEFT_EYE_OUTER,
              lm.RIGHT_EYE_OUTER):
        xy[i] = top + np.array([15 * facing, -8.0])
    for i in (lm.MOUTH_LEFT, lm.MOUTH_RIGHT):
        xy[i] = top + np.array([17 * facing, 10.0])
    for side in lm.SIDES:
        w = xy[lm.WRIST[side]]
        for i in ({"left": (17, 19, 21), "right": (18, 20, 22)}[side]):
            xy[i] = w + np.array([8 * facing, 4.0])


def observation(xy: np.ndarray, near: str = "left") -> PoseObservation:
    """Full-visibility observation; ``near`` side gets the smaller depth (nearer the camera)."""
    z = np.zeros(33)
    far = lm.other_side(near)
    for idx in (lm.SHOULDER, lm.HIP, lm.KNEE, lm.ANKLE):
        z[idx[near]] = -0.1
        z[idx[far]] = 0.1
    return PoseObservation(xy=xy.copy(), vis=np.ones(33), z=z, mask=np.zeros((2, 2), np.float32))


def quad_stretch(facing: int = 1, held: str = "left", held_thigh: float = 0.0, held_knee: float = 40.0,
                 trunk_lean: float = 0.0, hip=(320.0, 250.0)) -> np.ndarray:
    """Standing quad stretch: ``held`` foot held behind (thigh ``held_thigh`` deg from vertical, +
    forward; knee angle ``held_knee``), the other leg straight and vertical."""
    xy = standing(facing=facing, hip=hip)
    h = np.array(hip)
    lean = math.radians(trunk_lean)
    sh = h + TRUNK * np.array([math.sin(lean) * facing, -math.cos(lean)])
    for side in lm.SIDES:
        xy[lm.SHOULDER[side]] = sh
    k = h + THIGH * _dir(held_thigh, facing)
    xy[lm.KNEE[held]] = k
    # The shin turns back and up from the knee: its angle from down is thigh - (180 - knee).
    xy[lm.ANKLE[held]] = k + SHIN * _dir(held_thigh - (180.0 - held_knee), facing)
    xy[lm.HEEL[held]] = xy[lm.ANKLE[held]] + np.array([0.0, 5.0])
    xy[lm.FOOT_INDEX[held]] = xy[lm.ANKLE[held]] + np.array([-FOOT * facing, -10.0])
    _head(xy, sh, facing)
    return xy
