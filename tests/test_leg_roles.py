"""The lifted / planted leg roles (the held foot of a standing quad stretch, the kicking leg on all
fours) and per-side holds booked to the role an exercise file names (``sides = "lifted_leg"``)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.exercises import load_exercise
from formcheck.judge.session import Session
from formcheck.judge.signals import LIFTED_MARGIN, SignalExtractor, _ankle_rise
from tests.poses import SHIN, THIGH, observation, quad_stretch, standing


def test_ankle_rise_hand_computed():
    # Held knee 90 deg with the thigh vertical: the held ankle sits at knee height, SHIN px behind it,
    # i.e. SHIN px above the standing ankle (which is THIGH + SHIN below the hip): rise = SHIN / THIGH.
    xy = quad_stretch(held="left", held_knee=90.0)
    assert _ankle_rise(xy) == pytest.approx(SHIN / THIGH, abs=1e-9)
    assert _ankle_rise(quad_stretch(held="right", held_knee=90.0)) == pytest.approx(-SHIN / THIGH, abs=1e-9)
    # Feet side by side: no rise.
    assert _ankle_rise(standing()) == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("facing", [1, -1])
@pytest.mark.parametrize("held", ["left", "right"])
def test_lifted_role_reads_the_held_leg(facing, held):
    ex = SignalExtractor()
    for _ in range(15):  # facing is smoothed over ~10 frames
        sig = ex.step(quad_stretch(facing=facing, held=held, held_thigh=10.0, held_knee=40.0), None)
    assert sig.lifted_side == held and sig.side_of("lifted") == held
    assert sig.values["thigh.lifted"] == pytest.approx(10.0, abs=1e-6)
    assert sig.values["knee.lifted"] == pytest.approx(40.0, abs=1e-6)
    assert sig.values["knee.planted"] == pytest.approx(180.0, abs=1e-6)
    assert sig.values["thigh.planted"] == pytest.approx(0.0, abs=1e-6)
    # Thigh 10 deg forward of the vertical with an upright trunk: 10 deg of hip flexion.
    assert sig.values["hip_ext.lifted"] == pytest.approx(-10.0, abs=1e-6)


def test_lifted_role_keeps_its_leg_while_both_feet_are_down():
    ex = SignalExtractor()
    for _ in range(5):
        ex.step(quad_stretch(held="right", held_knee=60.0), None)
    # Both feet on the floor, and a small difference under the margin: the choice does not flicker.
    small = standing()
    small[27, 1] -= 0.5 * LIFTED_MARGIN * THIGH  # left ankle slightly higher, under the margin
    for xy in (standing(), small):
        assert ex.step(xy, None).lifted_side == "right"


def test_quad_stretch_hold_is_booked_to_the_held_leg():
    spec = load_exercise("standing-quad-stretch")
    assert spec.side_role == "lifted"
    s = Session(spec, 640, 480)
    frames = [(t, standing()) for t in np.arange(0, 1, 1 / 30)]
    frames += [(t, quad_stretch(held="right", held_knee=40.0)) for t in np.arange(1, 6, 1 / 30)]
    frames += [(t, quad_stretch(held="right", held_knee=40.0, held_thigh=30.0)) for t in np.arange(6, 8, 1 / 30)]
    frames += [(t, standing()) for t in np.arange(8, 9, 1 / 30)]
    for i, (t, xy) in enumerate(frames):
        s.step(i, float(t), observation(xy))
    holds = s.finish().holds
    assert len(holds) == 1
    h = holds[0]
    assert h.side == "right"
    assert h.start_s == pytest.approx(1.0, abs=0.05) and h.end_s == pytest.approx(8.0, abs=0.05)
    # 5 s with the knee down, then 2 s with the held thigh 30 deg forward: knee_forward (past 15 deg + the
    # thigh.lifted margin, ~8 deg, + half the dead band).
    assert h.good_form_s == pytest.approx(5.0, abs=0.2)
    assert h.fault_s.get("knee_forward", 0.0) == pytest.approx(2.0, abs=0.2)
    assert math.isclose(h.faulty_s, h.fault_s["knee_forward"], abs_tol=1e-9)
