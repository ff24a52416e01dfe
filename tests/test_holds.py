"""The hold state machine, end to end through the session, on synthetic landmark sequences.

Frames are hand-built poses (tests/poses.py) fed to ``Session.step``; the back
outline curvature comes from a schedule, so timing, baselines and faults have known answers.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.exercises import load_exercise
from formcheck.judge.session import Session
from formcheck.pose.base import OutlineMeasure
from formcheck.run.cues import FormCues
from tests.poses import kneeling, observation, standing

SPEC = load_exercise("kneeling-hip-flexor")
NEUTRAL, TUCKED = 0.060, 0.040  # curvature before / after a posterior tilt (change -0.020)


def run(frames, tilt_after=None):
    """frames: list of (t, xy or None). The pelvis tucks ``tilt_after`` s after each hold starts."""
    state = {"t": 0.0}

    def outline():
        hold = session._holds.current
        tucked = tilt_after is not None and hold is not None and state["t"] - hold.start_s >= tilt_after
        return OutlineMeasure(TUCKED if tucked else NEUTRAL, 0.0, False, None)

    session = Session(SPEC, width=640, height=480, cues=FormCues(SPEC))
    for i, (t, xy) in enumerate(frames):
        state["t"] = t
        back = "left"
        session.step(i, t, None if xy is None else observation(xy, near=back), None if xy is None else outline())
    return session.finish()


def seq(t0, t1, xy, fps=30.0):
    return [(t, xy) for t in np.arange(t0, t1, 1.0 / fps)]


GOOD = kneeling(back="left", trunk_lean=0.0, back_thigh=-20.0)


def test_debounce_short_position_is_not_a_hold():
    res = run(seq(0, 1, standing()) + seq(1, 1.4, GOOD) + seq(1.4, 3, standing()))
    assert res.holds == []


def test_one_good_hold_with_baseline_then_tilt():
    res = run(seq(0, 1, standing()) + seq(1, 11, GOOD) + seq(11, 13, standing()), tilt_after=2.0)
    assert len(res.holds) == 1
    h = res.holds[0]
    assert h.side == "left"
    assert h.start_s == pytest.approx(1.0, abs=0.05)
    assert h.end_s == pytest.approx(11.0, abs=0.05)
    # Before the tilt (and during the 1.5 s baseline) the pelvis is not tucked: that is a fault
    # or not judged; after it everything passes.
    assert h.good_form_s == pytest.approx(8.0, abs=0.4)
    assert h.fault_s.get("no_pelvic_tilt", 0) + h.not_judged_s == pytest.approx(2.0, abs=0.4)


def test_no_tilt_is_reported_as_fault():
    res = run(seq(0, 8, GOOD), tilt_after=None)
    h = res.holds[0]
    assert h.good_form_s == 0
    assert h.fault_s["no_pelvic_tilt"] == pytest.approx(8.0 - 1.5, abs=0.4)  # all but the baseline time


def test_grace_keeps_short_breaks_and_long_breaks_split():
    short = run(seq(0, 5, GOOD) + seq(5, 5.5, standing()) + seq(5.5, 10, GOOD), tilt_after=2.0)
    assert len(short.holds) == 1
    assert short.holds[0].break_s == pytest.approx(0.5, abs=0.1)
    long = run(seq(0, 5, GOOD) + seq(5, 7, standing()) + seq(7, 12, GOOD), tilt_after=2.0)
    assert [round(h.start_s) for h in long.holds] == [0, 7]


def test_side_switch_starts_a_new_hold_on_the_other_side():
    right = kneeling(back="right", trunk_lean=0.0, back_thigh=-20.0)
    res = run(seq(0, 6, GOOD) + seq(6, 12, right), tilt_after=2.0)
    assert [h.side for h in res.holds] == ["left", "right"]
    assert res.holds[0].end_s == pytest.approx(6.0, abs=0.05)
    assert res.holds[1].start_s == pytest.approx(6.0, abs=0.05)


def test_uneven_frame_times_are_timed_by_timestamps():
    rng = np.random.default_rng(3)
    t = np.cumsum(rng.uniform(0.02, 0.12, size=200))  # 15-50 fps, jittery
    t = t - t[0]
    res = run([(ti, GOOD) for ti in t], tilt_after=2.0)
    h = res.holds[0]
    assert h.end_s - h.start_s == pytest.approx(t[-1], abs=1e-6)
    booked = h.good_form_s + h.faulty_s + h.not_judged_s
    assert booked == pytest.approx(t[-1], abs=0.01)
    assert h.good_form_s == pytest.approx(t[-1] - 2.0, abs=0.3)


def test_missing_pose_frames_pause_the_timer_and_long_gaps_end_the_hold():
    gap = run(seq(0, 5, GOOD) + seq(5, 5.5, None) + seq(5.5, 10, GOOD), tilt_after=2.0)
    assert len(gap.holds) == 1
    h = gap.holds[0]
    assert h.good_form_s == pytest.approx(10 - 2.0 - 0.5, abs=0.4)  # the gap is not counted
    lost = run(seq(0, 5, GOOD) + seq(5, 7, None) + seq(7, 12, GOOD), tilt_after=2.0)
    assert len(lost.holds) == 2


def test_trunk_forward_fault_and_cue():
    leaning = kneeling(back="left", trunk_lean=25.0, back_thigh=-40.0)
    res = run(seq(0, 6, leaning), tilt_after=2.0)
    h = res.holds[0]
    assert h.fault_s["trunk_forward"] > 5.0
    cues = {f.cue for f in res.frames if f.t > 2}
    assert any("trunk upright" in c for c in cues)


def test_outline_hidden_is_not_judged_with_a_reason():
    hidden = OutlineMeasure(math.nan, math.nan, True, "hand covers the lower back")
    s = Session(SPEC, width=640, height=480)
    for i, (t, xy) in enumerate(seq(0, 5, GOOD)):
        s.step(i, t, observation(xy), hidden)
    h = s.finish().holds[0]
    assert "no_pelvic_tilt" not in h.fault_s
    assert h.not_judged_reasons["pelvis_tucked"]["hand covers the lower back"] > 4.0


def test_neutral_is_kept_when_the_stretch_is_re_entered_on_the_same_side():
    # First hold: neutral 1 s, then tucked. A 2 s break (standing), then straight back into the
    # stretch already tucked: the new hold must judge against the first neutral, not take the
    # tucked outline as its own neutral (which would read "no posterior tilt" for the whole hold).
    session = Session(SPEC, width=640, height=480)
    frames = seq(0, 1, standing()) + seq(1, 9, GOOD) + seq(9, 11, standing()) + seq(11, 19, GOOD)
    for i, (t, xy) in enumerate(frames):
        tucked = (3.0 <= t < 9.0) or t >= 11.0
        outline = OutlineMeasure(TUCKED if tucked else NEUTRAL, 0.0, False, None)
        session.step(i, t, observation(xy, near="left"), outline)
    res = session.finish()
    assert len(res.holds) == 2 and res.holds[0].side == res.holds[1].side == "left"
    second = res.holds[1]
    assert second.fault_s.get("no_pelvic_tilt", 0.0) < 0.5, second.fault_s
    assert second.good_form_s > 6.0
