"""Angle definitions on hand-computed cases: both facings, both sides, non-square frames."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.judge import angles as ang
from formcheck.pose import landmarks as lm
from tests.poses import kneeling


def test_joint_angle_right_angle_and_straight():
    assert ang.joint_angle([0, 0], [0, 10], [10, 10]) == pytest.approx(90.0)
    assert ang.joint_angle([0, 0], [0, 10], [0, 20]) == pytest.approx(180.0)
    # 3-4-5 triangle: angle at B between BA=(0,-4) and BC=(3,0) is 90; at C it is atan(4/3).
    assert ang.joint_angle([3, 0], [3, 4], [0, 4]) == pytest.approx(90.0)
    assert ang.joint_angle([3, 0], [0, 4], [3, 4]) == pytest.approx(math.degrees(math.atan2(4, 3)))


def test_trunk_lean_sign_follows_facing():
    hip, sh_fwd_right = np.array([100.0, 200.0]), np.array([110.0, 100.0])  # shoulder 10 px to the right
    expected = math.degrees(math.atan2(10, 100))  # 5.71 deg
    assert ang.angle_from_up(hip, sh_fwd_right, +1) == pytest.approx(expected)   # facing right: forward lean
    assert ang.angle_from_up(hip, sh_fwd_right, -1) == pytest.approx(-expected)  # facing left: leaning back


def test_thigh_angle_and_hip_extension_hand_computed():
    # Upright trunk, knee 30 px behind and 100 px below the hip, person facing right.
    sh, hip, knee = np.array([100.0, 0.0]), np.array([100.0, 150.0]), np.array([70.0, 250.0])
    thigh = math.degrees(math.atan2(-30, 100))  # -16.70 deg (knee behind the hip)
    assert ang.angle_from_down(hip, knee, +1) == pytest.approx(thigh)
    assert ang.hip_extension(sh, hip, knee, +1) == pytest.approx(-thigh)  # +16.70 extension
    # Mirror the figure (facing left, knee 30 px to the right = behind): same extension.
    m = lambda p: np.array([200.0 - p[0], p[1]])  # noqa: E731
    assert ang.hip_extension(m(sh), m(hip), m(knee), -1) == pytest.approx(-thigh)
    # Leaning the trunk forward by 10 deg lowers hip extension by 10 deg.
    sh_lean = hip + 150 * np.array([math.sin(math.radians(10)), -math.cos(math.radians(10))])
    assert ang.hip_extension(sh_lean, hip, knee, +1) == pytest.approx(-thigh - 10.0)


def test_non_square_frame_uses_pixels_not_normalised_units():
    # A 1920x1080 frame: the shin goes 0.1 of the width right and 0.1 of the height down.
    # In pixels that is (192, 108): 60.6 deg from vertical, not the 45 deg normalised units would give.
    w, h = 1920, 1080
    ankle, knee = np.array([0.5 * w, 0.6 * h]), np.array([0.6 * w, 0.5 * h])
    assert ang.angle_from_up(ankle, knee, +1) == pytest.approx(math.degrees(math.atan2(192, 108)))


def test_bridge_line_and_hip_height_signs():
    sh, knee = np.array([0.0, 300.0]), np.array([400.0, 200.0])
    on_line = np.array([200.0, 250.0])
    assert ang.bridge_line(sh, on_line, knee) == pytest.approx(180.0)
    assert ang.hip_height(sh, on_line, knee) == pytest.approx(0.0, abs=1e-9)
    low, high = np.array([200.0, 290.0]), np.array([200.0, 210.0])
    assert ang.bridge_line(sh, low, knee) < 180 < ang.bridge_line(sh, high, knee)
    # Symmetric offsets give symmetric angles around 180.
    assert ang.bridge_line(sh, low, knee) - 180 == pytest.approx(180 - ang.bridge_line(sh, high, knee), abs=1e-9)
    assert ang.hip_height(sh, low, knee) < 0 < ang.hip_height(sh, high, knee)
    # Hip lift: hip 60 px above the shoulder with a 120 px thigh = 0.5 thigh lengths.
    assert ang.hip_lift(np.array([0.0, 300.0]), np.array([100.0, 240.0]), np.array([100.0, 120.0])) == \
        pytest.approx(0.5)


def test_knee_past_toe_sign():
    knee, ankle, toe = np.array([150.0, 100.0]), np.array([100.0, 200.0]), np.array([130.0, 200.0])
    shin = math.hypot(50, 100)
    assert ang.knee_past_toe(knee, toe, ankle, +1) == pytest.approx(20 / shin)
    assert ang.knee_past_toe(knee, toe, ankle, -1) == pytest.approx(-20 / shin)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("back", ["left", "right"])
def test_compute_angles_on_kneeling_figure(facing, back):
    xy = kneeling(facing=facing, back=back, trunk_lean=5.0, back_thigh=-20.0, front_thigh=85.0)
    a = ang.compute_angles(xy[None], facing)
    front = lm.other_side(back)
    assert a["trunk_lean"][0] == pytest.approx(5.0)
    assert a[f"thigh_{back}"][0] == pytest.approx(-20.0)
    assert a[f"hip_ext_{back}"][0] == pytest.approx(15.0)  # -(thigh + lean) = -(-20 + 5)
    assert a[f"thigh_{front}"][0] == pytest.approx(85.0)
    assert a[f"knee_{front}"][0] == pytest.approx(180.0 - 85.0)  # shin vertical, thigh 85 deg from down
    assert a[f"knee_{back}"][0] == pytest.approx(90.0 + 20.0)    # shin flat behind, thigh 20 deg back
    assert a[f"shin_{front}"][0] == pytest.approx(0.0)


def test_unknown_points_give_nan_not_a_guess():
    xy = kneeling()
    xy[lm.LEFT_KNEE] = np.nan
    a = ang.compute_angles(xy[None], 1)
    assert math.isnan(a["knee_left"][0]) and math.isnan(a["hip_ext_left"][0])
    assert math.isfinite(a["knee_right"][0])
    assert math.isnan(ang.compute_angles(kneeling()[None], np.nan)["trunk_lean"][0])  # facing unknown


def test_shoulder_turn_hand_computed():
    # Trunk 100 px tall (hip midpoint (300, 300) -> shoulder midpoint (300, 200)). Shoulders 40 px apart
    # in x, hips 10 px apart: (40 - 10) / 100 = 0.30 trunk lengths. Which shoulder is in front does not
    # matter (unsigned), and a pure side view (both pairs overlapping) reads 0.
    l_sh, r_sh = np.array([280.0, 200.0]), np.array([320.0, 200.0])
    l_hip, r_hip = np.array([295.0, 300.0]), np.array([305.0, 300.0])
    assert float(ang.shoulder_turn(l_sh, r_sh, l_hip, r_hip)) == pytest.approx(0.30)
    assert float(ang.shoulder_turn(r_sh, l_sh, l_hip, r_hip)) == pytest.approx(0.30)
    side = np.array([300.0, 200.0]), np.array([300.0, 300.0])
    assert float(ang.shoulder_turn(side[0], side[0], side[1], side[1])) == pytest.approx(0.0)
    assert math.isnan(float(ang.shoulder_turn(np.array([np.nan, np.nan]), r_sh, l_hip, r_hip)))


@pytest.mark.parametrize("facing", [1, -1])
def test_elbow_and_arm_lean_hand_computed(facing):
    # Shoulder 100 px above the wrist and 20 px forward of it: the arm leans atan(20/100) = 11.31 deg
    # forward (+). An elbow bent to a right angle: shoulder -> elbow straight down 60 px, elbow -> wrist
    # 60 px backward: 90 deg.
    xy = kneeling(facing=facing)
    sh = xy[lm.LEFT_SHOULDER]
    xy[lm.LEFT_WRIST] = sh + np.array([-20.0 * facing, 100.0])
    xy[lm.LEFT_ELBOW] = sh + np.array([-10.0 * facing, 50.0])
    a = ang.compute_angles(xy[None], facing)
    assert a["arm_lean_left"][0] == pytest.approx(math.degrees(math.atan2(20, 100)))
    assert a["elbow_left"][0] == pytest.approx(180.0)
    xy[lm.RIGHT_ELBOW] = xy[lm.RIGHT_SHOULDER] + np.array([0.0, 60.0])
    xy[lm.RIGHT_WRIST] = xy[lm.RIGHT_ELBOW] + np.array([-60.0 * facing, 0.0])
    a = ang.compute_angles(xy[None], facing)
    assert a["elbow_right"][0] == pytest.approx(90.0)
    assert a["arm_lean_right"][0] == pytest.approx(math.degrees(math.atan2(60, 60)))
